"""Build the student edition: the same executed book without solutions (and without the instructor guide).

Usage:  .venv/bin/python tools/student_edition.py      (what `make student` runs)
Writes  _build/student/html/       the site
        _build/student/notebooks/  chapter notebooks without solutions, ready to hand out
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from book_build import ROOT, build_book, copy_build_support  # noqa: E402

OUT = ROOT / "_build" / "student"
PAGES = ["_toc.yml", "index.md", "setup.md", "glossary.md", "chapters"]
INSTRUCTOR_ONLY = ["instructor"]

# A gated solution: from ```{solution-start} to the closing fence of ```{solution-end}, cells included.
SOLUTION_BLOCK = re.compile(r"```\{solution-start\}.*?```\{solution-end\}\n```\n?", re.S)
SOLUTION_DIRECTIVE = re.compile(r"^(`{3,}|:{3,})\{solution\}.*?^\1\n?", re.S | re.M)


def strip_solutions(text: str) -> str:
    """Remove every solution (gated or single directive) from a MyST chapter."""
    return SOLUTION_DIRECTIVE.sub("", SOLUTION_BLOCK.sub("", text))


def student_toc(text: str) -> str:
    for page in INSTRUCTOR_ONLY:
        text = re.sub(rf"^\s*- file: {page}\n", "", text, flags=re.M)
    return text


def without_instructor_links(text: str) -> str:
    """Drop "；见{doc}`instructor`"-style references to pages the student edition leaves out."""
    for page in INSTRUCTOR_ONLY:
        text = re.sub(rf"[；，]?见?\{{doc\}}`{page}`", "", text)
    return text


def prepare_sources(src: Path) -> list[Path]:
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    copy_build_support(src)
    for name in PAGES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        else:
            shutil.copy2(origin, src / name)
    (src / "_toc.yml").write_text(student_toc((src / "_toc.yml").read_text("utf-8")), "utf-8")
    for page in src.glob("*.md"):
        page.write_text(without_instructor_links(page.read_text("utf-8")), "utf-8")
    chapters = sorted((src / "chapters").glob("*.md"))
    for md in chapters:
        md.write_text(strip_solutions(md.read_text("utf-8")), "utf-8")
    return chapters


def main() -> None:
    bin_dir = Path(sys.executable).parent
    src = OUT / "src"
    chapters = prepare_sources(src)
    notebooks = OUT / "notebooks"
    shutil.rmtree(notebooks, ignore_errors=True)
    notebooks.mkdir(parents=True)
    for md in chapters:
        subprocess.run([str(bin_dir / "jupytext"), "--quiet", "--to", "ipynb", "--output", str(notebooks / f"{md.stem}.ipynb"), str(md)],
                       check=True)
    build_book(src, check=True)
    html = OUT / "html"
    shutil.rmtree(html, ignore_errors=True)
    shutil.move(str(src / "_build" / "html"), html)
    print(f"student edition: {html.relative_to(ROOT)}/index.html, notebooks in {notebooks.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
