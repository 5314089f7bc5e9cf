"""Checks on what a learner types: every problem becomes a short Chinese note, never an exception."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

MAX_CHARS = 2_000  # longer text is cut here: views stay fast and readable
MIN_HIDDEN, MAX_HIDDEN = 8, 8_192


@dataclass
class CheckedText:
    text: str  # safe to tokenize (may be cut or repaired)
    notes: list[str] = field(default_factory=list)  # what was changed or is worth knowing
    error: str = ""  # non-empty: nothing to show but this


def check_text(raw: object, max_chars: int = MAX_CHARS) -> CheckedText:
    """Validate user text for the views: empty, too long, lone surrogates, control characters."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        return CheckedText("", error=f"请输入文字（收到的是 {type(raw).__name__}）。")
    if raw == "":
        return CheckedText("", error="请输入一段文字，例如：小红帽去森林。")
    notes = []
    text = raw
    if len(text) > max_chars:
        notes.append(f"文本有 {len(raw):,} 个字符，超过上限 {max_chars:,}：只处理前 {max_chars:,} 个字符。")
        text = text[:max_chars]
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        text = _replace_surrogates(text)
        notes.append("文本里有无法编码的代理字符（lone surrogate），已替换为 �（U+FFFD）。")
    if not text.strip():
        notes.append("文本只有空白字符：空白本身也会被切成 token。可勾选“显示空白”查看。")
    controls = sorted({f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\r"})
    if controls:
        notes.append(f"文本里有控制字符 {', '.join(controls[:5])}：它们不可见，但同样会变成 token。")
    return CheckedText(text, notes)


def _replace_surrogates(text: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def check_hidden_size(value: object) -> tuple[int, str]:
    """(hidden_size, "") when usable, else (0, a Chinese message saying the allowed range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return 0, f"hidden_size 必须是 {MIN_HIDDEN} 到 {MAX_HIDDEN} 之间的整数。"
    try:
        number = float(value)
    except ValueError:
        return 0, f"hidden_size 必须是整数，收到的是 {str(value)[:20]!r}。"
    if number != number or number != int(number):
        return 0, f"hidden_size 必须是整数，收到的是 {str(value)[:20]}。"
    hidden = int(number)
    if hidden < MIN_HIDDEN:
        return 0, f"hidden_size = {hidden} 太小：每个 token 至少需要 {MIN_HIDDEN} 维（范围 {MIN_HIDDEN}～{MAX_HIDDEN}）。"
    if hidden > MAX_HIDDEN:
        return 0, f"hidden_size = {hidden:,} 太大：这里最多 {MAX_HIDDEN:,} 维（Qwen2.5-7B 是 3,584）。"
    return hidden, ""


def special_token_note(tokenizer, text: str, split_special_tokens: bool) -> str:
    """Explain what happens to control-token strings such as <|endoftext|> typed into the text."""
    found = [t for t in tokenizer.added_tokens_encoder if t in text]
    if not found:
        return ""
    names = "、".join(found[:4])
    if split_special_tokens:
        return f"文本里写着 {names}：现在按普通文字切分（split_special_tokens=True），不会变成控制 token。"
    return (
        f"文本里写着 {names}：分词器默认把它识别为一个控制 token（一个 ID），就像对话模板里的标记。"
        "来自用户的文本应当按普通文字处理：勾选“特殊 token 当普通文字”（split_special_tokens=True）。"
    )
