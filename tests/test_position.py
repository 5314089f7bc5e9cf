"""Chapter 9 (位置从哪里来): the position code the page saves (`#@save`) agrees with transformers' Qwen2 bit for bit,
RoPE's scores depend only on the distance m − n, the sinusoidal table has the properties the page states, bad input
gets a Chinese message, and the page is built as the course's chapters are.

Fast: no book build. The last tests read the build's executed notebook when it is there (the maintainer's build).
"""

from __future__ import annotations

import json
import math
import re

import jupytext
import pytest
import torch
from transformers import Qwen2Config
from transformers.models.qwen2.modeling_qwen2 import Qwen2RotaryEmbedding, apply_rotary_pos_emb

from book.exercises import check
from book.models import MINIMIND, QWEN25_0_5B, QWEN25_7B, ModelSizes
from book.saved import apply_rope, rope_cos_sin, rope_inv_freq, rotate_half, sinusoidal_positions

from .conftest import EXECUTED, ROOT

CHAPTER = ROOT / "chapters" / "09_position.md"
ROPE_MODELS = [QWEN25_7B, QWEN25_0_5B, MINIMIND]


def hf_rotary(model: ModelSizes) -> Qwen2RotaryEmbedding:
    config = Qwen2Config(hidden_size=model.hidden_size, num_attention_heads=model.num_attention_heads,
                         num_key_value_heads=model.num_key_value_heads, rope_theta=model.rope_theta)
    return Qwen2RotaryEmbedding(config)


# --- the published configs -------------------------------------------------------------------------------------


def test_published_shapes_for_rope():
    assert (QWEN25_7B.hidden_size, QWEN25_7B.num_attention_heads, QWEN25_7B.num_key_value_heads) == (3584, 28, 4)
    assert QWEN25_7B.head_dim == 128 and QWEN25_7B.num_hidden_layers == 28
    assert (QWEN25_0_5B.num_attention_heads, QWEN25_0_5B.num_key_value_heads, QWEN25_0_5B.head_dim) == (14, 2, 64)
    assert QWEN25_0_5B.num_hidden_layers == 24
    assert QWEN25_7B.rope_theta == QWEN25_0_5B.rope_theta == MINIMIND.rope_theta == 1_000_000
    assert MINIMIND.head_dim == 96  # MiniMindConfig: hidden_size // num_attention_heads = 768 // 8
    assert QWEN25_7B.num_key_value_heads * QWEN25_7B.head_dim == 512  # k_proj is 512 × 3,584


# --- RoPE against transformers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ROPE_MODELS, ids=lambda m: m.name)
def test_frequencies_and_angles_equal_transformers(model):
    rotary = hf_rotary(model)
    assert torch.equal(rope_inv_freq(model.head_dim, model.rope_theta), rotary.inv_freq)
    positions = torch.tensor([[0, 1, 2, 7, 100, 4095, model.max_position_embeddings - 1]])
    cos, sin = rope_cos_sin(positions, model.head_dim, model.rope_theta)
    cos_hf, sin_hf = rotary(torch.zeros(1, dtype=torch.float32), positions)
    assert cos.shape == (1, positions.shape[1], model.head_dim)
    assert torch.equal(cos, cos_hf) and torch.equal(sin, sin_hf)


@pytest.mark.parametrize("model", ROPE_MODELS, ids=lambda m: m.name)
def test_rotation_equals_apply_rotary_pos_emb(model):
    generator = torch.Generator().manual_seed(9)
    seq = 6
    q = torch.randn(2, model.num_attention_heads, seq, model.head_dim, generator=generator)
    k = torch.randn(2, model.num_key_value_heads, seq, model.head_dim, generator=generator)
    positions = torch.tensor([[0, 1, 2, 3, 4, 5], [3, 4, 5, 6, 50, 51]])  # a left-padded row, then a jump
    cos, sin = rope_cos_sin(positions, model.head_dim, model.rope_theta)
    q_hf, k_hf = apply_rotary_pos_emb(q, k, cos, sin)
    assert torch.equal(apply_rope(q, cos[:, None], sin[:, None]), q_hf)
    assert torch.equal(apply_rope(k, cos[:, None], sin[:, None]), k_hf)


