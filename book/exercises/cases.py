"""Inputs on which the function exercises are tried: built afresh, from fixed seeds, on every check.

Only inputs live here. What a right function returns on them is stored as hashes in expected.json, so nothing in
this package computes an answer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One call of the learner's function: what to pass, and how the inputs look (said when the answer fails)."""

    label: str  # Chinese, e.g. “左填充的掩码 [3, 5]”
    args: tuple
    shape: tuple[int, ...] | None = None  # the shape a right answer returns, when it returns a tensor


def long_text() -> str:
    """About 12,000 characters of mixed Chinese, English, digits and emoji: long enough to catch truncation."""
    lines = [
        f"第{i}段：小红帽提着篮子，穿过森林去看望生病的外婆。Little Red Riding Hood walked {i * 37} steps 🌲。\n"
        for i in range(160)
    ]
    return "".join(lines)


def count_cases() -> list[Case]:
    """Texts for 2.3 (count tokens)."""
    texts = [
        ("空字符串", ""),
        ("“小红帽去森林”", "小红帽去森林"),
        ("英文 “Hello world”", "Hello world"),
        ("带前导空格和 emoji 的文本", " 小红帽 👍🏽"),
        ("只有特殊 token “<|im_start|>”", "<|im_start|>"),
        ("对话模板文本 “<|im_start|>user\\n你好<|im_end|>”", "<|im_start|>user\n你好<|im_end|>"),
        ("一串数字", "20240101 3.14159 1000000"),
        ("只有空白", " \n\n\t  "),
        ("分解形式的重音字母（NFD）", "Cafe\u0301 re\u0301sume\u0301"),
        (f"约 {len(long_text()):,} 个字符的长文本", long_text()),
    ]
    return [Case(label, (text,)) for label, text in texts]


def _generator(seed: int):
    import torch

    return torch.Generator().manual_seed(seed)


def lookup_cases() -> list[Case]:
    """(input_ids, weight) pairs for 3.3; each weight requires grad so the check can see how it was used."""
    import torch

    g = _generator(33)

    def weight(rows: int, hidden: int, dtype: torch.dtype) -> torch.Tensor:
        return torch.randn(rows, hidden, generator=g).to(dtype).requires_grad_()

    specs = [
        ("一维 input_ids [5]，float32 的 weight [50, 6]", torch.tensor([3, 3, 49, 0, 17]),
         weight(50, 6, torch.float32)),
        ("二维 input_ids [2, 3]，float32 的 weight [20, 4]", torch.tensor([[1, 2, 3], [19, 0, 7]]),
         weight(20, 4, torch.float32)),
        ("三维 input_ids [2, 2, 3]，bfloat16 的 weight [40, 8]", torch.randint(0, 40, (2, 2, 3), generator=g),
         weight(40, 8, torch.bfloat16)),
        ("二维 input_ids [3, 4]，float64 的 weight [30, 5]", torch.randint(0, 30, (3, 4), generator=g),
         weight(30, 5, torch.float64)),
        ("只有一个 ID 的 [1, 1]，float32 的 weight [10, 3]", torch.tensor([[9]]), weight(10, 3, torch.float32)),
    ]
    return [Case(label, (ids, w), tuple(ids.shape) + (w.shape[1],)) for label, ids, w in specs]


def padding_mask(lengths: list[int], seq: int, side: str):
    """A [batch, seq] 0/1 mask (int64, as tokenizers return it) with `lengths` real tokens padded on `side`."""
    import torch

    rows = []
    for length in lengths:
        real, pad = [1] * length, [0] * (seq - length)
        rows.append(pad + real if side == "left" else real + pad)
    return torch.tensor(rows, dtype=torch.long)


def position_cases() -> list[Case]:
    """Masks for 4.2, padded on either side."""
    import torch

    g = _generator(42)
    long_lengths = torch.randint(1, 13, (4,), generator=g).tolist()
    specs = [
        ("左填充的掩码 [3, 5]", padding_mask([3, 5, 1], 5, "left")),
        ("右填充的掩码 [3, 5]", padding_mask([3, 1, 5], 5, "right")),
        ("没有填充的一句 [1, 4]", padding_mask([4], 4, "left")),
        ("只有一个 token 的 [1, 1]", padding_mask([1], 1, "left")),
        ("左填充的掩码 [4, 12]", padding_mask(long_lengths, 12, "left")),
        ("右填充的掩码 [4, 12]", padding_mask(long_lengths, 12, "right")),
    ]
    return [Case(label, (mask,), tuple(mask.shape)) for label, mask in specs]


