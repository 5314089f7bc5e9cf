"""Seeded embedding tables: any row can be recomputed alone, and the pipeline gives the documented shapes."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from book import INIT_STD, embedding_rows, init_embedding_, seeded_embedding, table_bytes, text_to_embeddings


def test_rows_alone_equal_the_full_table():
    table = seeded_embedding(5_000, 24, seed=7)
    ids = [4_999, 3, 3, 1_234, 0]
    assert torch.equal(embedding_rows(ids, 24, seed=7), table.weight.detach()[ids])


def test_seed_changes_the_table_and_repeats_exactly():
    a = seeded_embedding(100, 8, seed=1).weight
    assert torch.equal(a, seeded_embedding(100, 8, seed=1).weight)
    assert not torch.equal(a, seeded_embedding(100, 8, seed=2).weight)


def test_init_is_normal_with_std_002():
    weight = init_embedding_(nn.Embedding(20_000, 32), seed=0).weight.detach()
    assert abs(weight.mean().item()) < 1e-3
    assert weight.std().item() == pytest.approx(INIT_STD, rel=0.02)


def test_empty_ids_give_an_empty_matrix():
    assert embedding_rows([], 16).shape == (0, 16)


def test_table_bytes():
    assert table_bytes(151_643, 512) == 151_643 * 512 * 4
    assert table_bytes(10, 10, 2) == 200


def test_text_to_embeddings_single_and_batch(tokenizer):
    embedding = seeded_embedding(len(tokenizer), 16, seed=0)
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
