/* The page around the lessons: sidebar buttons that work at every width, tooltips that let go after a tap,
 * and plain notes instead of errors when the site is opened from disk (file://).
 * Jupyter Book links every .js in _static on every page. */
(function () {
  "use strict";

  /* pydata-sphinx-theme 0.17.1 binds ☰ and the page-contents button to the first .primary-toggle /
   * .secondary-toggle in the page, which sphinx-book-theme hides (pydata/pydata-sphinx-theme#2451).
   * Every other copy forwards its click to that first one, so the theme's own code still does the work:
   * a modal list on narrow screens, a collapsing sidebar from 992 px up. */
  function forwardToggles(selector) {
    const toggles = Array.from(document.querySelectorAll(selector));
    const bound = toggles[0];
    toggles.slice(1).forEach((button) => {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    });
  }

  /* On narrow screens the theme shows the chapter list and the page contents in a <dialog> that only a tap beside it
   * or Escape closes: after a tap on a link in it (a heading of this page, or a page restored by the back button)
   * the drawer would still cover the page. The link is followed as usual; the dialog closes after it. */
  function closeDrawersOnLinkClick() {
    ["pst-primary-sidebar-modal", "pst-secondary-sidebar-modal"].forEach((id) => {
      const dialog = document.getElementById(id);
      if (!dialog) return;
      dialog.addEventListener("click", (event) => {
        if (dialog.open && event.target.closest("a[href]")) setTimeout(() => dialog.close(), 0);
      });
    });
  }

  /* Bootstrap shows a tooltip on focus too: after a tap it would stay on screen and cover the next tap. */
  function releaseTooltipsOnClick() {
    document.addEventListener("click", (event) => {
      const trigger = event.target.closest('[data-bs-toggle="tooltip"]');
      if (!trigger) return;
      const tooltip = window.bootstrap && window.bootstrap.Tooltip.getInstance(trigger);
      if (tooltip) tooltip.hide();
      trigger.blur();
    }, true);
  }

  /* sphinx-togglebutton writes an English label into the buttons it adds (solutions, dropdowns). */
  function labelToggleButtons() {
    document.querySelectorAll('button.toggle-button[aria-label="Toggle hidden content"]').forEach((button) => {
      button.setAttribute("aria-label", "展开或收起");
    });
  }

  function note(text) {
    const box = document.createElement("div");
    box.className = "admonition note site-file-note";
    box.setAttribute("role", "note");
    const title = document.createElement("p");
    title.className = "admonition-title";
    title.textContent = "从本地文件打开";
    const body = document.createElement("p");
    body.textContent = text;
    box.append(title, body);
    return box;
  }

  /* From file:// browsers refuse ES modules (the diagram) and fetch() (search summaries). */
  function explainFileProtocol() {
    const server = "在仓库里运行 make serve（或 python -m http.server --directory _build/html），再用浏览器打开它给出的地址。";
    document.querySelectorAll("pre.mermaid").forEach((diagram) => {
      diagram.before(note("浏览器不允许本地文件加载画图脚本，下面是流程图的文字源码。要看图：" + server));
    });
    const results = document.getElementById("search-results");
    if (results) {
      results.before(note("搜索只列出匹配的页面标题，不显示摘要（浏览器不允许本地文件读取其他页面）。要看摘要：" + server));
    }
  }

  // The search page starts searching on DOMContentLoaded: summaries must be off before that.
  // DOCUMENTATION_OPTIONS is a top-level const of Sphinx's documentation_options.js, not a property of window.
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }

  function start() {
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    closeDrawersOnLinkClick();
    releaseTooltipsOnClick();
    labelToggleButtons();
    window.addEventListener("load", labelToggleButtons);  // in case the buttons came later
    if (window.location.protocol === "file:") explainFileProtocol();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
