"""Benchmark of the explorers' updates in the kernel, against a naive full-table rebuild.

Run:  python -m book.bench
An update is what a learner triggers: move the slider or change the text of a real `embedding_explorer`;
the kernel checks the input, tokenizes it and serialises the panel's state for the front end (panel.js then
draws only the rows of this text's IDs). The text is 2,000 characters, the panels' maximum.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import time

import torch
from torch import nn

UPDATES = 500
HIDDEN_SIZES = [8, 512, 4096, 8192]
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


def rapid_updates(explorer, texts: list[str]) -> list[float]:
    """Milliseconds per update over UPDATES updates: the text and the slider in turn, across hidden sizes."""
    samples = []
    for k in range(UPDATES):
        start = time.perf_counter()
        if k % 2:
            explorer.text.value = texts[k % len(texts)]
        else:
            explorer.hidden_size.value = HIDDEN_SIZES[(k // 2) % len(HIDDEN_SIZES)]
        json.dumps(explorer.panel.state)  # what the comm sends to the front end
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def naive_update_ms(rows: int, hidden_size: int) -> float:
    """What a naive widget would do per move: build nn.Embedding(rows, hidden) and initialise it."""
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
    tokens = len(tokenizer.encode(texts[0]))
    samples = rapid_updates(explorer, texts)
    print(f"text: {len(texts[0]):,} characters -> {tokens:,} tokens; {UPDATES} updates, hidden_size {HIDDEN_SIZES}")
    print(f"update ms: p50 {statistics.median(samples):.2f}  p95 {percentile(samples, 0.95):.2f}  "
          f"max {max(samples):.2f}   peak RSS {peak_rss_mib():.0f} MiB")
    naive = naive_update_ms(len(tokenizer), 8192)
    print(f"naive rebuild of nn.Embedding({len(tokenizer):,}, 8192): {naive:,.0f} ms per update, "
          f"{naive / statistics.median(samples):,.0f}x the median update here")


if __name__ == "__main__":
    main()
