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


def test_a_tables_second_column_starts_on_a_phones_screen(browser, site, artifacts):
    """The first column names the row (第 1 章 加载分词器): on a phone it leaves the left half of the screen to nothing
    else, so the second column (核心概念) is in sight without scrolling the table."""
    open_page(browser, site + "instructor.html", sitecheck.PHONE)
    starts = browser.execute_script(
        "return [...document.querySelectorAll('.pst-scrollable-table-container tr > :nth-child(2)')]"
        ".map((cell) => cell.getBoundingClientRect().left)")
    assert len(starts) >= 10 and max(starts) <= sitecheck.PHONE["width"] / 2, sorted(starts)[-3:]


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


DRAWERS = {"chapter list": (".primary-toggle", "pst-primary-sidebar-modal"),
           "page contents": (".secondary-toggle", "pst-secondary-sidebar-modal")}


def open_drawer(browser, drawer: str) -> str:
    """Tap the drawer's button on a phone; wait until the drawer has slid in; return a JS expression for it."""
    import time

    toggle, dialog_id = DRAWERS[drawer]
    [button] = visible(browser, toggle)
    button.click()
    dialog = f"document.getElementById('{dialog_id}')"
    sitecheck.wait_for(browser, f"{dialog}.open")
    time.sleep(0.6)  # the theme's slide-in transition
    return dialog


def test_a_link_in_the_page_contents_closes_the_drawer_and_shows_its_heading(browser, site, artifacts):
    open_page(browser, site + "chapters/02_tokenize.html", sitecheck.PHONE)
    dialog = open_drawer(browser, "page contents")
    [entry] = [a for a in visible(browser, "#pst-secondary-sidebar-modal nav a") if a.text == "小结"]
    section = entry.get_attribute("href").split("#")[1]
    entry.click()
    sitecheck.wait_for(browser, f"!{dialog}.open")
    top = browser.execute_script("return document.getElementById(arguments[0]).getBoundingClientRect().top", section)
    shoot(browser, artifacts, "phone_after_contents_link")
    assert 0 <= top <= sitecheck.PHONE["height"] / 3, top


def test_a_link_in_the_chapter_list_closes_the_drawer(browser, site, artifacts):
    """A link closes the drawer (in case the page stays, or comes back from the browser's history); a tap on text that
    is not a link leaves it open."""
    open_page(browser, site + "chapters/02_tokenize.html", sitecheck.PHONE)
    dialog = open_drawer(browser, "chapter list")
    visible(browser, "#pst-primary-sidebar-modal p.caption")[0].click()
    assert browser.execute_script(f"return {dialog}.open")
    # The page stays (as it does when it comes back from history), so the test sees what the drawer does.
    browser.execute_script("window.addEventListener('click', (event) => event.preventDefault())")
    [link] = [a for a in visible(browser, "#pst-primary-sidebar-modal a.reference") if a.text == "术语表"]
    link.click()
    sitecheck.wait_for(browser, f"!{dialog}.open")
    # the theme moves the list back into the sidebar, which slides out of sight (visibility: hidden at the end)
    sidebar = "document.getElementById('pst-primary-sidebar')"
    sitecheck.wait_for(browser, f"getComputedStyle({sidebar}).visibility === 'hidden'")
    assert visible(browser, "#pst-primary-sidebar-modal a, #pst-primary-sidebar a") == []


def colours(image, box) -> list[tuple[int, tuple[int, int, int]]]:
    """(pixel count, colour) of every colour in `box` (left, top, right, bottom) of a screenshot."""
    return image.crop(box).getcolors(image.width * image.height)


