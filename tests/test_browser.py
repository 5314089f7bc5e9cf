"""The built site in headless Chromium on loopback: no console errors, no outside requests, diagram, playground,
escaping, dark mode, Chinese search. Screenshots go to _build/test-artifacts/."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlparse

import pytest

from tools import sitecheck

from .conftest import CHAPTERS, ROOT
from .corpus import generated_corpus

ARTIFACTS = ROOT / "_build" / "test-artifacts"
PAGES = ["index", *(f"chapters/{md.stem}" for md in CHAPTERS), "setup", "instructor", "glossary", "search", "genindex"]
DIAGRAM_READY = "document.querySelector('.mermaid svg') && document.querySelector('.mermaid svg').textContent"


@pytest.fixture(scope="module")
def site(built_site):
    problem = sitecheck.browser_available()
    assert not problem, problem
    with sitecheck.serve_site(built_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser(site):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sitecheck.chromium() as driver:
        yield driver


def open_page(browser, url: str) -> None:
    browser.get(url)
    sitecheck.wait_for(browser, "document.readyState === 'complete'")
    sitecheck.requested_urls(browser)  # drop the log of the previous page


def playground(browser, kind: str):
    from selenium.webdriver.common.by import By

    box = browser.find_element(By.CSS_SELECTOR, f'.ttv-panel[data-kind="{kind}"]')
    browser.execute_script("arguments[0].scrollIntoView()", box)
    sitecheck.wait_for(browser, f"document.querySelector('.ttv-panel[data-kind=\"{kind}\"]').dataset.ready", 20)
    return box


def playground_ids(browser, box, text: str) -> list[int]:
    from selenium.webdriver.common.by import By

    sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-input"), text)
    stats = box.find_elements(By.CSS_SELECTOR, ".ttv-stats")
    return json.loads(stats[0].get_attribute("data-ids")) if stats else []


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_with_no_console_error_and_no_outside_request(browser, site, page):
    browser.get(site + page + ".html")
    sitecheck.wait_for(browser, "document.readyState === 'complete'")
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    if browser.execute_script("return document.querySelector('.ttv-panel') !== null"):
        browser.execute_script("document.querySelector('.ttv-panel').scrollIntoView()")  # it loads when seen
        sitecheck.wait_for(browser, "window.ttvPlayground.readyAt || window.ttvPlayground.error", 20)
    if "05_pipeline" in page:
        sitecheck.wait_for(browser, f"({DIAGRAM_READY} || '').includes('Transformer')")
    urls = sitecheck.requested_urls(browser)
    outside = [u for u in urls if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != "127.0.0.1"]
    assert urls and not outside, outside
    errors = sitecheck.console_errors(browser)
    assert not errors, errors
    browser.save_screenshot(str(ARTIFACTS / f"{page.replace('/', '_')}.png"))


def test_diagram_renders_with_the_computed_numbers(browser, site):
    open_page(browser, site + "chapters/05_pipeline.html")
    svg_text = sitecheck.wait_for(
        browser, f"({DIAGRAM_READY} || '').includes('Transformer') && {DIAGRAM_READY}")
    assert "30709, 99425, 102663, 85336, 102258" in svg_text
    assert "151,665 × 512" in svg_text
    browser.execute_script("document.querySelector('.mermaid').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / "diagram.png"))


def test_playground_tokenizes_like_python(browser, site, tokenizer):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/02_tokenize.html")
    box = playground(browser, "tokens")
    assert playground_ids(browser, box, "小红帽去森林") == [30709, 99425, 102663, 85336, 102258]
    samples = generated_corpus(seed=11, size=40) + [" 小红帽", "龘", "👩‍👩‍👧 👍🏽", "<|im_start|>user\n你好<|im_end|>",
                                                    "  多个  空格\n\n换行"]
    mismatches = []
    for text in samples:
        shown = playground_ids(browser, box, text)
        held = box.find_element(By.CSS_SELECTOR, ".ttv-input").get_property("value")  # a textarea keeps \n for \r\n
        if shown != tokenizer.encode(held[:2000], add_special_tokens=False):
            mismatches.append(text)
    assert not mismatches, mismatches
    browser.save_screenshot(str(ARTIFACTS / "playground_tokens.png"))


def test_typed_html_shows_as_text(browser, site):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/02_tokenize.html")
    box = playground(browser, "tokens")
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>粗</b>'
    playground_ids(browser, box, hostile)
    output = box.find_element(By.CSS_SELECTOR, ".ttv-output")
    assert not output.find_elements(By.CSS_SELECTOR, "img, script, b")
    pieces = [e.get_attribute("textContent") for e in output.find_elements(By.CSS_SELECTOR, ".ttv-text")]
    assert "".join(pieces) == hostile
    assert browser.execute_script("return window.__pwned === undefined")
    assert sitecheck.console_errors(browser) == []


def test_embedding_playground_follows_the_slider(browser, site):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/03_embeddings.html")
    box = playground(browser, "embedding")
    slider = box.find_element(By.CSS_SELECTOR, ".ttv-hidden")
    for hidden in (8, 512, 8192):
        sitecheck.set_input(browser, slider, str(hidden))
        text = box.find_element(By.CSS_SELECTOR, ".ttv-output").text
        assert f"[151,665, {hidden:,}]" in text and f"{151_665 * hidden:,}" in text and f"[1, 5, {hidden:,}]" in text
    canvas = box.find_element(By.CSS_SELECTOR, "canvas.ttv-heatmap")
    assert (int(canvas.get_attribute("width")), int(canvas.get_attribute("height"))) == (256, 5)
    sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-input"), "")
    assert "请输入一段文字" in box.find_element(By.CSS_SELECTOR, ".ttv-output").text
    browser.save_screenshot(str(ARTIFACTS / "playground_embedding.png"))


def test_batch_playground_pads_on_either_side(browser, site):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/04_batching.html")
    box = playground(browser, "batch")
    sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-input"), "小红帽去森林\n大灰狼")
    sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-side"), "left")
    rows = box.find_elements(By.CSS_SELECTOR, ".ttv-grid")[1].find_elements(By.CSS_SELECTOR, "tr")
    assert [td.text for td in rows[2].find_elements(By.CSS_SELECTOR, "td")][:2] == ["0", "0"]
    assert "填充在左边" in box.text


def test_dark_mode_is_legible(browser, site):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/02_tokenize.html")
    browser.execute_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    open_page(browser, site + "chapters/02_tokenize.html")
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    box = playground(browser, "tokens")
    checks = {
        "prose": browser.find_element(By.CSS_SELECTOR, "article p"),
        "token": box.find_element(By.CSS_SELECTOR, ".ttv-tok .ttv-text"),
        "token id": box.find_element(By.CSS_SELECTOR, ".ttv-tok .ttv-id"),
        "note": box.find_element(By.CSS_SELECTOR, ".ttv-note"),
        "code": browser.find_element(By.CSS_SELECTOR, "div.highlight pre"),
    }
    for name, element in checks.items():
        fg, bg = browser.execute_script(sitecheck.EFFECTIVE_COLOURS, element)
        ratio = sitecheck.contrast(fg, bg)
        minimum = 3.0 if name == "token id" else 4.5  # ids are small print: WCAG's large-text bar would not apply
        assert ratio >= minimum, f"{name}: contrast {ratio:.2f} ({fg} on {bg})"
    browser.execute_script("arguments[0].scrollIntoView()", box)
    browser.save_screenshot(str(ARTIFACTS / "dark_mode.png"))
    browser.execute_script("localStorage.clear()")


@pytest.mark.parametrize("query, page", [("森林", "chapters/02_tokenize"), ("分词器", "chapters/01_load_tokenizer"),
                                         ("注意力掩码", "chapters/04_batching")])
def test_chinese_search_finds_the_teaching_page(browser, site, query, page):
    from selenium.webdriver.common.by import By

    open_page(browser, site + f"search.html?q={quote(query)}")
    sitecheck.wait_for(browser, "document.querySelectorAll('#search-results li').length > 0", timeout=15)
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#search-results li a")]
    assert any(re.search(rf"{page}\.html", link) for link in links), links


def test_header_icons_draw_from_the_bundled_web_fonts(browser, site):
    """fontawesome.js is left out (see _templates/static/webpack-macros.html); the icons must still draw."""
    open_page(browser, site + "chapters/02_tokenize.html")
    sitecheck.wait_for(browser, "document.fonts.status === 'loaded'")
    assert browser.execute_script("return document.fonts.check('900 16px \"Font Awesome 6 Free\"')")
    widths = browser.execute_script(
        "return [...document.querySelectorAll('.article-header-buttons i, .article-header-buttons span.fa')]"
        ".filter(i => i.offsetParent !== null)"  # menu items stay hidden until their dropdown opens
        ".map(i => i.getBoundingClientRect().width)")
    assert len(widths) >= 3 and all(w > 5 for w in widths), widths


@pytest.mark.parametrize("page", [p for p in PAGES if p.startswith("chapters/")])
def test_chapter_page_transfers_at_most_1_mb(site, page):
    """Bytes, not time: the same measure tools/budgets.py prints, in a fresh browser (nothing cached)."""
    from tools import budgets

    with sitecheck.chromium() as fresh:
        size, requests = budgets.page_transfer(fresh, site + page + ".html")
    assert requests > 5 and size <= budgets.PAGE_BUDGET, f"{page}: {size:,} bytes"


# --- the panels: one drawing (book/static/panel.js) for the notebook, the build-time page and the live page ---


def executed_panel_state(kind: str, stem: str) -> dict:
    """The panel state the build's kernel computed (the notebook widget's own state, saved in the notebook)."""
    notebook = json.loads((ROOT / "_build" / "jupyter_execute" / "chapters" / f"{stem}.ipynb").read_text("utf-8"))
    models = notebook["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"].values()
    return next(m["state"]["state"] for m in models if m["state"].get("state", {}).get("kind") == kind)


def shown_vectors(box) -> list[list[float]]:
    from selenium.webdriver.common.by import By

    text = box.find_element(By.CSS_SELECTOR, ".ttv-vectors").get_attribute("textContent")
    return [[float(v) for v in line.split("[", 1)[1].strip(" …]").split()] for line in text.splitlines() if "[" in line]


def test_live_panel_draws_the_notebook_widgets_vectors(browser, site, tokenizer):
    from selenium.webdriver.common.by import By

    notebook = executed_panel_state("embedding", "03_embeddings")
    assert notebook["hidden_size"] == 512 and notebook["sequences"][0]["ids"] == tokenizer.encode("小红帽去森林")
    open_page(browser, site + "chapters/03_embeddings.html")
    first = browser.find_element(By.CSS_SELECTOR, ".ttv-panel")
    built = shown_vectors(first)  # drawn from the build's state before any tokenizer loads
    box = playground(browser, "embedding")
    sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-input"), "小红帽去森林")
    live = shown_vectors(box)
    from .test_panels import browser_tokenizer_folder, node_states

    ids = notebook["sequences"][0]["ids"]
    asked = [{"vectors": {"ids": ids, "dims": 8, "seed": notebook["seed"]}}]
    expected = node_states(asked, browser_tokenizer_folder())[0]
    assert len(live) == len(ids) and built == live
    assert live == [[round(v, 4) for v in row] for row in expected]  # 4 decimals, as printed
    assert len(browser.find_elements(By.CSS_SELECTOR, ".ttv-panel")) == 1


def test_batch_panel_pads_like_the_tokenizer(browser, site, tokenizer):
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/04_batching.html")
    box = playground(browser, "batch")
    for text in ["小红帽去森林\n大灰狼", "a\r\nbb bb\n\n  \nccc ccc ccc", "你好<|im_end|>\n🐺"]:
        for side in ("left", "right"):
            sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-input"), text)
            sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-side"), side)
            shown = json.loads(box.find_element(By.CSS_SELECTOR, ".ttv-stats").get_attribute("data-ids"))
            sentences = [line for line in text.splitlines() if line.strip()]
            assert shown == tokenizer(sentences, padding=True, padding_side=side)["input_ids"]
    browser.save_screenshot(str(ARTIFACTS / "panel_batch.png"))


def test_panel_update_time_in_the_browser(browser, site):
    """Prints the browser's own update time (state + drawing) at hidden_size 8192; the budget is 50 ms at p95."""
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/03_embeddings.html")
    box = playground(browser, "embedding")
    times = browser.execute_script("""
        const box = arguments[0], slider = box.querySelector('.ttv-hidden'), text = box.querySelector('.ttv-input');
        text.value = '小红帽提着篮子，穿过森林去看望生病的外婆。'.repeat(90);
        const out = [];
        for (let k = 0; k < 100; k++) {
          const t = performance.now();
          slider.value = String(k % 2 ? 8192 : 8184);
          slider.dispatchEvent(new Event('input'));
          box.querySelector('canvas').getContext('2d').getImageData(0, 0, 1, 1);
          out.push(performance.now() - t);
        }
        return out.sort((a, b) => a - b);""", box)
    p95 = times[94]
    print(f"browser panel update at hidden_size 8192: p50 {times[49]:.1f} ms, p95 {p95:.1f} ms")
    assert "[151,665, 8,192]" in box.find_element(By.CSS_SELECTOR, ".ttv-output").text
    assert p95 < 250  # a loose guard: the figure itself is printed above and by `make budgets`


