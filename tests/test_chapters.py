"""The chapters: each .md has its .ipynb twin, in sync and without outputs; each chapter reads as promised;
each notebook runs alone, as Colab runs it."""

from __future__ import annotations

import os
import re
import shutil

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from tools import book_build

from .conftest import CHAPTERS, ROOT

CHAPTER_IDS = [path.stem for path in CHAPTERS]


def cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_every_chapter_file_is_in_the_table_of_contents():
    """A chapter missing from _toc.yml is neither built nor tested."""
    assert CHAPTERS and all(md.is_file() for md in CHAPTERS)
    assert sorted((ROOT / "chapters").glob("*.md")) == sorted(CHAPTERS), "add the chapter to _toc.yml"


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_pair_in_sync(md):
    ipynb = md.with_suffix(".ipynb")
    assert ipynb.is_file(), f"{ipynb.name} missing: run `make sync`"
    paired = nbformat.read(ipynb, as_version=4)
    assert cells(jupytext.read(md)) == cells(paired), f"{md.name} and {ipynb.name} differ: run `make sync`"
    for cell in paired.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{ipynb.name} carries outputs"


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_opens_with_objectives_prerequisites_and_time(md):
    text = md.read_text("utf-8")
    for heading in ("学习目标", "前置知识", "预计用时"):
        assert heading in text, f"{md.name} lacks {heading}"


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_no_trust_remote_code_in_chapter_code(md):
    notebook = jupytext.read(md)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert not re.search(r"trust_remote_code\s*=\s*True", code)


@pytest.mark.slow
@pytest.mark.skipif(book_build.runs_in_temp(), reason="the site build already runs each chapter in an empty folder")
@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_notebook_runs_alone_in_an_empty_folder(md, tmp_path):
    """As Colab runs it: only the .ipynb, in an empty folder that is also the working directory.

    The site build runs each chapter with the chapter's folder as working directory (execute.run_in_temp is off),
    so a chapter that reads a file beside it, or writes one, would pass the build and fail in Colab.
    """
    notebook_path = tmp_path / f"{md.stem}.ipynb"
    shutil.copy(md.with_suffix(".ipynb"), notebook_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}  # the kernel's working directory
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources=resources)
    client.execute(env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"})
    left = sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith("."))
    assert left == [notebook_path.name], f"{md.stem} wrote {left} into its working directory"
