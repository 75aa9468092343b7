# Pulih: `make run` sets everything up and serves on http://127.0.0.1:8000; `make test` runs every check.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_PEOPLE ?= 3000
PG_URL ?= postgres://postgres@127.0.0.1:5432/pulih

.PHONY: install run test lint test-sqlite test-postgres clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Butuh $(PYTHON) (Python 3.11)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements/lock.txt pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	$(BIN)/pulih run --demo-people $(DEMO_PEOPLE)

lint: install
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	PYTHONPATH=src $(BIN)/mypy
	$(BIN)/pulih makemigrations --check --dry-run

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest -q

test-postgres: install
	@if $(BIN)/python -c "import psycopg, sys; from psycopg.conninfo import make_conninfo; psycopg.connect(make_conninfo(sys.argv[1], dbname='postgres'), connect_timeout=3).close()" '$(PG_URL)' 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not database_free"; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL at $(PG_URL) is not reachable: CI requires the PostgreSQL pass."; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL pass (no server at $(PG_URL)); set PG_URL to run it."; \
	fi

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) node_modules var/test.sqlite3
