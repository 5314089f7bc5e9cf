"""Shared fixtures: the real Qwen2.5 tokenizer (offline build), the repository paths, the built site and the
chapters as the build executed them.

The book is executed once per `make test`, by the site build; tests read its results instead of running chapters
again. BOOK_PATH_OUTPUT points the fixtures at another build folder (see tools/book_build.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
import yaml

from tools import book_build

ROOT = Path(__file__).resolve().parents[1]


def toc_files(node) -> list[str]:
    """Every `file` entry of a _toc.yml, in order (parts and sections included)."""
    if isinstance(node, dict):
        return ([node["file"]] if "file" in node else []) + [f for value in node.values() for f in toc_files(value)]
    if isinstance(node, list):
        return [f for item in node for f in toc_files(item)]
    return []


# The book's chapters: the chapters/ pages _toc.yml lists (what the build executes), in reading order.
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text("utf-8"))
CHAPTERS = [ROOT / f"{name}.md" for name in toc_files(TOC) if name.startswith("chapters/")]
BUILD = book_build.path_output() / "_build"
SITE = BUILD / "html"
EXECUTED = BUILD / "jupyter_execute" / "chapters"

# Notebook kernels (jupyter-book, nbclient) start "python" from PATH: make it this interpreter.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


def build_is_complete() -> bool:
    """True when the site and every chapter's executed notebook are there."""
    executed = [EXECUTED / f"{md.stem}.ipynb" for md in CHAPTERS]
    return (SITE / "index.html").is_file() and all(path.is_file() for path in executed)


@pytest.fixture(scope="session")
def tokenizer():
    from book import load_tokenizer

    return load_tokenizer(offline=True)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The executed site (_build/html); built here, as `make site` builds it, when it is missing."""
    if not build_is_complete():
        output = book_build.path_output()
        result = book_build.build_book(ROOT, None if output == ROOT else output)
        if result.returncode != 0:
            pytest.fail(f"the book build failed (exit {result.returncode}); `make site` shows why", pytrace=False)
    return SITE


@pytest.fixture(scope="session")
def executed_notebook(built_site) -> Callable[[str | Path], nbformat.NotebookNode]:
    """A function: a chapter (its stem or path) -> the notebook the site build executed, outputs included.

    Each call reads the file afresh, so a test may change what it gets.
    """

    def executed(chapter: str | Path) -> nbformat.NotebookNode:
        path = EXECUTED / f"{Path(chapter).stem}.ipynb"
        if not path.is_file():
            pytest.fail(f"the build executed no {path.name}: is the chapter in _toc.yml? (then run make site)",
                        pytrace=False)
        return nbformat.read(path, as_version=4)

    return executed


def outputs(notebook) -> str:
    """Everything an executed notebook shows: its printed text and every output's data, joined."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.extend(str(value) for value in output.get("data", {}).values())
    return "\n".join(parts)
