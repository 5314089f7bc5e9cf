// Kernel-free playground: the real Qwen2.5 tokenizer (the file the book builds) running in the browser.
// It upgrades each widget snapshot (.ttv-snapshot[data-playground]) on the static site into live controls.
// User text is only ever shown through textContent, never parsed as HTML.
import { Tokenizer } from "@huggingface/tokenizers";

const BASE = new URL(".", document.currentScript ? document.currentScript.src : location.href);
const MAX_CHARS = 2000;
const MIN_HIDDEN = 8;
const MAX_HIDDEN = 8192;
const INIT_STD = 0.02;
const HEATMAP_TOKENS = 32;
const HEATMAP_DIMS = 256;

const state = { loadStartedAt: null, readyAt: null, error: null, tokenizer: null };
window.ttvPlayground = state;

// ---- the tokenizer, loaded once, only when a playground is needed ---------------------------------------
let loading = null;
function loadTokenizer() {
  if (!loading) {
    state.loadStartedAt = performance.now();
    loading = Promise.all([fetchGzipJson("tokenizer.json.gz"), fetchJson("tokenizer_config.json")])
      .then(([json, config]) => {
        state.tokenizer = new Tokenizer(json, config);
        state.vocabRows = Object.keys(json.model.vocab).length + json.added_tokens.length;
        state.vocabSize = Object.keys(json.model.vocab).length;
        state.readyAt = performance.now();
        return state.tokenizer;
      })
      .catch((error) => {
        state.error = String(error);
        throw error;
      });
  }
  return loading;
}

async function fetchJson(name) {
  const response = await fetch(new URL(name, BASE));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  return response.json();
}

async function fetchGzipJson(name) {
  const response = await fetch(new URL(name, BASE));
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const stream = response.body.pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).json();
}

// ---- bytes of byte-level tokens, merged back into whole characters ---------------------------------------
const BYTE_OF_CHAR = (() => {
  const printable = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const map = new Map();
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const ch = printable.includes(b) ? b : 256 + extra++;
    map.set(String.fromCodePoint(ch), b);
  }
  return map;
})();

function tokenBytes(tokenizer, id, token) {
  if (id >= state.vocabSize) return new TextEncoder().encode(token);
  return Uint8Array.from([...token].map((ch) => BYTE_OF_CHAR.get(ch)));
}

const STRICT = new TextDecoder("utf-8", { fatal: true });

function spansOf(tokenizer, encoded) {
  const spans = [];
  let ids = [];
  let pieces = [];
  encoded.ids.forEach((id, k) => {
    const bytes = tokenBytes(tokenizer, id, encoded.tokens[k]);
    if (id >= state.vocabSize && !ids.length) {
      spans.push({ text: encoded.tokens[k], ids: [id], pieces: [bytes], special: true });
      return;
    }
    ids.push(id);
    pieces.push(bytes);
    const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of pieces) { joined.set(p, offset); offset += p.length; }
    try {
      spans.push({ text: STRICT.decode(joined), ids, pieces, special: false });
      ids = [];
      pieces = [];
    } catch { /* an incomplete character: keep collecting bytes */ }
  });
  if (ids.length) spans.push({ text: "\ufffd", ids, pieces, special: false });
  return spans;
}

// ---- input checks (the same rules as book.inputs) ---------------------------------------------------------
function checkText(raw) {
  const notes = [];
  if (!raw) return { text: "", notes, error: "请输入一段文字，例如：小红帽去森林。" };
  let text = raw;
  if ([...text].length > MAX_CHARS) {
    notes.push(`文本超过上限 ${MAX_CHARS.toLocaleString()} 个字符：只处理前 ${MAX_CHARS.toLocaleString()} 个字符。`);
    text = [...text].slice(0, MAX_CHARS).join("");
  }
  if (!text.trim()) notes.push("文本只有空白字符：空白本身也会被切成 token。");
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) notes.push("文本里有控制字符：它们不可见，但同样会变成 token。");
  if (/<\|[a-z_]+\|>/.test(text)) notes.push("文本里写着形如 <|…|> 的特殊 token：分词器把它识别为一个控制 token（一个 ID）。来自用户的文本应当按普通文字处理（Python 里用 split_special_tokens=True）。");
  return { text: text.normalize("NFC"), notes, error: "" };
}

function checkHidden(value) {
  const n = Number(value);
  if (!Number.isInteger(n)) return { hidden: 0, error: `hidden_size 必须是 ${MIN_HIDDEN} 到 ${MAX_HIDDEN} 之间的整数。` };
  if (n < MIN_HIDDEN) return { hidden: 0, error: `hidden_size = ${n} 太小：每个 token 至少需要 ${MIN_HIDDEN} 维。` };
  if (n > MAX_HIDDEN) return { hidden: 0, error: `hidden_size = ${n} 太大：这里最多 ${MAX_HIDDEN} 维。` };
  return { hidden: n, error: "" };
}

