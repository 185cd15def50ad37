# Dondoc: two commands do everything on a fresh machine with Python 3.11 and make.
#   make run   - install, migrate the SQLite database, load demo data if empty, start the bot
#   make test  - install and run the whole test suite (SQLite always, PostgreSQL when reachable)
# Both install the exact versions in constraints.txt; `make constraints` refreshes that file.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
FRESH_VENV := .venv-constraints

.PHONY: run test install lint bench clean constraints

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
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
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

# Resolve pyproject.toml's dependencies afresh (newest allowed releases) in a throw-away venv
# and pin the result; run after changing dependencies, then `make test` and commit both files.
constraints:
	rm -rf $(FRESH_VENV)
	$(PYTHON) -m venv $(FRESH_VENV)
	$(FRESH_VENV)/bin/pip install --quiet --upgrade pip
	$(FRESH_VENV)/bin/pip install --quiet -e '.[dev]'
	{ echo "# Exact versions tested; regenerate with \`make constraints\` (see docs/operations.md)."; \
	  $(FRESH_VENV)/bin/pip freeze --exclude-editable; } > $(CONSTRAINTS)
	rm -rf $(FRESH_VENV)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
