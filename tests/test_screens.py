"""Every screen: a 390 px phone and a 1366 px desktop, dark mode, a Chinese interface, the site opened from disk.

Headless Chromium on the built site (one session for the module). Screenshots go to the build's test-artifacts
folder (_build/test-artifacts, or $BOOK_PATH_OUTPUT/_build/test-artifacts).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from tools import sitecheck

from .conftest import CHAPTERS, ROOT

PAGES = ["index", "chapters/01_load_tokenizer", "chapters/02_tokenize", "chapters/03_embeddings",
         "chapters/04_batching", "chapters/05_pipeline", "setup", "instructor", "glossary", "search"]
PROSE_PAGES = [page for page in PAGES if page != "search"]
# What each page is opened with: the search page with a query whose summaries quote an output's long unbroken run.
PAGE_URLS = {**{page: f"{page}.html" for page in PAGES}, "search": "search.html?q=padding_side"}
SEARCH_DONE = ("(() => { const items = document.querySelectorAll('#search-results li');"
               " return items.length > 0 && [...items].every((item) => item.querySelector('p.context')); })()")
VIEWPORTS = {"phone": sitecheck.PHONE, "desktop": sitecheck.DESKTOP}
# Interface text the themes and extensions write in English (or in Traditional Chinese) unless the site says otherwise.
ENGLISH_UI = ["Show code cell", "Hide code cell", "Search this book", "Toggle primary sidebar",
              "Toggle secondary sidebar", "Launch interactive content", "Launch on", "Color mode", "System Settings",
              "Link to this heading", "Link to this term", "Toggle hidden content", "Copyright", "logo", "列印成 PDF"]
LABEL_ATTRIBUTES = ["title", "aria-label", "placeholder", "alt", "data-bs-title", "data-tooltip"]
CJK = r"[\u3400-\u9fff]"
DIAGRAM = "document.querySelector('pre.mermaid svg') && document.querySelector('pre.mermaid svg').textContent"


@pytest.fixture(scope="module")
def site_root(built_site) -> Path:
    return built_site


@pytest.fixture(scope="module")
def artifacts(site_root) -> Path:
    folder = site_root.parent / "test-artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def site(site_root):
    problem = sitecheck.browser_available()
    assert not problem, problem
    with sitecheck.serve_site(site_root) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site):
    with sitecheck.chromium() as driver:
        yield driver


def open_page(browser, url: str, metrics: dict, mode: str = "light") -> None:
    """Open `url` at the given screen size and colour mode, once its scripts have run (and its diagram is drawn)."""
    sitecheck.emulate(browser, metrics)
    browser.get(url)
    browser.execute_script("localStorage.setItem('mode', arguments[0]); localStorage.setItem('theme', arguments[0]);",
                           mode)
    browser.get(url)
    sitecheck.wait_for(browser, "document.readyState === 'complete'")
    if "05_pipeline" in url:
        sitecheck.wait_for(browser, f"({DIAGRAM} || '').includes('Transformer')", timeout=15)


def shoot(browser, artifacts: Path, name: str) -> None:
    browser.save_screenshot(str(artifacts / f"screens_{name.replace('/', '_')}.png"))


def visible(browser, selector: str):
    from selenium.webdriver.common.by import By

    return [e for e in browser.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()]


# ---- one visit per page and screen: sideways scrolling and English interface text --------------------------------

PAGE_FACTS = """
const [forbidden, attributes, cjk] = arguments;
const root = document.documentElement, article = document.querySelector('.bd-article-container');
const english = forbidden.filter((text) => document.body.innerText.includes(text));
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('.cell_output, .ttv-panel, pre, .highlight')) continue;  // outputs
  for (const name of attributes) {
    const value = el.getAttribute(name);
    if (!value) continue;
    const bare = /[A-Za-z]{3,}/.test(value) && !new RegExp(cjk).test(value);
    // in the article, English may name code; a landmark's or a dialog's label is interface wherever it is
    const landmark = name === 'aria-label' && el.matches('nav, dialog, [role]');
    if (forbidden.some((text) => value.includes(text)) || (bare && (landmark || !el.closest('article')))) {
      english.push(`${el.tagName.toLowerCase()}[${name}="${value}"]`);
    }
  }
}
// a word of inline code on more than one line (only literals marked long-literal may wrap)
const split = [...document.querySelectorAll('code.literal:not(.long-literal) span.pre')]
  .filter((word) => word.getClientRects().length > 1).map((word) => word.textContent);
