# 从文本到向量 — two commands: `make site` builds the executed book, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Notebook kernels start "python" from PATH: make it the venv's.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: site test lint serve clean sync student budgets browser-deps

site: $(VENV)/.installed _extra/vendor/.installed
	$(BIN)/python -m tools.book_build   # jupyter-book build . --all --warningiserror --keep-going
	@echo "site: _build/html/index.html"

# The browser tests need Chromium: checked (and installed, as root on Debian) before the long build starts.
test: browser-deps site
	$(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m tools.system_deps venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

_extra/vendor/.installed: $(VENV)/.installed package.json package-lock.json tools/vendor_assets.py $(wildcard playground/*.js book/static/*)
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m tools.vendor_assets
	touch $@

# Page sizes, tokenizer size and playground start-up time, measured in headless Chromium (on the last build).
budgets:
	@test -f _build/html/index.html || { echo "no site yet: run make site"; exit 1; }
	$(BIN)/python -m tools.budgets

# Chromium, ChromeDriver and a Chinese font for the browser tests: apt-get installs them when run as root on Debian;
# otherwise one line says what to install. Nothing happens when they are present.
browser-deps:
	@$(PYTHON) -m tools.system_deps browser

# Refresh each chapter's Colab setup cell from _config.yml, then regenerate its .ipynb (the .md is the source).
sync: $(VENV)/.installed
	$(BIN)/python -m tools.sync_chapters

# The student edition: the executed book without solutions, into _build/student.
student: $(VENV)/.installed _extra/vendor/.installed
	$(BIN)/python -m tools.student_edition

serve: site
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build
