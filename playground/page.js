// The panels on the static site: each .ttv-panel holds the state the build computed. It is drawn at once by
// book/static/panel.js (the drawing Jupyter uses), and becomes live once the browser has the book's tokenizer.
import { drawPanel, el } from "../book/static/panel.js";
import { RULES, compareState, panelState, strideState, tokenizersFrom } from "./encode.js";

const BASE = new URL(".", document.currentScript ? document.currentScript.src : location.href);
const state = { loadStartedAt: null, readyAt: null, error: null, tokenizers: null }; // Qwen2.5's load, for tests
window.ttvPlayground = state;

// ---- the tokenizer: loaded once when a panel is seen or used; a failed load can be retried ----------------
// Each tokenizer the site serves lives in its own folder (`site` names it; "" is Qwen2.5 at the top).
const loading = new Map();
function loadTokenizers(site = "") {
  if (!loading.has(site)) {
    const folder = site ? `${site}/` : "";
    if (!site) state.loadStartedAt = performance.now();
    const load = Promise.all([fetchJson(`${folder}tokenizer.json.gz`, true), fetchJson(`${folder}tokenizer_config.json`, false)])
      .then(([json, config]) => {
        const tokenizers = tokenizersFrom(json, config);
        if (!site) Object.assign(state, { tokenizers, readyAt: performance.now(), error: null });
        return tokenizers;
      })
      .catch((error) => {
        state.error = String(error);
        loading.delete(site); // the next attempt starts afresh
        throw error;
      });
    loading.set(site, load);
  }
  return loading.get(site);
}

const FETCH_SECONDS = 30; // a stalled download ends with an error (and a retry button), not a wait forever

async function fetchJson(name, gzipped) {
  const response = await fetch(new URL(name, BASE), { signal: AbortSignal.timeout(FETCH_SECONDS * 1000) });
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  if (!gzipped) return response.json();
  return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).json();
}

// ---- controls: the same ones the notebook shows as ipywidgets ---------------------------------------------
function labelled(text, control) {
  return el("label", { class: "ttv-control" }, el("span", { class: "ttv-label", text }), control);
}

function controlsFor(initial) {
  const kind = initial.kind;
  const multiline = kind !== "embedding";
  const text = el(multiline ? "textarea" : "input", { class: "ttv-input", rows: kind === "batch" ? "4" : "2" });
  text.value = initial.text ?? "";
  const inputs = { text };
  const rows = [labelled(kind === "batch" ? "每行一句" : "文本", text)];
  const slider = (name, label, min, max, step, value, list) => {
    const range = el("input", { type: "range", class: `ttv-${name}`, min: String(min), max: String(max),
      step: String(step), "aria-label": label, ...(list ? { list } : {}) });
    range.value = String(value);
    const readout = el("output", { class: "ttv-readout", text: range.value });
    range.addEventListener("input", () => { readout.textContent = range.value; });
    const ends = el("div", { class: "ttv-ends" }, el("span", { text: String(min) }), el("span", { text: String(max) }));
    rows.push(el("div", { class: "ttv-control ttv-range" }, el("span", { class: "ttv-label", text: label }),
      el("div", { class: "ttv-slider" }, range, ends), readout));
    inputs[name] = range;
  };
  if (kind === "embedding") {
    slider("hidden_size", "hidden_size", RULES.min_hidden, RULES.max_hidden, RULES.hidden_step,
      initial.hidden_size || 512, "ttv-hidden-marks");
    inputs.hidden_size.classList.add("ttv-hidden");
  }
  if (kind === "stride") {
    slider("max_length", "max_length", RULES.min_window, RULES.max_window, 1, initial.max_length || 8);
    slider("stride", "stride（重叠）", 0, RULES.max_window - 1, 1, initial.stride ?? 2);
    const [size, overlap] = [inputs.max_length, inputs.stride];
    const follow = () => { // stride < max_length always: its slider ends at max_length − 1
      overlap.max = String(Number(size.value) - 1);
      overlap.parentNode.querySelector(".ttv-ends span:last-child").textContent = overlap.max;
      overlap.dispatchEvent(new Event("input"));
    };
    size.addEventListener("input", follow);
    overlap.max = String(Number(size.value) - 1);
    overlap.parentNode.querySelector(".ttv-ends span:last-child").textContent = overlap.max;
  }
  if (kind === "batch") {
    const side = el("select", { class: "ttv-side" }, el("option", { value: "right", text: "右填充（right）" }),
      el("option", { value: "left", text: "左填充（left）" }));
    side.value = initial.padding_side;
    rows.push(labelled("填充方向 padding_side", side));
    inputs.padding_side = side;
  }
  if (kind === "tokens") {
    for (const [name, label] of [["show_bytes", "显示字节"], ["show_whitespace", "显示空白"],
      ["split_special", "split_special_tokens=True"]]) {
      const box = el("input", { type: "checkbox" });
      box.checked = Boolean(initial[name]);
      rows.push(el("label", { class: "ttv-toggle" }, box, el("span", { text: label })));
      inputs[name] = box;
    }
  }
  return { rows, inputs };
}

