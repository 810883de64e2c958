# Jiandu: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-sqlite test-postgres lint bench setup migrate demo demo-reset clean lock

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

# Serves the demo and runs `jiandu tick` every minute beside it (reminders and escalations happen
# in the demo as they would in production); stopping the server stops the ticker.
run: demo
	@( while sleep 60; do JIANDU_DEBUG=1 $(BIN)/jiandu tick >/dev/null 2>&1; done ) & ticker=$$!; \
	trap 'kill $$ticker 2>/dev/null' EXIT INT TERM; \
	JIANDU_DEBUG=1 $(BIN)/jiandu runserver $(HOST):$(PORT)

# Start the demo afresh: drop the embedded database and its files, then `make run` loads it again.
demo-reset:
	rm -rf var/jiandu.sqlite3 var/jiandu.sqlite3-wal var/jiandu.sqlite3-shm var/media

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/python tools/check_period_literals.py src/jiandu
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: setup
	$(BIN)/python -m bench

# Regenerate the pinned lock file after changing pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var/*.sqlite3
