"""What the interactive panels show, as data: checked input and the real tokenizer's IDs.

One drawing code, book/static/panel.js, turns this state into the panel: in Jupyter through anywidget, on the
site from the build-time state and then from the browser tokenizer (playground/encode.js computes the same
state with the same rules, book/static/rules.json; tests/test_panels.py feeds both the same inputs).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

STATIC = Path(__file__).parent / "static"
RULES = json.loads((STATIC / "rules.json").read_text("utf-8"))
KINDS = ("tokens", "embedding", "batch", "compare")
SIDES = ("left", "right")
WHOLE_NUMBER = r"\s*[+-]?[0-9]+\s*"  # the strings hidden_size accepts (encode.js: the same pattern)


def message(key: str, **values: object) -> str:
    """A panel message from rules.json, with its {placeholders} filled in."""
    return RULES["messages"][key].format(**values)


@dataclass
class Checked:
    text: str  # safe to tokenize (maybe cut or repaired)
    notes: list[str] = field(default_factory=list)
    error: str = ""  # non-empty: nothing to show but this


def check_text(raw: object, max_chars: int = RULES["max_chars"]) -> Checked:
    """Empty, too long, lone surrogates, only whitespace, control characters: each gets a Chinese note."""
    if raw is None or (type(raw) is str and raw == ""):
        return Checked("", error=message("empty"))
    if type(raw) is not str:  # exactly str: an object with an odd __eq__ or a NumPy array is not text
        return Checked("", error=message("not_text"))
    notes = []
    text = raw
    if len(text) > max_chars:
        notes.append(message("too_long", max=f"{max_chars:,}"))
        text = text[:max_chars]
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        text = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
        notes.append(message("surrogate"))
    if text.isspace():
        notes.append(message("blank"))
    controls = sorted({f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\r"})
    if controls:
        notes.append(message("control", codes=", ".join(controls[:5])))
    return Checked(text, notes)


def check_hidden_size(value: object) -> tuple[int, str]:
    """(hidden_size, "") when it is a whole number in range, else (0, a Chinese message)."""
    low, high = RULES["min_hidden"], RULES["max_hidden"]
    if isinstance(value, str) and len(value) <= 32 and re.fullmatch(WHOLE_NUMBER, value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return 0, message("hidden_type", min=low, max=high)
    number = value
    if number < low:
        return 0, message("hidden_small", value=f"{number:,}", min=low, max=high)
    if number > high:
        return 0, message("hidden_large", value=f"{number:,}", max=f"{high:,}")
    return number, ""


def split_sentences(text: object) -> tuple[list[str], list[str], str]:
    """(sentences, notes, error): the text cut first, then one sentence per non-blank line, each checked."""
    whole = check_text(text)
    if whole.error:
        return [], [], message("no_sentence")
    lines = [line for line in split_lines(whole.text) if line and not line.isspace()]
    notes = [note for note in whole.notes if note != message("blank")]
    if len(lines) > RULES["max_sentences"]:
        notes.append(message("too_many_sentences", count=len(lines), max=RULES["max_sentences"]))
        lines = lines[: RULES["max_sentences"]]
    sentences = []
    for line in lines:
        checked = check_text(line, RULES["max_sentence_chars"])
        sentences.append(checked.text)
        notes += [note for note in checked.notes if note not in notes]
    return sentences, notes, "" if sentences else message("no_sentence")


def split_lines(text: str) -> list[str]:
    """Python's own line splitting (\\r\\n counts once); encode.js splits on the same characters."""
    return text.splitlines()


def added_token_notes(tokenizer, text: str, split_special: bool) -> list[str]:
    """Explain added-token strings typed into the text (what split_special_tokens does and does not split)."""
    found = [token for _, token in sorted(tokenizer.added_tokens_decoder.items()) if token.content in text]
    names = lambda tokens: "、".join(t.content for t in tokens[:4])  # noqa: E731
    if not found:
        return []
    if not split_special:
        return [message("special_kept", names=names(found))]
    special = [t for t in found if t.special]
    plain = [t for t in found if not t.special]
    notes = [message("special_split", names=names(special))] if special else []
    return notes + ([message("plain_added", names=names(plain))] if plain else [])


def encode(tokenizer, text: str, split_special: bool = False) -> dict:
    """IDs and vocabulary strings of `text`, as the panel draws them."""
    ids = tokenizer(text, add_special_tokens=False, split_special_tokens=split_special)["input_ids"]
    return {"ids": ids, "tokens": tokenizer.convert_ids_to_tokens(ids)}


