"""Sizes of real models the chapters compare against, copied from each model's published config.json."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSizes:
    name: str
    vocab_size: int  # rows of the embedding table (config.json "vocab_size")
    hidden_size: int  # length of each row (config.json "hidden_size")
    tied: bool  # config.json "tie_word_embeddings": the output layer reuses the table
    bos_token_id: int | None = None  # config.json "bos_token_id" (read by generation utilities, not the tokenizer)
    max_position_embeddings: int | None = None  # config.json "max_position_embeddings"
    initializer_range: float | None = None  # config.json "initializer_range": std of the initial weights
    num_hidden_layers: int | None = None  # config.json "num_hidden_layers"
    num_attention_heads: int | None = None  # config.json "num_attention_heads" (query heads)
    num_key_value_heads: int | None = None  # config.json "num_key_value_heads" (key/value heads shared by groups)
    rope_theta: float | None = None  # config.json "rope_theta": the base of RoPE's frequencies

    @property
    def embedding_parameters(self) -> int:
        return self.vocab_size * self.hidden_size

    @property
    def head_dim(self) -> int | None:
        """Length of one head's query/key: Qwen2.5's config.json has no "head_dim", and transformers' Qwen2 then
        uses hidden_size // num_attention_heads (modeling_qwen2.py, Qwen2Attention and the RoPE init)."""
        return self.hidden_size // self.num_attention_heads if self.num_attention_heads else None


# Qwen/Qwen2.5-7B-Instruct and Qwen/Qwen2.5-0.5B-Instruct on the Hugging Face Hub, config.json.
QWEN25_7B = ModelSizes(
    "Qwen2.5-7B-Instruct", 152_064, 3_584, tied=False, bos_token_id=151_643, max_position_embeddings=32_768,
    initializer_range=0.02, num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4, rope_theta=1_000_000.0,
)
QWEN25_0_5B = ModelSizes(
    "Qwen2.5-0.5B-Instruct", 151_936, 896, tied=True, bos_token_id=151_643, max_position_embeddings=32_768,
    initializer_range=0.02, num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2, rope_theta=1_000_000.0,
)
# jingyaogong/minimind, model/model_minimind.py: MiniMindConfig's defaults (minimind-3), and the earlier small release.
MINIMIND = ModelSizes("MiniMind", 6_400, 768, tied=True, max_position_embeddings=32_768, num_hidden_layers=8,
                      num_attention_heads=8, num_key_value_heads=4, rope_theta=1_000_000.0)
MINIMIND2_SMALL = ModelSizes("MiniMind2-small", 6_400, 512, tied=True)
