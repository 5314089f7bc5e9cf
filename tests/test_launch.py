"""Launching and running: launch links, the Colab setup cell, the pinned package Colab installs, Binder config,
CI and Pages workflows (actionlint), and the two commands on a bare machine."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import time
import tomllib
import types
import zipfile

import jupytext
import pytest
import yaml

from book.launch import SETUP_MARKER, binder_url, colab_setup_source, colab_url, install_spec, repository
from tools import system_deps

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
    assert colab_url(url, branch, colab[0][1]) in html
    assert binder_url(url, branch, binder[0][1]).replace("&", "&amp;") in html
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
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: REAL_FIND_SPEC(name, *a) if installed or name != "book" else None)
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
    name = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["name"]
    assert install_spec("https://github.com/o/r", "v1").startswith(f"{name} @ git+https://github.com/o/r@v1")
    assert SETUP_MARKER in colab_setup_source("https://github.com/o/r", "v1")


def pins(path) -> dict[str, str]:
    """{package: version} of every `name==version` line of a requirements file."""
    found = {}
    for line in path.read_text("utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s#;]+)", line.strip())
        if match:
            found[normalized(match.group(1))] = match.group(2)
    return found


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def built_with() -> dict[str, str]:
    """The versions the book is built with: constraints.txt (every package), which requirements.txt agrees with."""
    direct, every = pins(ROOT / "requirements.txt"), pins(ROOT / "constraints.txt")
    assert {name: every.get(name) for name in direct} == direct, "requirements.txt and constraints.txt disagree"
    return every


def test_package_dependencies_are_the_versions_the_book_is_built_with():
    """Colab installs the package from git (the setup cell): it must get exactly the versions the book is built with."""
    versions = built_with()
    for requirement in project()["dependencies"]:
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;,]+)", requirement)
        assert match, f"pyproject.toml: pin {requirement!r} exactly (name==version)"
        name, version = normalized(match.group(1)), match.group(2)
        assert versions.get(name) == version, f"{name}: pyproject.toml {version}, constraints.txt {versions.get(name)}"


def test_binder_config_is_cpu_only_and_matches_the_package():
    binder = ROOT / "binder" / "requirements.txt"
    text = binder.read_text("utf-8")
    binder_pins, package_pins = pins(binder), built_with()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    assert "nvidia" not in text.lower() and "cuda" not in text.lower()
    for requirement in project()["dependencies"]:
        name = normalized(re.split(r"[=<>!~ ;]", requirement, maxsplit=1)[0])
        expected = package_pins[name] + ("+cpu" if name == "torch" else "")
        assert binder_pins.get(name) == expected, name
    assert binder_pins["jupytext"] == package_pins["jupytext"]
    assert {"jupyterlab", "jupyterlab-widgets"} <= binder_pins.keys()
    assert re.search(r"^-e \.$", text, re.M)
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = ROOT / "binder" / "postBuild"
    assert "load_tokenizer(offline=True)" in post_build.read_text("utf-8")
    assert post_build.stat().st_mode & 0o111


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """The wheel pip builds when Colab installs the package from git (built from a copy: nothing lands in the repo)."""
    source = tmp_path_factory.mktemp("package")
    shutil.copy2(ROOT / "pyproject.toml", source)
    shutil.copytree(ROOT / "book", source / "book", ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w",
               str(source / "dist"), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    [built] = (source / "dist").glob("*.whl")
    return zipfile.ZipFile(built)


def test_installed_package_holds_every_file_of_book(wheel):
    """A file the chapters read from book/ but the package leaves out passes the build (editable install here) and
    fails in Colab."""
    names = set(wheel.namelist())
    files = [p for p in (ROOT / "book").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    missing = [str(p.relative_to(ROOT)) for p in files if str(p.relative_to(ROOT)) not in names]
    assert not missing, f"not in the installed package (pyproject.toml [tool.setuptools]): {missing}"


def test_installed_package_requires_the_pinned_versions(wheel):
    [metadata] = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    required = re.findall(r"^Requires-Dist: (.+)$", wheel.read(metadata).decode("utf-8"), re.M)
    assert sorted(r.replace(" ", "") for r in required) == sorted(project()["dependencies"])


# The workflows: CI on every push and pull request, Pages only after CI passed on main.

WORKFLOWS = ROOT / ".github" / "workflows"


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps_running(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def actionlint(*paths) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(ROOT / "tools" / "actionlint.mjs"), *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_both_workflows_pass_actionlint():
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert {"ci.yml", "pages.yml"} <= {path.name for path in workflows}
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(workflows)} file(s), 0 finding(s)" in result.stdout


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.no_such_thing }}\n")
    result = actionlint(broken)
    assert result.returncode == 1 and "no_such_thing" in result.stdout


def test_ci_runs_make_test_on_debian_and_ruff_on_every_push_and_pull_request():
    ci = workflow("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    assert not (ci["on"]["push"] or {}).get("branches") and not (ci["on"]["pull_request"] or {}).get("branches")
    jobs = ci["jobs"].values()
    [test] = [job for job in jobs if re.search(r"^make test$", steps_running(job), re.M)]
    assert "bookworm" in test["container"] and test["timeout-minutes"] <= 30  # Debian as root, as .ci/run expects
    assert any(re.search(r"^ruff check \.$", steps_running(job), re.M) for job in jobs)
    assert re.search(r"^ruff==\S+", (ROOT / "requirements.txt").read_text("utf-8"), re.M), "pin ruff"


def test_pages_deploys_main_only_after_ci_passed_and_keeps_the_student_edition():
    ci_name, pages = workflow("ci.yml")["name"], workflow("pages.yml")
    trigger = pages["on"]
    assert set(trigger) == {"workflow_run"}
    assert trigger["workflow_run"]["workflows"] == [ci_name] and trigger["workflow_run"]["branches"] == ["main"]
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert "github.event.workflow_run.conclusion == 'success'" in build["if"]
    assert "github.event.workflow_run.event == 'push'" in build["if"]
    checkout = next(step for step in build["steps"] if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["ref"] == "${{ github.event.workflow_run.head_sha }}"  # the commit CI tested
    commands = steps_running(build)
    assert "make site" in commands and "make student" in commands and "_build/student/html" in commands
    assert any(step.get("uses", "").startswith("actions/upload-pages-artifact") for step in build["steps"])
    assert deploy["needs"] == "build" and deploy["steps"][0]["uses"].startswith("actions/deploy-pages")


# Two commands on a bare machine: `make site`, `make test`.


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.search(rf"^## {title}.*?(?=^## |\Z)", text, re.M | re.S).group(0)


def commands_in(section: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_and_ci_name_the_same_two_commands():
    assert commands_in(readme_section("快速开始")) == ["make site", "make test"]
    assert commands_in(readme_section("测试")) == ["make test"]
    ci_commands = [line.split("#")[0].strip() for line in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()]
    assert "make test" in ci_commands and not any(c.startswith("make browser") for c in ci_commands)


def fake_path(tmp_path, *programs: str):
    """A PATH that holds only `programs` (no apt-get): a machine where nothing can be installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in programs:
        (bin_dir / program).symlink_to(shutil.which(program))
    return str(bin_dir)


