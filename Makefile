# The course's commands. `make help` lists them. Everything runs inside .venv,
# created from requirements-lock.txt so a learner gets the versions CI tested.

PYTHON ?= python3.11
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
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements-lock.txt -e .
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

lab: setup  ## Open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks

pair: setup  ## Re-sync every notebook pair (.py <-> .ipynb) after editing
	$(BIN)/jupytext --sync notebooks/*.py

bench: setup data  ## Execute every chapter cold, measure it (build/bench/results.json), rebuild the book
	$(BIN)/python -m helpers.bench $(BENCH_ARGS)

lock: ## Re-resolve the newest allowed versions and rewrite requirements-lock.txt
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -e .
	{ sed -n '/^#/p' requirements-lock.txt; .lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e '; } > .lock.txt
	mv .lock.txt requirements-lock.txt
	rm -rf .lock-venv
	@echo "requirements-lock.txt rewritten; run 'make test' before committing it"

clean:  ## Remove the built book, build outputs and caches (keeps .venv and data)
	rm -rf book/_build build .pytest_cache .ruff_cache
