# Everything runs inside .venv, created on first use from Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app quizapp

.PHONY: run serve test system lint check-content bench format install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

## make run: install, create or upgrade the SQLite database, serve on http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) run --debug --host 127.0.0.1 --port 5000

## make serve: production, with gunicorn: set QUIZAPP_SECRET_KEY and QUIZAPP_PUBLIC_URL (and QUIZAPP_DATABASE_URL,
## QUIZAPP_BIND, QUIZAPP_WORKERS...) first; see "Deploying" in the README
serve: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[serve,postgres,redis]'
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c python:quizapp.gunicorn_conf quizapp.wsgi:app

## make test: install the test dependencies and run the whole suite
test: install-test
	$(BIN)/pytest

## make system: only the checks under gunicorn: 100 learners at once, SIGKILL mid-quiz, and two
## servers on one PostgreSQL with Redis (part of make test too), with the figures they measured
system: install-test
	$(BIN)/pytest -m system -v -rP

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make bench: benchmarks, printed as tables (on PostgreSQL too when
## QUIZAPP_TEST_DATABASE_URL is set)
bench: install-test
	$(BIN)/python -m bench.content
	$(BIN)/python -m bench.http
	$(BIN)/python -m bench.reports

## make check-content: every bank and article, warnings included, as CI checks them
check-content: install
	$(FLASK) content check --strict

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
