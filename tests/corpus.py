"""A seeded, varied corpus of strings for comparing tokenizers: every kind of text a learner may type."""

from __future__ import annotations

import random
import unicodedata

COMMON_HAN = (0x4E00, 0x9FFF)  # CJK Unified Ideographs
RARE_HAN = [(0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F)]  # Ext. A, B, C
WORDS = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "tokenizer", "embedding", "vector", "attention",
    "Transformer", "don't", "it's", "we'll", "I'm",
]
EMOJI = ["😀", "👍🏽", "👩‍👩‍👧", "🏳️‍🌈", "❤️", "🇨🇳", "🧑🏿‍💻", "✨"]
CODE = [
    "def f(x):\n    return x ** 2", "for (int i = 0; i < n; ++i) {}", "SELECT * FROM t WHERE id=42;",
    "<div class=\"a\">", "x += 1  # 注释",
]
PUNCT = list("，。！？、；：“”‘’（）《》…—·,.!?;:'\"()[]{}<>@#$%^&*-_=+/\\|~`")
SPACES = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u3000", "\u00a0"]
LATIN_ACCENTED = ["café", "naïve", "Ångström", "façade", "Straße", "résumé"]


def piece(rng: random.Random) -> str:
    """One random piece of text of one of ten kinds."""
    kind = rng.randrange(10)
    if kind == 0:
        return "".join(chr(rng.randint(*COMMON_HAN)) for _ in range(rng.randint(1, 8)))
    if kind == 1:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5)))
    if kind == 2:
        return str(rng.randint(0, 10 ** rng.randint(1, 12)))
    if kind == 3:
        return rng.choice(EMOJI)
    if kind == 4:
        return rng.choice(CODE)
    if kind == 5:
        return rng.choice(SPACES) * rng.randint(1, 3)
    if kind == 6:
        low, high = rng.choice(RARE_HAN)
        return chr(rng.randint(low, high))
    if kind == 7:
        return unicodedata.normalize("NFD", rng.choice(LATIN_ACCENTED))
    if kind == 8:
        return "".join(rng.choice(PUNCT) for _ in range(rng.randint(1, 3)))
    return rng.choice(["小红帽去森林", "今天天气很好。", "人工智能", "北京欢迎你", "机器学习与深度学习"])


def generated_corpus(seed: int = 0, size: int = 10_000) -> list[str]:
    """`size` strings, each 1 to 6 random pieces joined together, reproducible from `seed`."""
    rng = random.Random(seed)
    return ["".join(piece(rng) for _ in range(rng.randint(1, 6))) for _ in range(size)]


def without_pieces(texts: list[str], pieces: list[str]) -> list[str]:
    """The strings of `texts` that contain none of `pieces` (e.g. the text of added tokens)."""
    return [text for text in texts if not any(piece in text for piece in pieces)]
