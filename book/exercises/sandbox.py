"""Run a learner's function on test inputs, in a forked child process with a time limit.

The child gets its own copy of everything: whatever the function changes (its inputs, module state, the checker
itself) is gone when it ends, and a function that never returns is killed after TIME_LIMIT seconds. What the function
prints is kept, up to PRINT_LIMIT characters. The child sends back only plain values (JSON); the parent compares them.
Forking is used on Linux (Colab, Binder, CI); elsewhere (Windows has no fork; on macOS a forked child may crash in
system libraries) the function runs in a thread that is abandoned when the time is up.
"""

from __future__ import annotations

import io
import json
import logging
import os
import select
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stderr, redirect_stdout, suppress
from dataclasses import dataclass, field

from .canon import FormatError, class_name

TIME_LIMIT = 5.0  # seconds for all the cases of one check
PRINT_LIMIT = 2000  # characters of the function's printed output that are shown
RESULT_LIMIT = 64 * 2**20  # bytes the child may send back

Convert = Callable[[object, object], object]  # (output, case) -> plain value; raises FormatError


@dataclass
class Run:
    """What came back: one dict per case that ran ({"value": …} or {"problem": …, "message": …})."""

    outcomes: list[dict] = field(default_factory=list)
    printed: str = ""
    stopped: str | None = None  # why the run ended before every case was tried, in Chinese


class CappedText(io.TextIOBase):
    """A text stream that keeps the first `limit` characters written to it and counts the rest."""

    def __init__(self, limit: int = PRINT_LIMIT) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.dropped = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = text if type(text) is str else "?"
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(room, len(text))
        self.dropped = self.dropped or len(text) > room
        return len(text)

    def text(self) -> str:
        shown = "".join(self.parts)
        return shown + (f"\n…（输出太长，只显示前 {self.limit} 个字符）" if self.dropped else "")


TOO_SLOW = "也许有死循环，也许它每次调用都做了很慢的准备（例如在函数里加载分词器：请放到函数外面）"

def _snapshot(args: Sequence) -> list:
    return [arg.detach().clone() if hasattr(arg, "detach") else arg for arg in args]


def _changed(args: Sequence, pristine: Sequence, names: Sequence[str]) -> str | None:
    """The name of the first input the function changed in place, if any."""
    import torch

    for arg, before, name in zip(args, pristine, names, strict=True):
        if isinstance(before, torch.Tensor):
            same = arg.shape == before.shape and arg.dtype == before.dtype and torch.equal(arg.detach(), before)
            if not same:
                return name
    return None


def error_text(error: BaseException) -> str:
    """“TypeError: …”, at most 300 characters."""
    try:
        detail = str(error)
    except Exception:
        detail = ""
    text = f"{class_name(error)}: {detail}" if detail else class_name(error)
    return text if len(text) <= 300 else text[:300] + "…"


def one_case(function: Callable, case, convert: Convert, names: Sequence[str]) -> dict:
    """Call `function` on the case's inputs; the plain value it returned, or what went wrong."""
    pristine = _snapshot(case.args)
    try:
        output = function(*case.args)
    except BaseException as error:  # the learner's code: SystemExit and KeyboardInterrupt are answers too
        return {"problem": "raised", "message": error_text(error)}
    name = _changed(case.args, pristine, names)
    if name:
        return {"problem": "mutated", "message": name}
    try:
        return {"value": convert(output, case)}
    except FormatError as error:
        return {"problem": "format", "message": str(error)}
    except Exception as error:
        return {"problem": "format", "message": f"读不出你的函数返回的值（{error_text(error)}）。"}


def all_cases(function: Callable, cases: Sequence, convert: Convert, names: Sequence[str]) -> list[dict]:
    """Run the cases in order, stopping at the first that does not give a value."""
    outcomes = []
    for case in cases:
        outcomes.append(one_case(function, case, convert, names))
        if "value" not in outcomes[-1]:
            break
    return outcomes


