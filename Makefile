# Coalition: two commands on a fresh machine.
#   make run   install, migrate the embedded SQLite database, load the demo coalition, start the production web
#              server (gunicorn) + worker + scheduler (on port 8000; `make run PORT=8080` or PORT in the environment)
#   make test  install the development dependencies and run the whole test suite (lint, types, tests)
PYTHON ?= python3
VENV := .venv
UV := $(VENV)/bin/uv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.8
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run dev test install install-dev lint browser-deps

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --no-default-groups --quiet

install-dev: $(UV)
	$(UV) sync --frozen --quiet

# The run writes Python's bytecode caches even where PYTHONDONTWRITEBYTECODE is set (an empty value is off): without
# them every later command, `demo_totp` included, compiles the platform and its libraries from source as it starts.
run: export PYTHONDONTWRITEBYTECODE :=
run: install
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	PORT=$(PORT) $(PY) manage.py run_platform

# The same, with Django's development server reloading on every code change instead of gunicorn.
dev: export PYTHONDONTWRITEBYTECODE :=
dev: install-dev
	mkdir -p var
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py createcachetable
	$(PY) manage.py load_demo
	PORT=$(PORT) $(PY) manage.py run_platform --dev

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

# Tests run in parallel, one worker per core (PYTEST_WORKERS=0 runs them in one process); the 30 slowest are listed.
PYTEST_WORKERS ?= auto

test: install-dev lint
	mkdir -p var
	DJANGO_ENV=test $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=30 $(PYTEST_ARGS)
