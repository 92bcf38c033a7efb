# `make build` and `make test` set everything up on a fresh Debian machine
# (system packages only when missing, a virtualenv in .venv/, Python packages), then act.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PYTHON  ?= python3
# axe-core, injected into pages by the accessibility tests; kept in ./node_modules (ignored
# by git), never saved to a package.json.
AXE     := node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1

.PHONY: build test setup check lint bench clean

build: setup
	$(BIN)/sitegen build

test: setup $(AXE)
	$(BIN)/python -m pytest -q tests

check: setup
	$(BIN)/sitegen check

lint: setup
	$(BIN)/ruff check sitegen tests

bench: setup
	$(BIN)/sitegen bench corpus --records 10000 /tmp/sitegen-bench
	$(BIN)/sitegen bench run /tmp/sitegen-bench

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(AXE):
	npm install --prefix "$(CURDIR)" --no-save --no-package-lock --no-audit --no-fund \
		axe-core@$(AXE_VERSION)

clean:
	rm -rf build $(VENV) .sitegen-cache node_modules
