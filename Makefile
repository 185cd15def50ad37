# Dondoc: two commands do everything on a fresh machine with Python 3.11 and make.
#   make run   - install, migrate the SQLite database, load demo data if empty, start the bot
#   make test  - install and run the whole test suite (SQLite always, PostgreSQL when reachable)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/dondoc migrate
	$(BIN)/dondoc demo-data --if-empty
	$(BIN)/dondoc run

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache dondoc.db dondoc.db-wal dondoc.db-shm
