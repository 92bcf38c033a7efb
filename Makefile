# `make build` and `make test` set everything up on a fresh Debian machine
# (system packages only when missing, a virtualenv in .venv/, Python packages), then act.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTHON  ?= python3
# npm packages, kept in ./node_modules (ignored by git), never saved to a package.json:
# Pagefind, whose extended binary builds the search index (npm carries 1.6; PyPI's 1.5
# takes ~5x as long per search on 10 000 pages), and axe-core, which the accessibility
# tests inject into pages. One npm call for both: a second would prune the first.
PAGEFIND_VERSION := 1.6.0
AXE_VERSION := 4.14.1
NODE_STAMP  := node_modules/.sitegen-pagefind-$(PAGEFIND_VERSION)-axe-$(AXE_VERSION)

.PHONY: build test setup check lint bench clean

build: setup
	$(BIN)/sitegen build

test: setup
	$(BIN)/python -m pytest -q tests

check: setup
	$(BIN)/sitegen check

lint: setup
	$(BIN)/ruff check sitegen tests

bench: setup
	$(BIN)/sitegen bench corpus --records 10000 /tmp/sitegen-bench
	$(BIN)/sitegen bench run /tmp/sitegen-bench

setup: $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): | $(STAMP)  # npm comes with the system packages; pyproject.toml is no reason to re-fetch
	npm install --prefix "$(CURDIR)" --no-save --no-package-lock --no-audit --no-fund \
		pagefind@$(PAGEFIND_VERSION) axe-core@$(AXE_VERSION)
	touch $@

clean:  # .build-*: a replaced site still being deleted, or what a killed build left
	rm -rf build .build-* $(VENV) .sitegen-cache node_modules
