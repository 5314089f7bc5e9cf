"""The build is strict: a cell that raises, or any Sphinx warning, fails it. Where the build runs cells."""

from __future__ import annotations

import ast
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest

from tools import book_build

CHAPTER_HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
"""


def build_tiny_book(tmp_path: Path, chapter_body: str) -> subprocess.CompletedProcess:
    """Build a one-chapter book with the course's own _config.yml and build command."""
    book_build.copy_build_support(tmp_path)
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: chapter\n", "utf-8")
    (tmp_path / "index.md").write_text("# 首页\n", "utf-8")
    (tmp_path / "chapter.md").write_text(CHAPTER_HEADER + chapter_body, "utf-8")
    return book_build.build_book(tmp_path, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_clean_chapter_builds_and_runs_where_the_config_says(tmp_path):
    cell = "import os\nprint(6 * 7, sorted(os.listdir('.')))"
    result = build_tiny_book(tmp_path, f"# 第一章\n\n```{{code-cell}} ipython3\n{cell}\n```\n")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    html = (tmp_path / "_build" / "html" / "chapter.html").read_text("utf-8")
    printed = re.search(r"42 (\[.*?\])", unescape(html))
    assert printed, html[-3000:]
    folder = ast.literal_eval(printed.group(1))
    # run_in_temp: an empty folder, as in Colab; otherwise the chapter's own folder
    assert (folder == []) if book_build.runs_in_temp() else ("chapter.md" in folder), folder


@pytest.mark.slow
def test_a_raising_cell_fails_the_build(tmp_path):
    result = build_tiny_book(tmp_path, "# 第一章\n\n```{code-cell} ipython3\nraise ValueError('坏单元')\n```\n")
    assert result.returncode != 0
    assert "ValueError" in result.stdout + result.stderr


@pytest.mark.slow
def test_a_warning_fails_the_build(tmp_path):
    result = build_tiny_book(tmp_path, "# 第一章\n\n见 {ref}`no-such-label`。\n")
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr
