"""Self-checks for the chapter exercises: `check("2.1", answer)` says in Chinese whether the answer is right.

Expected values are computed from the real tokenizer and torch, never typed in.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import torch

from .models import MINIMIND, QWEN25_7B


@dataclass
class Result:
    """The verdict of one self-check; shows itself as a coloured line in Jupyter, and is truthy when right."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("✅ " if self.ok else "❌ ") + self.message

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        return f'<div class="ttv-check" style="color:{colour};font-weight:bold">{html.escape(repr(self))}</div>'


@lru_cache(maxsize=1)
def tokenizer():
    from . import load_tokenizer

    return load_tokenizer()


def ids(text: str) -> list[int]:
    return tokenizer().encode(text, add_special_tokens=False)


def same(expected) -> Callable[[object], bool]:
    return lambda answer: answer == expected


def close(expected: float, rel: float = 0.01) -> Callable[[object], bool]:
    return lambda answer: isinstance(answer, (int, float)) and abs(answer - expected) <= rel * abs(expected)


def works_like(reference: Callable, cases: list[tuple]) -> Callable[[object], bool]:
    """The answer is a function that agrees with `reference` on every case (tensors compared exactly)."""

    def judge(answer) -> bool:
        if not callable(answer):
            return False
        for args in cases:
            got, want = answer(*args), reference(*args)
            if isinstance(want, torch.Tensor):
                if not (isinstance(got, torch.Tensor) and got.shape == want.shape and torch.allclose(got.float(), want.float(), atol=1e-6)):
                    return False
            elif got != want:
                return False
        return True

    return judge


# --- reference solutions for the function-valued exercises ------------------------------------------------


def count_tokens(text: str) -> int:
    return len(ids(text))


def one_hot_lookup(input_ids: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    return weight[input_ids]


def left_position_ids(mask: torch.Tensor) -> torch.Tensor:
    return (mask.cumsum(dim=-1) - 1).clamp(min=0)


def masked_mean(vectors: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(vectors.dtype)
    return (vectors * m).sum(dim=1) / m.sum(dim=1).clamp(min=1)


def _lookup_cases() -> list[tuple]:
    g = torch.Generator().manual_seed(0)
    weight = torch.randn(50, 6, generator=g)
    return [(torch.tensor([3, 3, 49, 0]), weight), (torch.tensor([[1, 2], [7, 8]]), weight)]


def _mask_cases() -> list[tuple]:
    return [(torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [0, 0, 0, 0, 1]]),)]


def _mean_cases() -> list[tuple]:
    g = torch.Generator().manual_seed(1)
    vectors = torch.randn(3, 4, 5, generator=g)
    return [(vectors, torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [1, 0, 0, 0]]))]


def pad_count(sentences: list[str]) -> int:
    """How many PAD tokens `padding=True` adds to a batch of these sentences."""
    lengths = [len(ids(s)) for s in sentences]
    return len(lengths) * max(lengths) - sum(lengths)


PAD_SENTENCES = ["小红帽去森林", "大灰狼", "外婆"]


# --- the exercises: id -> (how to judge, hint shown when wrong) -------------------------------------------


@lru_cache(maxsize=1)
def exercises() -> dict[str, tuple[Callable[[object], bool], str]]:
    tok = tokenizer()
    return {
        "1.1": (same(len(tok) - tok.vocab_size), "比较 len(tokenizer) 和 tokenizer.vocab_size。"),
        "1.2": (same(tok.convert_tokens_to_ids("<|im_end|>")), "用 tokenizer.convert_tokens_to_ids 查 '<|im_end|>'。"),
        "1.3": (same(QWEN25_7B.vocab_size - len(tok)), "模型配置的行数减去 len(tokenizer)。"),
        "2.1": (same(ids("小红帽爱学习")), "用 tokenizer.encode(..., add_special_tokens=False)。"),
        "2.2": (
            lambda ch: isinstance(ch, str) and len(ch) == 1 and any(tok.decode([i]) == "\ufffd" for i in ids(ch)),
            "答案是一个字；把它单独编码，至少有一个 token 单独解码后是 '�'。试试生僻字。",
        ),
        "2.3": (works_like(count_tokens, [("小红帽去森林",), ("Hello world",), ("",), (" 小红帽 👍🏽",)]),
                "函数接收一个字符串，返回 token 个数（不加特殊 token）。"),
        "3.1": (same(len(tok) * 896), "参数量 = 行数 × 列数，行数用 len(tokenizer)。"),
        "3.2": (close(QWEN25_7B.vocab_size * QWEN25_7B.hidden_size * 2 / 2**20), "bfloat16 每个数 2 个字节；1 MiB = 2**20 字节。"),
        "3.3": (works_like(one_hot_lookup, _lookup_cases()), "返回形状应是 input_ids.shape + (hidden,)；可以用 one_hot(...).float() @ weight。"),
        "4.1": (same(pad_count(PAD_SENTENCES)), "填充个数 = 句数 × 最长长度 − 各句长度之和。"),
        "4.2": (works_like(left_position_ids, _mask_cases()), "每句第一个真实 token 的位置是 0；试试 mask.cumsum(dim=-1)。"),
        "4.3": (works_like(masked_mean, _mean_cases()), "先把填充位置的向量乘 0，再除以每句真实 token 的个数。"),
        "5.1": (same((2, max(len(ids("你好")), len(ids("小红帽去森林"))), 64)), "形状是 (batch, 最长长度, hidden_size)，写成 tuple。"),
        "5.2": (same(MINIMIND.embedding_parameters), "共享后省下的正是一整张嵌入表：行数 × hidden_size。"),
        "5.3": (same("IndexError"), "写出异常类型的名字，例如 'ValueError'。"),
    }


def check(exercise: str, answer) -> Result:
    """Judge `answer` to `exercise` (e.g. "2.1"); never raises on a wrong or unfinished answer."""
    table = exercises()
    if exercise not in table:
        return Result(False, f"没有练习 {exercise}。")
    if answer is Ellipsis or answer is None:
        return Result(False, f"练习 {exercise} 还没有作答：把 answer 改成你的答案，再运行这个单元格。")
    judge, hint = table[exercise]
    try:
        ok = bool(judge(answer))
    except Exception as error:  # the learner's function raised: that is a wrong answer, not a crash
        return Result(False, f"练习 {exercise}：运行你的答案时出错（{type(error).__name__}: {error}）。提示：{hint}")
    if ok:
        return Result(True, f"练习 {exercise} 正确！")
    return Result(False, f"练习 {exercise} 还不对。提示：{hint}")
