"""Print the site's budgets, measured in headless Chromium against the built site on loopback.

Usage:  .venv/bin/python -m tools.budgets [site_dir]      (default _build/html; run `make site` first)
- each chapter page's transfer size: the document and everything it loads, the playground's tokenizer excluded;
- the tokenizer's compressed (gzip) and raw size;
- the time until the playground is ready: from the moment it starts loading the tokenizer, and from navigation start.
"""

from __future__ import annotations

import gzip
import statistics
import sys
from pathlib import Path

from tools import sitecheck

ROOT = Path(__file__).resolve().parents[1]

PAGE_BUDGET = 1_000_000  # bytes
READY_BUDGET_MS = 1_500
TOKENIZER_FILES = ("tokenizer.json.gz", "tokenizer_config.json")

TRANSFER = """
const entries = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')];
return entries.map((e) => [e.name, e.transferSize || e.encodedBodySize || 0]);
"""


def page_transfer(driver, url: str) -> tuple[int, int]:
    """(bytes, requests) a page transfers when opened, tokenizer files excluded."""
    driver.get(url)
    sitecheck.wait_for(driver, "document.readyState === 'complete'")
    sitecheck.wait_for(driver, "!document.querySelector('.mermaid') || document.querySelector('.mermaid svg')")
    entries = [(name, size) for name, size in driver.execute_script(TRANSFER) if not name.endswith(TOKENIZER_FILES)]
    return sum(size for _, size in entries), len(entries)


def playground_ready(driver, url: str) -> tuple[float, float]:
    """(ms from starting the tokenizer load to ready, ms from navigation start to ready), scrolled to the playground."""
    driver.get(url)
    sitecheck.wait_for(driver, "document.querySelector('.ttv-panel')")
    driver.execute_script("document.querySelector('.ttv-panel').scrollIntoView()")
    ready_times = "[ttvPlayground.loadStartedAt, ttvPlayground.readyAt]"
    start, ready = sitecheck.wait_for(driver, f"window.ttvPlayground && window.ttvPlayground.readyAt && {ready_times}")
    return ready - start, ready


def main() -> int:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html"
    problem = sitecheck.browser_available()
    if problem:
        print(problem)
        return 2
    chapters = sorted((site / "chapters").glob("*.html"))
    packed = site / "vendor" / "playground" / "tokenizer.json.gz"
    raw_size = len(gzip.decompress(packed.read_bytes()))
    failures = 0
    with sitecheck.serve_site(site) as base, sitecheck.chromium() as driver:
        print(f"{'page':32} {'transfer':>10} {'requests':>9}")
        for page in chapters:
            size, count = page_transfer(driver, f"{base}chapters/{page.name}")
            over = size > PAGE_BUDGET
            failures += over
            print(f"chapters/{page.name:23} {size / 1000:8.1f} kB {count:9d}{'  OVER BUDGET' if over else ''}")
        print(f"tokenizer: {packed.stat().st_size / 1e6:.2f} MB compressed (gzip), {raw_size / 1e6:.2f} MB raw")
        runs = [playground_ready(driver, f"{base}chapters/02_tokenize.html") for _ in range(5)]
    load = statistics.median(r[0] for r in runs)
    total = statistics.median(r[1] for r in runs)
    # A time on a shared machine is a figure to read, not a gate: it is printed against its target; bytes decide.
    within = "within" if total <= READY_BUDGET_MS else "over"
    print(f"playground ready: {load:.0f} ms after it starts loading, {total:.0f} ms after navigation start "
          f"(median of 5; target {READY_BUDGET_MS} ms: {within})")
    verdict = "NOT met" if failures else "met"
    print(f"budgets: every page <= {PAGE_BUDGET / 1e6:g} MB transferred: {verdict}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
