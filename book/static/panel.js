// The one drawing of the course's three panels (tokens, embedding, batch) from a state object.
// Jupyter: anywidget calls render() with the state book/panels.py computed. The site: playground/page.js calls
// drawPanel() with the build-time state, then with the state playground/encode.js computes in the browser.
// Every piece of text enters the page through textContent, never as HTML.

const STD = 0.02; // N(0, 0.02²): the models' initializer_range
const PREVIEW_TOKENS = 8;
const PREVIEW_DIMS = 8;
const HEAT_TOKENS = 32;
const HEAT_DIMS = 256;

export function render({ model, el }) {
  const draw = () => drawPanel(el, model.get("state"));
  draw();
  model.on("change:state", draw);
  return () => model.off("change:state", draw);
}

export function drawPanel(root, state) {
  const views = { tokens: tokensView, embedding: embeddingView, batch: batchView, compare: compareView, stride: strideView };
  const box = el("div", { class: "ttv-view" });
  for (const note of state.notes) box.append(el("div", { class: "ttv-note", text: note }));
  if (state.kind === "embedding" && state.hidden_size) box.append(sizeTable(state));
  if (state.error) box.append(el("div", { class: "ttv-error", text: "⚠ " + state.error }));
  else views[state.kind](box, state);
  root.replaceChildren(box);
}

// ---- tokens: coloured spans, bytes of split characters merged back -----------------------------------
function tokensView(box, state) {
  const { ids, tokens } = state.sequences[0];
  const spans = mergeSpans(ids, tokens, state.vocab_size);
  const chars = spans.reduce((n, s) => n + [...s.text].length, 0);
  const merged = spans.filter((s) => s.ids.length > 1).length;
  box.append(el("div", {
    class: "ttv-stats", "data-ids": JSON.stringify(ids),
    text: `${fmt(chars)} 个字符 → ${fmt(ids.length)} 个 token，平均每个 token ${(chars / Math.max(ids.length, 1)).toFixed(2)} 个字符`
      + (merged ? `；${merged} 处字符被拆进多个字节 token，已合并显示` : ""),
  }), spansRow(spans, state));
}

// ---- compare: one row per tokenizer; byte-level rows merged back into characters, others shown as they are --
function compareView(box, state) {
  const chars = [...state.text].length;
  for (const seq of state.sequences) {
    const spans = seq.byte_level ? mergeSpans(seq.ids, seq.tokens, seq.vocab_size)
      : seq.ids.map((id, k) => ({ text: seq.tokens[k], ids: [id], pieces: [utf8.encode(seq.tokens[k])], special: false }));
    box.append(el("div", { class: "ttv-compare-row", "data-name": seq.name },
      el("div", { class: "ttv-stats", "data-ids": JSON.stringify(seq.ids),
        text: `${seq.name}：${fmt(seq.ids.length)} 个 token，每个 token ${(chars / Math.max(seq.ids.length, 1)).toFixed(2)} 个字符` }),
      spansRow(spans, state)));
  }
}

function spansRow(spans, state) {
  const row = el("div", { class: "ttv-spans" });
  spans.forEach((span, k) => {
    const bytes = span.pieces.map(hex).join(" | ");
    const kind = (span.special ? " ttv-special" : "") + (span.ids.length > 1 ? " ttv-merged" : "");
    const title = `ID ${span.ids.join(" ")} · 字节 ${bytes}`
      + (span.ids.length > 1 ? ` · ${span.ids.length} 个 token 拼成` : "");
    row.append(el("span", { class: `ttv-tok ttv-c${k % 6}${kind}`, title },
      el("span", { class: "ttv-text", text: state.show_whitespace ? visible(span.text) : span.text }),
      el("span", { class: "ttv-id", text: span.ids.join(" ") }),
      state.show_bytes ? el("span", { class: "ttv-bytes", text: bytes }) : null));
  });
  return row;
}

export function mergeSpans(ids, tokens, vocabSize) {
  const spans = [];
  let pending = { ids: [], pieces: [] };
  ids.forEach((id, k) => {
    if (id >= vocabSize && !pending.ids.length) {
      spans.push({ text: tokens[k], ids: [id], pieces: [utf8.encode(tokens[k])], special: true });
      return;
    }
    pending.ids.push(id);
    pending.pieces.push(id >= vocabSize ? utf8.encode(tokens[k]) : tokenBytes(tokens[k]));
    const text = decodeWhole(pending.pieces);
    if (text === null) return; // an incomplete character: keep collecting bytes
    spans.push({ text, ...pending, special: false });
    pending = { ids: [], pieces: [] };
  });
  if (pending.ids.length) spans.push({ text: "\ufffd", ...pending, special: false });
  return spans;
}

// GPT-2's byte-level alphabet: printable bytes stand for themselves, the others shift to U+0100 and up.
const BYTE_OF_CHAR = (() => {
  const map = new Map();
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    map.set(String.fromCodePoint(printable ? b : 256 + shifted++), b);
  }
  return map;
})();
const utf8 = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true });
const tokenBytes = (token) => Uint8Array.from([...token], (ch) => BYTE_OF_CHAR.get(ch));
const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

function decodeWhole(pieces) {
  const joined = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) { joined.set(p, at); at += p.length; }
  try { return strict.decode(joined); } catch { return null; }
}

const visible = (text) => text.replaceAll(" ", "␣").replaceAll("\n", "⏎").replaceAll("\t", "⇥").replaceAll("\r", "␍");

// ---- embedding: table size, and the rows of this text's IDs without building the table ----------------
function sizeTable(state) {
  const { rows, hidden_size: hidden } = state;
  const lines = [
    ["嵌入表形状", `[${fmt(rows)}, ${fmt(hidden)}]`], ["参数量", fmt(rows * hidden)],
    ["内存 float32", humanBytes(rows * hidden * 4)], ["内存 bfloat16", humanBytes(rows * hidden * 2)],
  ];
  if (state.sequences.length) lines.push(["这段文字的向量", `[1, ${fmt(state.sequences[0].ids.length)}, ${fmt(hidden)}]`]);
  return table(lines.map(([name, value]) => [el("th", { text: name }), el("td", { text: value })]), "ttv-sizes");
}

function embeddingView(box, state) {
  const { ids } = state.sequences[0];
  const hidden = state.hidden_size;
  if (!ids.length) return;
  const dims = Math.min(hidden, PREVIEW_DIMS);
  const lines = ids.slice(0, PREVIEW_TOKENS).map((id) => {
    const numbers = Array.from({ length: dims }, (_, d) => signed(initialValue(id, d, state.seed)));
    return `${String(id).padStart(6)}  [${numbers.join(" ")}${hidden > dims ? " …" : ""}]`;
  });
  if (ids.length > PREVIEW_TOKENS) lines.push(`… 共 ${fmt(ids.length)} 行`);
  box.append(el("pre", { class: "ttv-vectors", text: lines.join("\n") }), heatmap(ids, hidden, state.seed));
}

// The initial value of (id, dim): a counter-based hash turned into N(0, STD²) by Box–Muller. Any row of any
// width can be computed alone, so the panel never builds a [rows, hidden_size] table.
export function initialValue(id, dim, seed = 0) {
  let h = mix(mix(mix(0x9e3779b9 ^ seed) ^ id) ^ dim);
  const u1 = ((h >>> 0) + 1) / 4294967297;
  h = mix(h);
  const u2 = (h >>> 0) / 4294967296;
  return STD * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function mix(x) { // murmur3's 32-bit finaliser
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return x ^ (x >>> 16);
}

function heatmap(ids, hidden, seed) {
  const rows = Math.min(ids.length, HEAT_TOKENS);
  const cols = Math.min(hidden, HEAT_DIMS);
  const canvas = el("canvas", { class: "ttv-heatmap", width: String(cols), height: String(rows),
    role: "img", "aria-label": `热图：${rows} 个 token × ${cols} 维` });
  canvas.style.height = `${rows * 14}px`;
  const image = canvas.getContext("2d").createImageData(cols, rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const t = Math.max(-1, Math.min(1, initialValue(ids[r], c, seed) / (3 * STD)));
      const end = t >= 0 ? [178, 24, 43] : [33, 102, 172];
      const at = 4 * (r * cols + c);
      for (let k = 0; k < 3; k++) image.data[at + k] = Math.round(247 + Math.abs(t) * (end[k] - 247));
      image.data[at + 3] = 255;
    }
  }
  canvas.getContext("2d").putImageData(image, 0, 0);
  const rowLabels = el("div", { class: "ttv-axis-y" }, ...ids.slice(0, rows).map((id) => el("span", { text: String(id) })));
  const xAxis = el("div", { class: "ttv-axis-x" }, el("span", { text: "0" }), el("span", { text: "维度 →" }),
    el("span", { text: String(cols - 1) }));
  return el("figure", { class: "ttv-figure" },
    el("div", { class: "ttv-axis-title", text: "↓ token（行，标的是 ID）" }),
    el("div", { class: "ttv-plot" }, rowLabels, canvas, el("span"), xAxis),
    el("figcaption", { class: "ttv-caption",
      text: `前 ${rows} 个 token × 前 ${cols} 维的初始值；红 = 正，蓝 = 负，白 = 0，颜色到 ±${3 * STD}（3 个标准差）为止` }));
}

