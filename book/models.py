"""Sizes of real models the chapters compare against, copied from each model's published config.json."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSizes:
    name: str
    vocab_size: int  # rows of the embedding table (config.json "vocab_size")
    hidden_size: int  # length of each row (config.json "hidden_size")
    tied: bool  # config.json "tie_word_embeddings": the output layer reuses the table

    @property
    def embedding_parameters(self) -> int:
        return self.vocab_size * self.hidden_size


QWEN25_7B = ModelSizes("Qwen2.5-7B-Instruct", 152_064, 3_584, tied=False)
QWEN25_0_5B = ModelSizes("Qwen2.5-0.5B-Instruct", 151_936, 896, tied=True)
MINIMIND = ModelSizes("MiniMind2-small", 6_400, 512, tied=True)