def mean_cases() -> list[Case]:
    """(vectors, mask) pairs for 4.3.

    The vectors hold small integers and every sentence has 1, 2, 4 or 8 real tokens, so the right mean is exact in
    every dtype and in any order of summation: a right answer matches bit for bit.
    """
    import torch

    g = _generator(43)

    def vectors(batch: int, seq: int, hidden: int, dtype: torch.dtype) -> torch.Tensor:
        return torch.randint(-8, 9, (batch, seq, hidden), generator=g).to(dtype)

    specs = [
        ("右填充，float32 的 vectors [3, 4, 5]", vectors(3, 4, 5, torch.float32), padding_mask([4, 2, 1], 4, "right")),
        ("左填充，float32 的 vectors [3, 8, 6]", vectors(3, 8, 6, torch.float32), padding_mask([8, 4, 2], 8, "left")),
        ("左填充，bfloat16 的 vectors [2, 4, 3]", vectors(2, 4, 3, torch.bfloat16), padding_mask([1, 4], 4, "left")),
        ("右填充，float64 的 vectors [2, 8, 4]", vectors(2, 8, 4, torch.float64), padding_mask([2, 8], 8, "right")),
        ("没有填充的一句，float32 的 vectors [1, 4, 3]", vectors(1, 4, 3, torch.float32), padding_mask([4], 4, "left")),
    ]
    return [Case(label, (v, mask), (v.shape[0], v.shape[2])) for label, v, mask in specs]


def half_pairs_cases() -> list[Case]:
    """Tensors for 9.3 (adjacent pairs → Qwen2's halves). The last dimension is 6 or more, where the permutation and
    its inverse differ; integer inputs show the permutation itself."""
    import torch

    g = _generator(93)
    specs = [
        ("一维整数张量 arange(8)", torch.arange(8)),
        ("一维 float32 的 [6]", torch.randn(6, generator=g)),
        ("二维 float32 的 [3, 10]", torch.randn(3, 10, generator=g)),
        ("三维 bfloat16 的 [2, 4, 12]", torch.randn(2, 4, 12, generator=g).to(torch.bfloat16)),
        ("四维 float64 的 [1, 2, 3, 128]（一个 Qwen2.5-7B 的头）", torch.randn(1, 2, 3, 128, generator=g).double()),
        ("二维整数张量 [2, 6]", torch.randint(-50, 50, (2, 6), generator=g)),
    ]
    return [Case(label, (x,), tuple(x.shape)) for label, x in specs]


def pair_cases() -> list[Case]:
    """ID lists for 6.3 (the most frequent adjacent pair; ties go to the smallest pair, left ID first): ties that
    the first-seen or the largest pair would get wrong, a run where overlapping pairs count, and a long list."""
    import random

    rng = random.Random(63)
    specs = [
        ("只有两个 ID 的 [8, 8]", [8, 8]),
        ("两对平局的 [3, 1, 2, 3, 1, 2, 9, 9]", [3, 1, 2, 3, 1, 2, 9, 9]),
        ("左边 ID 相同、要比右边的平局 [1, 5, 1, 4, 1, 5, 1, 4]", [1, 5, 1, 4, 1, 5, 1, 4]),
        ("连续重复的 [5, 5, 5, 5, 5, 1, 2, 1, 2]（重叠的对也算）", [5, 5, 5, 5, 5, 1, 2, 1, 2]),
        ("“小红帽去森林”的 18 个 UTF-8 字节（每对都只出现一次）", list("小红帽去森林".encode())),
        ("3,000 个 0～11 的随机 ID", [rng.randrange(12) for _ in range(3000)]),
    ]
    return [Case(label, (ids,)) for label, ids in specs]


