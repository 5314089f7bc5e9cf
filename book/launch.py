"""Where the course lives: the repository named in _config.yml, launch links, and the Colab setup cell."""

from __future__ import annotations

from pathlib import Path

import yaml

SETUP_MARKER = "# 环境准备"  # first line of every chapter's setup cell
PACKAGE = "text-to-vectors"


def repository(config: Path) -> tuple[str, str]:
    """(url, branch) from the `repository` section of a Jupyter Book _config.yml."""
    section = yaml.safe_load(config.read_text("utf-8"))["repository"]
    return section["url"].rstrip("/"), str(section.get("branch") or "main")


def install_spec(url: str, ref: str) -> str:
    """The pip requirement that installs the course package from the repository at `ref` (a branch or tag)."""
    return f"{PACKAGE} @ git+{url}@{ref}"


def colab_setup_source(url: str, ref: str) -> str:
    """The first code cell of every chapter: inert outside Colab; in Colab installs what is missing."""
    return f'''{SETUP_MARKER}：只在 Google Colab 中生效；在本地、Binder 和网站构建时什么也不做。
import importlib.util
import sys

if "google.colab" in sys.modules:
    import subprocess

    if importlib.util.find_spec("book") is None:  # 课程的 book 包（固定到 {ref}），依赖是网站构建所用的版本
        package = "{install_spec(url, ref)}"
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)
    from google.colab import output

    output.enable_custom_widget_manager()  # Colab 自带 ipywidgets 7；本课程的部件需要自定义部件管理器'''


def colab_url(url: str, ref: str, path: str) -> str:
    owner_repo = url.split("github.com/", 1)[1]
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{ref}/{path}"


def binder_url(url: str, ref: str, path: str) -> str:
    owner_repo = url.split("github.com/", 1)[1]
    return f"https://mybinder.org/v2/gh/{owner_repo}/{ref}?urlpath=lab/tree/{path}"