def panel_state(kind: str, tokenizer, *, text: object = "", hidden_size: object = 512, padding_side: str = "right",
                split_special: bool = False, show_bytes: bool = False, show_whitespace: bool = False,
                seed: int = 0) -> dict:
    """Everything a panel of `kind` shows, as plain JSON-able data. Never raises on bad input."""
    if kind not in KINDS or kind == "compare":
        raise ValueError(f"kind must be one of {KINDS[:3]} (compare_state draws the comparison)")
    state = {
        "kind": kind, "text": check_text(text).text, "notes": [], "error": "", "sequences": [],
        "seed": seed if type(seed) is int else 0,
        "vocab_size": tokenizer.vocab_size, "rows": len(tokenizer),
        "pad_id": tokenizer.pad_token_id, "pad_token": tokenizer.pad_token,
        "hidden_size": 0, "padding_side": padding_side if type(padding_side) is str and padding_side in SIDES else "",
        "split_special": bool(split_special),
        "show_bytes": bool(show_bytes), "show_whitespace": bool(show_whitespace),
    }
    if kind == "batch":
        if not state["padding_side"]:
            return {**state, "error": message("bad_side")}
        sentences, notes, error = split_sentences(text)
        sequences = [encode(tokenizer, s) for s in sentences]
        return {**state, "notes": notes, "error": error, "sequences": sequences}
    if kind == "embedding":
        hidden, problem = check_hidden_size(hidden_size)
        if problem:
            return {**state, "error": problem}
        state["hidden_size"] = hidden
    checked = check_text(text)
    if checked.error:
        return {**state, "error": checked.error}
    split = bool(split_special) and kind == "tokens"
    notes = checked.notes + added_token_notes(tokenizer, checked.text, split)
    return {**state, "notes": notes, "sequences": [encode(tokenizer, checked.text, split)]}


def byte_level(tokenizer) -> bool:
    """True for byte-level BPE (GPT-2 style): its vocabulary strings spell bytes, which the panel merges back."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    return type(getattr(backend, "decoder", None)).__name__ == "ByteLevel"


def compare_state(tokenizers: dict, text: object, *, site: dict | None = None) -> dict:
    """One text through several tokenizers (name -> transformers tokenizer): one row of spans each.

    `site` maps a name to the tokenizer file the site serves for it, so that the page can recompute that row.
    """
    checked = check_text(text)
    state = {"kind": "compare", "text": checked.text, "notes": checked.notes, "error": checked.error,
             "sequences": [], "show_bytes": False, "show_whitespace": False}
    if checked.error:
        return state
    for name, tokenizer in tokenizers.items():
        ids = tokenizer(checked.text, add_special_tokens=False)["input_ids"]
        state["sequences"].append({
            "name": name, "ids": ids, "tokens": tokenizer.convert_ids_to_tokens(ids),
            "vocab_size": tokenizer.vocab_size, "byte_level": byte_level(tokenizer),
            "site": (site or {}).get(name),  # None: the site shows this row as built
        })
    return state


def check_window(max_length: object, stride: object) -> tuple[int, int, str]:
    """(max_length, stride, "") for a usable sliding window, else (0, 0, a Chinese message)."""
    low, high = RULES["min_window"], RULES["max_window"]
    max_length, stride = (int(v) if isinstance(v, float) and v.is_integer() else v for v in (max_length, stride))
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (max_length, stride)):
        return 0, 0, message("window_type", min=low, max=high)
    if not low <= max_length <= high:
        return 0, 0, message("window_range", value=max_length, min=low, max=high)
    if not 0 <= stride < max_length:
        return 0, 0, message("stride_range", stride=stride, max_length=max_length)
    return max_length, stride, ""


def stride_state(tokenizer, text: object, max_length: object = 8, stride: object = 2) -> dict:
    """The windows the tokenizer cuts `text` into with truncation, max_length and stride (overlap), as the panel
    draws them: `windows` are [start, end) positions in the text's IDs."""
    checked = check_text(text)
    window, overlap, problem = check_window(max_length, stride)
    state = {"kind": "stride", "text": checked.text, "notes": checked.notes, "error": checked.error or problem,
             "sequences": [], "max_length": window, "stride": overlap, "windows": [],
             "vocab_size": tokenizer.vocab_size, "show_bytes": False, "show_whitespace": False}
    if state["error"]:
        return state
    ids = tokenizer(checked.text, add_special_tokens=False)["input_ids"]
    cut = tokenizer(checked.text, add_special_tokens=False, truncation=True, max_length=window, stride=overlap,
                    return_overflowing_tokens=True)["input_ids"]
    step, starts = window - overlap, []
    for piece in cut:  # where each window starts in the full list of IDs
        starts.append(0 if not starts else starts[-1] + step)
        assert ids[starts[-1]:starts[-1] + len(piece)] == piece
    state["windows"] = [[start, start + len(piece)] for start, piece in zip(starts, cut, strict=True)]
    state["sequences"] = [{"ids": ids, "tokens": tokenizer.convert_ids_to_tokens(ids)}]
    return state
