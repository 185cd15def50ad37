# Dondoc: two commands do everything on a fresh machine with Python 3.11 and make.
#   make run   - install, migrate the SQLite database, load demo data if empty, start the bot
#   make test  - install and run the whole test suite (SQLite always, PostgreSQL when reachable)
#   make i18n  - refresh the message template and the translations from the Vietnamese catalog
# Both install the exact versions in constraints.txt; `make constraints` refreshes that file.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
FRESH_VENV := .venv-constraints

LOCALES := bot/locale

.PHONY: run test install lint bench i18n clean constraints

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
	$(BIN)/lint-imports

# The template comes from the Vietnamese catalog (babel.cfg); every other language is updated
# from it, then checked (complete, same placeholders, template in sync).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --project Dondoc --version 0.1.0 \
		-o $(LOCALES)/dondoc.pot $(LOCALES)
	for lang in $$(ls $(LOCALES) | grep -vx -e vi -e dondoc.pot); do \
		$(BIN)/pybabel update -i $(LOCALES)/dondoc.pot -d $(LOCALES) -D dondoc -l $$lang \
			--no-fuzzy-matching --ignore-obsolete || exit 1; \
	done
	$(BIN)/pytest -q -p no:cacheprovider tests/bot/test_i18n.py

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

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
