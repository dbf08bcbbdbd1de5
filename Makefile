# The course's commands. `make help` lists them. Everything runs inside .venv,
# created from requirements-lock.txt so a learner gets the versions CI tested.

# The Python versions the course supports: those TensorFlow 2.21 has wheels for that
# the pinned libraries support (pyproject.toml's requires-python says the same;
# tests/test_dependency_resolution.py checks both). .venv is made with the first of
# python3.13, python3.12, python3.11, python3 on PATH that runs and is one of them;
# `make PYTHON=/path/to/python3.X` chooses another. An existing .venv is kept.
SUPPORTED_PYTHONS := 3.13 3.12 3.11
IS_SUPPORTED := import sys; sys.exit('%d.%d' % sys.version_info[:2] not in '$(SUPPORTED_PYTHONS)'.split())
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in $(SUPPORTED_PYTHONS:%=python%) python3; do \
	$$p -c "$(IS_SUPPORTED)" 2>/dev/null && { echo $$p; break; }; done)
endif
# What `make setup` installs: the course, TensorFlow, the book's toolchain, tests, ruff.
EXTRAS := [tensorflow,book,test,dev]
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BOOK_HTML := book/_build/html
JB_STRICT := -W -n --keep-going
# CI executes each notebook once, with nbmake, in a staged copy of the book
# (helpers/execution_record.py); the strict build renders those outputs.
EXECUTED  := build/executed

.DEFAULT_GOAL := help
.PHONY: help setup data book book-strict serve test lint unit notebooks browser lab pair lock bench clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements-lock.txt
	@test -x $(BIN)/python || $(PYTHON) -c "$(IS_SUPPORTED)" 2>/dev/null || { \
		echo "The course needs Python 3.11, 3.12 or 3.13 (the versions TensorFlow 2.21 supports)."; \
		echo "$(if $(PYTHON),'$(PYTHON)' is: $$($(PYTHON) --version 2>&1 | head -1),None of $(SUPPORTED_PYTHONS:%=python%) python3 on PATH is one of them.)"; \
		echo "Install one (python.org, your package manager, pyenv or uv), or run 'make PYTHON=/path/to/python3.X'."; \
		exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements-lock.txt -e ".$(EXTRAS)"
	@touch $@

setup: $(STAMP)  ## Create .venv with the pinned dependencies

data: $(STAMP)  ## Fetch, verify and cache the course's data (once)
	$(BIN)/python -m helpers.data

book: setup data  ## Execute every notebook and build the HTML book
	$(BIN)/jupyter-book build book
	@echo "The book is at $(CURDIR)/$(BOOK_HTML)/index.html (serve it: make serve)"

book-strict: notebooks  ## Render the notebooks executed by `make notebooks`; any warning is an error
	$(BIN)/jupyter-book build $(EXECUTED)/book $(JB_STRICT) --path-output book
	@echo "The book is at $(CURDIR)/$(BOOK_HTML)/index.html"

serve: ## Serve the built book on http://127.0.0.1:8000 (diagrams need http, not file://)
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory $(BOOK_HTML) 8000

lint: setup  ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: setup data  ## Unit tests and the notebook pairing check
	$(BIN)/pytest tests --ignore=tests/browser

notebooks: setup data  ## Execute every notebook once, in the book's order, with nbmake (in build/executed)
	rm -rf $(EXECUTED) && mkdir -p $(dir $(EXECUTED))
	$(BIN)/python -m helpers.execution_record stage $(EXECUTED) > $(EXECUTED).txt
	$(BIN)/pytest -p helpers.execution_record --nbmake --overwrite --nbmake-timeout=600 \
		$$(cat $(EXECUTED).txt)

browser: setup  ## Browser tests of the built book (headless Chromium, offline)
	bash .ci/install-browser
	$(BIN)/pytest tests/browser

test: lint unit book-strict browser  ## Everything CI checks (book-strict runs notebooks first)

# 127.0.0.1, a port the system picks free, a random token, nothing fetched: the
# configuration helpers/lab.py holds and tests/browser/test_jupyterlab.py tests.
lab: setup  ## Open JupyterLab on the notebooks (127.0.0.1, a free port, a random token)
	$(BIN)/python -m helpers.lab $(CURDIR)

pair: setup  ## Re-sync every notebook pair (.py <-> .ipynb) after editing
	$(BIN)/jupytext --sync notebooks/*.py

bench: setup data  ## Execute every chapter cold, measure it (build/bench/results.json), rebuild the book
	$(BIN)/python -m helpers.bench $(BENCH_ARGS)

lock: ## Re-resolve the newest allowed versions and rewrite requirements-lock.txt
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e ".$(EXTRAS)"
	{ sed -n '/^#/p' requirements-lock.txt; .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e '; } > .lock.txt
	mv .lock.txt requirements-lock.txt
	rm -rf .lock-venv
	@echo "requirements-lock.txt rewritten; run 'make test' before committing it"

clean:  ## Remove the built book, build outputs and caches (keeps .venv and data)
	rm -rf book/_build build .pytest_cache .ruff_cache
