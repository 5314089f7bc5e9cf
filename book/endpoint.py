"""A malformed HF_ENDPOINT must not break `import book`: screen it before anything imports transformers.

huggingface_hub parses HF_ENDPOINT when it is imported (by transformers), and an address such as
http://127.0.0.1:99999 makes that import raise ValueError. `book/__init__.py` imports this module first.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .cache import note

_rejected: str | None = None  # the malformed HF_ENDPOINT this process removed


def endpoint_problem(value: str) -> str | None:
    """Why `value` cannot be a Hub address (Chinese), or None when it can."""
    try:
        url = urlsplit(value)
        port = url.port  # raises ValueError for a port outside 0-65535 or one that is not a number
    except ValueError as exc:
        return f"无法解析：{exc}"
    if url.scheme not in ("http", "https"):
        return "只支持以 http:// 或 https:// 开头的地址"
    if not url.hostname:
        return "缺少主机名"
    if port == 0:
        return "端口不能是 0"
    return None


def screen_endpoint() -> bool:
    """False when HF_ENDPOINT is (or was) malformed: it is removed from the environment, with a one-line note."""
    global _rejected
    value = os.environ.get("HF_ENDPOINT")
    if value is None:
        return _rejected is None
    problem = endpoint_problem(value)
    if problem is None:
        _rejected = None
        return True
    del os.environ["HF_ENDPOINT"]
    _rejected = value
    note(f"HF_ENDPOINT={value!r} 不是有效的地址（{problem}），已忽略；load_tokenizer 将直接使用离线构建。")
    return False


screen_endpoint()
