"""The Python package behind 从文本到向量: tokenizer loading, seeded embeddings, views and widgets."""

from .embedding import INIT_STD, embedding_rows, init_embedding_, seeded_embedding, table_bytes
from .pipeline import text_to_embeddings
from .tokenizer import DEFAULT_MODEL, TokenizerUnavailable, load_tokenizer

__all__ = [
    "DEFAULT_MODEL",
    "INIT_STD",
    "TokenizerUnavailable",
    "embedding_rows",
    "init_embedding_",
    "load_tokenizer",
    "seeded_embedding",
    "table_bytes",
    "text_to_embeddings",
]
