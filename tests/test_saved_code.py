"""Code written on a page with `#@save` and its copy in book/saved.py are the same text (d2l's #@save)."""

from __future__ import annotations

import ast
import types

import pytest

import book
import book.pipeline
import book.saved
from tools import save_code

from .conftest import CHAPTERS, ROOT

SAVED = ROOT / "book" / "saved.py"


def definitions(source: str) -> dict[str, str]:
    """Source text of each top-level function and class, by name."""
    tree = ast.parse(source)
    kinds = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
    return {node.name: ast.get_source_segment(source, node) for node in tree.body if isinstance(node, kinds)}


def page_cells() -> list[save_code.SavedCell]:
    return [cell for md in CHAPTERS for cell in save_code.saved_cells(md)]


def test_the_pages_save_the_pipeline():
    names = [name for cell in page_cells() for name in cell.names]
    assert {"padded_batch", "text_to_embeddings"} <= set(names)
    assert len(names) == len(set(names)), "two pages define the same name"


@pytest.mark.parametrize("cell", page_cells(), ids=lambda cell: f"{cell.chapter}:{','.join(cell.names) or 'imports'}")
def test_each_saved_cell_is_copied_verbatim(cell):
    saved = SAVED.read_text("utf-8")
    if cell.body:
        assert f"# {cell.chapter}\n{cell.body}\n" in saved, "the page and book/saved.py differ: run tools/save_code.py"
    for statement in cell.imports:  # the tool merges and sorts imports: the names must be bound to the same objects
        namespace: dict = {}
        exec(statement, namespace)
        namespace.pop("__builtins__")
        for name, value in namespace.items():
            assert name in vars(book.saved), statement
            if not isinstance(value, types.ModuleType):  # a package's submodule may be bound before it is imported
                assert vars(book.saved)[name] is value, statement
    copies = definitions(saved)
    for name, source in definitions(cell.source).items():
        assert copies.get(name) == source, f"{name}: the page and book/saved.py differ"


def test_saved_module_is_exactly_what_the_tool_writes():
    assert SAVED.read_text("utf-8") == save_code.render(ROOT), "book/saved.py is stale: run tools/save_code.py"
    assert save_code.main(["--check"]) == 0


def test_saved_module_defines_nothing_the_pages_do_not():
    on_pages = {name for cell in page_cells() for name in cell.names}
    assert set(definitions(SAVED.read_text("utf-8"))) == on_pages
    assert set(book.saved.__all__) == on_pages


def test_package_exports_the_saved_functions():
    assert book.text_to_embeddings is book.saved.text_to_embeddings
    assert book.padded_batch is book.saved.padded_batch
    assert book.pipeline.padded_batch is book.saved.padded_batch
    assert book.text_to_embeddings.__module__ == "book.saved"


def write_chapter(root, name: str, cells: list[str]) -> None:
    chapters = root / "chapters"
    chapters.mkdir(exist_ok=True)
    body = "\n\n".join(f"```{{code-cell}} ipython3\n{cell}\n```" for cell in cells)
    (chapters / name).write_text(f"# {name}\n\n{body}\n", "utf-8")


def test_tool_copies_marked_cells_only_and_notices_a_change(tmp_path):
    write_chapter(tmp_path, "01_a.md", ["#@save\nimport math", "#@save\ndef area(r):\n    return math.pi * r * r",
                                        "def helper():\n    return 1", "x = 1  #@save is only a marker on line 1"])
    write_chapter(tmp_path, "02_b.md", ["#@save\nimport math\nimport os\n\n\ndef here():\n    return os.getcwd()"])
    first = save_code.render(tmp_path)
    assert "def area(r):" in first and "def here():" in first
    assert "helper" not in first and "x = 1" not in first
    assert first.count("import math") == 1 and first.index("import os") < first.index("def area")
    assert "chapters/01_a.md (01_a.md):\n        area\n" in first
    assert "chapters/02_b.md (02_b.md):\n        here" in first
    compile(first, "saved.py", "exec")

    write_chapter(tmp_path, "01_a.md", ["#@save\nimport math", "#@save\ndef area(r):\n    return math.pi * r ** 2"])
    assert save_code.render(tmp_path) != first