return {page: [root.scrollWidth, root.clientWidth], article: article && [article.scrollWidth, article.clientWidth],
        english: [...new Set(english)], split};
"""


@cache
def page_facts(browser, site: str, artifacts: Path, viewport: str) -> dict:
    facts = {}
    for page in PAGES:
        open_page(browser, site + PAGE_URLS[page], VIEWPORTS[viewport])
        if page == "search":
            sitecheck.wait_for(browser, SEARCH_DONE, timeout=15)
        facts[page] = browser.execute_script(PAGE_FACTS, ENGLISH_UI, LABEL_ATTRIBUTES, CJK)
        shoot(browser, artifacts, f"{viewport}_{page}")
    return facts


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_page_scrolls_sideways(browser, site, artifacts, viewport):
    """Wide code, tables and outputs scroll inside their own box; the page and the article column never do (the search
    page with results included)."""
    facts = page_facts(browser, site, artifacts, viewport)
    wide = {page: f["page"] for page, f in facts.items() if f["page"][0] > f["page"][1]}
    wide_article = {page: f["article"] for page, f in facts.items()
                    if f["article"] and f["article"][0] > f["article"][1]}
    assert not wide and not wide_article, f"page: {wide}; article column: {wide_article}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_interface_speaks_chinese(browser, site, artifacts, viewport):
    """No English interface text, in what is shown or in title / aria-label / placeholder / alt attributes."""
    facts = page_facts(browser, site, artifacts, viewport)
    english = {page: f["english"] for page, f in facts.items() if f["english"]}
    assert not english, english


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_short_inline_code_stays_on_one_line(browser, site, artifacts, viewport):
    """`-inf` never splits into "-" / "inf": only inline code longer than 20 characters may wrap."""
    facts = page_facts(browser, site, artifacts, viewport)
    split = {page: f["split"] for page, f in facts.items() if f["split"]}
    assert not split, split


def test_tables_keep_readable_cells_on_a_phone(browser, site, artifacts):
    """Prose tables scroll sideways in their box on a phone instead of squeezing to a character a line."""
    open_page(browser, site + "instructor.html", sitecheck.PHONE)
    widths = browser.execute_script(
        "return [...document.querySelectorAll('.pst-scrollable-table-container :is(th, td)')]"
        ".map((cell) => cell.getBoundingClientRect().width)")
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('.pst-scrollable-table-container')]"
        ".map((box) => [box.scrollWidth, box.clientWidth, getComputedStyle(box).overflowX])")
    browser.execute_script("document.querySelector('.pst-scrollable-table-container').scrollIntoView()")
    shoot(browser, artifacts, "phone_instructor_table")
    assert len(widths) >= 20 and min(widths) >= 64, sorted(widths)[:5]
    assert any(scroll > client for scroll, client, _ in boxes) and all(o == "auto" for *_, o in boxes), boxes


# ---- the two sidebar buttons (pydata/pydata-sphinx-theme#2451) ------------------------------------------------

def tooltips_shown(browser) -> list[str]:
    return browser.execute_script("return [...document.querySelectorAll('.tooltip.show')].map((t) => t.textContent)")


def test_menu_button_opens_the_chapter_list_on_a_phone(browser, site, artifacts):
    import time

    open_page(browser, site + "chapters/02_tokenize.html", sitecheck.PHONE)
    [menu] = visible(browser, ".primary-toggle")
    menu.click()
    dialog = "document.getElementById('pst-primary-sidebar-modal')"
    sitecheck.wait_for(browser, f"{dialog}.open")
    links = [a.text for a in visible(browser, "#pst-primary-sidebar-modal a.reference")]
    assert "第 1 章 加载分词器" in links and "术语表" in links, links
    time.sleep(0.7)  # longer than the theme's tooltip delay (500 ms)
    assert tooltips_shown(browser) == []
    shoot(browser, artifacts, "phone_chapter_list")
    browser.execute_script(f"{dialog}.dispatchEvent(new KeyboardEvent('keydown', {{key: 'Escape', bubbles: true}}))")
    sitecheck.wait_for(browser, f"!{dialog}.open")
    assert visible(browser, ".primary-toggle") == [menu]


@pytest.mark.parametrize("metrics", [sitecheck.PHONE, {**sitecheck.DESKTOP, "width": 1024}], ids=["phone", "1024px"])
def test_contents_button_opens_the_page_contents(browser, site, artifacts, metrics):
    open_page(browser, site + "chapters/02_tokenize.html", metrics)
    [contents] = visible(browser, ".secondary-toggle")
    contents.click()
    dialog = "document.getElementById('pst-secondary-sidebar-modal')"
    sitecheck.wait_for(browser, f"{dialog}.open")
    entries = [a.text for a in visible(browser, "#pst-secondary-sidebar-modal nav a")]
    assert "从文字到 ID" in entries and "小结" in entries, entries
    shoot(browser, artifacts, f"page_contents_{metrics['width']}")
    browser.execute_script(f"{dialog}.close()")


def test_menu_button_hides_and_shows_the_sidebar_on_a_desktop(browser, site, artifacts):
    open_page(browser, site + "chapters/02_tokenize.html", sitecheck.DESKTOP)
    sidebar = "getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility"
    assert browser.execute_script(f"return {sidebar}") == "visible"
    [menu] = visible(browser, ".primary-toggle")
    menu.click()
    sitecheck.wait_for(browser, f"{sidebar} === 'hidden'")
    shoot(browser, artifacts, "desktop_sidebar_hidden")
    menu.click()
    sitecheck.wait_for(browser, f"{sidebar} === 'visible'")
    assert visible(browser, ".secondary-toggle") == []  # the page contents stay on screen at this width
    assert "小结" in [a.text for a in visible(browser, "#pst-secondary-sidebar nav a")]


# ---- search box -------------------------------------------------------------------------------------------------

SEARCH_GAP = """
const form = arguments[0], icon = form.querySelector('.fa-magnifying-glass'), input = form.querySelector('input');
const textStart = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
return textStart - icon.getBoundingClientRect().right;
"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_search_icon_does_not_cover_the_typed_text(browser, site, artifacts, viewport):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/02_tokenize.html", VIEWPORTS[viewport])
    visible(browser, ".search-button__button")[0].click()
    form = browser.find_element(By.CSS_SELECTOR, "#pst-search-dialog form")
    sitecheck.wait_for(browser, "document.getElementById('pst-search-dialog').open")
    form.find_element(By.CSS_SELECTOR, "input").send_keys("分词器")
    assert browser.execute_script(SEARCH_GAP, form) >= 0
    assert form.find_element(By.CSS_SELECTOR, "input").get_attribute("placeholder") == "搜索本书…"
    shoot(browser, artifacts, f"{viewport}_search_dialog")
    open_page(browser, site + "search.html?q=%E5%88%86%E8%AF%8D%E5%99%A8", VIEWPORTS[viewport])
    assert browser.execute_script(SEARCH_GAP, browser.find_element(By.CSS_SELECTOR, ".bd-search-container form")) >= 0