def rope_score(q: torch.Tensor, k: torch.Tensor, m: int, n: int, dtype=torch.float64) -> float:
    cos, sin = rope_cos_sin(torch.tensor([m, n]), q.shape[-1], QWEN25_7B.rope_theta, dtype)
    return float(apply_rope(q.to(dtype), cos[0], sin[0]) @ apply_rope(k.to(dtype), cos[1], sin[1]))


@pytest.mark.parametrize("m, n", [(7, 3), (0, 0), (3, 7), (1000, 1), (0, 31)])
def test_score_depends_only_on_the_distance(m, n):
    generator = torch.Generator().manual_seed(m * 100 + n)
    q, k = torch.randn(2, QWEN25_7B.head_dim, generator=generator, dtype=torch.float64)
    base = rope_score(q, k, m, n)
    for shift in (1, 17, 1000, 30_000):
        assert abs(rope_score(q, k, m + shift, n + shift) - base) < 1e-9
    assert abs(rope_score(q, k, m, n + 1) - base) > 1e-3  # another distance, another score


def test_float32_rounding_grows_with_the_position_but_stays_small_near_zero():
    generator = torch.Generator().manual_seed(0)
    q, k = torch.randn(2, QWEN25_7B.head_dim, generator=generator, dtype=torch.float64)
    base = rope_score(q, k, 7, 3, torch.float32)
    near = max(abs(rope_score(q, k, 7 + t, 3 + t, torch.float32) - base) for t in range(0, 1001, 50))
    far = abs(rope_score(q, k, 30_007, 30_003, torch.float32) - base)
    assert near < 1e-4 < far


def test_rotation_keeps_length_and_rotate_half_is_a_quarter_turn():
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(4, 128, generator=generator, dtype=torch.float64)
    cos, sin = rope_cos_sin(torch.tensor([0, 5, 500, 32_767]), 128, QWEN25_7B.rope_theta, torch.float64)
    rotated = apply_rope(x, cos, sin)
    assert torch.allclose(rotated.norm(dim=-1), x.norm(dim=-1))
    assert torch.equal(rotated[0], x[0])  # position 0 does not turn
    assert torch.equal(rotate_half(rotate_half(x)), -x)
    assert torch.equal(rotate_half(torch.tensor([1.0, 2.0, 3.0, 4.0])), torch.tensor([-3.0, -4.0, 1.0, 2.0]))


def test_adjacent_pairs_and_halves_give_the_same_rotation():
    """The page's note: the complex (adjacent-pair) form, reordered, equals the rotate_half form."""
    generator = torch.Generator().manual_seed(2)
    x = torch.randn(5, 64, generator=generator, dtype=torch.float64)
    positions = torch.arange(5)
    angles = positions[:, None].double() * rope_inv_freq(64, 1e6, torch.float64)
    rotated = torch.view_as_real(torch.view_as_complex(x.reshape(5, -1, 2)) * torch.polar(torch.ones_like(angles),
                                                                                           angles)).flatten(-2)
    halves = torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1)
    cos, sin = rope_cos_sin(positions, 64, 1e6, torch.float64)
    assert torch.allclose(torch.cat((rotated[..., 0::2], rotated[..., 1::2]), dim=-1), apply_rope(halves, cos, sin))


# --- the sinusoidal table -----------------------------------------------------------------------------------------


