"""Each loader fault, reproduced for real: a silent mirror, a malformed HF_ENDPOINT, a damaged, unwritable or
shared cache, killed and concurrent builds, revisions and names the offline build cannot honour.

Every test has its own cache folder (BOOK_CACHE_DIR). Faults that depend on what happens at import time
(HF_ENDPOINT is read when huggingface_hub is imported) run in a fresh Python process.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from book import cache, qwen_offline
from book import tokenizer as loader
from book.endpoint import endpoint_problem
from book.tokenizer import DEFAULT_MODEL, TokenizerUnavailable, load_tokenizer

ROOT = Path(__file__).resolve().parents[1]
TEXT = "小红帽去森林"
IDS = [30709, 99425, 102663, 85336, 102258]  # Qwen2.5's IDs for 小 / 红 / 帽 / 去 / 森林

# A child process: load the tokenizer, print its IDs for TEXT and the seconds load_tokenizer took (imports excluded).
LOAD_SCRIPT = """
import json, sys, time
import book
start = time.perf_counter()
tok = book.load_tokenizer()
seconds = time.perf_counter() - start
print(json.dumps({"ids": tok.encode(sys.argv[1], add_special_tokens=False), "seconds": seconds,
                  "source": tok.name_or_path}))
"""

# Imports, says READY, waits for GO, then loads offline; every real call of qwen_offline.write_tokenizer_files is
# logged to BUILD_LOG. Prints the IDs and the times load_tokenizer started and ended (time.time()).
COUNTED_BUILD_SCRIPT = """
import json, os, pathlib, sys, time
from book import qwen_offline
real_write = qwen_offline.write_tokenizer_files

def counted_write(target, **kwargs):
    with open(os.environ["BUILD_LOG"], "a") as log:
        log.write(f"{os.getpid()}\\n")
    return real_write(target, **kwargs)

qwen_offline.write_tokenizer_files = counted_write
import book
import transformers
pathlib.Path(os.environ["READY"]).touch()
while not os.path.exists(os.environ["GO"]):
    time.sleep(0.01)
start = time.time()
tok = book.load_tokenizer(offline=True)
print(json.dumps({"ids": tok.encode(sys.argv[1], add_special_tokens=False), "start": start, "end": time.time()}))
"""


def ids_of(tokenizer) -> list[int]:
    return tokenizer.encode(TEXT, add_special_tokens=False)


def notes(stderr: str) -> list[str]:
    """The loader's one-line notes in captured stderr."""
    return [line for line in stderr.splitlines() if line.startswith(cache.NOTE_PREFIX)]


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".build-", ".trash-")))


