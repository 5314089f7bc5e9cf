"""Self-checks for the chapter exercises: `check("2.1", answer)` says in Chinese whether the answer is right.

An answer is first read into plain values (exact built-in types; tensors and NumPy values converted explicitly), then
compared with expected values stored as digests in expected.json; a function answer runs on fresh inputs in a child
process with a time limit (sandbox.TIME_LIMIT seconds). A wrong form gets a format message, a wrong value a hint: the
idea on the first wrong try, the API on later ones.

Nothing in this package computes a right answer, so importing from it does not pass an exercise, and whatever a
function answer changes while it runs is gone with its process. The digests hide the answers from a glance, not from a
search: a small whole-number answer can be found by trying values against them. It is a teaching aid, not an exam:
code typed into the learner's own kernel can still replace `check` itself.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

from .canon import describe
from .sandbox import TIME_LIMIT, error_text
from .table import EXERCISES

__all__ = ["TIME_LIMIT", "Result", "check", "exercise_ids"]

MARKS = {"right": "✅", "wrong": "❌", "format": "❌", "stopped": "❌", "invalid": "❌", "todo": "✏️"}
COLOURS = {"right": "#1a7f37", "todo": "#57606a"}
WRONG_TRIES: Counter[str] = Counter()  # wrong tries per exercise in this process: the hint's step


@dataclass(frozen=True)
class Result:
    """The verdict of one self-check: a coloured line in Jupyter, truthy only when the answer is right.

    status: "right", "wrong" (a value problem), "format" (type, form or method), "stopped" (a function answer ran out of
    time or crashed), "todo" (not answered), "invalid" (no such exercise).
    """

    status: str
    message: str

    @property
    def ok(self) -> bool:
        return self.status == "right"

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"{MARKS[self.status]} {self.message}"

    def _repr_html_(self) -> str:
        colour = COLOURS.get(self.status, "#cf222e")
        return (f'<div class="ttv-check ttv-check-{self.status}" style="color:{colour};font-weight:bold">'
                f"{html.escape(repr(self))}</div>")


def exercise_ids() -> list[str]:
    """The exercise numbers, in order: "1.1" … "5.3"."""
    return list(EXERCISES)


def _invalid_id(exercise: object) -> Result | None:
    """A message for an exercise number that is not a string or names no exercise; None when it is fine."""
    numbers = f"本书的练习是 {exercise_ids()[0]} 到 {exercise_ids()[-1]}"
    if type(exercise) is not str:
        return Result("invalid", f"练习编号要写成字符串，例如 check(\"2.1\", answer)；收到的是{describe(exercise)}。")
    if exercise not in EXERCISES:
        return Result("invalid", f"没有练习 “{exercise[:20]}”：{numbers}，例如 check(\"2.1\", answer)。")
    return None


def check(exercise: str, answer: object) -> Result:
    """Judge `answer` to `exercise` (e.g. "2.1"); never raises, whatever the answer or the number."""
    invalid = _invalid_id(exercise)
    if invalid is not None:
        return invalid
    if answer is Ellipsis:
        return Result("todo", f"练习 {exercise} 尚未作答：把 answer 改成你的答案再运行。")
    spec = EXERCISES[exercise]
    try:
        verdict = spec.judge(exercise, answer)
    except Exception as error:  # a gap in the checker must not become a traceback in the learner's notebook
        return Result("format", f"练习 {exercise}：无法判断这个答案（{error_text(error)}）。")
    if verdict.status == "right":
        return Result("right", f"练习 {exercise} 正确！")
    if verdict.status in ("format", "stopped"):
        return Result(verdict.status, f"练习 {exercise}：{verdict.detail}")
    WRONG_TRIES[exercise] += 1
    hint = spec.concept if WRONG_TRIES[exercise] == 1 else spec.api
    opening = f"练习 {exercise}：{verdict.detail}" if verdict.detail else f"练习 {exercise} 还不对。"
    return Result("wrong", f"{opening}提示：{hint}")