@pytest.mark.parametrize("mode", ["dark", "light"])
@pytest.mark.parametrize("drawer", DRAWERS)
def test_an_open_drawer_stands_out_from_the_dimmed_page(browser, site, artifacts, drawer, mode):
    """As drawn on a phone: the page beside an open drawer is dimmed to at most half its brightest, and the drawer's
    edge has at least 3:1 contrast with it (WCAG's least for a component's boundary), in dark mode too."""
    open_page(browser, site + "chapters/02_tokenize.html", sitecheck.PHONE, mode)
    # Phones draw overlay scrollbars; headless Chromium draws a classic one at the chapter list's edge.
    browser.execute_script("document.head.insertAdjacentHTML('beforeend', arguments[0])",
                           "<style>dialog { scrollbar-width: none; }</style>")
    before = sitecheck.screenshot(browser)
    dialog = open_drawer(browser, drawer)
    after = sitecheck.screenshot(browser)
    shoot(browser, artifacts, f"phone_drawer_{drawer.replace(' ', '_')}_{mode}")
    left, right = browser.execute_script(f"const r = {dialog}.getBoundingClientRect(); return [r.left, r.right];")
    scale = after.width / sitecheck.PHONE["width"]
    top, bottom = int(after.height * 0.3), int(after.height * 0.9)
    if left <= 0:  # the chapter list comes from the left, the page contents from the right
        edge, page = round(right * scale), (round(right * scale) + 8, top, after.width - 8, bottom)
    else:
        edge, page = round(left * scale), (8, top, round(left * scale) - 8, bottom)
    brightest = [max(sitecheck.luminance(c) for _, c in colours(image, page)) for image in (before, after)]
    veil = max(colours(after, page))[1]  # the commonest colour beside the drawer
    edge_colours = [max(colours(after, (x, top, x + 1, bottom)))[1] for x in range(edge - 3, edge + 3)]
    boundary = max(sitecheck.contrast(colour, veil) for colour in edge_colours)
    assert brightest[1] <= brightest[0] / 2, brightest
    assert boundary >= 3, (edge_colours, veil)


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


@pytest.mark.parametrize("width", [992, 1366])
def test_one_search_box_on_a_wide_screen_and_ctrl_k_opens_search(browser, site, artifacts, width):
    """The sidebar's search box is the only one (no header band above it), and Ctrl+K still opens the search."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_page(browser, site + "chapters/02_tokenize.html", {**sitecheck.DESKTOP, "width": width})
    boxes = browser.execute_script(
        "return [...document.querySelectorAll('.search-button-field, form.bd-search')]"
        ".filter((box) => box.getClientRects().length && !box.closest('dialog')).map((box) => box.closest('[id]').id)")
    header = browser.execute_script("return document.getElementById('pst-header').getBoundingClientRect().height")
    lines = browser.execute_script(
        "return [...document.querySelectorAll('#pst-primary-sidebar .search-button-field > *')]"
        ".map((part) => part.getClientRects().length)")
    shoot(browser, artifacts, f"desktop_{width}_search_box")
    assert boxes == ["pst-primary-sidebar"] and header == 0, (boxes, header)
    assert lines and set(lines) == {1}, lines  # 搜索 and Ctrl+K each on one line
    ActionChains(browser).key_down(Keys.CONTROL).send_keys("k").key_up(Keys.CONTROL).perform()
    sitecheck.wait_for(browser, "document.getElementById('pst-search-dialog').open")
    assert browser.execute_script("return document.activeElement.name") == "q"
    browser.execute_script("document.getElementById('pst-search-dialog').close()")


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


PLOT_PAGES = ["chapters/07_compare_tokenizers", "chapters/08_meaning", "chapters/09_position"]
IMAGE_STYLE = """
return [...document.querySelectorAll('.cell_output img')].map((img) => {
  const style = getComputedStyle(img);
  return [img.getAttribute('src').split('/').pop(), style.filter, style.backgroundColor, parseFloat(style.paddingTop)];
});
"""


def test_dark_mode_shows_plots_on_a_white_card(browser, site, artifacts):
    """Plots are drawn for a white page: in dark mode they sit undimmed (no CSS filter) on a white card with a margin
    of white around them, instead of the theme's dimmed grey plate."""
    images = []
    for page in PLOT_PAGES:
        open_page(browser, site + page + ".html", sitecheck.DESKTOP, "dark")
        found = browser.execute_script(IMAGE_STYLE)
        if found:
            browser.execute_script("document.querySelector('.cell_output img').scrollIntoView()")
            shoot(browser, artifacts, f"dark_plot_{page.split('/')[-1]}")
        images += found
    assert images, f"no image output on {PLOT_PAGES}"
    wrong = [image for image in images if image[1:3] != ["none", "rgb(255, 255, 255)"] or image[3] < 4]
    assert not wrong, wrong


