// The panels' state in the browser: the twin of book/panels.py, with the same rules (book/static/rules.json).
// tests/test_panels.py feeds this file and the Python module the same inputs and compares the states.
import { Tokenizer } from "@huggingface/tokenizers";
import RULES from "../book/static/rules.json" with { type: "json" };

export { RULES };

// Python's str.splitlines() separators and str.isspace() characters, spelled out.
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const SPACE = "[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const ONLY_SPACE = new RegExp(`^${SPACE}+$`);
const CONTROL = /\p{Cc}/gu;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const WHOLE_NUMBER = new RegExp(`^${SPACE}*[+-]?[0-9]+${SPACE}*$`);
const KINDS = ["tokens", "embedding", "batch"];

export function message(key, values = {}) {
  return RULES.messages[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

const fmt = (n) => n.toLocaleString("en-US");

// The first `max` code points, found without splitting the whole text (a paste can be millions long).
function cut(text, max) {
  let at = 0;
  for (let count = 0; at < text.length && count < max; count++) at += text.codePointAt(at) > 0xffff ? 2 : 1;
  return at < text.length ? text.slice(0, at) : null;
}

export function checkText(raw, maxChars = RULES.max_chars) {
  if (raw === null || raw === undefined || raw === "") return { text: "", notes: [], error: message("empty") };
  if (typeof raw !== "string") return { text: "", notes: [], error: message("not_text") };
  const notes = [];
  let text = raw;
  const short = cut(text, maxChars);
  if (short !== null) {
    notes.push(message("too_long", { max: fmt(maxChars) }));
    text = short;
  }
  if (LONE_SURROGATE.test(text)) {
    text = text.replace(new RegExp(LONE_SURROGATE.source, "g"), "\ufffd");
    notes.push(message("surrogate"));
  }
  if (ONLY_SPACE.test(text)) notes.push(message("blank"));
  const codes = [...new Set([...text.matchAll(CONTROL)].map((m) => m[0]).filter((ch) => !"\n\t\r".includes(ch)))]
    .map((ch) => "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")).sort();
  if (codes.length) notes.push(message("control", { codes: codes.slice(0, 5).join(", ") }));
  return { text, notes, error: "" };
}

export function checkHidden(value) {
  const low = RULES.min_hidden;
  const high = RULES.max_hidden;
  const whole = typeof value === "string" && WHOLE_NUMBER.test(value);
  const number = typeof value === "number" ? value : whole ? Number(value.match(/[+-]?[0-9]+/)[0]) : NaN;
  if (!Number.isInteger(number)) return [0, message("hidden_type", { min: low, max: high })];
  if (number < low) return [0, message("hidden_small", { value: fmt(number), min: low, max: high })];
  if (number > high) return [0, message("hidden_large", { value: fmt(number), max: fmt(high) })];
  return [number, ""];
}

export function splitSentences(text) {
  const whole = checkText(text);
  if (whole.error) return [[], [], message("no_sentence")];
  let lines = whole.text.split(LINE_BREAK).filter((line) => line && !ONLY_SPACE.test(line));
  const notes = whole.notes.filter((note) => note !== message("blank"));
  if (lines.length > RULES.max_sentences) {
    notes.push(message("too_many_sentences", { count: lines.length, max: RULES.max_sentences }));
    lines = lines.slice(0, RULES.max_sentences);
  }
  const sentences = lines.map((line) => {
    const checked = checkText(line, RULES.max_sentence_chars);
    for (const note of checked.notes) if (!notes.includes(note)) notes.push(note);
    return checked.text;
  });
  return [sentences, notes, sentences.length ? "" : message("no_sentence")];
}

function addedTokenNotes(info, text, splitSpecial) {
  const found = info.added.filter((t) => text.includes(t.content));
  const names = (tokens) => tokens.slice(0, 4).map((t) => t.content).join("、");
  if (!found.length) return [];
  if (!splitSpecial) return [message("special_kept", { names: names(found) })];
  const special = found.filter((t) => t.special);
  const plain = found.filter((t) => !t.special);
  return [
    ...(special.length ? [message("special_split", { names: names(special) })] : []),
    ...(plain.length ? [message("plain_added", { names: names(plain) })] : []),
  ];
}

// The tokenizer file the book builds, read twice at most: as it is, and (on first use) without the special
// added tokens, which is what split_special_tokens=True does in transformers.
export function tokenizersFrom(json, config) {
  let splitter = null;
  const added = json.added_tokens.map(({ id, content, special }) => ({ id, content, special })).sort((a, b) => a.id - b.id);
  const pad = config.pad_token?.content ?? config.pad_token;
  const plain = new Tokenizer(json, config);
  const info = {
    added, vocab_size: Object.keys(json.model.vocab).length, rows: Object.keys(json.model.vocab).length + added.length,
    pad_token: pad, pad_id: plain.token_to_id(pad),
  };
  const splitting = () => {
    splitter ??= new Tokenizer({ ...json, added_tokens: json.added_tokens.filter((t) => !t.special) }, config);
    return splitter;
  };
  return { info, plain, splitting };
}

function encode(tokenizers, text, splitSpecial) {
  const tokenizer = splitSpecial ? tokenizers.splitting() : tokenizers.plain;
  const { ids, tokens } = tokenizer.encode(text, { add_special_tokens: false });
  return { ids, tokens };
}

export function panelState(kind, tokenizers, inputs) {
  if (!KINDS.includes(kind)) throw new Error(`kind must be one of ${KINDS}`);
  const { info } = tokenizers;
  const { text = "", hidden_size = 512, padding_side = "right", seed = 0 } = inputs;
  const side = padding_side === "left" || padding_side === "right" ? padding_side : "";
  const state = {
    kind, text: checkText(text).text, notes: [], error: "", sequences: [], seed: Number.isInteger(seed) ? seed : 0,
    vocab_size: info.vocab_size, rows: info.rows, pad_id: info.pad_id, pad_token: info.pad_token,
    hidden_size: 0, padding_side: side, split_special: Boolean(inputs.split_special),
    show_bytes: Boolean(inputs.show_bytes), show_whitespace: Boolean(inputs.show_whitespace),
  };
  if (kind === "batch") {
    if (!side) return { ...state, error: message("bad_side") };
    const [sentences, notes, error] = splitSentences(text);
    return { ...state, notes, error, sequences: sentences.map((s) => encode(tokenizers, s, false)) };
  }
  if (kind === "embedding") {
    const [hidden, problem] = checkHidden(hidden_size);
    if (problem) return { ...state, error: problem };
    state.hidden_size = hidden;
  }
  const checked = checkText(text);
  if (checked.error) return { ...state, error: checked.error };
  const split = Boolean(inputs.split_special) && kind === "tokens";
  const notes = [...checked.notes, ...addedTokenNotes(info, checked.text, split)];
  return { ...state, notes, sequences: [encode(tokenizers, checked.text, split)] };
}

// `rows`: [{ name, site, tokenizers }] for the tokenizers the browser has (see book.panels.compare_state).
export function compareState(rows, text) {
  const checked = checkText(text);
  const state = { kind: "compare", text: checked.text, notes: checked.notes, error: checked.error, sequences: [],
    show_bytes: false, show_whitespace: false };
  if (checked.error) return state;
  state.sequences = rows.map(({ name, site, tokenizers }) => ({
    name, ...encode(tokenizers, checked.text, false), vocab_size: tokenizers.info.vocab_size, byte_level: true, site,
  }));
  return state;
}

export function checkWindow(maxLength, stride) {
  const [low, high] = [RULES.min_window, RULES.max_window];
  if (![maxLength, stride].every(Number.isInteger)) return [0, 0, message("window_type", { min: low, max: high })];
  if (maxLength < low || maxLength > high) return [0, 0, message("window_range", { value: maxLength, min: low, max: high })];
  if (stride < 0 || stride >= maxLength) return [0, 0, message("stride_range", { stride, max_length: maxLength })];
  return [maxLength, stride, ""];
}

// The windows transformers cuts with truncation + max_length + stride (overlap): starts 0, L − S, 2(L − S), …
// until one reaches the end. tests/test_panels.py checks this against the tokenizer's own windows.
export function strideState(tokenizers, inputs) {
  const checked = checkText(inputs.text ?? "");
  const [window, overlap, problem] = checkWindow(inputs.max_length, inputs.stride);
  const state = { kind: "stride", text: checked.text, notes: checked.notes, error: checked.error || problem,
    sequences: [], max_length: window, stride: overlap, windows: [], vocab_size: tokenizers.info.vocab_size,
    show_bytes: false, show_whitespace: false };
  if (state.error) return state;
  const sequence = encode(tokenizers, checked.text, false);
  for (let start = 0; ; start += window - overlap) {
    state.windows.push([start, Math.min(start + window, sequence.ids.length)]);
    if (start + window >= sequence.ids.length) break;
  }
  return { ...state, sequences: [sequence] };
}
