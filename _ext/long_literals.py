"""Sphinx extension: inline code longer than LONG characters gets the class `long-literal`.

Sphinx keeps each word of inline code on one line (basic.css: `span.pre { white-space: nowrap }`), so `-inf` never
splits into "-" / "inf". A long word of code (`overflow_to_sample_mapping`, `add_generation_prompt=True`) would then
stick out of a 390 px phone's column or leave a wide gap before it: _static/book.css lets only literals with this class
wrap. The class is set while the page is read, before Sphinx copies the section titles into the page contents, so
titles in the page contents carry it too.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

LONG = 20  # characters: longer literals may wrap (about half a phone's column of code)
LONG_CLASS = "long-literal"


class MarkLongLiterals(SphinxTransform):
    """Add LONG_CLASS to every inline literal longer than LONG characters."""

    # before Sphinx's DoctreeReadEvent (880): the page contents are collected from the titles at doctree-read
    default_priority = 870

    def apply(self, **kwargs) -> None:
        for literal in self.document.findall(nodes.literal):
            if len(literal.astext()) > LONG and LONG_CLASS not in literal["classes"]:
                literal["classes"].append(LONG_CLASS)


def setup(app: Sphinx) -> dict:
    app.add_transform(MarkLongLiterals)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
