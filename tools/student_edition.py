"""Build the student edition: the executed book without the “解答” (solutions) sections and without the instructor
guide. Nothing runs again: pages come from the notebooks the site build executed (outputs included) and are built
with execution off.

Usage:  .venv/bin/python -m tools.student_edition      (what `make student` runs; builds the site first when the
                                                       executed notebooks are missing or older than the sources)
Writes  _build/student/html/       the site
        _build/student/notebooks/  chapter notebooks without solutions or outputs, ready to hand out
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

from tools.book_build import ROOT, build_book, copy_build_support, path_output

PAGES = ["index", "setup", "glossary"]  # besides the chapters
INSTRUCTOR_ONLY = ["instructor"]
SOLUTIONS_HEADING = "## 解答"  # each chapter's solutions: from this heading to the next heading of level 1 or 2
NEXT_SECTION = re.compile(r"^#{1,2} ")
SOLUTION_MARKERS = ("{solution-start}", "{solution-end}", "{solution}")
SOLUTIONS_POINTER = "“解答”一节"  # a line of the exercises' introduction that points to the solutions


def chapters() -> list[Path]:
    """The chapter sources the book's table of contents lists, in its order."""
    toc = (ROOT / "_toc.yml").read_text("utf-8")
    return [ROOT / f"{name}.md" for name in re.findall(r"^\s*- file: (chapters/\S+)\s*$", toc, re.M)]


def executed_dir() -> Path:
    """Where the site build leaves the executed notebooks."""
    return path_output() / "_build" / "jupyter_execute"


def strip_solutions(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of `notebook` without its “## 解答” section (markdown split at the heading, code cells dropped)."""
    kept, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            if not inside:
                kept.append(cell)
            continue
        lines, inside = _lines_outside(cell.source.splitlines(), inside)
        text = "\n".join(lines).strip()
        if text and text != "+++":
            kept.append(nbformat.from_dict({**cell, "source": text}))
    stripped = nbformat.from_dict(notebook)
    stripped.cells = kept
    return stripped


def _lines_outside(lines: list[str], inside: bool) -> tuple[list[str], bool]:
    """The lines of a markdown cell that lie outside the solutions section, and whether the cell ends inside it."""
    kept = []
    for line in lines:
        if line.strip() == SOLUTIONS_HEADING:
            inside = True
        elif inside and NEXT_SECTION.match(line):
            inside = False
        if not inside:
            kept.append(line)
    return kept, inside


def has_solutions(notebook: nbformat.NotebookNode) -> bool:
    text = "\n".join(cell.source for cell in notebook.cells)
    return SOLUTIONS_HEADING in text or any(marker in text for marker in SOLUTION_MARKERS)


def without_instructor_links(text: str) -> str:
    """Drop "；见{doc}`instructor`"-style references to pages the student edition leaves out."""
    for page in INSTRUCTOR_ONLY:
        text = re.sub(rf"[；，]?见?\{{doc\}}`{page}`", "", text)
    return text


def student_toc(text: str) -> str:
    for page in INSTRUCTOR_ONLY:
        text = re.sub(rf"^\s*- file: {page}\n", "", text, flags=re.M)
    return text


def student_config(text: str) -> str:
    """The book's _config.yml with execution off and executed notebooks (.ipynb) accepted as pages."""
    config = yaml.safe_load(text)
    config["execute"]["execute_notebooks"] = "off"
    config["exclude_patterns"] = [p for p in config.get("exclude_patterns", []) if not p.endswith(".ipynb")]
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def student_page(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """An executed page as the student edition shows it."""
    page = strip_solutions(notebook)
    for cell in page.cells:
        if cell.cell_type == "markdown":
            lines = [line for line in cell.source.splitlines() if SOLUTIONS_POINTER not in line]
            cell.source = without_instructor_links("\n".join(lines))
    return page


def restore_glue(notebook: nbformat.NotebookNode, glue_file: Path) -> nbformat.NotebookNode:
    """Put back the values the build glued into the page: myst-nb keeps them beside the executed notebook
    (<stem>.glue.json) and, with execution off, reads them only from the notebook's outputs."""
    if not glue_file.is_file():
        return notebook
    present = {output.get("metadata", {}).get("scrapbook", {}).get("name")
               for cell in notebook.cells for output in cell.get("outputs", [])}
    outputs = []
    for key, output in json.loads(glue_file.read_text("utf-8")).items():
        if key in present:
            continue
        prefix = output["metadata"]["scrapbook"].get("mime_prefix", "")
        outputs.append(nbformat.from_dict({**output, "data": {prefix + k: v for k, v in output["data"].items()}}))
    first_code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    first_code.outputs = list(first_code.get("outputs", [])) + outputs
    return notebook


def prepare_sources(src: Path, executed: Path) -> None:
    """Write the student edition's sources into `src`: executed pages as notebooks, the rest as they are."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    copy_build_support(src)
    (src / "_config.yml").write_text(student_config((ROOT / "_config.yml").read_text("utf-8")), "utf-8")
    (src / "_toc.yml").write_text(student_toc((ROOT / "_toc.yml").read_text("utf-8")), "utf-8")
    names = PAGES + [f"chapters/{md.stem}" for md in chapters()]
    for name in names:
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        run = executed / f"{name}.ipynb"
        if run.is_file():
            page = restore_glue(nbformat.read(run, as_version=4), run.with_suffix(".glue.json"))
            nbformat.write(student_page(page), target.with_suffix(".ipynb"))
        else:
            source = (ROOT / f"{name}.md").read_text("utf-8")
            target.with_suffix(".md").write_text(without_instructor_links(source), "utf-8")


def hand_out_notebooks(target: Path) -> list[Path]:
    """Chapter notebooks without solutions and without outputs, from the chapter sources."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    written = []
    for md in chapters():
        path = target / f"{md.stem}.ipynb"
        jupytext.write(student_page(jupytext.read(md)), path, fmt="ipynb")
        written.append(path)
    return written


def build(executed: Path, out: Path) -> Path:
    """Build the student edition from the executed notebooks in `executed` into `out`; returns the site folder."""
    src = out / "src"
    prepare_sources(src, executed)
    hand_out_notebooks(out / "notebooks")
    build_book(src, check=True)
    html = out / "html"
    shutil.rmtree(html, ignore_errors=True)
    shutil.move(str(src / "_build" / "html"), html)
    return html


def stale_chapters(executed: Path) -> list[str]:
    """Chapters whose executed notebook is missing or whose code differs from the source."""
    stale = []
    for md in chapters():
        run = executed / "chapters" / f"{md.stem}.ipynb"
        if not run.is_file():
            stale.append(md.stem)
            continue
        code = [cell.source for cell in nbformat.read(run, as_version=4).cells if cell.cell_type == "code"]
        if code != [cell.source for cell in jupytext.read(md).cells if cell.cell_type == "code"]:
            stale.append(md.stem)
    return stale


def main() -> None:
    executed = executed_dir()
    stale = stale_chapters(executed)
    if stale:
        print(f"executing the book first (not built yet or changed: {', '.join(stale)})")
        build_book(ROOT, None if path_output() == ROOT else path_output(), check=True)
    out = path_output() / "_build" / "student"
    html = build(executed, out)
    print(f"student edition: {html}/index.html, notebooks in {out / 'notebooks'}/")


if __name__ == "__main__":
    sys.exit(main())
