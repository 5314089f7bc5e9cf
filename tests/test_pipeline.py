"""text_to_embeddings (written on chapter 5's page, saved into book): the documented shapes and errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book import text_to_embeddings


def seeded_table(rows: int, hidden: int) -> nn.Embedding:
    torch.manual_seed(0)
    embedding = nn.Embedding(rows, hidden)
    nn.init.normal_(embedding.weight, std=0.02)
    return embedding


def test_text_to_embeddings_single_and_batch(tokenizer):
    embedding = seeded_table(len(tokenizer), 16)
    vectors, batch = text_to_embeddings("小红帽去森林", tokenizer, embedding)
    assert vectors.shape == (1, 5, 16)
    assert batch["input_ids"][0].tolist() == [30709, 99425, 102663, 85336, 102258]

    sentences = ["小红帽去森林", "大灰狼"]
    vectors, batch = text_to_embeddings(sentences, tokenizer, embedding)
    lengths = [len(tokenizer.encode(s)) for s in sentences]
    assert vectors.shape == (2, max(lengths), 16)
    assert batch["attention_mask"].sum(dim=1).tolist() == lengths
    assert batch["attention_mask"][1, -1] == 0  # right padding by default

    left, left_batch = text_to_embeddings(sentences, tokenizer, embedding, padding_side="left")
    assert left_batch["attention_mask"][1, 0] == 0
    assert tokenizer.padding_side == "right"  # restored


def test_too_small_table_raises_a_clear_index_error(tokenizer):
    with pytest.raises(IndexError, match="len\\(tokenizer\\)"):
        text_to_embeddings("<|im_end|>", tokenizer, nn.Embedding(tokenizer.vocab_size, 4))


def test_empty_batch_is_refused(tokenizer):
    with pytest.raises(ValueError, match="为空"):
        text_to_embeddings([], tokenizer, nn.Embedding(10, 4))