@pytest.mark.parametrize("missing", [{"CHROMIUM": "/nonexistent/chromium"}, {"CHROMEDRIVER": "/nonexistent/driver"}])
def test_make_test_without_chromium_stops_at_once_with_one_line(tmp_path, missing):
    """Not root or no apt-get, and no Chromium: one line says what to install, before anything is built."""
    project_copy = tmp_path / "project"
    project_copy.mkdir()
    shutil.copy2(ROOT / "Makefile", project_copy)
    shutil.copytree(ROOT / "tools", project_copy / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PATH": fake_path(tmp_path, "make"), "PYTHON": sys.executable, "HOME": str(tmp_path), **missing}
    start = time.monotonic()
    result = subprocess.run(["make", "test"], cwd=project_copy, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and time.monotonic() - start < 10
    ours = [line for line in (result.stdout + result.stderr).splitlines() if not line.startswith("make: ***")]
    assert len(ours) == 1, result.stdout + result.stderr
    assert "apt-get install -y chromium chromium-driver fonts-noto-cjk" in ours[0] and "Traceback" not in ours[0]
    assert sorted(p.name for p in project_copy.iterdir()) == ["Makefile", "tools"]  # nothing was built


def test_browser_check_as_a_user_asks_for_root(monkeypatch, capsys):
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(system_deps.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(system_deps.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert system_deps.ensure_browser() == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "chromium" in line and "请以 root 运行：apt-get update && apt-get install -y chromium" in line


def test_browser_check_as_root_installs_with_apt_get(monkeypatch):
    """Root with apt-get: update, then install the three packages, never asking (CI has no stdin)."""
    calls = []
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(system_deps.os, "geteuid", lambda: 0)
    monkeypatch.setattr(system_deps.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(system_deps.subprocess, "run",
                        lambda command, **kw: calls.append((command, kw)) or subprocess.CompletedProcess(command, 0))
    system_deps.ensure_browser()
    packages = ["chromium", "chromium-driver", "fonts-noto-cjk"]
    expected = [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]]
    assert [command for command, _ in calls] == expected
    for _, kwargs in calls:
        assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive" and kwargs["stdin"] == subprocess.DEVNULL


def test_browser_check_passes_when_chromium_is_installed():
    """What `make test` checks first; on a fresh machine it has just installed these."""
    assert system_deps.missing_browser_parts() == []
    result = subprocess.run([sys.executable, "-m", "tools.system_deps", "browser"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and result.stdout == result.stderr == ""


def test_venv_without_python3_venv_gives_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(system_deps, "create_venv", lambda target: False)
    monkeypatch.setattr(system_deps, "can_install", lambda: False)
    assert system_deps.ensure_venv(tmp_path / ".venv") == 1
    [line] = capsys.readouterr().err.splitlines()
    assert "apt-get install -y python3-venv" in line
