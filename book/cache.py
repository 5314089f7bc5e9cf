"""Folders that are built once and then reused: a sha256 manifest checked on every load, one builder at a time.

A folder is published by renaming a finished staging folder into place, so readers never see half-written files.
Every load re-hashes the files the manifest lists; anything missing, truncated or altered is rebuilt.
"""

from __future__ import annotations

import atexit
import errno
import hashlib
import json
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from filelock import FileLock

MANIFEST = "manifest.json"
NOTE_PREFIX = "【分词器】"
STALE_SECONDS = 600  # a staging folder untouched this long belongs to a build that was killed
LOCK_TIMEOUT = 600.0  # how long to wait for another process's build before building privately
DIR_MODE = 0o755  # readable by every user of a shared cache
FILE_MODE = 0o644

# Chinese words for the reasons a cache folder cannot be written (codes this platform lacks are skipped).
OS_REASONS = {
    getattr(errno, code): text
    for code, text in [
        ("ENOSPC", "磁盘已满"),
        ("EDQUOT", "超出磁盘配额"),
        ("EACCES", "没有写权限"),
        ("EPERM", "没有写权限"),
        ("EROFS", "只读文件系统"),
        ("ENOTDIR", "路径中有同名的普通文件"),
        ("EEXIST", "路径已被一个普通文件占用"),
    ]
    if hasattr(errno, code)
}


def note(message: str) -> None:
    """Print a one-line note for the reader on stderr."""
    print(f"{NOTE_PREFIX}{message}", file=sys.stderr, flush=True)


def os_reason(exc: OSError) -> str:
    """A short Chinese reason for an OSError (the system's own words when there is no translation)."""
    if isinstance(exc, TimeoutError):
        return "等待其他进程构建超时"
    return OS_REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(folder: Path, info: dict) -> None:
    """Record `info` and the size and sha256 of every file in `folder` in its manifest."""
    files = {
        path.name: {"size": path.stat().st_size, "sha256": sha256_file(path)}
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != MANIFEST
    }
    (folder / MANIFEST).write_text(json.dumps({**info, "files": files}, indent=2), "utf-8")


def read_manifest(folder: Path) -> dict | str:
    """The manifest of `folder` as a dict, or what is wrong with it (Chinese)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return f"缺少 {MANIFEST}"
    except (OSError, ValueError):
        return f"{MANIFEST} 无法读取"
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return f"{MANIFEST} 格式不对"
    return manifest


def file_damage(path: Path, expected: dict) -> str | None:
    """What is wrong with one listed file (Chinese), or None when its size and sha256 match."""
    try:
        if path.stat().st_size != expected["size"]:
            return f"{path.name} 大小不符（可能被截断）"
        if sha256_file(path) != expected["sha256"]:
            return f"{path.name} 内容被改动（sha256 不符）"
    except FileNotFoundError:
        return f"{path.name} 缺失"
    except (OSError, KeyError, TypeError):
        return f"{path.name} 无法读取"
    return None


def damage(folder: Path, info: dict, required: Iterable[str]) -> str | None:
    """None when `folder` holds exactly the files its manifest lists for `info`; otherwise what is wrong."""
    if not folder.is_dir():
        return "尚未构建"
    manifest = read_manifest(folder)
    if isinstance(manifest, str):
        return manifest
    if any(manifest.get(key) != value for key, value in info.items()):
        return f"{MANIFEST} 与当前版本不符"
    files = manifest["files"]
    for name in required:
        if name not in files:
            return f"{MANIFEST} 未列出 {name}"
    for name, expected in files.items():
        problem = file_damage(folder / name, expected)
        if problem:
            return problem
    return None


def remove(path: Path) -> None:
    """Delete a file or a folder tree, ignoring what is already gone."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_leftovers(root: Path, name: str) -> None:
    """Delete staging and trash folders no running build owns: those of `name` (whose lock the caller holds)
    and any left untouched for STALE_SECONDS."""
    now = time.time()
    for path in [*root.glob(".build-*"), *root.glob(".trash-*")]:
        mine = path.name.startswith((f".build-{name}-", f".trash-{name}-"))
        try:
            stale = now - path.lstat().st_mtime > STALE_SECONDS
        except FileNotFoundError:
            continue
        if mine or stale:
            remove(path)


def publish_modes(folder: Path) -> None:
    """Make a built folder readable by everyone: folder 0755, files 0644."""
    for path in folder.iterdir():
        path.chmod(FILE_MODE)
    folder.chmod(DIR_MODE)


def swap_in(staging: Path, target: Path) -> None:
    """Put `staging` at `target`, moving a damaged `target` aside first."""
    if target.exists() or target.is_symlink():
        trash = target.with_name(f".trash-{target.name}-{uuid.uuid4().hex[:8]}")
        target.rename(trash)
        staging.rename(target)
        remove(trash)
    else:
        staging.rename(target)


def build_into(target: Path, build: Callable[[Path], object], info: dict) -> None:
    """Build in a staging folder beside `target`, record the manifest, then rename it into place."""
    staging = Path(tempfile.mkdtemp(prefix=f".build-{target.name}-", dir=target.parent))
    try:
        build(staging)
        write_manifest(staging, info)
        publish_modes(staging)
        swap_in(staging, target)
    finally:
        remove(staging)


def ensure_built(target: Path, build: Callable[[Path], object], info: dict, required: Iterable[str]) -> Path:
    """Return `target` once it holds a verified build: reuse it, wait for another process's build, or build it.

    Raises OSError when the cache cannot be written (read-only, full, a file in the way) or the lock times out.
    """
    required = tuple(required)
    if damage(target, info, required) is None:
        return target
    root = target.parent
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(root / f".{target.name}.lock", timeout=LOCK_TIMEOUT):
        problem = damage(target, info, required)
        if problem is None:
            return target  # another process finished the build while this one waited
        if target.exists():
            note(f"缓存里的分词器文件已损坏（{problem}），正在重新构建。")
        remove_leftovers(root, target.name)
        build_into(target, build, info)
    return target


def build_privately(name: str, build: Callable[[Path], object], info: dict) -> Path:
    """Build into a new temporary folder owned by this process (removed at exit)."""
    holder = Path(tempfile.mkdtemp(prefix="text-to-vectors-"))
    atexit.register(shutil.rmtree, holder, True)
    target = holder / name
    target.mkdir()
    build(target)
    write_manifest(target, info)
    publish_modes(target)
    return target