def child_env(cache_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_ENDPOINT")}
    return {**env, "BOOK_CACHE_DIR": str(cache_dir), **extra}


def run_child(script: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, TEXT], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One real offline build for this module (Instruct); tests copy it into their own cache folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BOOK_CACHE_DIR", str(tmp_path_factory.mktemp("pristine")))
        return loader.offline_dir(DEFAULT_MODEL)


@pytest.fixture
def cached(tmp_path, monkeypatch, pristine) -> Path:
    """This test's own cache folder holding a valid build; returns the build folder."""
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(loader, "_private_builds", {})
    target = tmp_path / pristine.name
    shutil.copytree(pristine, target)
    return target


@pytest.fixture
def silent_server():
    """A loopback server that accepts connections and never answers; yields (url, accepted connections)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    accepted: list[socket.socket] = []

    def accept_forever() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    server.shutdown(socket.SHUT_RDWR)
    server.close()
    for connection in accepted:
        connection.close()


# --- a mirror that never answers -------------------------------------------------------------------------------

def test_silent_mirror_falls_back_within_10_seconds(cached, silent_server):
    url, accepted = silent_server
    assert loader.hub_reachable(url)  # the port accepts connections, so a TCP probe alone cannot tell
    result = run_child(LOAD_SCRIPT, child_env(cached.parent, HF_ENDPOINT=url), timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout.splitlines()[-1])
    print(f"silent mirror: load_tokenizer fell back to the offline build in {answer['seconds']:.2f} s")
    assert answer["seconds"] < 10
    assert answer["ids"] == IDS
    assert answer["source"] == str(cached)
    assert len(accepted) >= 2  # the probe, then the Hub request itself went to the silent server
    [line] = notes(result.stderr)
    assert url in line


def test_hub_attempt_is_abandoned_at_its_deadline():
    started = time.perf_counter()
    with pytest.raises(loader.DeadlinePassed):
        loader.call_with_deadline(lambda: time.sleep(30), 0.5)
    assert time.perf_counter() - started < 5
    assert loader.call_with_deadline(lambda: 42, 5) == 42
    with pytest.raises(ZeroDivisionError):
        loader.call_with_deadline(lambda: 1 / 0, 5)


# --- a malformed HF_ENDPOINT ------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:99999", "hf-mirror.com"])
def test_malformed_endpoint_never_breaks_import(cached, endpoint):
    result = run_child(LOAD_SCRIPT, child_env(cached.parent, HF_ENDPOINT=endpoint))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    [line] = notes(result.stderr)
    assert "HF_ENDPOINT" in line and endpoint in line
    assert json.loads(result.stdout.splitlines()[-1])["ids"] == IDS


@pytest.mark.parametrize(
    "value, usable",
    [("https://hf-mirror.com", True), ("http://127.0.0.1:8080/", True), ("http://127.0.0.1:99999", False),
     ("hf-mirror.com", False), ("ftp://hf-mirror.com", False), ("https://", False), ("http://host:port", False)],
)
def test_endpoint_check(value, usable):
    assert (endpoint_problem(value) is None) == usable


# --- a damaged cache --------------------------------------------------------------------------------------------

def swap_two_ids(path: Path) -> None:
    """Swap the IDs of 小 and 红 in tokenizer.json's vocabulary; the file keeps its size."""
    document = json.loads(path.read_text("utf-8"))
    vocab = document["model"]["vocab"]
    by_id = {token_id: token for token, token_id in vocab.items()}
    first, second = by_id[IDS[0]], by_id[IDS[1]]
    vocab[first], vocab[second] = vocab[second], vocab[first]
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")


DAMAGE = {
    "tokenizer.json missing": lambda folder: (folder / "tokenizer.json").unlink(),
    "tokenizer.json truncated": lambda folder: (folder / "tokenizer.json").write_bytes(
        (folder / "tokenizer.json").read_bytes()[:1_000_000]),
    "tokenizer.json altered": lambda folder: swap_two_ids(folder / "tokenizer.json"),
    "tokenizer_config.json missing": lambda folder: (folder / "tokenizer_config.json").unlink(),
    "manifest missing": lambda folder: (folder / cache.MANIFEST).unlink(),
}


@pytest.mark.parametrize("fault", DAMAGE)
def test_damaged_cache_is_rebuilt_with_one_note(cached, capsys, fault):
    size = (cached / "tokenizer.json").stat().st_size
    DAMAGE[fault](cached)
    if fault == "tokenizer.json altered":
        assert (cached / "tokenizer.json").stat().st_size == size  # only the sha256 can tell
    assert cache.damage(cached, {}, loader.REQUIRED_FILES) is not None
    tok = load_tokenizer(offline=True)
    assert ids_of(tok) == IDS
    assert tok.decode(IDS) == TEXT
    assert len(notes(capsys.readouterr().err)) == 1
    assert cache.damage(cached, {}, loader.REQUIRED_FILES) is None
    assert leftovers(cached.parent) == []


def test_altered_file_really_changes_ids(cached):
    """The swapped-ID fault is real: loading the damaged folder directly gives wrong IDs."""
    from transformers import AutoTokenizer

    swap_two_ids(cached / "tokenizer.json")
    assert ids_of(AutoTokenizer.from_pretrained(str(cached))) != IDS


def test_valid_cache_is_reused_hashing_each_file_once(cached, monkeypatch, capsys):
    hashed: Counter[str] = Counter()
    real_sha256 = cache.sha256_file

    def counting_sha256(path: Path) -> str:
        hashed[Path(path).name] += 1
        return real_sha256(path)

    def must_not_build(*args, **kwargs):
        raise AssertionError("a valid cache must be reused")

    monkeypatch.setattr(cache, "sha256_file", counting_sha256)
    monkeypatch.setattr(qwen_offline, "write_tokenizer_files", must_not_build)
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        tok = load_tokenizer(offline=True)
        seconds.append(time.perf_counter() - start)
    with capsys.disabled():
        every = ", ".join(f"{s:.3f}" for s in seconds)
        print(f"load from a valid cache: best of 3 {min(seconds):.3f} s (all: {every})")
    assert ids_of(tok) == IDS
    assert hashed == {"tokenizer.json": 3, "tokenizer_config.json": 3}
    assert notes(capsys.readouterr().err) == []
    assert min(seconds) < 3  # loose bound for a busy machine; a rebuild alone takes longer


# --- a cache that cannot be written -----------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["below a regular file", "a regular file"])
def test_unwritable_cache_builds_in_a_temporary_folder(tmp_path, monkeypatch, capsys, layout):
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    root = blocker / "cache" if layout == "below a regular file" else blocker
    with pytest.raises(OSError):  # fails for root too: no permission bit is involved
        (root / "probe").mkdir(parents=True)
    monkeypatch.setenv("BOOK_CACHE_DIR", str(root))
    monkeypatch.setattr(loader, "_private_builds", {})
    tok = load_tokenizer(offline=True)
    assert ids_of(tok) == IDS
    assert len(notes(capsys.readouterr().err)) == 1
    assert not Path(tok.name_or_path).is_relative_to(tmp_path)
    again = load_tokenizer(offline=True)  # the temporary build is reused within the process
    assert again.name_or_path == tok.name_or_path
    assert notes(capsys.readouterr().err) == []


def test_full_disk_builds_in_a_temporary_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(loader, "_private_builds", {})
    real_write = qwen_offline.write_tokenizer_files

    def disk_full_in_cache(target: Path, **kwargs):
        if Path(target).is_relative_to(tmp_path):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(target, **kwargs)

    monkeypatch.setattr(qwen_offline, "write_tokenizer_files", disk_full_in_cache)
    tok = load_tokenizer(offline=True)
    assert ids_of(tok) == IDS
    [line] = notes(capsys.readouterr().err)
    assert cache.OS_REASONS[errno.ENOSPC] in line
    assert leftovers(tmp_path) == []


def test_no_writable_folder_at_all_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "plain-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("BOOK_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(blocker / "tmp"))
    monkeypatch.setattr(loader, "_private_builds", {})
    with pytest.raises(TokenizerUnavailable, match="不可写"):
        load_tokenizer(offline=True)