def test_sinusoidal_table_is_the_papers_formula():
    pe = sinusoidal_positions(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == torch.float32
    for pos in (0, 1, 13, 49):
        for i in range(8):
            omega = 1 / 10000 ** (2 * i / 16)
            assert math.isclose(pe[pos, 2 * i].item(), math.sin(pos * omega), abs_tol=1e-6)
            assert math.isclose(pe[pos, 2 * i + 1].item(), math.cos(pos * omega), abs_tol=1e-6)
    assert torch.equal(1.0 / 10000.0 ** (torch.arange(0, 16, 2, dtype=torch.float32) / 16), rope_inv_freq(16, 10000))


def test_sinusoidal_dot_products_depend_only_on_the_distance():
    pe = sinusoidal_positions(200, 64).double()
    gram = pe @ pe.T
    for m, n in [(10, 7), (3, 3), (0, 50)]:
        for shift in (1, 40, 140):
            assert math.isclose(gram[m, n].item(), gram[m + shift, n + shift].item(), abs_tol=1e-4)


# --- bad input ----------------------------------------------------------------------------------------------------


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


@pytest.mark.parametrize("call", [
    lambda: rope_inv_freq(127, 1e6),
    lambda: rope_inv_freq(0, 1e6),
    lambda: rope_inv_freq(128, 1.0),
    lambda: rope_inv_freq(128, float("nan")),
    lambda: rope_cos_sin(torch.tensor([3, -1]), 128, 1e6),
    lambda: rope_cos_sin(torch.tensor([0.5]), 128, 1e6),
    lambda: rope_cos_sin(torch.tensor([True]), 128, 1e6),
    lambda: rotate_half(torch.zeros(3, 5)),
    lambda: apply_rope(torch.zeros(2, 64), *rope_cos_sin(torch.arange(2), 128, 1e6)),
    lambda: sinusoidal_positions(10, 7),
    lambda: sinusoidal_positions(0, 8),
], ids=["odd head_dim", "zero head_dim", "theta 1", "theta nan", "negative position", "float position",
        "bool position", "odd last dim", "head_dim mismatch", "odd dim", "no positions"])
def test_bad_input_gets_a_chinese_value_error(call):
    with pytest.raises(ValueError) as error:
        call()
    assert has_chinese(str(error.value)), str(error.value)


def test_empty_positions_are_fine():
    cos, sin = rope_cos_sin(torch.zeros(1, 0, dtype=torch.long), 8, 10000.0)
    assert cos.shape == sin.shape == (1, 0, 8)


# --- exercise 9.3: the messages a learner sees ---------------------------------------------------------------------


def test_exercise_9_3_says_what_is_wrong():
    right = lambda x: torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1)  # noqa: E731
    assert check("9.3", right)
    inverse = check("9.3", lambda x: x.unflatten(-1, (2, -1)).transpose(-1, -2).flatten(-2))
    assert not inverse and "arange(8)" in inverse.message  # the first input tells the permutation from its inverse
    converted = check("9.3", lambda x: right(x).float())
    assert converted.status == "format" and "与 x 相同" in converted.message


# --- the page -----------------------------------------------------------------------------------------------------


def chapter_cells():
    return jupytext.read(CHAPTER).cells


def test_page_has_the_course_frame():
    text = CHAPTER.read_text("utf-8")
    assert text.count("(ch-position)=") == 1
    for heading in ("学习目标", "前置知识", "本章术语", "预计用时", "\n## 动手试试\n", "\n## 小结\n", "\n## 练习\n",
                    "\n## 小测验\n", "\n## 解答\n"):
        assert heading in text, heading
    assert re.findall(r"```\{exercise\} (9\.\d)", text) == ["9.1", "9.2", "9.3"]
    marker = "```{code-cell} ipython3\n:tags: [hide-cell]"
    setup = (ROOT / "chapters" / "03_embeddings.md").read_text("utf-8").split(marker)[1].split("```")[0]
    assert marker + setup in text  # the Colab setup cell, verbatim


def test_page_loads_nothing_from_outside():
    """No math markup (MathJax would come from a CDN) and no Hub downloads."""
    text = CHAPTER.read_text("utf-8")
    assert "$" not in text and "{math}" not in text
    assert "from_pretrained" not in text and "trust_remote_code" not in text