# ---- dark mode --------------------------------------------------------------------------------------------------

DIAGRAM_COLOURS = """
const svg = document.querySelector('pre.mermaid svg');
const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
const filters = (el) => {  // innermost first, up to the root
  const out = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const f = getComputedStyle(n).filter;
    if (f && f !== 'none') out.push(f);
  }
  return out;
};
const paint = (el, property) => parse(getComputedStyle(el)[property]);
const inside = (inner, outer) => {
  const a = inner.getBoundingClientRect(), b = outer.getBoundingClientRect();
  return a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
};
const clusters = [...svg.querySelectorAll('g.cluster > rect')].map((rect) => [rect, paint(rect, 'fill')]);
const behind = (el) => { const hit = clusters.find(([rect]) => inside(el, rect)); return hit ? hit[1] : null; };
const text = [], lines = [];
const label = (el, background) => {
  if (el.textContent.trim()) text.push([el.textContent.trim(), paint(el, 'color'), background, filters(el)]);
};
for (const node of svg.querySelectorAll('g.node')) {
  const shape = node.querySelector('rect, polygon, circle, ellipse, path');
  node.querySelectorAll('.nodeLabel, text').forEach((el) => label(el, paint(shape, 'fill')));
}
for (const group of svg.querySelectorAll('g.cluster')) {
  group.querySelectorAll('.nodeLabel, text').forEach((el) => label(el, paint(group.querySelector('rect'), 'fill')));
}
svg.querySelectorAll('span.edgeLabel').forEach((el) => label(el, paint(el, 'backgroundColor')));
for (const edge of svg.querySelectorAll('path.flowchart-link')) {
  lines.push([edge.id || 'edge', paint(edge, 'stroke'), behind(edge), filters(edge)]);
}
const marker = svg.querySelector('marker path');
if (marker) lines.push(['arrowhead', paint(marker, 'fill'), null, filters(svg)]);
return {text, lines, svgFilters: filters(svg), pageFilters: filters(svg.parentElement)};
"""