def label_cases() -> list[Case]:
    """(input_ids, attention_mask, prompt_lengths) for 10.3: padded on either side, with an eos that has the pad's
    ID (151643, as in Qwen2.5 Base) at the end of a sentence and inside one, and prompts from none to a whole sentence.
    """
    import torch

    pad, im_end = 151643, 151645

    def padded(rows: list[list[int]], seq: int, side: str):
        fill = [[pad] * (seq - len(row)) for row in rows]
        ids = [row + more if side == "right" else more + row for row, more in zip(rows, fill, strict=True)]
        return torch.tensor(ids), padding_mask([len(row) for row in rows], seq, side)

    g = _generator(103)
    lengths = torch.randint(1, 13, (4,), generator=g).tolist()
    random_rows = [torch.randint(0, 151665, (n,), generator=g).tolist() for n in lengths]
    random_prompts = [int(torch.randint(0, n, (1,), generator=g)) for n in lengths]
    specs = [
        ("右填充、pad 与 eos 不同的 [2, 6]",
         [[30709, 99425, 102663, 85336, 102258, im_end], [26288, 100815, 104522, im_end]], 6, "right", [2, 1]),
        ("右填充、句末的 eos 与填充同为 151643 的 [2, 6]（Base 模型）", [[30709, 99425, 102663, pad],
         [26288, 100815, 104522, 101161, 1773, pad]], 6, "right", [1, 2]),
        ("左填充、句末的 eos 与填充同为 151643 的 [3, 7]",
         [[11, 12, 13, 14, 15, 16, pad], [21, 22, 23, pad], [31, pad]], 7, "left", [3, 2, 0]),
        ("没有填充、没有提示的一句 [1, 5]", [[1, 2, 3, 4, 5]], 5, "right", [0]),
        ("句中也有 151643 的右填充 [2, 8]（两篇文档拼在一起）",
         [[11, 12, pad, 13, 14, pad], [21, 22, 23, pad, 24, 25, 26, pad]], 8, "right", [0, 3]),
        ("提示占满一整句的右填充 [2, 4]", [[7, 8, 9], [4, 5, 6, 7]], 4, "right", [3, 1]),
        ("随机的左填充 [4, 12]", random_rows, 12, "left", random_prompts),
    ]
    cases = []
    for label, rows, seq, side, prompts in specs:
        ids, mask = padded(rows, seq, side)
        cases.append(Case(label, (ids, mask, prompts), tuple(ids.shape)))
    return cases


def odd_cases() -> list[Case]:
    """[n, hidden] vectors for 8.2: one row points away from a group of similar rows. Row lengths differ widely, so
    dot products, distances or the row lengths point at another row than the mean cosine similarity does."""
    import torch

    g = _generator(82)

    def rows_for(hidden, lengths, odd_length, odd_at, dtype, noise=0.3, odd_mix=0.0):
        base = torch.randn(hidden, generator=g, dtype=torch.float64)
        other = torch.randn(hidden, generator=g, dtype=torch.float64)
        group = base + noise * torch.randn(len(lengths), hidden, generator=g, dtype=torch.float64)
        group = group / group.norm(dim=1, keepdim=True) * torch.tensor(lengths, dtype=torch.float64)[:, None]
        odd = other + odd_mix * base
        odd = odd / odd.norm() * odd_length
        return torch.cat([group[:odd_at], odd[None], group[odd_at:]]).to(dtype)

    specs = [
        ("3 行、hidden 4 的 float32", rows_for(4, [1.0, 1.2], 1.0, 0, torch.float32)),
        ("5 行、hidden 8，各行长度相差 100 倍", rows_for(8, [0.1, 10.0, 0.5, 3.0], 0.2, 2, torch.float32, odd_mix=0.5)),
        ("6 行、hidden 16，有一行特别长", rows_for(16, [1.0, 0.8, 1.3, 0.9, 1.1], 40.0, 5, torch.float32, odd_mix=0.6)),
        ("8 行、hidden 64 的 float64", rows_for(64, [0.01, 1, 100, 2, 3, 0.5, 7], 1.0, 3, torch.float64)),
        ("10 行、hidden 512 的 float32", rows_for(512, [1.0 + i for i in range(9)], 5.0, 9, torch.float32, noise=1.0,
                                               odd_mix=0.2)),
    ]
    return [Case(label, (vectors,)) for label, vectors in specs]
