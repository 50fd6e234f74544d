# The front door. `make run` serves Myomap; `make test` runs every check CI runs.
# Both install what they need: a virtual environment in .venv, and for the browser tests
# Debian's chromium package (Playwright drives it; it never downloads a browser).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
WRK ?= /usr/bin/wrk
RUNTIME_STAMP := $(VENV)/.runtime-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: run test install install-dev chromium pdf-libs wrk lint typecheck migrations-check pytest bench \
	bench-web clean

run: install pdf-libs
	$(BIN)/myomap serve --demo

test: install-dev chromium pdf-libs lint typecheck migrations-check pytest

install: $(RUNTIME_STAMP)
install-dev: $(DEV_STAMP)

$(RUNTIME_STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(RUNTIME_STAMP)

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x "$(CHROMIUM)" || { echo "chromium is still missing at $(CHROMIUM)" >&2; exit 1; }

# The PDFs' system libraries (WeasyPrint draws text with Pango) and a font with every
# accented letter; on Debian and Ubuntu only, and only when missing. Elsewhere the app runs
# and a PDF link answers with what to install.
pdf-libs:
	@if ! ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then \
	  if command -v apt-get >/dev/null; then \
	    echo "Installing Pango for the PDFs..."; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else echo "PDFs need Pango (libpango-1.0 and libpangoft2-1.0): install it with your system's packages" >&2; fi; \
	fi

# The web benchmark's load generator: Debian's wrk (a small C program, light on the machine).
wrk:
	@if [ ! -x "$(WRK)" ]; then \
	  echo "Installing Debian's wrk for the web benchmark..."; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi
	@test -x "$(WRK)" || { echo "wrk is still missing at $(WRK)" >&2; exit 1; }

lint: install-dev
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools

typecheck: install-dev
	$(BIN)/mypy src/myomap

migrations-check: install-dev
	@tmp=$$(mktemp -d); MYOMAP_DATA_DIR=$$tmp $(BIN)/myomap manage makemigrations --check --dry-run; \
	status=$$?; rm -rf "$$tmp"; exit $$status

# pytest exits 5 when it collects no test: that is a failure here, never a pass.
# The tests' data and cache folders are temporary and removed afterwards.
pytest: install-dev
	@set +e; tmp=$$(mktemp -d); \
	MYOMAP_DATA_DIR=$$tmp/data MYOMAP_CACHE_DIR=$$tmp/cache $(BIN)/python -m pytest $(PYTEST_ARGS); \
	status=$$?; rm -rf "$$tmp"; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status

# One core, one BLAS thread: the numbers a single-core deployment would see.
bench: install
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python benchmarks/referral.py bench-results.json
	$(BIN)/python benchmarks/feedback.py bench-feedback-results.json

# The real server under a real load generator, on SQLite and (when reachable) PostgreSQL,
# with a clinic of 10,000 clients: see docs/performance.md.
bench-web: install wrk
	WRK=$(WRK) $(BIN)/python benchmarks/web.py bench-web-results.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts
