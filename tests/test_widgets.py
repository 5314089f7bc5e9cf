"""The live widgets, driven without a kernel: set a control's .value, read the rendered HTML."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest
import torch
from torch import nn

from book import explore, init_embedding_, seeded_embedding
from book.inputs import MAX_CHARS, check_hidden_size
from book.spans import encode_ids, token_spans
from book.widgets import batch_explorer, embedding_explorer, token_explorer

from .corpus import generated_corpus

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '" onmouseover="alert(1)" x="',
    "</pre></div><b>粗体</b>",
]
ZWJ_EMOJI = "家庭 👩‍👩‍👧‍👦，点赞 👍🏽👍🏿，程序员 🧑🏿‍💻"
RTL = "مرحبا بالعالم שלום עולם"
CONTROL = "小红帽\x00去\x07森林\x1b[31m"
LONE_SURROGATE = "小红帽\ud800去森林"


@pytest.fixture(scope="module")
def explorers(tokenizer):
    return token_explorer(tokenizer), embedding_explorer(tokenizer), batch_explorer(tokenizer)


def shown_text(markup: str) -> str:
    """The text a browser would show for an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", markup, flags=re.S)))



# --- truth: the widget shows the rows of nn.Embedding initialised as in chapter 3 ---------------------


@pytest.mark.parametrize("hidden_size, seed", [(64, 0), (24, 3)])
def test_widget_vectors_equal_the_chapter_3_table(tokenizer, hidden_size, seed):
    text = "小红帽去森林，大灰狼在等她 🐺"
    table = init_embedding_(nn.Embedding(len(tokenizer), hidden_size), seed).weight.detach()
    ids = encode_ids(tokenizer, text)
    preview = explore.embedding_preview(tokenizer, text, hidden_size, seed)
    assert preview.ids == ids
    assert torch.equal(preview.vectors, table[ids[: explore.HEATMAP_TOKENS]])


def test_numbers_printed_by_the_widget_are_the_table_rows(tokenizer):
    hidden_size = 64
    table = seeded_embedding(len(tokenizer), hidden_size, seed=0).weight.detach()
    widget = embedding_explorer(tokenizer, hidden_size=hidden_size)
    widget.text.value = "小红帽去森林"
    printed = re.search(r'<pre class="ttv-vectors">(.*?)</pre>', widget.output.value, re.S).group(1)
    rows = [line for line in html.unescape(printed).splitlines() if "[" in line]
    ids = encode_ids(tokenizer, "小红帽去森林")
    assert len(rows) == len(ids)
    for token_id, line in zip(ids, rows):
        shown_id, numbers = line.split("[", 1)
        assert int(shown_id) == token_id
        values = [float(v) for v in numbers.replace("…", "").strip(" ]").split()]
        assert values == pytest.approx(table[token_id, : len(values)].tolist(), abs=5e-5)


def test_slider_recomputes_shape_and_memory(tokenizer):
    widget = embedding_explorer(tokenizer)
    for hidden in (8, 512, 4096, 8192):
        widget.hidden.value = hidden
        out = shown_text(widget.output.value)
        rows = len(tokenizer)
        assert f"[{rows:,}, {hidden:,}]" in out
        assert f"{rows * hidden:,}" in out
        assert f"[1, 5, {hidden:,}]" in out
        assert "float32" in out and "bfloat16" in out
    assert "GiB" in shown_text(widget.output.value)  # 8192 × 151,665 × 4 bytes


def test_heatmap_is_a_png_of_tokens_by_dimensions(tokenizer):
    import base64

    widget = embedding_explorer(tokenizer, hidden_size=16)
    data = re.search(r'src="data:image/png;base64,([^"]+)"', widget.output.value).group(1)
    png = base64.b64decode(data)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (height, width) == (5, 16)


# --- tokens view ---------------------------------------------------------------------------------------


def test_token_view_shows_ids_count_and_chars_per_token(explorers):
    tokens, _, _ = explorers
    tokens.text.value = "小红帽去森林"
    out = shown_text(tokens.output.value)
    for token_id in (30709, 99425, 102663, 85336, 102258):
        assert str(token_id) in out
    assert "5 个 token" in out and "1.20 个字符" in out


def test_split_character_is_shown_merged_with_bytes_on_demand(explorers):
    tokens, _, _ = explorers
    tokens.text.value = " 小红帽"
    tokens.show_bytes.value = False
    markup = tokens.output.value
    assert "58230 237" in shown_text(markup)  # two ids under one span
    assert "ttv-merged" in markup and "�" not in shown_text(markup)
    assert "20 e5 b0 | 8f" in markup  # raw bytes in the tooltip
    tokens.show_bytes.value = True
    assert '<span class="ttv-bytes">20 e5 b0 | 8f</span>' in tokens.output.value
    tokens.show_bytes.value = False


def test_whitespace_visible_on_demand(explorers):
    tokens, _, _ = explorers
    tokens.text.value = "a  b\n\tc"
    assert "␣" not in tokens.output.value
    tokens.show_whitespace.value = True
    assert "␣" in tokens.output.value and "⏎" in tokens.output.value and "⇥" in tokens.output.value
    tokens.show_whitespace.value = False


