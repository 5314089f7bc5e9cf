"""Token spans for display: tokens whose bytes only together form characters are merged into one span."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .views import token_bytes, visible


@dataclass
class Span:
    text: str  # the characters these tokens spell together
    ids: list[int]
    pieces: list[bytes]  # the raw bytes of each token
    special: bool = False  # an added control token such as <|im_end|>


def encode_ids(tokenizer, text: str, split_special_tokens: bool = False) -> list[int]:
    return tokenizer(text, add_special_tokens=False, split_special_tokens=split_special_tokens)["input_ids"]


def token_spans(tokenizer, ids: list[int]) -> list[Span]:
    """Group consecutive tokens until their bytes decode as whole UTF-8 characters."""
    spans: list[Span] = []
    pending_ids: list[int] = []
    pending: list[bytes] = []
    for token_id in ids:
        raw = token_bytes(tokenizer, token_id)
        if token_id >= tokenizer.vocab_size and not pending:
            spans.append(Span(raw.decode("utf-8"), [token_id], [raw], special=True))
            continue
        pending_ids.append(token_id)
        pending.append(raw)
        try:
            text = b"".join(pending).decode("utf-8")
        except UnicodeDecodeError:
            continue
        spans.append(Span(text, pending_ids, pending))
        pending_ids, pending = [], []
    if pending:  # bytes that never complete a character (cannot come from real text)
        spans.append(Span(b"".join(pending).decode("utf-8", "replace"), pending_ids, pending))
    return spans


def spans_html(spans: list[Span], show_bytes: bool = False, show_whitespace: bool = False) -> str:
    """Coloured spans with the id(s) under each; raw bytes in the tooltip, or shown when `show_bytes`."""
    parts = []
    for k, span in enumerate(spans):
        shown = visible(span.text) if show_whitespace else span.text
        byte_text = " | ".join(piece.hex(" ") for piece in span.pieces)
        ids = " ".join(str(i) for i in span.ids)
        classes = f"ttv-tok ttv-c{k % 6}" + (" ttv-special" if span.special else "") + (" ttv-merged" if len(span.ids) > 1 else "")
        title = f"ID {ids} · 字节 {byte_text}" + (f" · {len(span.ids)} 个 token 拼成" if len(span.ids) > 1 else "")
        extra = f'<span class="ttv-bytes">{html.escape(byte_text)}</span>' if show_bytes else ""
        parts.append(
            f'<span class="{classes}" title="{html.escape(title, quote=True)}">'
            f'<span class="ttv-text">{html.escape(shown)}</span><span class="ttv-id">{html.escape(ids)}</span>{extra}</span>'
        )
    return '<div class="ttv-spans">' + "".join(parts) + "</div>"
