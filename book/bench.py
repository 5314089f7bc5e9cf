"""Benchmark of the live widgets: update time and memory per hidden_size, against a naive full-table rebuild.

Run:  python -m book.bench
An "update" is what a learner triggers: set the slider (or the text) of a real `embedding_explorer` and
wait until its HTML output is rendered again. The text is 2,000 characters (the view's maximum).
"""

from __future__ import annotations

import random
import resource
import statistics
import time

import torch
from torch import nn

HIDDEN_SIZES = [8, 64, 512, 2048, 4096, 8192]
REPEATS = 40
SAMPLE = "小红帽提着篮子，穿过森林去看望生病的外婆。Little Red Riding Hood walks into the forest 2024 🌲! "


def long_text(chars: int = 2_000, seed: int = 0) -> str:
    """A mixed Chinese/English/digit/emoji text of exactly `chars` characters."""
    rng = random.Random(seed)
    pieces = []
    while sum(map(len, pieces)) < chars:
        start = rng.randrange(len(SAMPLE))
        pieces.append(SAMPLE[start:] + SAMPLE[:start])
    return "".join(pieces)[:chars]


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_updates(explorer, hidden_size: int, texts: list[str]) -> list[float]:
    """Milliseconds per update: alternate the text so every update really recomputes, at a fixed hidden_size."""
    explorer.hidden.value = hidden_size
    samples = []
    for k in range(REPEATS):
        start = time.perf_counter()
        if k % 2:
            explorer.text.value = texts[k % len(texts)]
        else:  # move the slider away and back: two updates, count the second
            explorer.hidden.value = hidden_size - 8 if hidden_size > 8 else 16
            start = time.perf_counter()
            explorer.hidden.value = hidden_size
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def naive_update_ms(rows: int, hidden_size: int) -> float:
    """What a naive widget does per move: build nn.Embedding(rows, hidden) and initialise it."""
    start = time.perf_counter()
    table = nn.Embedding(rows, hidden_size)
    nn.init.normal_(table.weight, std=0.02)
    elapsed = (time.perf_counter() - start) * 1000
    del table
    return elapsed


def main() -> None:
    from . import load_tokenizer
    from .widgets import embedding_explorer

    torch.manual_seed(0)
    tokenizer = load_tokenizer()
    texts = [long_text(seed=s) for s in range(4)]
    explorer = embedding_explorer(tokenizer, texts[0])
    print(f"text: {len(texts[0]):,} characters -> {len(tokenizer.encode(texts[0])):,} tokens; {REPEATS} updates per size")
    print(f"{'hidden_size':>11} {'p50 ms':>8} {'p95 ms':>8} {'peak RSS MiB':>13}")
    results = {}
    for hidden in HIDDEN_SIZES:
        samples = time_updates(explorer, hidden, texts)
        results[hidden] = samples
        print(f"{hidden:>11} {statistics.median(samples):8.2f} {percentile(samples, 0.95):8.2f} {peak_rss_mib():13.0f}")
    widget_peak = peak_rss_mib()
    naive = naive_update_ms(len(tokenizer), 512)
    ours = statistics.median(results[512])
    print(f"naive rebuild of nn.Embedding({len(tokenizer):,}, 512): {naive:,.0f} ms per update, "
          f"{ours:.2f} ms here: {naive / ours:,.0f}x faster")
    print(f"widget update p95 {percentile(results[8192], 0.95):.1f} ms at hidden_size 8192, peak RSS {widget_peak:.0f} MiB")


if __name__ == "__main__":
    main()
