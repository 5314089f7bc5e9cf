"""Print the book's figures: tokenizer build and cache-load time, and each chapter's run time and peak RSS.

Usage:  .venv/bin/python -m tools.measure_book
Each chapter runs in a fresh kernel, as on Binder; peak RSS is the kernel's maximum resident set size.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def time_tokenizer_load(cache_dir: str) -> float:
    """Seconds `load_tokenizer(offline=True)` takes in a fresh process (imports excluded)."""
    code = (
        "import time, transformers, book\n"
        "t = time.perf_counter(); book.load_tokenizer(offline=True); print(time.perf_counter() - t)"
    )
    env = dict(os.environ, BOOK_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run_chapter(path: Path) -> None:
    """Child mode: execute one notebook, then report wall time and the kernel's peak RSS."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    resources = {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources=resources)
    client.execute()
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    print(f"{seconds:.1f} {peak_mib:.0f}")


def main() -> None:
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    with tempfile.TemporaryDirectory() as cache:
        build = time_tokenizer_load(cache)
        cached = min(time_tokenizer_load(cache) for _ in range(3))
    print(f"tokenizer first build (offline): {build:.2f} s")
    print(f"tokenizer load from cache:       {cached:.2f} s (best of 3)")
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        command = [sys.executable, "-m", "tools.measure_book", "--chapter", str(notebook)]
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        seconds, peak = out.stdout.split()[-2:]
        print(f"{notebook.stem:20} run {float(seconds):5.1f} s   peak RSS {int(peak):5d} MiB")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--chapter":
        run_chapter(Path(sys.argv[2]))
    else:
        main()
