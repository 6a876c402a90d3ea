# Everyday commands. `make run` and `make test` are all a fresh machine needs (Python 3.11+).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint migrate relay consumer token tail audit clean release-schemas

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt consumer/pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -e ./consumer
	touch $@

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

migrate: $(STAMP)
	$(BIN)/alembic upgrade head

run: migrate
	$(BIN)/python -m entrypoints.run

relay: $(STAMP)
	$(BIN)/python -m entrypoints.relay

test: $(TEST_STAMP)
	bash scripts/ensure-test-tools.sh
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var

token: $(STAMP)
	@$(BIN)/python -m entrypoints.dev_token $(TOKEN_ARGS)

tail: $(STAMP)
	@$(BIN)/python -m entrypoints.tail_events $(TAIL_ARGS)

audit: $(TEST_STAMP)
	$(BIN)/pip install --quiet pip-audit==2.10.1
	$(BIN)/pip-audit --strict --requirement requirements.txt

consumer: $(STAMP)
	$(BIN)/python -m examples.catalog_projection run

# The evolution gate, then a snapshot of every changed event schema (needs `avro`, a test tool).
release-schemas: $(TEST_STAMP)
	$(BIN)/python -m entrypoints.release_schemas
