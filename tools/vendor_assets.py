"""Copy the browser assets the site serves itself from node_modules into _static/vendor (no CDN at read time)."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "_static" / "vendor"


def copy_mermaid() -> None:
    """mermaid's ES module and the chunks it imports on demand (source maps left out)."""
    dist = ROOT / "node_modules" / "mermaid" / "dist"
    target = VENDOR / "mermaid"
    shutil.rmtree(target, ignore_errors=True)
    (target / "chunks").mkdir(parents=True)
    shutil.copy2(dist / "mermaid.esm.min.mjs", target)
    shutil.copytree(dist / "chunks" / "mermaid.esm.min", target / "chunks" / "mermaid.esm.min",
                    ignore=shutil.ignore_patterns("*.map"))


if __name__ == "__main__":
    copy_mermaid()
    print(f"vendored assets into {VENDOR.relative_to(ROOT)}")
