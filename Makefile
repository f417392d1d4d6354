# lltp: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install translations db demo run test lint bench-board bench-intake-api bench-status clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d lltp/translations -f --statistics

db: install
	mkdir -p var
	$(BIN)/flask db upgrade

demo: db
	$(BIN)/flask demo load --if-empty

run: demo
	$(BIN)/flask demo logins
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

bench-board: install
	$(BIN)/python bench/board.py

# Sustained POST /api/v1/requests under gunicorn -w 2, on SQLite and then on PostgreSQL.
BENCH_PG_URL ?= postgresql+psycopg://root@127.0.0.1:5432/test
bench-intake-api: install
	$(BIN)/python bench/intake_api.py
	$(BIN)/python bench/intake_api.py --database $(BENCH_PG_URL)

# POST /tra-cuu.json under gunicorn -w 2 and wrk, against a bare "hello", on 1,000,000 cases in PostgreSQL.
bench-status: install
	$(BIN)/python bench/status.py --cases 1000000 --database $(BENCH_PG_URL)

clean:
	rm -rf $(VENV) var .pytest_cache