def drawn(colour, filters: list[str]) -> list[float]:
    return sitecheck.apply_filters(colour, filters)


def diagram_contrasts(browser) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """(contrast, what) of every diagram label on its box, and of every arrow on what lies behind it, as drawn."""
    from selenium.webdriver.common.by import By

    found = browser.execute_script(f"return (() => {{{DIAGRAM_COLOURS}}})()")
    page_fg, page_bg = browser.execute_script(sitecheck.EFFECTIVE_COLOURS,
                                              browser.find_element(By.CSS_SELECTOR, "pre.mermaid"))
    page = drawn(page_bg, found["pageFilters"])
    text = []
    for name, fg, bg, filters in found["text"]:
        alpha = bg[3] if len(bg) > 3 else 1
        under = [b * alpha + p * (1 - alpha) for b, p in zip(bg[:3], page_bg, strict=True)]  # see-through boxes
        text.append((sitecheck.contrast(drawn(fg, filters), drawn(under, filters)), name))
    lines = [(sitecheck.contrast(drawn(stroke, filters), drawn(bg, filters) if bg else page), name)
             for name, stroke, bg, filters in found["lines"]]
    return text, lines


@pytest.mark.parametrize("mode", ["dark", "light"])
def test_diagram_is_legible(browser, site, artifacts, mode):
    """Labels at least 4.5:1 on their boxes, arrows at least 3:1 on what is behind them, as drawn (CSS filters
    included)."""
    open_page(browser, site + "chapters/05_pipeline.html", sitecheck.DESKTOP, mode)
    text, lines = diagram_contrasts(browser)
    browser.execute_script("document.querySelector('pre.mermaid').scrollIntoView()")
    shoot(browser, artifacts, f"diagram_{mode}")
    print(f"{mode}: text from {min(text)[0]:.2f}:1, arrows from {min(lines)[0]:.2f}:1")
    assert len(text) >= 6 and len(lines) >= 5
    assert min(text)[0] >= 4.5, sorted(text)[:3]
    assert min(lines)[0] >= 3, sorted(lines)[:3]


def test_diagram_fits_a_phone_at_a_readable_size(browser, site, artifacts):
    open_page(browser, site + "chapters/05_pipeline.html", sitecheck.PHONE)
    box, font = browser.execute_script(  # font size as drawn: the label's size times the diagram's scale
        "const svg = document.querySelector('pre.mermaid svg'), label = svg.querySelector('.nodeLabel');"
        "const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
        "return [svg.getBoundingClientRect().right, parseFloat(getComputedStyle(label).fontSize) * scale];")
    browser.execute_script("document.querySelector('pre.mermaid').scrollIntoView()")
    shoot(browser, artifacts, "phone_diagram")
    assert box <= sitecheck.PHONE["width"] and font >= 10, (box, font)


