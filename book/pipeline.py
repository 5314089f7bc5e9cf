"""The whole path of the course in one function: text -> token ids -> embedding vectors.

Chapter 5 writes `padded_batch` and `text_to_embeddings` on its page in cells marked `#@save`;
tools/save_code.py copies them into book/saved.py. This module keeps the import path `book.pipeline`.
"""

from __future__ import annotations

from .saved import padded_batch, text_to_embeddings

__all__ = ["padded_batch", "text_to_embeddings"]