VERDICT_AND_LABEL_COLOURS = """
const [verdicts, labels] = arguments;
const box = document.createElement('div');
box.className = 'cell_output';
box.innerHTML = Object.values(verdicts).join('') + labels.join('') + '<span>text</span>';
document.querySelector('article').append(box);
const colour = (el) => getComputedStyle(el).color;
const found = {
  verdicts: Object.fromEntries(Object.keys(verdicts).map((status, i) => [status, colour(box.children[i])])),
  labels: [...box.querySelectorAll('label')].map(colour),
  text: colour(box.querySelector(':scope > span')),
};
box.remove();
return found;
"""
# A panel's checkbox labels, named as the panels name them or as the verdicts are: none may take a verdict's colour.
LABELS = ['<label class="ttv-toggle"><input type="checkbox">显示空白</label>',
          '<label class="ttv-check"><input type="checkbox">显示空白</label>',
          '<label class="ttv-check ttv-check-wrong"><input type="checkbox">显示空白</label>']
DARK_VERDICT_COLOURS = {"right": "rgb(86, 211, 100)", "todo": "rgb(156, 164, 175)"}  # the others: rgb(255, 129, 130)


def test_dark_mode_verdict_colours_reach_only_the_verdicts(browser, site, artifacts):
    """The self-check's own markup (book.exercises.Result) for every status gets its dark-mode colour; a label inside
    an output keeps the text colour, whatever its class."""
    from book.exercises import MARKS, Result

    open_page(browser, site + "chapters/03_embeddings.html", sitecheck.DESKTOP, "dark")
    verdicts = {status: Result(status, "示例")._repr_html_() for status in MARKS}
    found = browser.execute_script(VERDICT_AND_LABEL_COLOURS, verdicts, LABELS)
    expected = {status: DARK_VERDICT_COLOURS.get(status, "rgb(255, 129, 130)") for status in MARKS}
    assert found["verdicts"] == expected
    assert found["labels"] == [found["text"]] * len(LABELS), found


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

def test_only_inline_code_longer_than_20_characters_is_marked_to_wrap(site_root):
    """_ext/long_literals.py marks exactly the literals longer than 20 characters, in the article and in the page
    contents."""
    from bs4 import BeautifulSoup

    marked, unmarked, wrong = 0, 0, []
    for page in PROSE_PAGES:
        soup = BeautifulSoup((site_root / f"{page}.html").read_text("utf-8"), "html.parser")
        for code in soup.select("code.literal"):
            long = "long-literal" in code["class"]
            marked, unmarked = marked + long, unmarked + (not long)
            if long != (len(code.get_text()) > 20):
                wrong.append((page, code.get_text()))
    assert marked and unmarked and not wrong, (marked, unmarked, wrong[:5])


def test_diagram_script_labels_are_chinese(site_root):
    """Every aria-label in sphinxcontrib-mermaid's script (its fullscreen viewer) is written in Chinese into the
    page."""
    import sphinxcontrib.mermaid

    script = (Path(sphinxcontrib.mermaid.__file__).parent / "default.js.j2").read_text("utf-8")
    english = set(re.findall(r"""aria-label(?:',\s*'|=")([^'"]+)['"]""", script))
    page = (site_root / "chapters" / "05_pipeline.html").read_text("utf-8")
    assert len(english) >= 3 and "import mermaid" in page, english
    assert [label for label in english if label in page] == []

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
    "layout.html": ("sphinx_book_theme", "theme/sphinx_book_theme/layout.html",
                    [('<nav aria-label="Page">', '<nav aria-label="本页目录">')]),
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
