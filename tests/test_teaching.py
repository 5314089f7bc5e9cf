"""Teaching material: exercises with self-checks, quizzes, glossary, instructor guide, the student edition."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from book.exercises import check, exercises

from .conftest import CHAPTERS, ROOT

CHAPTER_IDS = [p.stem for p in CHAPTERS]
WRONG_ANSWERS = [0, -1, 12345, "x", [], [1, 2, 3], (1, 2, 3), 3.5, lambda *args: None]


def solution_and_task_cells(notebook) -> tuple[list, list]:
    """Code cells inside {solution-start}…{solution-end}, and the learner's `answer = ...` cells."""
    solutions, tasks, inside = [], [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            if "{solution-start}" in cell.source:
                inside = True
            if "{solution-end}" in cell.source:
                inside = False
        elif inside:
            solutions.append(cell)
        elif cell.source.startswith("answer = ..."):
            tasks.append(cell)
    return solutions, tasks


def outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.extend(str(v) for v in output.get("data", {}).values())
    return "".join(parts)


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_has_three_exercises_each_with_self_check_and_solution(md):
    solutions, tasks = solution_and_task_cells(jupytext.read(md))
    assert len(tasks) >= 3 and len(solutions) == len(tasks)
    for task, solution in zip(tasks, solutions):
        exercise = re.search(r'check\("([\d.]+)", answer\)', task.source).group(1)
        assert f'check("{exercise}", answer)' in solution.source


@pytest.mark.slow
@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_notebook_runs_alone_and_self_checks_judge_right_and_wrong(md, tmp_path):
    """As in Colab: only the .ipynb in an empty directory, the package installed. Solutions pass, placeholders fail."""
    notebook_path = tmp_path / f"{md.stem}.ipynb"
    shutil.copy(md.with_suffix(".ipynb"), notebook_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=dict(os.environ, PYTHONPATH=""))
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [notebook_path.name]
    solutions, tasks = solution_and_task_cells(notebook)
    for cell in solutions:
        assert "✅" in outputs_text(cell) and "❌" not in outputs_text(cell), cell.source
    for cell in tasks:
        assert "❌" in outputs_text(cell) and "✅" not in outputs_text(cell), cell.source


@pytest.mark.parametrize("exercise", sorted(exercises()))
def test_every_self_check_rejects_wrong_answers(exercise):
    assert not check(exercise, ...)
    assert "还没有作答" in repr(check(exercise, ...))
    for wrong in WRONG_ANSWERS:
        result = check(exercise, wrong)
        assert not result, (exercise, wrong)
        assert result.message  # a hint, never an exception


def test_unknown_exercise_is_reported():
    assert "没有练习" in repr(check("9.9", 1))


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_quiz_choices_each_explain_right_or_wrong(md):
    text = md.read_text("utf-8")
    quiz = text.split("## 小测验", 1)[1]
    choices = re.findall(r":::\{dropdown\} ([A-D])\. .+?\n(.+?)\n:::", quiz, re.S)
    assert len(choices) >= 3
    verdicts = [body.startswith("✅ 正确。") for _, body in choices]
    assert sum(verdicts) == 1
    for _, body in choices:
        assert body.startswith(("✅ 正确。", "❌ 不对。")) and len(body) > 15, body


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_links_to_the_glossary(built_site, md):
    html = (built_site / "chapters" / f"{md.stem}.html").read_text("utf-8")
    terms = re.findall(r'href="\.\./glossary\.html#term-([^"]+)"', html)
    assert len(terms) >= 3
    glossary = (built_site / "glossary.html").read_text("utf-8")
    for term in terms:
        assert f'id="term-{term}"' in glossary, term


def test_instructor_guide_has_fixed_release_links(built_site):
    html = (built_site / "instructor.html").read_text("utf-8")
    for md in CHAPTERS:
        assert f"/blob/v0.1.0/chapters/{md.stem}.ipynb" in html
    assert "make student" in re.sub(r"<[^>]+>", "", html)


@pytest.mark.slow
def test_student_edition_builds_without_solutions():
    subprocess.run([sys.executable, str(ROOT / "tools" / "student_edition.py")], check=True, cwd=ROOT)
    out = ROOT / "_build" / "student"
    pages = {p.stem: p.read_text("utf-8") for p in (out / "html" / "chapters").glob("*.html")}
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in (out / "notebooks").glob("*.ipynb")}
    assert sorted(pages) == sorted(notebooks) == CHAPTER_IDS
    assert not (out / "html" / "instructor.html").exists()
    for md in CHAPTERS:
        solutions, tasks = solution_and_task_cells(jupytext.read(md))
        page, notebook = pages[md.stem], notebooks[md.stem]
        student_sources = "\n".join(cell.source for cell in notebook.cells)
        page_text = html.unescape(re.sub(r"<[^>]+>", "", page))
        for cell in solutions:
            # the line that gives the answer away, e.g. `answer = tokenizer.encode("小红帽爱学习", ...)`
            [answer_line] = [line.strip() for line in cell.source.splitlines() if line.strip().startswith("answer =")][-1:]
            assert answer_line not in student_sources and answer_line not in page_text, answer_line
        assert "solution" not in page.lower().replace("solution-", "")  # no solution admonition or dropdown
        assert "{solution" not in student_sources
        assert len(solution_and_task_cells(notebook)[1]) == len(tasks)  # the exercises stay
        assert "正确！" not in page  # nothing on the page passes a self-check