SURFACES = {
    "HTML output": ".cell_output .output.text_html",
    "table cell": "table.book-table td",
    "table heading": "table.book-table th",
    "printed output": ".cell_output .output pre",
    "admonition": ".admonition p:not(.admonition-title)",
    "code": "div.highlight pre",
    "self-check verdict": ".cell_output .ttv-check",
}


def test_dark_mode_gives_outputs_and_tables_dark_surfaces(browser, site, artifacts):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/03_embeddings.html", sitecheck.DESKTOP, "dark")
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    problems = []
    for name, selector in SURFACES.items():
        element = browser.find_element(By.CSS_SELECTOR, selector)
        fg, bg = browser.execute_script(sitecheck.EFFECTIVE_COLOURS, element)
        ratio = sitecheck.contrast(fg, bg)
        if sitecheck.luminance(bg) > 0.05 or ratio < 4.5:
            problems.append(f"{name}: {fg} on {bg}, {ratio:.2f}:1")
    browser.execute_script("document.querySelector('table.book-table').scrollIntoView()")
    shoot(browser, artifacts, "dark_outputs")
    assert not problems, problems


# ---- the site opened from disk (file://) ------------------------------------------------------------------------

def test_from_disk_the_diagram_and_search_explain_themselves(browser, site_root, artifacts):
    import time

    from selenium.webdriver.common.by import By

    sitecheck.emulate(browser, sitecheck.DESKTOP)
    browser.get((site_root / "chapters" / "05_pipeline.html").as_uri())
    sitecheck.wait_for(browser, "document.readyState === 'complete'")
    diagram = browser.find_element(By.CSS_SELECTOR, "pre.mermaid")
    note = browser.execute_script("return arguments[0].previousElementSibling", diagram)
    assert "site-file-note" in note.get_attribute("class") and "make serve" in note.text
    browser.execute_script("arguments[0].scrollIntoView()", note)
    shoot(browser, artifacts, "file_diagram")
    browser.get_log("browser")  # what the diagram page logged (its scripts cannot load) is not the search's
    browser.get((site_root / "search.html").as_uri() + "?q=%E5%88%86%E8%AF%8D%E5%99%A8")
    sitecheck.wait_for(browser, "document.querySelectorAll('#search-results li').length > 0", timeout=15)
    time.sleep(0.5)  # any summary fetch would have failed by now
    errors = sitecheck.console_errors(browser)
    notes = [n.text for n in browser.find_elements(By.CSS_SELECTOR, ".site-file-note")]
    shoot(browser, artifacts, "file_search")
    assert not errors, errors
    assert notes and "摘要" in notes[0]


# ---- static checks of the built pages ---------------------------------------------------------------------------

def prose_text(page_html: str) -> str:
    """The article's text, without code, outputs, panels and the diagram."""
    from bs4 import BeautifulSoup

    article = BeautifulSoup(page_html, "html.parser").select_one("article.bd-article")
    for element in article.select("pre, code, script, style, .cell_output, .ttv-panel, .highlight"):
        element.decompose()
    return article.get_text(" ")


@pytest.mark.parametrize("page", PROSE_PAGES)
def test_prose_uses_chinese_quotation_marks(site_root, page):
    """Smart quotes are off (straight quotes in code copy as typed); prose writes “” and ‘’, in pairs."""
    text = prose_text((site_root / f"{page}.html").read_text("utf-8"))
    assert text.count("“") == text.count("”"), (text.count("“"), text.count("”"))
    assert text.count("‘") == text.count("’"), (text.count("‘"), text.count("’"))
    ascii_pairs = re.findall(rf'"[^"\n]*{CJK}[^"\n]*"|(?<![A-Za-z])\'[^\'\n]*{CJK}[^\'\n]*\'', text)
    assert not ascii_pairs, ascii_pairs[:5]