def test_compare_panel_tokenizes_like_python(browser, site, tokenizer):
    """Chapter 7's panel recomputes Qwen2.5 and chapter 6's BPE in the browser: the same IDs as Python."""
    from selenium.webdriver.common.by import By
    from transformers import PreTrainedTokenizerFast

    bpe = PreTrainedTokenizerFast.from_pretrained(str(ROOT / "_build" / "bpe6400"))
    open_page(browser, site + "chapters/07_compare_tokenizers.html")
    box = playground(browser, "compare")
    samples = generated_corpus(seed=31, size=34) + ["小红帽去森林", " 小红帽", "龘", "👩‍👩‍👧", "森林" * 20,
                                                    "<|im_end|>"]
    assert len(samples) >= 40
    for text in samples:
        field = box.find_element(By.CSS_SELECTOR, ".ttv-input")
        sitecheck.set_input(browser, field, text)
        text = field.get_property("value")  # what the page holds: a textarea turns \r\n into \n
        rows = {row.get_attribute("data-name"): json.loads(row.find_element(By.CSS_SELECTOR, ".ttv-stats")
                                                           .get_attribute("data-ids"))
                for row in box.find_elements(By.CSS_SELECTOR, ".ttv-compare-row")}
        assert rows["Qwen2.5"] == tokenizer.encode(text, add_special_tokens=False), text
        assert rows["第 6 章 BPE"] == bpe.encode(text, add_special_tokens=False), text
    browser.save_screenshot(str(ARTIFACTS / "panel_compare.png"))


