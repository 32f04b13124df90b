# Every target installs what it needs into .venv first; `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench messages demo clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed ## install the project and its tools into .venv

run: install ## migrate, load demo data the first time, start web + Celery worker + beat
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_periodic_tasks
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_logins --url http://127.0.0.1:$(PORT)/
	DEBUG=$${DEBUG:-true} PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile.dev

test: install ## the whole suite (set DATABASE_URL/REDIS_URL for PostgreSQL and Redis)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-fast: install ## the suite without the browser tests, reusing the test database
	$(BIN)/pytest --reuse-db -m "not browser" $(PYTEST_ARGS)

lint: install ## ruff, import layers, migrations and translations up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

format: install ## fix what ruff can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## refresh the translation catalogues and compile them
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

bench: install ## speed figures on PostgreSQL + Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL; default the local servers)
	DEBUG=false DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crm_bench} \
		REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/2} $(PY) manage.py bench $(BENCH_ARGS)

demo: install ## (re)load demo data: make demo CUSTOMERS=100000
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --customers $${CUSTOMERS:-2000}

clean: ## remove the local database, queues and caches (not .venv)
	rm -rf var staticfiles .pytest_cache .ruff_cache
