"""Shared fixtures: the real Qwen2.5 tokenizer (offline build) and the repository paths."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
SITE = ROOT / "_build" / "html"

sys.path.insert(0, str(ROOT / "tools"))
import book_build  # noqa: E402

# Notebook kernels (nbmake, jupyter-book) start "python" from PATH: make it this interpreter.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"


@pytest.fixture(scope="session")
def tokenizer():
    from book import load_tokenizer

    return load_tokenizer(offline=True)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The executed site in _build/html; built here when `make site` has not run."""
    if not (SITE / "index.html").is_file():
        book_build.build_book(ROOT, check=True)
    return SITE
