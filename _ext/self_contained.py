"""Sphinx extension: pages that need nothing from outside the site.

- drops sphinx-thebe's scripts (Jupyter Book 1 always adds them; they name a CDN and declare
  THEBE_JS_URL twice, a console error) — the course launches Binder/Colab instead;
- drops sphinxcontrib-mermaid's script from pages built without a document (search, genindex): it adds the
  diagram module there because it cannot tell whether they hold a diagram (they never do);
- adds the kernel-free playground script to the pages whose widgets need it;
- keeps the Colab / Binder launch menu to the chapters: the other executed pages (the course map, the instructor
  guide) have no notebook to launch, and Colab would be handed a .md file it cannot open.
"""

from __future__ import annotations

PLAYGROUND_JS = "vendor/playground/playground.js"  # under html_extra_path, i.e. at the site root
# add_js_file names files under _static/: this climbs back to the site root.
PLAYGROUND_FROM_STATIC = "../" + PLAYGROUND_JS
CHAPTERS = "chapters/"  # the pages learners launch in Colab or Binder (each has a paired .ipynb)


def _is_thebe(asset) -> bool:
    filename = str(getattr(asset, "filename", None) or asset)
    body = (getattr(asset, "attributes", None) or {}).get("body", "")
    return "thebe" in filename or "THEBE_JS_URL" in body


def _is_mermaid(asset) -> bool:
    body = (getattr(asset, "attributes", None) or {}).get("body") or ""
    return "import mermaid" in body


def page_assets(app, pagename, templatename, context, doctree) -> None:
    """Drop thebe's assets (and mermaid's where no document could hold a diagram); add the playground script when
    the page holds a panel."""
    for key in ("script_files", "css_files"):
        if key in context:  # in place: the lists are Sphinx's own, restored before the next page
            context[key][:] = [asset for asset in context[key]
                               if not _is_thebe(asset) and not (doctree is None and _is_mermaid(asset))]
    if "ttv-panel" in context.get("body", ""):
        # Called during html-page-context, add_js_file adds the script to this page only (Sphinx >= 3.5).
        app.add_js_file(PLAYGROUND_FROM_STATIC, defer="defer")


def launch_chapters_only(app, pagename, templatename, context, doctree) -> None:
    """Drop sphinx-book-theme's launch menu from every page outside chapters/."""
    if pagename.startswith(CHAPTERS):
        return
    buttons = context.get("header_buttons", [])
    buttons[:] = [button for button in buttons if button.get("label") != "launch-buttons"]


def setup(app):
    app.connect("html-page-context", page_assets, priority=900)
    app.connect("html-page-context", launch_chapters_only, priority=900)  # after the theme's (501)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
