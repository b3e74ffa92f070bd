# Tend: `make demo` to try it, `make test` to run the whole suite (SQLite, then PostgreSQL).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TEND := $(VENV)/bin/tend
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
DEMO_DIR ?= var/demo
DEMO_CUSTOMERS ?= 2000
# `make demo PORT=8080` when 8000 is taken.
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-sqlite test-postgres install install-dev browser fonts lint bench vendor-htmx clean

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Tend needs Python 3.11 or newer: $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	@echo "== Installing Tend's Python packages into $(VENV) (a few minutes the first time)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --progress-bar off -r requirements.lock | grep --line-buffered -E '^(Collecting|Successfully)' || true
	@$(PY) -c 'import django, numpy, scipy, pydantic' || { echo "The install failed: see pip's messages above"; exit 1; }
	$(PY) -m pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	@echo "== Installing the test tools into $(VENV)"
	$(PY) -m pip install --progress-bar off -r requirements-dev.lock | grep --line-buffered -E '^(Collecting|Successfully)' || true
	@$(PY) -c 'import pytest, playwright' || { echo "The install failed: see pip's messages above"; exit 1; }
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# A fresh demo database each time, kept apart from real data in var/. The port is checked
# before the book is built, so a busy port costs nothing.
demo: install fonts
	@$(PY) -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(sys.argv[2])))' $(HOST) $(PORT) 2>/dev/null \
	  || { echo "Port $(PORT) on $(HOST) is in use: pick another, e.g. make demo PORT=8080"; exit 1; }
	@echo "== Building the demo book ($(DEMO_CUSTOMERS) customers) in $(DEMO_DIR)"
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	TEND_DATA_DIR=$(DEMO_DIR) $(TEND) migrate --verbosity 0
	TEND_DATA_DIR=$(DEMO_DIR) $(TEND) demo --customers $(DEMO_CUSTOMERS) --seed 7
	@echo "== Tend runs at http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	TEND_DATA_DIR=$(DEMO_DIR) TEND_BASE_URL=http://$(HOST):$(PORT) $(TEND) serve --host $(HOST) --port $(PORT)

# Debian's Chromium drives the browser tests; Playwright's own download cannot work here.
browser:
	@command -v chromium >/dev/null 2>&1 || echo "== Installing Chromium for the browser tests (Debian package)"
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "chromium is missing: sudo apt-get install chromium"; fi; }

# A TrueType CJK font that ReportLab embeds in order PDFs (Noto CJK is CFF: not embeddable).
# Without it the PDFs fall back to a non-embedded font and Tend logs a warning.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
fonts:
	@test -f $(CJK_FONT) || echo "== Installing the CJK font for order PDFs (Debian package)"
	@test -f $(CJK_FONT) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null); \
	  else echo "the CJK font for PDFs is missing: sudo apt-get install fonts-wqy-microhei"; fi; }

test: install-dev browser fonts
	bash scripts/test.sh

test-sqlite: install-dev
	$(PY) -m pytest

test-postgres: install-dev
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check src bench
	$(VENV)/bin/ruff format --check src bench
	$(TEND) makemigrations --check --dry-run

# htmx is pinned from the npm registry and committed, so Tend runs on an intranet.
HTMX_VERSION := 2.0.11
HTMX_SHA256 := d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
vendor-htmx:
	cd $$(mktemp -d) && npm pack -q htmx.org@$(HTMX_VERSION) && tar xzf htmx.org-$(HTMX_VERSION).tgz \
	  && echo "$(HTMX_SHA256)  package/dist/htmx.min.js" | sha256sum -c - \
	  && cp package/dist/htmx.min.js $(CURDIR)/src/tend/core/static/tend/vendor/htmx.min.js

clean:
	rm -rf $(VENV) var .pytest_cache
