# Two commands: `make run` and `make test`. Both start from a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= kg-store
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install dev lint bench clean ui

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[model]"
	touch $@

$(VENV)/.dev-installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

run: install
	$(BIN)/kg ingest --store $(STORE) --samples
	$(BIN)/kg serve --store $(STORE) --host $(HOST) --port $(PORT)

# pytest exits 5 when it collected no tests: that is a failure, not a pass.
test: dev
	@$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

lint: dev
	$(BIN)/ruff check kg tests server.py bench

# Re-vendor the browser libraries (YASGUI, Leaflet) from npm into kg/serve/static/vendor.
# The built files are committed, so this is only needed to upgrade them.
ui:
	cd ui && npm ci --no-audit --no-fund --ignore-scripts && node vendor.mjs

bench: dev
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(STORE) *.egg-info