def test_spans_rebuild_the_text_exactly(tokenizer):
    for text in generated_corpus(seed=5, size=500) + [ZWJ_EMOJI, RTL, "龘", " 小红帽"]:
        spans = token_spans(tokenizer, encode_ids(tokenizer, text, split_special_tokens=True))
        assert "".join(s.text for s in spans) == unicodedata.normalize("NFC", text)
        assert all(len(s.ids) == len(s.pieces) for s in spans)


# --- bad input: a clear Chinese message, no exception, all user text escaped ---------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_html_is_escaped_in_every_view(explorers, hostile):
    for widget in explorers:
        widget.text.value = hostile
        markup = widget.output.value.split("</style>", 1)[1]
        assert "<script" not in markup and "<img src=x" not in markup and "<b>粗体" not in markup
        assert 'onmouseover="alert' not in markup
    tokens, _, _ = explorers
    pieces = re.findall(r'<span class="ttv-text">(.*?)</span>', tokens.output.value)
    assert html.unescape("".join(pieces)) == hostile  # shown as text, character for character


@pytest.mark.parametrize(
    "text, in_tokens_view, in_embedding_view",
    [
        ("", "请输入一段文字", "请输入一段文字"),
        ("   \n\t ", "只有空白", "只有空白"),
        ("森" * 100_000, "只处理前 2,000 个字符", "只处理前 2,000 个字符"),
        (CONTROL, "控制字符", "控制字符"),
        (LONE_SURROGATE, "代理字符", "代理字符"),
        (ZWJ_EMOJI, "个 token", "这段文字的向量"),
        (RTL, "个 token", "这段文字的向量"),
    ],
)
def test_bad_text_gives_a_message_in_every_view(explorers, text, in_tokens_view, in_embedding_view):
    tokens, embeds, batch = explorers
    for widget, expected in ((tokens, in_tokens_view), (embeds, in_embedding_view)):
        widget.text.value = text
        assert expected in shown_text(widget.output.value)
        assert "出错了" not in widget.output.value
    batch.text.value = text
    out = shown_text(batch.output.value)
    assert "出错了" not in out and ("input_ids" in out or "请至少输入一句话" in out)


def test_long_text_is_cut_to_the_limit(tokenizer):
    out = shown_text(explore.tokens_view(tokenizer, "森林" * 50_000))
    assert f"{MAX_CHARS:,} 个字符 →" in out


@pytest.mark.parametrize("control", ["<|endoftext|>", "<|im_start|>"])
def test_typed_control_tokens_are_explained(explorers, tokenizer, control):
    tokens, _, _ = explorers
    control_id = tokenizer.convert_tokens_to_ids(control)
    tokens.split_special.value = False
    tokens.text.value = f"你好{control}世界"
    out = shown_text(tokens.output.value)
    assert "控制 token" in out and "split_special_tokens=True" in out
    assert str(control_id) in out and "ttv-special" in tokens.output.value
    assert "&lt;|" in tokens.output.value  # the token itself is escaped too
    tokens.split_special.value = True
    out = shown_text(tokens.output.value)
    assert str(control_id) not in out and "按普通文字切分" in out
    tokens.split_special.value = False


@pytest.mark.parametrize("hidden", [0, -5, 10**9, 3.5, "abc", None, True])
def test_bad_hidden_size_gives_a_message(tokenizer, hidden):
    out = shown_text(explore.embedding_view(tokenizer, "小红帽", hidden))
    assert "hidden_size" in out and "⚠" in out
    assert check_hidden_size(hidden)[0] == 0


def test_slider_keeps_hidden_size_in_range(tokenizer):
    widget = embedding_explorer(tokenizer)
    assert (widget.hidden.min, widget.hidden.max) == (8, 8192)
    widget.hidden.value = 100_000
    assert widget.hidden.value == 8192
    widget.hidden.value = -3
    assert widget.hidden.value == 8


def test_no_tokenizer_gives_the_loading_message(monkeypatch, tmp_path):
    from book import qwen_offline
    from book.tokenizer import TokenizerUnavailable, load_tokenizer

    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(qwen_offline, "vocab_file", lambda: (_ for _ in ()).throw(FileNotFoundError("missing")))
    with pytest.raises(TokenizerUnavailable, match="无法加载分词器"):
        load_tokenizer(offline=True)


# --- batching view ----------------------------------------------------------------------------------------


def test_batch_view_pads_and_switches_side(explorers, tokenizer):
    _, _, batch = explorers
    batch.text.value = "小红帽去森林\n大灰狼"
    batch.padding_side.value = "right"
    right = batch.output.value
    lengths = [len(tokenizer.encode(s)) for s in ("小红帽去森林", "大灰狼")]
    assert f"[2, {max(lengths)}]" in shown_text(right)
    assert right.count('class="ttv-pad"') == 2 * (max(lengths) - min(lengths))  # ids and mask grids
    batch.padding_side.value = "left"
    left = batch.output.value
    assert "填充在左边" in shown_text(left) and left != right
    first_row_of_second = re.findall(r"<tr><th>1</th>(.*?)</tr>", left)[0]
    assert first_row_of_second.startswith('<td class="ttv-pad"')
    batch.padding_side.value = "right"


def test_batch_view_caps_sentences(tokenizer):
    out = shown_text(explore.batch_view(tokenizer, "\n".join(f"第{i}句" for i in range(20))))
    assert "只取前 8 句" in out and "[8," in out
    assert "只能是" in shown_text(explore.batch_view(tokenizer, "a", padding_side="middle"))