function readInputs(inputs) {
  const values = {};
  for (const [name, node] of Object.entries(inputs)) values[name] = node.type === "checkbox" ? node.checked : node.value;
  for (const name of ["hidden_size", "max_length", "stride"]) if (name in values) values[name] = Number(values[name]);
  return values;
}

// ---- one panel ----------------------------------------------------------------------------------------------
function build(node) {
  const initial = JSON.parse(node.dataset.state);
  const { rows, inputs } = controlsFor(initial);
  const status = el("div", { class: "ttv-status", role: "status" });
  const out = el("div", { class: "ttv-output" });
  drawPanel(out, initial);
  node.replaceChildren(el("div", { class: "ttv-controls" }, ...rows), status, out);
  node.dataset.kind = initial.kind;
  const live = initial.kind === "compare" ? initial.sequences.filter((s) => typeof s.site === "string") : [{ site: "" }];
  const say = (text, kind = "ttv-note") => { status.className = `ttv-status ${kind}`; status.textContent = text; };
  say(initial.kind === "compare"
    ? `下面是构建网站时算出的结果。改动文字后，浏览器会载入 ${live.map((s) => s.name).join("、")} 的分词器，无需内核重算这几行；`
      + "其余分词器请在 Jupyter、Colab 或 Binder 中运行本章对比。"
    : "下面是构建网站时算出的结果。在这里改输入，浏览器会载入同一个 Qwen2.5 分词器（约 2 MB），无需内核即可重算。");
  const loaded = new Map();
  const update = () => {
    const values = readInputs(inputs);
    if (initial.kind === "stride") {
      drawPanel(out, strideState(loaded.get(""), values));
      return;
    }
    if (initial.kind !== "compare") {
      drawPanel(out, panelState(initial.kind, loaded.get(""), { ...values, seed: initial.seed }));
      return;
    }
    const rows = live.map(({ name, site }) => ({ name, site, tokenizers: loaded.get(site) }));
    const next = compareState(rows, values.text);
    if (live.length < initial.sequences.length) {
      next.notes.unshift(`浏览器里重算的是 ${live.map((s) => s.name).join("、")}；其余分词器请在 Jupyter、Colab 或 Binder 中运行本章对比。`);
    }
    drawPanel(out, next);
  };
  const ready = () => live.every(({ site }) => loaded.has(site));
  const start = () => {
    if (location.protocol === "file:") {
      say("从本地文件（file://）打开时，浏览器不允许读取分词器文件：请用 make serve 通过 http 打开网站。"
        + "下面仍是构建时的结果。", "ttv-error");
      return;
    }
    if (!ready()) say("正在载入浏览器里的分词器…");
    Promise.all(live.map(({ site }) => loadTokenizers(site).then((t) => loaded.set(site, t)))).then(() => {
      say("浏览器里的分词器已就绪（与书中 Python 用的是同一个 tokenizer.json），改动输入即可实时重算。");
      node.dataset.ready = "true";
      if (changed) update();
    }).catch((error) => {
      failed = true;
      const reason = error.name === "TimeoutError" ? `${FETCH_SECONDS} 秒内没有下载完` : error.message || error;
      say(`⚠ 载入分词器失败（${reason}）。下面仍是构建时的结果。`, "ttv-error");
      const retry = el("button", { type: "button", class: "ttv-retry", text: "重试" });
      retry.addEventListener("click", () => { failed = false; start(); }, { once: true });
      status.append(" ", retry);
    });
  };
  let changed = false; // until the reader changes an input, the build-time drawing is already the answer
  let failed = false; // after a failed load only the retry button loads again
  const changedInput = () => {
    changed = true;
    if (ready()) update();
    else if (!failed) start();
  };
  for (const control of Object.values(inputs)) {
    const kindOfEvent = control.tagName === "SELECT" || control.type === "checkbox" ? "change" : "input";
    control.addEventListener(kindOfEvent, changedInput);
  }
  if ("IntersectionObserver" in window) {
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); start(); }
    });
    seen.observe(node);
  } else {
    start();
  }
}

function init() {
  if (!document.querySelector(".ttv-panel[data-state]")) return;
  document.head.append(el("link", { rel: "stylesheet", href: new URL("panel.css", BASE).href }));
  if (!document.getElementById("ttv-hidden-marks")) {
    const marks = el("datalist", { id: "ttv-hidden-marks" });
    for (const value of [RULES.min_hidden, 512, 896, 2048, 3584, 4096, RULES.max_hidden]) {
      marks.append(el("option", { value: String(value) }));
    }
    document.body.append(marks);
  }
  document.querySelectorAll(".ttv-panel[data-state]").forEach((node) => {
    try {
      build(node);
    } catch (error) { // one unreadable panel must not take the others down
      node.prepend(el("div", { class: "ttv-error", text: `⚠ 这个面板无法显示（${error.message || error}）。` }));
    }
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
