"""What the interactive views show, as plain functions: (tokenizer, inputs) -> HTML. Widgets only call these.

Every function validates its inputs (book.inputs), escapes all user text, and never raises on bad input.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import torch

from .embedding import INIT_STD, embedding_rows, table_bytes
from .heatmap import heatmap_img
from .inputs import check_hidden_size, check_text, special_token_note
from .pipeline import padded_batch
from .spans import encode_ids, spans_html, token_spans

PREVIEW_TOKENS, PREVIEW_DIMS = 8, 8  # numbers printed, like torch's own summary
HEATMAP_TOKENS, HEATMAP_DIMS = 32, 256  # rows and columns drawn in the heatmap
MAX_SENTENCES, MAX_SENTENCE_CHARS = 8, 200


def note_html(notes: list[str], kind: str = "note") -> str:
    return "".join(f'<div class="ttv-{kind}">{html.escape(n)}</div>' for n in notes if n)


def error_html(message: str) -> str:
    return f'<div class="ttv-error">⚠ {html.escape(message)}</div>'


def human_bytes(size: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return f"{size / scale:,.2f} {unit}"
    return f"{size} B"


def tokens_view(tokenizer, text: object, *, show_bytes: bool = False, show_whitespace: bool = False,
                split_special_tokens: bool = False) -> str:
    """Coloured token spans with ids, token count and characters per token."""
    checked = check_text(text)
    if checked.error:
        return error_html(checked.error)
    ids = encode_ids(tokenizer, checked.text, split_special_tokens)
    spans = token_spans(tokenizer, ids)
    merged = sum(1 for s in spans if len(s.ids) > 1)
    stats = (
        f'<div class="ttv-stats">{len(checked.text):,} 个字符 → <b>{len(ids):,}</b> 个 token'
        f"，平均每个 token {len(checked.text) / max(len(ids), 1):.2f} 个字符"
        + (f"；{merged} 处字符被拆进多个字节 token，已合并显示" if merged else "")
        + "</div>"
    )
    notes = checked.notes + [special_token_note(tokenizer, checked.text, split_special_tokens)]
    return note_html(notes) + stats + spans_html(spans, show_bytes, show_whitespace)


@dataclass
class EmbeddingPreview:
    ids: list[int]  # all ids of the text
    hidden_size: int
    vectors: torch.Tensor  # rows of the first HEATMAP_TOKENS ids: [min(seq, 32), hidden]


def embedding_preview(tokenizer, text: str, hidden_size: int, seed: int = 0) -> EmbeddingPreview:
    """The ids of `text` and the embedding rows of the first tokens, as `seeded_embedding` would give them."""
    ids = encode_ids(tokenizer, text)
    shown = ids[:HEATMAP_TOKENS]
    return EmbeddingPreview(ids, hidden_size, embedding_rows(shown, hidden_size, seed))


def embedding_view(tokenizer, text: object, hidden_size: object, seed: int = 0) -> str:
    """Table shape, parameters and memory for `hidden_size`, and this text's vectors with a heatmap."""
    hidden, problem = check_hidden_size(hidden_size)
    if problem:
        return error_html(problem)
    rows = len(tokenizer)
    params = rows * hidden
    sizes = (
        '<table class="ttv-table"><tbody>'
        f"<tr><th>嵌入表形状</th><td>[{rows:,}, {hidden:,}]</td></tr>"
        f"<tr><th>参数量</th><td>{params:,}</td></tr>"
        f"<tr><th>内存 float32</th><td>{human_bytes(table_bytes(rows, hidden, 4))}</td></tr>"
        f"<tr><th>内存 bfloat16</th><td>{human_bytes(table_bytes(rows, hidden, 2))}</td></tr>"
    )
    checked = check_text(text)
    if checked.error:
        return sizes + "</tbody></table>" + error_html(checked.error)
    preview = embedding_preview(tokenizer, checked.text, hidden, seed)
    seq = len(preview.ids)
    sizes += f"<tr><th>这段文字的向量</th><td>[1, {seq:,}, {hidden:,}]</td></tr></tbody></table>"
    notes = note_html(checked.notes)
    if seq == 0:
        return notes + sizes
    values = preview.vectors[:PREVIEW_TOKENS, :PREVIEW_DIMS]
    lines = []
    for token_id, row in zip(preview.ids, values.tolist()):
        numbers = " ".join(f"{v:+.4f}" for v in row)
        more = " …" if hidden > PREVIEW_DIMS else ""
        lines.append(f"{token_id:>6}  [{numbers}{more}]")
    if seq > PREVIEW_TOKENS:
        lines.append(f"… 共 {seq:,} 行")
    matrix = preview.vectors[:, :HEATMAP_DIMS].numpy()
    caption = (
        f"热图：前 {matrix.shape[0]} 个 token × 前 {matrix.shape[1]} 维（红 = 正，蓝 = 负，"
        f"颜色范围 ±{3 * INIT_STD:g}，即 3 个标准差），seed = {seed}"
    )
    return (
        notes + sizes
        + f'<pre class="ttv-vectors">{html.escape(chr(10).join(lines))}</pre>'
        + f'<div class="ttv-caption">{html.escape(caption)}</div>'
        + heatmap_img(matrix, 3 * INIT_STD, alt=caption)
    )


