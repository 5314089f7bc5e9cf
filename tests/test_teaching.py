"""Teaching material: exercises with self-checks and solutions, quizzes, glossary, instructor guide, student edition.

Nothing here executes a chapter: the site build executed each one once, and these tests read its notebooks
(the `executed_notebook` fixture). The self-checks themselves are tested in tests/test_exercises.py.
"""

from __future__ import annotations

import html
import re

import jupytext
import pytest

from book.exercises import exercise_ids
from tools import student_edition

from .conftest import CHAPTERS, EXECUTED

CHAPTER_IDS = [p.stem for p in CHAPTERS]
WITH_EXERCISES = [p for p in CHAPTERS if "\n## 练习\n" in p.read_text("utf-8")]
WITH_EXERCISES_IDS = [p.stem for p in WITH_EXERCISES]
EXECUTED_BY_BUILD = [p for p in WITH_EXERCISES if p in student_edition.chapters()]  # those in _toc.yml
SELF_CHECK = re.compile(r'^answer = \.\.\.  # .+\ncheck\("(\d+\.\d)", answer\)$')
EXERCISE = re.compile(r"```\{exercise\} (\d+\.\d)\n:label: (ex-\d+-\d)\n")
SOLUTION = re.compile(r"```\{solution-start\} (ex-\d+-\d)\n:class: dropdown\n```")


def parts(text: str) -> tuple[str, str]:
    """A chapter's text before its “## 解答” section, and the section itself."""
    before, heading, after = text.partition("\n## 解答\n")
    assert heading, "no “## 解答” section"
    return before, after


def self_checks(notebook) -> list:
    """The learner's cells: `answer = ...  # …` then `check("N.M", answer)`."""
    return [cell for cell in notebook.cells if cell.cell_type == "code" and SELF_CHECK.match(cell.source)]


def solutions(notebook) -> list[list]:
    """The code cells of each solution, between its {solution-start} and {solution-end}."""
    groups, inside = [], False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for marker in re.findall(r"\{solution-(start|end)\}", cell.source):
                inside = marker == "start"
                groups += [[]] if inside else []
        elif inside:
            groups[-1].append(cell)
    return groups


def solution_cells(notebook) -> list:
    return [cell for group in solutions(notebook) for cell in group]


def checking_cell(group: list, exercise: str):
    """The cell of a solution that ends with `check("N.M", answer)`."""
    [cell] = [cell for cell in group if cell.source.splitlines()[-1:] == [f'check("{exercise}", answer)']]
    return cell