def test_stride_panel_cuts_the_tokenizers_windows(browser, site, tokenizer):
    """Chapter 10's panel: the browser's windows equal what transformers cuts, on 20 inputs."""
    from selenium.webdriver.common.by import By

    open_page(browser, site + "chapters/10_training_examples.html")
    box = playground(browser, "stride")
    texts = generated_corpus(seed=41, size=14) + ["小红帽提着篮子，穿过森林去看望生病的外婆。" * 3, "你好",
                                                  "a b c d e f"]
    settings = [(8, 2), (6, 0), (4, 3), (16, 5), (12, 11), (5, 1)]
    for k, text in enumerate(texts[:20]):
        max_length, stride = settings[k % len(settings)]
        sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, ".ttv-input"), text)
        sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, "input.ttv-max_length"), str(max_length))
        sitecheck.set_input(browser, box.find_element(By.CSS_SELECTOR, "input.ttv-stride"), str(stride))
        windows = json.loads(box.find_element(By.CSS_SELECTOR, ".ttv-stats").get_attribute("data-windows"))
        ids = tokenizer.encode(text, add_special_tokens=False)
        cut = tokenizer(text, add_special_tokens=False, truncation=True, max_length=max_length, stride=stride,
                        return_overflowing_tokens=True)["input_ids"]
        assert [ids[start:end] for start, end in windows] == cut, (text, max_length, stride)
    browser.save_screenshot(str(ARTIFACTS / "panel_stride.png"))