def test_prose_quotes_chinese_with_chinese_marks():
    prose = "\n".join(cell.source for cell in chapter_cells() if cell.cell_type == "markdown")
    prose = re.sub(r"`[^`]*`", "", prose)
    assert not re.search(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*"', prose)


def code_cell(marker: str):
    cells = [cell for cell in chapter_cells() if cell.cell_type == "code" and marker in cell.source]
    assert len(cells) == 1, marker
    return cells[0]


def test_explorer_shows_a_static_result_and_the_build_skips_the_widget_cell():
    """The site shows show_rope's build-time output; the slider cell runs only in Jupyter, Colab or Binder
    (executing interact-style widgets under nbclient can hang: jupyter/nbclient#312)."""
    assert code_cell("show_rope(pair=8, position=100)").source.strip().endswith("show_rope(pair=8, position=100)")
    tags = code_cell("interactive_output").metadata.get("tags", [])
    assert "skip-execution" in tags and "remove-output" in tags


def test_the_sliders_drive_show_rope(monkeypatch, capsys):
    """The widget cell, run as Jupyter runs it (no front end here): two sliders, and each move redraws."""
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setattr("matplotlib.pyplot.show", lambda *args, **kwargs: None)
    namespace = {"torch": torch, "rope_inv_freq": rope_inv_freq, "rope_cos_sin": rope_cos_sin,
                 "apply_rope": apply_rope, "rope_head_dim": QWEN25_7B.head_dim, "rope_theta": QWEN25_7B.rope_theta}
    source = code_cell("def show_rope(").source.replace("show_rope(pair=8, position=100)", "")
    exec(source, namespace)
    exec(code_cell("interactive_output").source, namespace)
    pair, position = namespace["pair_slider"], namespace["position_slider"]
    assert (pair.min, pair.max, position.min) == (0, QWEN25_7B.head_dim // 2 - 1, 0)
    capsys.readouterr()
    pair.value = 63
    position.value = 2048
    shown = capsys.readouterr().out
    assert "维度对 i = 63" in shown and "位置 m = 2048" in shown
    namespace["show_rope"](pair=64)
    assert "0 到 63" in capsys.readouterr().out


def test_show_rope_labels_its_figure_in_chinese_with_a_font_that_has_the_glyphs(monkeypatch):
    """On a machine with fonts-noto-cjk (the build machine), every label is Chinese and no glyph is missing."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    if "Noto Sans CJK SC" not in {font.name for font in font_manager.fontManager.ttflist}:
        pytest.skip("no Noto Sans CJK SC here (apt-get install fonts-noto-cjk)")
    matplotlib.use("Agg")
    shown = []
    monkeypatch.setattr("matplotlib.pyplot.show", lambda *args, **kwargs: shown.append(plt.gcf()))
    namespace = {"torch": torch, "rope_inv_freq": rope_inv_freq, "rope_cos_sin": rope_cos_sin,
                 "apply_rope": apply_rope, "rope_head_dim": QWEN25_7B.head_dim, "rope_theta": QWEN25_7B.rope_theta}
    with matplotlib.rc_context(), warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning: make it fail here
        exec(code_cell("def show_rope(").source, namespace)
        (figure,) = shown
        figure.canvas.draw()
        labels = [text for ax in figure.axes for text in (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) if text]
    plt.close(figure)
    pairs = QWEN25_7B.head_dim // 2
    assert labels == ["第 8 对维度的贡献", "距离 m − n", "q · k", f"全部 {pairs} 对之和", "距离 m − n"]


def test_randomness_is_seeded():
    for cell in chapter_cells():
        if cell.cell_type == "code" and re.search(r"torch\.randn\(|nn\.(Embedding|Linear)\(|randperm", cell.source):
            assert "manual_seed" in cell.source or "generator" in cell.source or cell.source.startswith(
                ("def ", "#@save")), cell.source[:80]


# --- the executed page (when the maintainer's build is there) -------------------------------------------------------


@pytest.fixture(scope="module")
def executed():
    path = EXECUTED / "09_position.ipynb"
    if not path.is_file():
        pytest.skip("chapter 9 has not been built into _build yet")
    return json.loads(path.read_text("utf-8"))


def test_executed_page_shows_the_explorer_plot_and_no_errors(executed):
    outputs = [output for cell in executed["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert not [o for o in outputs if o.get("name") == "stderr"]
    explorer = next(cell for cell in executed["cells"] if "show_rope(pair=8, position=100)" in "".join(cell["source"]))
    assert any("image/png" in o.get("data", {}) for o in explorer["outputs"])
    shown = json.dumps(outputs, ensure_ascii=False)
    for machine_path in ("/work/", "/tmp/", "site-packages", "/root/"):
        assert machine_path not in shown
