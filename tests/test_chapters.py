"""The chapters: each .md has its .ipynb twin, in sync and without outputs; each chapter reads as promised."""

from __future__ import annotations

import re

import jupytext
import nbformat
import pytest

from .conftest import CHAPTERS

CHAPTER_IDS = [path.stem for path in CHAPTERS]


def cells(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def test_five_chapters():
    assert len(CHAPTERS) == 5


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