# --- a shared cache: modes, killed builds, concurrent builds ----------------------------------------------------

def test_built_folders_are_readable_by_everyone(pristine):
    assert stat.S_IMODE(pristine.stat().st_mode) == 0o755
    files = sorted(pristine.iterdir())
    assert [p.name for p in files] == [cache.MANIFEST, "tokenizer.json", "tokenizer_config.json"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}


def test_killed_build_leaves_nothing_for_the_next_one(tmp_path, monkeypatch):
    script = LOAD_SCRIPT.replace("load_tokenizer()", "load_tokenizer(offline=True)")
    child = subprocess.Popen([sys.executable, "-c", script, TEXT], env=child_env(tmp_path), cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while not leftovers(tmp_path) and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed = leftovers(tmp_path)
    assert killed, "the child finished before it could be killed mid-build"
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    start = time.perf_counter()
    assert ids_of(load_tokenizer(offline=True)) == IDS
    assert time.perf_counter() - start < cache.LOCK_TIMEOUT  # the dead builder's lock did not hold us up
    assert leftovers(tmp_path) == []


def test_stale_staging_folders_are_removed_and_live_ones_kept(cached):
    root = cached.parent
    stale = root / ".build-abandoned-long-ago"
    stale.mkdir()
    hour_ago = time.time() - 3600
    os.utime(stale, (hour_ago, hour_ago))
    live = root / ".build-qwen2.5-base-other-in-progress"  # another folder's build, possibly running
    live.mkdir()
    (cached / "tokenizer.json").unlink()  # the next load rebuilds, and cleans up while it holds the lock
    assert ids_of(load_tokenizer(offline=True)) == IDS
    assert leftovers(root) == [live.name]


def race(tmp_path: Path, name: str, count: int) -> tuple[float, list[dict], int]:
    """`count` fresh processes start load_tokenizer(offline=True) together on one empty cache folder.

    Returns the wall time from the start signal to the last load, the answers, and how many builds ran.
    """
    go, log = tmp_path / f"{name}.go", tmp_path / f"{name}.log"
    ready = [tmp_path / f"{name}.ready{i}" for i in range(count)]
    children = [
        subprocess.Popen([sys.executable, "-c", COUNTED_BUILD_SCRIPT, TEXT], cwd=ROOT, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=child_env(tmp_path / name, BUILD_LOG=str(log), READY=str(flag), GO=str(go)))
        for flag in ready
    ]
    deadline = time.monotonic() + 300
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        assert all(child.poll() is None for child in children), children[0].communicate()[1][-2000:]
        time.sleep(0.05)
    go.touch()
    outputs = [child.communicate(timeout=300) for child in children]
    assert all(child.returncode == 0 for child in children), [err[-2000:] for _, err in outputs]
    answers = [json.loads(out.splitlines()[-1]) for out, _ in outputs]
    wall = max(a["end"] for a in answers) - min(a["start"] for a in answers)
    builds = len(log.read_text().split()) if log.exists() else 0
    return wall, answers, builds


def test_concurrent_first_builds_build_once(tmp_path):
    one_wall, [single], one_builds = race(tmp_path, "one", 1)
    four_wall, four, four_builds = race(tmp_path, "four", 4)
    each = ", ".join(f"{answer['end'] - answer['start']:.1f}" for answer in four)
    print(f"first build from an empty cache, wall time of load_tokenizer: 1 process {one_wall:.1f} s; "
          f"4 concurrent processes {four_wall:.1f} s (each: {each} s)")
    assert single["ids"] == IDS and all(answer["ids"] == IDS for answer in four)
    assert one_builds == 1
    assert four_builds == 1  # one process built; the three others waited for the lock and reused its build
    assert leftovers(tmp_path / "four") == []


# --- what the offline build cannot honour ---------------------------------------------------------------------

def test_revision_offline_gets_a_note(cached, capsys):
    tok = load_tokenizer(revision="a09a354", offline=True)
    assert ids_of(tok) == IDS
    [line] = notes(capsys.readouterr().err)
    assert "a09a354" in line


@pytest.mark.parametrize(
    "name", ["Qwen/Qwen2.5-x", "Qwen/Qwen2.5-7B-Chat", "Qwen/Qwen2.5-8B", "Qwen/Qwen2.5-Coder-7B-Instruct"]
)
def test_unpublished_names_are_refused(cached, name):
    with pytest.raises(TokenizerUnavailable, match="Qwen/Qwen2.5-"):
        load_tokenizer(name, offline=True)


def test_base_and_instruct_differ_only_in_eos(cached):
    base = load_tokenizer("Qwen/Qwen2.5-0.5B", offline=True)
    instruct = load_tokenizer("Qwen/Qwen2.5-72B-Instruct", offline=True)
    assert (base.eos_token, instruct.eos_token) == ("<|endoftext|>", "<|im_end|>")
    assert ids_of(base) == ids_of(instruct) == IDS
    assert len(loader.QWEN25_REPOS) == 14


def test_an_incomplete_hub_tokenizer_is_refused(tokenizer, tmp_path, capsys):
    """A mirror download cut off mid-way leaves a Hub snapshot that loads as a 22-token tokenizer encoding every
    text as []: it must not be returned for a Qwen2.5 name (load_tokenizer then builds offline)."""
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    from book.tokenizer import whole_or_none

    assert whole_or_none("Qwen/Qwen2.5-7B-Instruct", tokenizer, "Hub") is tokenizer
    broken = PreTrainedTokenizerFast(tokenizer_object=Tokenizer(models.BPE()))
    broken.add_tokens(["<|endoftext|>", "<|im_start|>"], special_tokens=True)
    assert broken.encode("小红帽", add_special_tokens=False) == []
    assert whole_or_none("Qwen/Qwen2.5-7B-Instruct", broken, "Hub") is None
    assert "不完整" in capsys.readouterr().err
    assert whole_or_none("someone/other-model", broken, "Hub") is broken  # only Qwen2.5 names are checked