// ---- DOM helpers: every piece of text goes in through textContent -----------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function notesNode(notes, error) {
  const box = el("div");
  for (const note of notes) box.append(el("div", { class: "ttv-note", text: note }));
  if (error) box.append(el("div", { class: "ttv-error", text: "⚠ " + error }));
  return box;
}

function humanBytes(size) {
  for (const [unit, scale] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]]) {
    if (size >= scale) return `${(size / scale).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${unit}`;
  }
  return `${size} B`;
}

// ---- the three views ---------------------------------------------------------------------------------------
function renderTokens(tokenizer, raw, out) {
  const checked = checkText(raw);
  out.replaceChildren(notesNode(checked.notes, checked.error));
  if (checked.error) return;
  const encoded = tokenizer.encode(checked.text, { add_special_tokens: false });
  const spans = spansOf(tokenizer, encoded);
  const chars = [...checked.text].length;
  out.append(el("div", {
    class: "ttv-stats",
    "data-ids": JSON.stringify(encoded.ids),
    text: `${chars.toLocaleString()} 个字符 → ${encoded.ids.length.toLocaleString()} 个 token，平均每个 token ${(chars / Math.max(encoded.ids.length, 1)).toFixed(2)} 个字符`,
  }));
  const row = el("div", { class: "ttv-spans" });
  spans.forEach((span, k) => {
    const bytes = span.pieces.map((p) => [...p].map((b) => b.toString(16).padStart(2, "0")).join(" ")).join(" | ");
    const classes = `ttv-tok ttv-c${k % 6}` + (span.special ? " ttv-special" : "") + (span.ids.length > 1 ? " ttv-merged" : "");
    row.append(el("span", { class: classes, title: `ID ${span.ids.join(" ")} · 字节 ${bytes}` },
      el("span", { class: "ttv-text", text: span.text }), el("span", { class: "ttv-id", text: span.ids.join(" ") })));
  });
  out.append(row);
}

// Deterministic N(0, 0.02²) values for (id, dim): a small counter-based hash and Box–Muller.
function gaussian(id, dim, hidden) {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(dim + 1, 0xc2b2ae35) ^ Math.imul(hidden, 0x27d4eb2f);
  const next = () => {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    h ^= h >>> 15;
    return ((h >>> 0) + 1) / 4294967297;
  };
  return INIT_STD * Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
}