def split_sentences(text: object) -> tuple[list[str], list[str]]:
    """One sentence per non-empty line, checked and capped; returns (sentences, notes)."""
    if not isinstance(text, str):
        return [], ["请每行输入一句话。"]
    lines = [line for line in text.splitlines() if line.strip()]
    notes = []
    if len(lines) > MAX_SENTENCES:
        notes.append(f"共 {len(lines)} 句，只取前 {MAX_SENTENCES} 句。")
        lines = lines[:MAX_SENTENCES]
    sentences = []
    for line in lines:
        checked = check_text(line, max_chars=MAX_SENTENCE_CHARS)
        sentences.append(checked.text)
        notes.extend(checked.notes)
    return sentences, notes


def batch_view(tokenizer, text: object, padding_side: str = "right") -> str:
    """Padded id matrix and attention mask of several sentences (one per line)."""
    if padding_side not in ("left", "right"):
        return error_html("padding_side 只能是 'left' 或 'right'。")
    sentences, notes = split_sentences(text)
    if not sentences:
        return note_html(notes) + error_html("请至少输入一句话（每行一句）。")
    batch = padded_batch(tokenizer, sentences, padding_side)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    width = len(ids[0])

    def grid(rows, cell):
        head = "<tr><th></th>" + "".join(f"<th>{j}</th>" for j in range(width)) + "</tr>"
        body = "".join(
            f"<tr><th>{i}</th>" + "".join(cell(i, j) for j in range(width)) + "</tr>" for i in range(len(rows))
        )
        return f'<table class="ttv-table ttv-grid">{head}{body}</table>'

    def id_cell(i, j):
        pad = mask[i][j] == 0
        return f'<td class="{"ttv-pad" if pad else ""}" title="{"PAD" if pad else html.escape(tokenizer.decode([ids[i][j]]), quote=True)}">{ids[i][j]}</td>'

    def mask_cell(i, j):
        return f'<td class="{"ttv-pad" if mask[i][j] == 0 else ""}">{mask[i][j]}</td>'

    lengths = [sum(row) for row in mask]
    summary = (
        f'<div class="ttv-stats">{len(sentences)} 句，长度 {lengths} → input_ids 形状 '
        f"<b>[{len(sentences)}, {width}]</b>，填充在{'右' if padding_side == 'right' else '左'}边，"
        f"PAD = {html.escape(str(tokenizer.pad_token))}（ID {tokenizer.pad_token_id}）</div>"
    )
    return note_html(notes) + summary + "<div>input_ids</div>" + grid(ids, id_cell) + "<div>attention_mask</div>" + grid(mask, mask_cell)
