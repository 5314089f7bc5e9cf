"""The whole path of the course in one function: text -> token ids -> embedding vectors."""

from __future__ import annotations

import torch
from torch import nn


def padded_batch(tokenizer, texts: list[str], padding_side: str = "right", **kwargs):
    """Tokenize `texts` with padding on `padding_side`, leaving the tokenizer's own setting as it was."""
    previous_side = tokenizer.padding_side
    tokenizer.padding_side = padding_side
    try:
        return tokenizer(texts, padding=True, add_special_tokens=False, **kwargs)
    finally:
        tokenizer.padding_side = previous_side


def text_to_embeddings(texts: str | list[str], tokenizer, embedding: nn.Embedding, *, padding_side: str = "right"):
    """Tokenize `texts` (one string or a batch) and look the ids up in `embedding`.

    Returns (vectors, batch): vectors has shape [batch, seq, hidden]; batch holds input_ids and
    attention_mask as tensors. Padded positions get the pad token's vector; the mask marks them 0.
    """
    if isinstance(texts, str):
        texts = [texts]
    if not texts:
        raise ValueError("texts 为空：至少需要一句话")
    batch = padded_batch(tokenizer, texts, padding_side, return_tensors="pt")
    if batch["input_ids"].numel() and int(batch["input_ids"].max()) >= embedding.num_embeddings:
        raise IndexError(
            f"词表有 id {int(batch['input_ids'].max())}，但嵌入表只有 {embedding.num_embeddings} 行："
            "嵌入表的行数必须不少于 len(tokenizer)"
        )
    with torch.no_grad():
        vectors = embedding(batch["input_ids"])
    return vectors, batch
