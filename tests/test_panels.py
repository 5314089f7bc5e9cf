"""The explorers' panels: Python (book.panels, the notebook) and the browser (playground/encode.js) compute the
same state from the same input, and bad input gets a Chinese message, never an exception."""

from __future__ import annotations

import gzip
import html
import json
import shutil
import subprocess

import pytest

from book.panels import RULES, check_hidden_size, panel_state, split_lines
from book.widgets import batch_explorer, embedding_explorer, static_html, token_explorer

from .conftest import ROOT
from .corpus import generated_corpus

VENDOR = ROOT / "_extra" / "vendor" / "playground"
HOSTILE = ["<script>alert('x')</script>", '<img src=x onerror="alert(1)">', '" onmouseover="alert(1)" x="',
           "</pre></div><b>粗体</b>"]
AWKWARD = [
    "", " ", "   \n\t ", "\u3000\u00a0", "\x1c\x1f", "小红帽\x00去\x07森林\x1b[31m", "a\x85b", "小红帽\ud800去森林",
    "\udc00", "😀" * 3, "家庭 👩‍👩‍👧‍👦", "مرحبا שלום", "<|endoftext|>", "你好<|im_start|>user\n<|im_end|>",
    "<tool_call>hi</tool_call>", "<|fim_prefix|><|vision_pad|>", "森" * 2_500, "😀" * 2_100, "a\u2028b\u2029c",
    "x\r\ny\rz\n\nw\v\fq", *HOSTILE,
]
HIDDEN = [8, 512, 8192, 7, 0, -5, 8193, 10**6, 3.5, 512.0, "64", " 128 ", "+16", "1e3", "abc", "", None, True, [512]]