def run_cases(function: Callable, cases: Sequence, convert: Convert, names: Sequence[str]) -> Run:
    """Run `function` on every case within TIME_LIMIT seconds, apart from this process when it can."""
    if sys.platform.startswith("linux") and hasattr(os, "fork"):
        return _run_forked(function, cases, convert, names)
    return _run_in_thread(function, cases, convert, names)


@contextmanager
def _fork_quietly() -> Iterator[None]:
    """Fork without warnings: tokenizers stays single-threaded in the child, Python's fork warning is muted."""
    previous = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        if previous is None:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = previous


def _run_forked(function: Callable, cases: Sequence, convert: Convert, names: Sequence[str]) -> Run:
    read_end, write_end = os.pipe()
    with _fork_quietly():
        pid = os.fork()
    if pid == 0:  # the child never returns from here
        os.setsid()  # its own process group: processes the answer starts are stopped with it
        os.close(read_end)
        _child(write_end, function, cases, convert, names)
    os.close(write_end)
    try:
        data, finished = _read_until(read_end, time.monotonic() + TIME_LIMIT)
    finally:
        os.close(read_end)
        _stop(pid)
    if not finished:
        return Run(stopped=f"你的函数在 {TIME_LIMIT:g} 秒内没有算完，已经停止运行它：{TOO_SLOW}")
    payload = _payload(data)
    if payload is None:
        return Run(stopped="运行你的函数的进程意外结束了（例如调用了 os._exit，或内存不够）。")
    return Run(payload["outcomes"], payload["printed"])


def _payload(data: bytes) -> dict | None:
    """The child's report, when it is one: {"outcomes": [{"value": …} or {"problem": str, "message": str}], …}."""
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if type(payload) is not dict or type(payload.get("outcomes")) is not list:
        return None
    if type(payload.get("printed")) is not str:
        return None
    for outcome in payload["outcomes"]:
        if type(outcome) is not dict:
            return None
        if "value" not in outcome and not (type(outcome.get("problem")) is str and type(outcome.get("message")) is str):
            return None
    return payload


def _child(write_end: int, function: Callable, cases: Sequence, convert: Convert, names: Sequence[str]) -> None:
    """In the forked child: run the cases with output captured, send the result as JSON, and exit."""
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        sink = CappedText()
        sys.stdout = sys.stderr = sink
        sys.stdin = io.StringIO("")
        logging.disable(logging.CRITICAL)  # e.g. ipykernel's “attempted to send message from fork”
        signal.signal(signal.SIGINT, signal.default_int_handler)
        torch = sys.modules.get("torch")
        if torch is not None:
            torch.set_num_threads(1)
        outcomes = all_cases(function, cases, convert, names)
        data = json.dumps({"outcomes": outcomes, "printed": sink.text()}, ensure_ascii=False).encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    finally:
        os._exit(0)


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    """Read `fd` to its end; (data, True), or (data so far, False) when the deadline passes first."""
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if size > RESULT_LIMIT:
            return b"", True


def _stop(pid: int) -> None:
    """Kill the child if it still runs, and reap it."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the child leads its own group (os.setsid): its children go too
    with suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _run_in_thread(function: Callable, cases: Sequence, convert: Convert, names: Sequence[str]) -> Run:
    """Without fork: a daemon thread, abandoned (still running) when the time is up."""
    sink, box = CappedText(), {}

    def work() -> None:
        box["outcomes"] = all_cases(function, cases, convert, names)

    with redirect_stdout(sink), redirect_stderr(sink):
        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(TIME_LIMIT)
    if worker.is_alive():
        return Run(printed=sink.text(), stopped=f"你的函数在 {TIME_LIMIT:g} 秒内没有算完（{TOO_SLOW}）；"
                   "它还在后台运行，重启内核可以停下它。")
    return Run(box.get("outcomes", []), sink.text())
