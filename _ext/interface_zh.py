"""Sphinx extension: the site's interface in Simplified Chinese.

- Message catalogs in _ext/locale/zh_CN/LC_MESSAGES (*.po) for the strings that Sphinx and the themes leave in
  English ("Link to this heading", "Color mode", the launch menu) or word in Traditional Chinese ("列印成 PDF").
  They are compiled into the build folder and added with `app.add_message_catalog`, after the packages' own
  catalogs, so an entry only fills a gap.
- A hidden cell's toggle: myst-nb fills the {type} of its prompts (nb_code_prompt_show / nb_code_prompt_hide in
  _config.yml) with an English word and labels it "Toggle hidden content" for screen readers; both become Chinese.
- The diagram script sphinxcontrib-mermaid writes into a page with a diagram carries English labels for its fullscreen
  viewer (used only with mermaid_fullscreen on, but written into every such page): they become Chinese.

Strings written into templates without a translation call are changed by the overrides in _templates/.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx.application import Sphinx

LOCALE = Path(__file__).parent / "locale"
CATALOGS = ("sphinx", "booktheme")  # Sphinx's and pydata-sphinx-theme's domain; sphinx-book-theme's domain
HIDDEN_CELL_LABEL = "显示或隐藏代码"
# What a hidden cell hides, as myst-nb names it in the prompts ("outputs" before "output": it contains it).
HIDDEN_PART = {"content": "代码单元格", "source": "代码", "outputs": "输出", "output": "输出"}
# The labels in sphinxcontrib-mermaid's script (default.js.j2), as it writes them.
MERMAID_LABELS = {"View diagram in fullscreen": "全屏查看此图", "Fullscreen diagram viewer": "全屏看图",
                  "Close fullscreen": "退出全屏"}


def compile_catalogs(source: Path, target: Path) -> Path:
    """Compile every source/<lang>/LC_MESSAGES/*.po into the same layout under target; return target."""
    for po_file in source.glob("*/LC_MESSAGES/*.po"):
        mo_file = target / po_file.relative_to(source).with_suffix(".mo")
        mo_file.parent.mkdir(parents=True, exist_ok=True)
        with po_file.open("rb") as po:
            catalog = read_po(po)
        with mo_file.open("wb") as mo:
            write_mo(mo, catalog)
    return target


def visit_hidden_cell(self, node: HideCodeCellNode) -> None:
    """myst-nb's markup for a hidden cell, with Chinese prompts and a Chinese label on its toggle."""
    for key in ("prompt_show", "prompt_hide"):
        for english, chinese in HIDDEN_PART.items():
            node[key] = node[key].replace(english, chinese)
    start = len(self.body)
    visit_HideCellInput(self, node)
    for index in range(start, len(self.body)):
        self.body[index] = self.body[index].replace(
            'aria-label="Toggle hidden content"', f'aria-label="{HIDDEN_CELL_LABEL}"')


def translate_script(script, labels: dict[str, str]):
    """The same page script (a Sphinx asset with an inline body) with each English label replaced."""
    body = (getattr(script, "attributes", None) or {}).get("body") or ""
    if not any(english in body for english in labels):
        return script
    for english, chinese in labels.items():
        body = body.replace(english, chinese)
    return type(script)(script.filename, priority=script.priority, **{**script.attributes, "body": body})


def chinese_diagram_labels(app, pagename, templatename, context, doctree) -> None:
    """Put the page's diagram script labels into Chinese (after sphinxcontrib-mermaid adds the script)."""
    if "script_files" in context:  # in place: the list is Sphinx's own, restored before the next page
        context["script_files"][:] = [translate_script(script, MERMAID_LABELS) for script in context["script_files"]]


def setup(app: Sphinx) -> dict:
    compiled = compile_catalogs(LOCALE, Path(app.doctreedir).parent / "interface_zh")
    for catalog in CATALOGS:
        app.add_message_catalog(catalog, str(compiled))
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_HideCellInput))
    app.connect("html-page-context", chinese_diagram_labels, priority=900)  # after sphinxcontrib-mermaid's (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
