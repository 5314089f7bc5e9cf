"""Small HTML views the chapters display: tables of tokens, ids and shapes. All text is escaped."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from . import qwen_offline


class HTMLView:
    """An HTML fragment that Jupyter displays as HTML and prints as plain text elsewhere."""

    def __init__(self, markup: str, text: str):
        self.markup = markup
        self.text = text

    def _repr_html_(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return self.text


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> HTMLView:
    """An escaped HTML table (and its plain-text twin) from headers and rows."""
    rows = [[str(cell) for cell in row] for row in rows]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    markup = f'<table class="book-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    lines = ["\t".join(headers)] + ["\t".join(row) for row in rows]
    return HTMLView(markup, "\n".join(lines))


def visible(text: str) -> str:
    """Make whitespace and control characters visible: space -> ␣, newline -> ⏎, tab -> ⇥."""
    return text.replace(" ", "␣").replace("\n", "⏎").replace("\t", "⇥").replace("\r", "␍")


def token_bytes(tokenizer, token_id: int) -> bytes:
    """The raw bytes a token id stands for (added tokens: their UTF-8 text)."""
    piece = tokenizer.convert_ids_to_tokens(int(token_id))
    if int(token_id) >= tokenizer.vocab_size:
        return piece.encode("utf-8")
    inverse = qwen_offline.unicode_to_bytes()
    return bytes(inverse[ch] for ch in piece)


def token_table(tokenizer, text: str, **encode_kwargs) -> HTMLView:
    """One row per token: position, id, vocabulary string, raw bytes, and what the token alone decodes to."""
    ids = tokenizer.encode(text, add_special_tokens=False, **encode_kwargs)
    rows = []
    for position, token_id in enumerate(ids):
        raw = token_bytes(tokenizer, token_id)
        rows.append(
            [
                position,
                token_id,
                tokenizer.convert_ids_to_tokens(token_id),
                raw.hex(" "),
                visible(tokenizer.decode([token_id])),
            ]
        )
    return table(["位置", "ID", "词表中的写法", "字节 (hex)", "单独解码"], rows)


def glue(name: str, value, display: bool = False) -> None:
    """Store `value` for `{glue}` in the page's prose (myst-nb is present at build time; elsewhere a no-op)."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)
