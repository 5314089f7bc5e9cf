"""How this repository's book is built, in one place: what a build needs besides its pages, and the strict command.

Used by `make site` (`python -m tools.book_build`), tools/student_edition.py and the tests that build the book.
BOOK_PATH_OUTPUT names another folder for the build (jupyter-book's --path-output): the tests then read the site and
the executed notebooks from $BOOK_PATH_OUTPUT/_build, and build there when they are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# Configuration and site machinery every build of the book needs, whatever its pages.
BUILD_SUPPORT = ["_config.yml", "_static", "_ext", "_extra", "_templates"]


def copy_build_support(target: Path) -> None:
    """Copy BUILD_SUPPORT into `target` (an _extra not built yet becomes an empty folder)."""
    for name in BUILD_SUPPORT:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, target / name, ignore=shutil.ignore_patterns("__pycache__", ".installed"))
        elif origin.is_file():
            shutil.copy2(origin, target / name)
        else:
            (target / name).mkdir(parents=True)


def path_output() -> Path:
    """The folder that holds the book's _build: $BOOK_PATH_OUTPUT, else the repository."""
    return Path(os.environ.get("BOOK_PATH_OUTPUT") or ROOT).resolve()


def runs_in_temp(source: Path = ROOT) -> bool:
    """Does the book's _config.yml run each chapter in an empty temporary folder (execute.run_in_temp), as Colab
    would, rather than in the chapter's own folder?"""
    config = yaml.safe_load((source / "_config.yml").read_text("utf-8"))
    return bool((config.get("execute") or {}).get("run_in_temp"))


def build_command(source: Path, output: Path | None = None) -> list[str]:
    """`jupyter-book build` with every chapter executed and warnings as errors (what `make site` runs)."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source), "--all", "--warningiserror",
               "--keep-going"]
    return command + (["--path-output", str(output)] if output else [])


def build_book(source: Path, output: Path | None = None, **run_kwargs) -> subprocess.CompletedProcess:
    """Build the book in `source` into `output`/_build (default `source`/_build); `run_kwargs` go to subprocess.run."""
    return subprocess.run(build_command(source, output), **run_kwargs)


if __name__ == "__main__":
    sys.exit(build_book(ROOT).returncode)