// ---- batch: padded IDs and attention mask --------------------------------------------------------------
function batchView(box, state) {
  const rows = state.sequences.map((s) => s.ids);
  const width = Math.max(...rows.map((r) => r.length));
  const left = state.padding_side === "left";
  const padded = rows.map((ids) => {
    const pad = new Array(width - ids.length).fill(null);
    return left ? [...pad, ...ids] : [...ids, ...pad];
  });
  box.append(el("div", {
    class: "ttv-stats", "data-ids": JSON.stringify(padded.map((r) => r.map((id) => id ?? state.pad_id))),
    text: `${rows.length} 句，长度 [${rows.map((r) => r.length).join(", ")}] → input_ids 形状 [${rows.length}, ${width}]，`
      + `填充在${left ? "左" : "右"}边，PAD = ${state.pad_token}（ID ${state.pad_id}）`,
  }));
  const grid = (title, cell) => {
    const head = [el("th"), ...Array.from({ length: width }, (_, j) => el("th", { text: String(j) }))];
    const body = padded.map((row, i) => [el("th", { text: String(i) }), ...row.map(cell)]);
    const scroll = el("div", { class: "ttv-scroll", tabindex: "0", "aria-label": title },
      table([head, ...body], "ttv-grid"));
    return [el("div", { class: "ttv-grid-title", text: title }), scroll];
  };
  const pad = (id) => (id === null ? "ttv-pad" : "");
  const scrolls = [
    ...grid("input_ids", (id) => el("td", { class: pad(id), text: String(id ?? state.pad_id) })),
    ...grid("attention_mask", (id) => el("td", { class: pad(id), text: id === null ? "0" : "1" })),
  ];
  box.append(...scrolls);
  if (left) requestAnimationFrame(() => scrolls.forEach((s) => { s.scrollLeft = s.scrollWidth; }));
}

// ---- stride: the sliding windows over one text's IDs; overlapping positions shaded ------------------------
function strideView(box, state) {
  const { ids } = state.sequences[0];
  const { max_length: size, stride, windows } = state;
  const formula = ids.length <= size ? `${fmt(ids.length)} ≤ max_length，只有 1 个窗口`
    : `1 + ⌈(${fmt(ids.length)} − ${size}) / (${size} − ${stride})⌉ = ${windows.length}`;
  box.append(el("div", { class: "ttv-stats", "data-windows": JSON.stringify(windows),
    text: `${fmt(ids.length)} 个 token，max_length = ${size}，stride（重叠）= ${stride}，步长 = ${size - stride}：`
      + `${windows.length} 个窗口（${formula}）` }));
  const shown = windows.slice(0, 64);
  const width = shown.length ? shown[shown.length - 1][1] : 0;
  const gap = (span) => (span > 0 ? [el("td", { colspan: String(span) })] : []); // one cell, however wide
  const head = [el("th", { text: "窗口" }), el("th", { colspan: String(width), class: "ttv-positions",
    text: `位置 0 … ${Math.max(width - 1, 0)}` })];
  const body = shown.map(([start, end], k) => {
    const before = k ? shown[k - 1][1] : start;
    const cells = ids.slice(start, end).map((id, j) =>
      el("td", { class: `ttv-in${start + j < before ? " ttv-overlap" : ""}`, text: String(id) }));
    return [el("th", { text: `${k}（${start}–${end - 1}）` }), ...gap(start), ...cells, ...gap(width - end)];
  });
  box.append(el("div", { class: "ttv-scroll", tabindex: "0", "aria-label": "窗口" },
    table([head, ...body], "ttv-grid ttv-windows")));
  if (windows.length > shown.length) box.append(el("div", { class: "ttv-note", text: `只画前 ${shown.length} 个窗口。` }));
}

// ---- small helpers -----------------------------------------------------------------------------------
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children.filter(Boolean));
  return node;
}

function table(rows, kind) {
  return el("table", { class: `ttv-table ${kind}` }, ...rows.map((cells) => el("tr", {}, ...cells)));
}

const fmt = (n) => n.toLocaleString("en-US");
const signed = (v) => (v < 0 ? "" : "+") + v.toFixed(4);

function humanBytes(size) {
  for (const [unit, scale] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]]) {
    if (size >= scale) return `${(size / scale).toFixed(2)} ${unit}`;
  }
  return `${size} B`;
}

export default { render };