function heatmap(ids, hidden) {
  const rows = Math.min(ids.length, HEATMAP_TOKENS);
  const cols = Math.min(hidden, HEATMAP_DIMS);
  const canvas = el("canvas", { class: "ttv-heatmap", width: String(cols), height: String(rows) });
  canvas.style.width = "100%";
  canvas.style.height = `${rows * 14}px`;
  canvas.style.imageRendering = "pixelated";
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(cols, rows);
  const limit = 3 * INIT_STD;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const t = Math.max(-1, Math.min(1, gaussian(ids[r], c, hidden) / limit));
      const [end, i] = [t >= 0 ? [178, 24, 43] : [33, 102, 172], 4 * (r * cols + c)];
      for (let k = 0; k < 3; k++) image.data[i + k] = Math.round(247 + Math.abs(t) * (end[k] - 247));
      image.data[i + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function renderEmbedding(tokenizer, raw, hiddenValue, out) {
  const { hidden, error } = checkHidden(hiddenValue);
  if (error) { out.replaceChildren(notesNode([], error)); return; }
  const rows = state.vocabRows;
  const table = el("table", { class: "ttv-table" });
  const line = (name, value) => table.append(el("tr", {}, el("th", { text: name }), el("td", { text: value })));
  line("嵌入表形状", `[${rows.toLocaleString("en-US")}, ${hidden.toLocaleString("en-US")}]`);
  line("参数量", (rows * hidden).toLocaleString("en-US"));
  line("内存 float32", humanBytes(rows * hidden * 4));
  line("内存 bfloat16", humanBytes(rows * hidden * 2));
  const checked = checkText(raw);
  out.replaceChildren(notesNode(checked.notes, checked.error), table);
  if (checked.error) return;
  const ids = tokenizer.encode(checked.text, { add_special_tokens: false }).ids;
  line("这段文字的向量", `[1, ${ids.length.toLocaleString("en-US")}, ${hidden.toLocaleString("en-US")}]`);
  if (!ids.length) return;
  out.append(el("div", {
    class: "ttv-caption",
    text: `热图：前 ${Math.min(ids.length, HEATMAP_TOKENS)} 个 token × 前 ${Math.min(hidden, HEATMAP_DIMS)} 维（红 = 正，蓝 = 负）。浏览器里的数由确定性的伪随机数生成，分布与 Python 相同（N(0, 0.02²)），数值不同。`,
  }), heatmap(ids, hidden));
}

function renderBatch(tokenizer, raw, side, out) {
  const sentences = (raw || "").split(/\r?\n/).filter((s) => s.trim()).slice(0, 8).map((s) => checkText([...s].slice(0, 200).join("")).text);
  if (!sentences.length) { out.replaceChildren(notesNode([], "请至少输入一句话（每行一句）。")); return; }
  const encoded = sentences.map((s) => tokenizer.encode(s, { add_special_tokens: false }).ids);
  const width = Math.max(...encoded.map((ids) => ids.length));
  const padId = tokenizer.model.tokens_to_ids.get("<|endoftext|>");
  const padded = encoded.map((ids) => {
    const pad = new Array(width - ids.length).fill(null);
    return side === "left" ? [...pad, ...ids] : [...ids, ...pad];
  });
  const grid = (cell) => {
    const table = el("table", { class: "ttv-table ttv-grid" });
    table.append(el("tr", {}, el("th"), ...Array.from({ length: width }, (_, j) => el("th", { text: String(j) }))));
    padded.forEach((row, i) => table.append(el("tr", {}, el("th", { text: String(i) }), ...row.map(cell))));
    return table;
  };
  out.replaceChildren(
    el("div", { class: "ttv-stats", text: `${sentences.length} 句 → input_ids 形状 [${sentences.length}, ${width}]，填充在${side === "left" ? "左" : "右"}边，PAD = <|endoftext|>（ID ${padId}）` }),
    el("div", { text: "input_ids" }), grid((id) => el("td", { class: id === null ? "ttv-pad" : "", text: String(id === null ? padId : id) })),
    el("div", { text: "attention_mask" }), grid((id) => el("td", { class: id === null ? "ttv-pad" : "", text: id === null ? "0" : "1" })),
  );
}

// ---- wiring: one playground per snapshot -------------------------------------------------------------------
function build(snapshot) {
  const kind = snapshot.dataset.playground;
  const box = el("div", { class: "ttv-playground", "data-kind": kind });
  const status = el("div", { class: "ttv-note", text: "浏览器内的互动版（无需内核）：分词器加载中…" });
  const out = el("div", { class: "ttv-output" });
  const text = kind === "tokens" || kind === "batch"
    ? el("textarea", { class: "ttv-input", rows: kind === "batch" ? "4" : "2", "aria-label": "文本" })
    : el("input", { class: "ttv-input", type: "text", "aria-label": "文本" });
  text.value = snapshot.dataset.text || "";
  box.append(status, text);
  let update;
  if (kind === "embedding") {
    const slider = el("input", { type: "range", class: "ttv-hidden", min: String(MIN_HIDDEN), max: String(MAX_HIDDEN), step: "8", "aria-label": "hidden_size" });
    slider.value = snapshot.dataset.hidden || "512";
    const label = el("span", { class: "ttv-hidden-label", text: `hidden_size = ${slider.value}` });
    box.append(el("div", {}, label, slider));
    update = () => { label.textContent = `hidden_size = ${slider.value}`; renderEmbedding(state.tokenizer, text.value, slider.value, out); };
    slider.addEventListener("input", () => state.tokenizer && update());
  } else if (kind === "batch") {
    const side = el("select", { class: "ttv-side", "aria-label": "填充方向" }, el("option", { value: "right", text: "右填充" }), el("option", { value: "left", text: "左填充" }));
    side.value = snapshot.dataset.padding_side || "right";
    box.append(side);
    update = () => renderBatch(state.tokenizer, text.value, side.value, out);
    side.addEventListener("change", () => state.tokenizer && update());
  } else {
    update = () => renderTokens(state.tokenizer, text.value, out);
  }
  text.addEventListener("input", () => state.tokenizer && update());
  box.append(out);
  snapshot.before(box);
  snapshot.classList.add("ttv-snapshot-behind");
  const start = () => loadTokenizer().then(() => {
    status.textContent = "浏览器内的互动版（无需内核）：与书中 Python 用的是同一个 Qwen2.5 分词器。下方是构建时的静态快照。";
    box.dataset.ready = "true";
    update();
  }).catch((error) => {
    status.className = "ttv-error";
    status.textContent = `⚠ 浏览器里加载分词器失败（${error.message || error}）。请通过 http 打开网站（例如 make serve）；下方的静态快照仍然有效。`;
  });
  if ("IntersectionObserver" in window) {
    const seen = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); start(); }
    });
    seen.observe(box);
  } else {
    start();
  }
  text.addEventListener("focus", start, { once: true });
}

function init() {
  document.querySelectorAll(".ttv-snapshot[data-playground]").forEach(build);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
