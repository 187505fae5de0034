# Quick start: `make run` serves the API on SQLite; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/enforcement_test

.PHONY: run test test-postgres lint openapi openapi-check migrate seed migration sweep bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

migrate: $(BIN)/.installed
	mkdir -p var
	$(BIN)/alembic upgrade head

seed: migrate
	$(BIN)/python -m app.seed --demo

# The port is checked first: a taken one stops the run before anything is migrated or printed.
run: $(BIN)/.installed
	ENFORCEMENT_HOST=$(HOST) ENFORCEMENT_PORT=$(PORT) $(BIN)/python -m app.serve --check-port
	$(MAKE) --no-print-directory seed
	ENFORCEMENT_HOST=$(HOST) ENFORCEMENT_PORT=$(PORT) $(BIN)/python -m app.serve

test: $(BIN)/.installed
	$(BIN)/python -m pytest

test-postgres: $(BIN)/.installed
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check app tests scripts bench migrations
	$(BIN)/ruff format --check app tests scripts bench migrations

openapi: $(BIN)/.installed
	$(BIN)/python -m scripts.export_openapi

openapi-check: $(BIN)/.installed
	$(BIN)/python -m pytest -q tests/test_contract.py

migration: $(BIN)/.installed
	$(BIN)/alembic revision --autogenerate -m "$(name)"

sweep: $(BIN)/.installed
	$(BIN)/python -m app.sweep

clean:
	rm -rf $(VENV) var .pytest_cache

# Benchmarks on PostgreSQL (each takes 10-15 minutes; figures are appended to bench/RESULTS.md).
BENCH_DB ?= postgresql+psycopg://postgres@127.0.0.1:5432
bench: $(BIN)/.installed
	$(BIN)/python -m bench.api_overhead --database-url $(BENCH_DB)/enf_bench_api --rounds 3
	$(BIN)/python -m bench.scale --database-url $(BENCH_DB)/enf_bench_scale --sizes 10000,100000,1000000
	$(BIN)/python -m bench.deadline_board --database-url $(BENCH_DB)/enf_bench