def test_course_map_links_each_page_once(site_root):
    article = re.search(r'<article class="bd-article">(.*)</article>', (site_root / "index.html").read_text("utf-8"),
                        re.S).group(1)
    targets = re.findall(r'href="([^"#]+)(?:#[^"]*)?"', article)
    internal = [t for t in targets if not t.startswith("http")]
    assert sorted(set(internal)) == sorted(internal), internal
    toc = re.findall(r"file:\s*(\S+)", (ROOT / "_toc.yml").read_text("utf-8"))
    assert toc and sorted(f"{page}.html" for page in toc) == sorted(internal)  # every page of the book, once


def test_instructor_links_open_each_chapter_in_colab_and_binder(site_root):
    page = (site_root / "instructor.html").read_text("utf-8")
    toc = (ROOT / "_toc.yml").read_text("utf-8")
    chapters = sorted(md.stem for md in CHAPTERS if f"chapters/{md.stem}" in toc and md.with_suffix(".ipynb").exists())
    assert len(chapters) >= 5
    for service in ("colab.research.google.com", "mybinder.org"):
        links = re.findall(rf'<a [^>]*href="https://{re.escape(service)}[^"]*/(\d\d_\w+)\.ipynb"', page)
        assert sorted(links) == chapters, (service, links)


def test_launch_menu_only_on_chapters(site_root):
    for page in PAGES[:-1]:
        has_menu = "dropdown-launch-buttons" in (site_root / f"{page}.html").read_text("utf-8")
        assert has_menu == page.startswith("chapters/"), page


SBT = "theme/sphinx_book_theme/components/"
TEMPLATE_OVERRIDES = {  # ours -> (theme package, path in the package, [(theme text, our text)])
    "toggle-primary-sidebar.html": (
        "sphinx_book_theme", SBT + "toggle-primary-sidebar.html",
        [('title="Toggle primary sidebar"', 'title="章节列表" aria-label="显示或隐藏章节列表"')]),
    "toggle-secondary-sidebar.html": (
        "sphinx_book_theme", SBT + "toggle-secondary-sidebar.html",
        [('title="Toggle secondary sidebar"', 'title="本页目录" aria-label="显示或隐藏本页目录"')]),
    "sbt-sidebar-nav.html": ("sphinx_book_theme", SBT + "sbt-sidebar-nav.html",
                             [('aria-label="Main"', 'aria-label="课程章节"')]),
    "copyright.html": ("pydata_sphinx_theme", "theme/pydata_sphinx_theme/components/copyright.html",
                       [("{% trans copyright=copyright|e %}Copyright {{ copyright }}{% endtrans %}",
                         "版权所有 {{ copyright|e }}"),
                        ("{% trans copyright=copyright|e %}© Copyright {{ copyright }}.{% endtrans %}",
                         "© {{ copyright|e }} 版权所有。")]),
}


@pytest.mark.parametrize("name", TEMPLATE_OVERRIDES)
def test_template_override_is_the_installed_themes_file_with_chinese_labels(name):
    """Each override in _templates/ is the installed theme's file with only the listed changes: a theme upgrade that
    changes the file fails here instead of being silently masked."""
    import importlib

    package, path, changes = TEMPLATE_OVERRIDES[name]
    theme = (Path(importlib.import_module(package).__file__).parent / path).read_text("utf-8")
    for before, after in changes:
        assert theme.count(before) == 1, before
        theme = theme.replace(before, after)
    ours = (ROOT / "_templates" / name).read_text("utf-8")
    ours = re.sub(r"\A\{#-.*?-#\}\n?", "", ours, flags=re.S)  # our leading comment
    assert ours == theme


def test_theme_assets_keep_their_digest_without_fontawesome(site_root):
    """_templates/static/webpack-macros.html wraps the theme's own macros minus fontawesome.js."""
    import pydata_sphinx_theme

    macros = Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static/webpack-macros.html"
    assets = re.findall(r"'(_static/[^']+)', 1\) \}\}(\?digest=\w+)", macros.read_text("utf-8"))
    assert any("fontawesome" in path for path, _ in assets)
    page = (site_root / "chapters" / "02_tokenize.html").read_text("utf-8")
    for path, digest in assets:
        assert (f"../{path}{digest}" in page) != ("fontawesome" in path), path
