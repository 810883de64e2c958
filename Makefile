# Jiandu: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench setup migrate demo clean lock

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

var:
	mkdir -p var

migrate: setup var
	JIANDU_DEBUG=1 $(BIN)/jiandu migrate --noinput
	JIANDU_DEBUG=1 $(BIN)/jiandu createcachetable

demo: migrate
	JIANDU_DEBUG=1 $(BIN)/jiandu demo

run: demo
	JIANDU_DEBUG=1 $(BIN)/jiandu runserver $(HOST):$(PORT)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/python tools/check_period_literals.py src/jiandu

bench: setup
	$(BIN)/python -m bench

# Regenerate the pinned lock file after changing pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3
