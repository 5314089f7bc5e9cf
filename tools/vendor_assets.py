"""Put the browser assets the site serves itself into _extra/vendor (the site's /vendor; no CDN at read time).

- mermaid: its ES module and the chunks it imports on demand (from npm);
- the panels: playground/page.js (with book/static/panel.js and @huggingface/tokenizers) bundled into one IIFE
  script (esbuild), book/static/panel.css,
  and the real Qwen2.5 tokenizer files the book builds (tokenizer.json gzipped, tokenizer_config.json).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "_extra" / "vendor"


def copy_mermaid() -> None:
    """mermaid's ES module and the chunks it imports on demand (source maps left out)."""
    dist = ROOT / "node_modules" / "mermaid" / "dist"
    target = VENDOR / "mermaid"
    shutil.rmtree(target, ignore_errors=True)
    (target / "chunks").mkdir(parents=True)
    shutil.copy2(dist / "mermaid.esm.min.mjs", target)
    shutil.copytree(dist / "chunks" / "mermaid.esm.min", target / "chunks" / "mermaid.esm.min",
                    ignore=shutil.ignore_patterns("*.map"))


def build_playground() -> None:
    """One classic (IIFE) script, so it also runs where ES modules do not, plus the tokenizer it loads lazily."""
    from book.tokenizer import offline_dir

    target = VENDOR / "playground"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    subprocess.run([str(esbuild), str(ROOT / "playground" / "page.js"), "--bundle", "--minify", "--format=iife",
                    "--target=es2020", "--legal-comments=none", f"--outfile={target / 'playground.js'}"], check=True,
                   capture_output=True)
    serve_tokenizer(offline_dir("Qwen/Qwen2.5-7B-Instruct"), target)
    shutil.copy2(ROOT / "book" / "static" / "panel.css", target / "panel.css")
    serve_tokenizer(chapter_6_tokenizer(), target / "bpe6400")


def serve_tokenizer(source: Path, target: Path) -> None:
    """tokenizer.json (gzipped: the browser unpacks it) and tokenizer_config.json, as the panels load them."""
    target.mkdir(parents=True, exist_ok=True)
    packed_file = gzip.GzipFile(target / "tokenizer.json.gz", "wb", compresslevel=9, mtime=0)
    with open(source / "tokenizer.json", "rb") as raw, packed_file as packed:
        shutil.copyfileobj(raw, packed)
    shutil.copy2(source / "tokenizer_config.json", target / "tokenizer_config.json")


def chapter_6_tokenizer() -> Path:
    """Chapter 6's 6,400-token BPE, trained by the chapter's own code (deterministic), saved for chapter 7's panel."""
    from book.saved import corpus_text, train_bpe

    folder = ROOT / "_build" / "bpe6400"
    shutil.rmtree(folder, ignore_errors=True)
    train_bpe(corpus_text().splitlines(), vocab_size=6400, show_progress=False).save_pretrained(folder)
    return folder


if __name__ == "__main__":
    copy_mermaid()
    build_playground()
    print(f"vendored assets into {VENDOR.relative_to(ROOT)}")