def outputs_text(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.extend(str(value) for value in output.get("data", {}).values())
    return "".join(parts)


def test_every_chapter_ends_with_exercises():
    assert [md.stem for md in CHAPTERS if md not in WITH_EXERCISES] == []


@pytest.mark.parametrize("md", WITH_EXERCISES, ids=WITH_EXERCISES_IDS)
def test_exercises_come_first_then_every_solution_folded_in_one_section(md):
    text = md.read_text("utf-8")
    before, section = parts(text)
    exercises = EXERCISE.findall(before)
    number = str(int(md.stem[:2]))
    assert [n for n, _ in exercises] == [f"{number}.{k}" for k in (1, 2, 3)]
    assert "{solution" not in before and "{exercise}" not in section
    assert SOLUTION.findall(section) == [label for _, label in exercises]
    assert section.count("{solution-end}") == len(exercises)
    notebook = jupytext.read(md)
    assert [SELF_CHECK.match(cell.source).group(1) for cell in self_checks(notebook)] == [n for n, _ in exercises]
    for group, (exercise, _) in zip(solutions(notebook), exercises, strict=True):
        assert checking_cell(group, exercise)


def test_the_chapters_ask_every_exercise_the_checker_knows():
    asked = [n for md in CHAPTERS for n, _ in EXERCISE.findall(md.read_text("utf-8"))]
    assert sorted(asked) == sorted(exercise_ids())


def test_the_executed_notebooks_are_those_of_the_current_chapters(executed_notebook):
    stale = student_edition.stale_chapters(EXECUTED.parent)
    assert not stale, f"the build's executed notebooks are older than chapters {stale}: run `make site`"


@pytest.mark.parametrize("md", EXECUTED_BY_BUILD, ids=[p.stem for p in EXECUTED_BY_BUILD])
def test_solutions_printed_a_pass_and_unanswered_checks_a_neutral_line(executed_notebook, md):
    notebook = executed_notebook(md)
    groups, checks = solutions(notebook), self_checks(notebook)
    assert len(groups) == len(checks) == 3
    for group, self_check in zip(groups, checks, strict=True):
        cell = checking_cell(group, SELF_CHECK.match(self_check.source).group(1))
        shown = outputs_text(cell)
        assert "✅" in shown and "❌" not in shown, cell.source
    for cell in checks:
        shown = outputs_text(cell)
        assert "尚未作答" in shown and "❌" not in shown and "✅" not in shown, cell.source


@pytest.mark.parametrize("md", WITH_EXERCISES, ids=WITH_EXERCISES_IDS)
def test_quiz_choices_each_explain_right_or_wrong(md):
    text = md.read_text("utf-8")
    quiz = parts(text)[0].split("## 小测验", 1)[1]
    choices = re.findall(r":::\{dropdown\} ([A-D])\. .+?\n(.+?)\n:::", quiz, re.S)
    assert len(choices) >= 3
    verdicts = [body.startswith("✅ 正确。") for _, body in choices]
    assert sum(verdicts) == 1
    for _, body in choices:
        assert body.startswith(("✅ 正确。", "❌ 不对。")) and len(body) > 15, body


@pytest.mark.parametrize("md", CHAPTERS, ids=CHAPTER_IDS)
def test_chapter_links_to_the_glossary(built_site, md):
    page = (built_site / "chapters" / f"{md.stem}.html").read_text("utf-8")
    terms = re.findall(r'href="\.\./glossary\.html#term-([^"]+)"', page)
    assert len(terms) >= 3
    glossary = (built_site / "glossary.html").read_text("utf-8")
    for term in terms:
        assert f'id="term-{term}"' in glossary, term


def test_instructor_guide_has_fixed_release_links(built_site):
    page = (built_site / "instructor.html").read_text("utf-8")
    for md in CHAPTERS:
        assert f"/blob/v0.1.0/chapters/{md.stem}.ipynb" in page
    assert "make student" in re.sub(r"<[^>]+>", "", page)


@pytest.mark.parametrize("md", WITH_EXERCISES, ids=WITH_EXERCISES_IDS)
def test_stripping_keeps_the_exercises_and_drops_the_solutions_section(md):
    notebook = jupytext.read(md)
    student = student_edition.student_page(notebook)
    text = "\n".join(cell.source for cell in student.cells)
    assert not student_edition.has_solutions(student) and student_edition.SOLUTIONS_POINTER not in text
    assert len(self_checks(student)) == 3 and len(EXERCISE.findall(text)) == 3 and "## 小测验" in text
    dropped = {id(cell) for cell in solution_cells(notebook)}
    kept = [cell.source for cell in notebook.cells if cell.cell_type == "code" and id(cell) not in dropped]
    assert [cell.source for cell in student.cells if cell.cell_type == "code"] == kept


@pytest.mark.slow
def test_student_edition_is_built_from_the_executed_book_without_solutions(executed_notebook, tmp_path):
    """One build with execution off, from the notebooks the site build executed."""
    site = student_edition.build(EXECUTED.parent, tmp_path)
    pages = {p.stem: p.read_text("utf-8") for p in (site / "chapters").glob("*.html")}
    handouts = {p.stem: jupytext.read(p) for p in (tmp_path / "notebooks").glob("*.ipynb")}
    assert sorted(pages) == sorted(handouts) == sorted(md.stem for md in student_edition.chapters())
    assert not (site / "instructor.html").exists()
    for md in EXECUTED_BY_BUILD:
        page, handout = pages[md.stem], handouts[md.stem]
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        handout_text = "\n".join(cell.source for cell in handout.cells)
        for group in solutions(executed_notebook(md)):
            lines = [line.strip() for cell in group for line in cell.source.splitlines()]
            giveaways = [line for line in lines if line not in handout_text]
            assert giveaways, lines  # lines only the solution has, e.g. `def lookup(input_ids, weight):`
            assert not [line for line in giveaways if line in text], giveaways
        assert "solution" not in page.lower().replace("solution-", "")  # no solution admonition or dropdown
        assert "正确！" not in text and text.count("尚未作答") == 3  # outputs kept, no self-check passes
        assert not student_edition.has_solutions(handout) and len(self_checks(handout)) == 3
        assert all(not cell.get("outputs") for cell in handout.cells if cell.cell_type == "code")
