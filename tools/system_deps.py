"""What `make` needs from the system: installed with apt-get when it can, else one line saying what to install.

Usage (standard library only, so the system's python3 runs it before .venv exists):
    python3 -m tools.system_deps venv .venv   create the virtual environment (Debian's python3 needs python3-venv)
    python3 -m tools.system_deps browser      Chromium, ChromeDriver and a Chinese font for the browser tests
Installing needs root and apt-get (Debian); otherwise, or when the install fails, it prints one line and exits 1.
CHROMIUM and CHROMEDRIVER point the browser check at other paths (the defaults are Debian's, as in tools/sitecheck.py).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

BROWSER_PACKAGES = ["chromium", "chromium-driver", "fonts-noto-cjk"]
VENV_PACKAGES = ["python3-venv"]
CJK_FONTS = "/usr/share/fonts/**/NotoSansCJK*"


def browser_paths() -> dict[str, str]:
    """The browser parts the tests use, by what provides them."""
    return {
        "chromium": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        "chromedriver": os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"),
    }


def missing_browser_parts() -> list[str]:
    """Names of the missing parts: chromium, chromedriver, a Noto CJK font."""
    missing = [name for name, path in browser_paths().items() if not os.access(path, os.X_OK)]
    if not glob.glob(CJK_FONTS, recursive=True):
        missing.append("Noto CJK 字体")
    return missing


def can_install() -> bool:
    """Root with apt-get on PATH."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def apt_install(packages: list[str]) -> bool:
    """apt-get update, then install `packages` without questions; True when both succeed."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    print(f"apt-get install -y {' '.join(packages)}", flush=True)
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]):
        if subprocess.run(command, env=env, stdin=subprocess.DEVNULL).returncode != 0:
            return False
    return True


def install_hint(what: str, packages: list[str]) -> str:
    """The one line printed when something is missing and cannot be installed here."""
    command = f"apt-get update && apt-get install -y {' '.join(packages)}"
    how = f"请以 root 运行：{command}" if shutil.which("apt-get") else f"请安装（Debian 上为 {command}）"
    return f"缺少 {what}。{how}"


def ensure_browser() -> int:
    """0 when the browser parts are present (installing them if needed and possible), else 1 with one line."""
    missing = missing_browser_parts()
    if missing and can_install() and apt_install(BROWSER_PACKAGES):
        missing = missing_browser_parts()
    if missing:
        print(install_hint(f"{'、'.join(missing)}（make test 的浏览器测试需要）", BROWSER_PACKAGES), file=sys.stderr)
        return 1
    return 0


def create_venv(target: Path) -> bool:
    """`python -m venv target` with pip; a failed attempt leaves nothing behind."""
    done = subprocess.run([sys.executable, "-m", "venv", str(target)], capture_output=True).returncode == 0
    if not done:
        shutil.rmtree(target, ignore_errors=True)
    return done


def ensure_venv(target: Path) -> int:
    """0 when `target` is a virtual environment with pip (installing python3-venv if needed and possible), else 1."""
    if create_venv(target) or (can_install() and apt_install(VENV_PACKAGES) and create_venv(target)):
        return 0
    print(install_hint(f"Python 的 venv 模块（{sys.executable} -m venv 失败）", VENV_PACKAGES), file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["browser"]:
        return ensure_browser()
    if argv[:1] == ["venv"] and len(argv) == 2:
        return ensure_venv(Path(argv[1]))
    print("用法：python3 -m tools.system_deps browser | venv <目录>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
