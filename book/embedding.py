"""Embedding tables whose every row can be recomputed on its own.

`nn.Embedding` starts as random numbers; here each row i is drawn from N(0, 0.02²) by its own generator,
seeded from (seed, i). The full table and any single row therefore agree exactly, so a widget can look
up the rows of a sentence without building a 151,665-row table.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

INIT_STD = 0.02  # the std that Qwen2 / GPT-style models use to initialise embeddings
ROW_SEED_STRIDE = 1_000_003  # a prime: distinct (seed, row) pairs give distinct generator seeds


def row_seed(seed: int, row: int) -> int:
    """Generator seed of one table row."""
    return seed * ROW_SEED_STRIDE + row


def fill_rows(out: torch.Tensor, rows: Iterable[int], seed: int, std: float = INIT_STD) -> torch.Tensor:
    """Write the initial values of `rows` of a seeded table into `out` (shape [len(rows), hidden])."""
    generator = torch.Generator()
    for k, row in enumerate(rows):
        generator.manual_seed(row_seed(seed, int(row)))
        out[k].normal_(0.0, std, generator=generator)
    return out


def init_embedding_(embedding: nn.Embedding, seed: int = 0, std: float = INIT_STD) -> nn.Embedding:
    """Initialise an nn.Embedding in place, row by row, so that `embedding_rows` can reproduce any row."""
    with torch.no_grad():
        fill_rows(embedding.weight, range(embedding.num_embeddings), seed, std)
    return embedding


def seeded_embedding(num_embeddings: int, hidden_size: int, seed: int = 0) -> nn.Embedding:
    """A new `nn.Embedding(num_embeddings, hidden_size)` initialised by `init_embedding_`."""
    return init_embedding_(nn.Embedding(num_embeddings, hidden_size), seed)


def embedding_rows(ids: Iterable[int], hidden_size: int, seed: int = 0) -> torch.Tensor:
    """The rows `ids` of `seeded_embedding(vocab, hidden_size, seed)`, without building the table.

    Each distinct id is drawn once; the result has shape [len(ids), hidden_size].
    """
    ids = [int(i) for i in ids]
    unique = sorted(set(ids))
    table = fill_rows(torch.empty(len(unique), hidden_size), unique, seed)
    where = {value: k for k, value in enumerate(unique)}
    return table[torch.tensor([where[i] for i in ids], dtype=torch.long)]


def table_bytes(num_embeddings: int, hidden_size: int, bytes_per_value: int = 4) -> int:
    """Memory of the weight matrix alone (fp32 = 4 bytes, bf16 = 2 bytes)."""
    return num_embeddings * hidden_size * bytes_per_value
