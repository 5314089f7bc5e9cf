"""The Python package behind 从文本到向量: the offline Qwen2.5 tokenizer, code saved from the pages, panels, widgets."""

from . import endpoint  # noqa: F401  first: drops a malformed HF_ENDPOINT before anything imports transformers
from .saved import padded_batch, text_to_embeddings  # written on chapter 5's page (#@save)
from .tokenizer import DEFAULT_MODEL, TokenizerUnavailable, load_tokenizer

__all__ = [
    "DEFAULT_MODEL",
    "TokenizerUnavailable",
    "load_tokenizer",
    "padded_batch",
    "text_to_embeddings",
]
