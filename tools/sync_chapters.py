"""Put the Colab setup cell (built from _config.yml's repository) first in every chapter, then pair each .md with
its .ipynb.

Usage:  .venv/bin/python -m tools.sync_chapters      (what `make sync` runs)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jupytext
from nbformat.v4 import new_code_cell

from book.launch import SETUP_MARKER, colab_setup_source, repository
from tools import save_code

ROOT = Path(__file__).resolve().parents[1]

SETUP_METADATA = {"tags": ["hide-cell"]}  # collapsed on the site


def with_setup_cell(md: Path, source: str) -> bool:
    """Insert or refresh the setup cell of one chapter; True when the file changed."""
    notebook = jupytext.read(md)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if code and code[0].source.startswith(SETUP_MARKER):
        if code[0].source == source and code[0].metadata == SETUP_METADATA:
            return False
        code[0].source, code[0].metadata = source, dict(SETUP_METADATA)
    else:
        first_code = notebook.cells.index(code[0]) if code else len(notebook.cells)
        notebook.cells.insert(first_code, new_code_cell(source, metadata=dict(SETUP_METADATA)))
    jupytext.write(notebook, md, fmt="md:myst")
    return True


def main() -> None:
    url, ref = repository(ROOT / "_config.yml")
    source = colab_setup_source(url, ref)
    chapters = sorted((ROOT / "chapters").glob("*.md"))
    for md in chapters:
        if with_setup_cell(md, source):
            print(f"setup cell updated: {md.relative_to(ROOT)}")
    subprocess.run([sys.executable, "-m", "jupytext", "--sync", *map(str, chapters)], check=True, capture_output=True)
    print(f"synced {len(chapters)} chapters with {url}@{ref}")
    save_code.main([])  # the #@save cells into book/saved.py


if __name__ == "__main__":
    main()
