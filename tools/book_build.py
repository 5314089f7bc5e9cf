"""How this repository's book is built, in one place: what a build needs besides its pages, and the strict command.

Used by tools/student_edition.py and by the tests that build copies of the book.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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


def build_book(source: Path, **run_kwargs) -> subprocess.CompletedProcess:
    """`jupyter-book build` with every chapter executed and warnings as errors (what `make site` runs)."""
    command = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(source), "--all", "--warningiserror",
               "--keep-going"]
    return subprocess.run(command, **run_kwargs)
