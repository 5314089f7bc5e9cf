// For tests: the browser's panel states computed in Node. Usage: node playground/states.mjs DIR < inputs.json
// DIR holds tokenizer.json and tokenizer_config.json; inputs.json is a list of {kind, ...inputs}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initialValue } from "../book/static/panel.js";
import { panelState, strideState, tokenizersFrom } from "./encode.js";

const dir = process.argv[2];
const read = (name) => JSON.parse(readFileSync(join(dir, name), "utf8"));
const tokenizers = tokenizersFrom(read("tokenizer.json"), read("tokenizer_config.json"));
const inputs = JSON.parse(readFileSync(0, "utf8"));
const answer = inputs.map(({ kind, vectors, ...rest }) => {
  if (vectors) return vectors.ids.map((id) => Array.from({ length: vectors.dims }, (_, d) => initialValue(id, d, vectors.seed)));
  try {
    return kind === "stride" ? strideState(tokenizers, rest) : panelState(kind, tokenizers, rest);
  } catch (error) {
    return { exception: String(error) };
  }
});
process.stdout.write(JSON.stringify(answer));
