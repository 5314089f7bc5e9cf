"""Sphinx extension: pages that need nothing from outside the site.

- drops sphinx-thebe's scripts (Jupyter Book 1 always adds them; they name a CDN and declare
  THEBE_JS_URL twice, a console error) — the course launches Binder/Colab instead;
- adds the kernel-free playground script to the pages whose widgets need it.
"""

from __future__ import annotations

from sphinx.builders.html._assets import _JavaScript

PLAYGROUND_JS = "vendor/playground/playground.js"  # under html_extra_path, i.e. at the site root


def _is_thebe(asset) -> bool:
    filename = str(getattr(asset, "filename", None) or asset)
    body = (getattr(asset, "attributes", None) or {}).get("body", "")
    return "thebe" in filename or "THEBE_JS_URL" in body


def page_assets(app, pagename, templatename, context, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_thebe(asset)]
    if "ttv-snapshot" in context.get("body", ""):  # this page only (app.add_js_file would add it to every page)
        context["script_files"] = [*context["script_files"], _JavaScript(PLAYGROUND_JS, defer="defer")]


def setup(app):
    app.connect("html-page-context", page_assets, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
