# 从文本到向量 — two commands: `make site` builds the executed book, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Notebook kernels start "python" from PATH: make it the venv's.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: site test serve clean sync student budgets browser-deps

site: $(VENV)/.installed _extra/vendor/.installed
	$(BIN)/jupyter-book build . --all --warningiserror --keep-going
	@echo "site: _build/html/index.html"

test: site
	$(BIN)/pytest

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

_extra/vendor/.installed: $(VENV)/.installed package.json package-lock.json tools/vendor_assets.py playground/playground.js
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python tools/vendor_assets.py
	touch $@

# Page sizes, tokenizer size and playground start-up time, measured in headless Chromium (on the last build).
budgets:
	@test -f _build/html/index.html || { echo "no site yet: run make site"; exit 1; }
	$(BIN)/python tools/budgets.py

# Debian's Chromium and ChromeDriver for the browser tests (needs root; skipped when already installed).
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then echo "chromium: installed"; else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-noto-cjk; fi

# Refresh each chapter's Colab setup cell from _config.yml, then regenerate its .ipynb (the .md is the source).
sync: $(VENV)/.installed
	$(BIN)/python tools/sync_chapters.py

# The student edition: the executed book without solutions, into _build/student.
student: $(VENV)/.installed _extra/vendor/.installed
	$(BIN)/python tools/student_edition.py

serve: site
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build