def node_states(inputs: list[dict], folder) -> list:
    node = shutil.which("node")
    assert node, "node is needed: it runs the browser's code in tests"
    run = subprocess.run([node, str(ROOT / "playground" / "states.mjs"), str(folder)], input=json.dumps(inputs),
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(run.stdout)


def browser_tokenizer_folder():
    """The tokenizer files exactly as the site serves them to the browser, unpacked once per test run."""
    folder = ROOT / "_build" / "browser-tokenizer"
    packed = VENDOR / "tokenizer.json.gz"
    unpacked = folder / "tokenizer.json"
    if not unpacked.is_file() or unpacked.stat().st_mtime < packed.stat().st_mtime:
        folder.mkdir(parents=True, exist_ok=True)
        unpacked.write_bytes(gzip.decompress(packed.read_bytes()))
        shutil.copy2(VENDOR / "tokenizer_config.json", folder)
    return folder


@pytest.fixture(scope="module")
def browser_files(built_site):
    return browser_tokenizer_folder()


def all_inputs() -> list[dict]:
    texts = AWKWARD + generated_corpus(seed=11, size=60)
    cases = [{"kind": "tokens", "text": t, "split_special": s} for t in texts for s in (False, True)]
    cases += [{"kind": "embedding", "text": "小红帽去森林", "hidden_size": h} for h in HIDDEN]
    cases += [{"kind": "embedding", "text": t, "hidden_size": 64} for t in AWKWARD]
    lines = ["\n".join(generated_corpus(seed=k, size=k % 11 + 1)) for k in range(30)]
    cases += [{"kind": "batch", "text": t, "padding_side": side} for t in AWKWARD + lines for side in ("left", "right")]
    cases.append({"kind": "batch", "text": "小红帽", "padding_side": "middle"})
    return cases


def test_python_and_browser_compute_the_same_state(tokenizer, browser_files):
    cases = all_inputs()
    assert len(cases) >= 300
    python = [json.loads(json.dumps(panel_state(c["kind"], tokenizer, **{k: v for k, v in c.items() if k != "kind"})))
              for c in cases]
    browser = node_states(cases, browser_files)
    for case, mine, theirs in zip(cases, python, browser, strict=True):
        assert mine == theirs, case  # IDs, tokens, notes, errors, line splitting, hidden_size rule
    assert sum(bool(s["error"]) for s in python) >= 20 and sum(bool(s["notes"]) for s in python) >= 40


def test_browser_draws_the_same_vectors_as_the_notebook(browser_files):
    """The notebook and the site both draw with panel.js: its values are N(0, 0.02²) and depend on (id, dim)."""
    ids = list(range(0, 151_665, 997))
    rows = node_states([{"vectors": {"ids": ids, "dims": 64, "seed": 0}}], browser_files)[0]
    values = [v for row in rows for v in row]
    mean = sum(values) / len(values)
    std = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    assert abs(mean) < 0.001 and abs(std - 0.02) < 0.001
    again = node_states([{"vectors": {"ids": ids[:3], "dims": 8, "seed": 0}}], browser_files)[0]
    assert again == [row[:8] for row in rows[:3]]  # a row's first dims do not depend on the width asked for
    other_seed = node_states([{"vectors": {"ids": ids[:3], "dims": 8, "seed": 1}}], browser_files)[0]
    assert other_seed != again


def test_line_splitting_is_pythons():
    assert split_lines("a\r\nb\rc\nd\x85e\u2028f") == ["a", "b", "c", "d", "e", "f"]


@pytest.mark.parametrize("value, expected", [(8, 8), (8192, 8192), ("64", 64), (512.0, 512), (7, 0), (8193, 0),
                                             (3.5, 0), ("1e3", 0), (None, 0), (True, 0)])
def test_hidden_size_rule(value, expected):
    hidden, problem = check_hidden_size(value)
    assert hidden == expected and bool(problem) == (expected == 0)
    if problem:
        assert "hidden_size" in problem


@pytest.mark.parametrize("text, words", [("", "请输入"), ("   ", "只有空白"), ("森" * 5000, "只处理前 2,000"),
                                         ("a\x07b", "U+0007"), ("a\ud800", "代理字符"), ("<|im_end|>", "新增 token")])
def test_bad_text_gets_a_chinese_message(tokenizer, text, words):
    state = panel_state("tokens", tokenizer, text=text)
    assert words in " ".join(state["notes"]) + state["error"]


def test_split_special_tokens_splits_only_the_special_ones(tokenizer):
    state = panel_state("tokens", tokenizer, text="<tool_call>hi<|im_start|>", split_special=True)
    ids = state["sequences"][0]["ids"]
    assert ids[0] == tokenizer.convert_tokens_to_ids("<tool_call>")
    assert tokenizer.convert_tokens_to_ids("<|im_start|>") not in ids
    assert any("<tool_call>" in note and "不拆分" in note for note in state["notes"])


def test_long_paste_is_cut_before_anything_else(tokenizer):
    state = panel_state("batch", tokenizer, text="森林\n" * 5_000_000)
    assert len(state["sequences"]) == RULES["max_sentences"]
    assert any("只取前 8 句" in n for n in state["notes"])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_static_panel_escapes_user_text(tokenizer, hostile):
    markup = static_html(panel_state("tokens", tokenizer, text=hostile))
    assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    assert 'onmouseover="' not in markup
    state = json.loads(html.unescape(markup.split('data-state="', 1)[1].split('"', 1)[0]))
    assert state["text"] == hostile


def test_explorers_recompute_when_a_control_moves(tokenizer):
    embed = embedding_explorer(tokenizer)
    assert (embed.hidden_size.min, embed.hidden_size.max) == (RULES["min_hidden"], RULES["max_hidden"])
    embed.hidden_size.value = 4096
    assert embed.panel.state["hidden_size"] == 4096
    embed.text.value = "你好"
    assert embed.panel.state["sequences"][0]["ids"] == tokenizer.encode("你好", add_special_tokens=False)
    batch = batch_explorer(tokenizer, "小红帽去森林\n大灰狼")
    batch.padding_side.value = "left"
    assert batch.panel.state["padding_side"] == "left" and len(batch.panel.state["sequences"]) == 2
    tokens = token_explorer(tokenizer)
    bundle = tokens._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and 'class="ttv-panel"' in bundle["text/html"]


def test_the_notebook_panel_is_the_site_panel():
    """anywidget loads the file the site bundles: one drawing code for Jupyter, Colab, Binder and the site."""
    from book.widgets import Panel

    assert Panel()._esm == (ROOT / "book" / "static" / "panel.js").read_text("utf-8")
    assert 'from "../book/static/panel.js"' in (ROOT / "playground" / "page.js").read_text("utf-8")


def stride_cases() -> list[dict]:
    texts = ["小红帽提着篮子，穿过森林去看望生病的外婆。", "abc", "", "森林" * 300, *generated_corpus(seed=21, size=24)]
    settings = [(8, 2), (6, 0), (4, 3), (2, 1), (128, 127), (16, 5)]
    cases = [{"kind": "stride", "text": t, "max_length": m, "stride": s} for t in texts for m, s in settings]
    bad = [(4, 4), (4, 9), (1, 0), (129, 3), (8, -1), ("8", 2), (8.0, 2), (True, 0)]
    return cases + [{"kind": "stride", "text": "小红帽", "max_length": m, "stride": s} for m, s in bad]


def test_python_and_browser_cut_the_same_windows(tokenizer, browser_files):
    from book.panels import stride_state

    cases = stride_cases()
    python = [json.loads(json.dumps(stride_state(tokenizer, c["text"], c["max_length"], c["stride"]))) for c in cases]
    browser = node_states(cases, browser_files)
    for case, mine, theirs in zip(cases, python, browser, strict=True):
        assert mine == theirs, case
    assert sum(bool(s["error"]) for s in python) >= 8 and sum(len(s["windows"]) > 3 for s in python) >= 20


@pytest.mark.parametrize("max_length, stride", [(8, 2), (6, 0), (4, 3), (16, 5)])
def test_window_count_follows_the_formula(tokenizer, max_length, stride):
    from book.panels import stride_state

    for text in generated_corpus(seed=3, size=30):
        state = stride_state(tokenizer, text, max_length, stride)
        n = len(state["sequences"][0]["ids"])
        expected = 1 if n <= max_length else 1 + -(-(n - max_length) // (max_length - stride))
        assert len(state["windows"]) == expected


def test_odd_python_values_get_messages_not_exceptions(tokenizer):
    import numpy as np

    from book.panels import compare_state, stride_state

    class Touchy:
        def __eq__(self, other):
            raise RuntimeError("no comparing me")

    for odd in (np.array([1, 2]), Touchy(), 12, b"bytes"):
        assert panel_state("tokens", tokenizer, text=odd)["error"]
        assert stride_state(tokenizer, odd)["error"]
        assert compare_state({"Qwen2.5": tokenizer}, odd)["error"]
    assert check_hidden_size("9" * 5000)[0] == 0
    state = panel_state("batch", tokenizer, text="你好", padding_side=np.array(["left"]))
    assert state["error"] and json.dumps(state)
    nan_seed = panel_state("embedding", tokenizer, text="a", seed=float("nan"))
    assert static_html(nan_seed)  # JSON without NaN: the page can read every panel


def test_stride_slider_ends_below_max_length(tokenizer):
    from book.widgets import stride_explorer

    explorer = stride_explorer(tokenizer, max_length=8, stride=6)
    explorer.max_length.value = 4
    assert explorer.stride.max == 3 and explorer.stride.value == 3
    assert not explorer.panel.state["error"] and explorer.panel.state["stride"] == 3
