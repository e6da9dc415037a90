# Set-up and everyday commands. `make run` and `make test` do everything on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Hashed lock files, made by `make lock` from pyproject.toml: the runtime dependencies alone,
# and with the dev extra. Installs take exactly these versions and files.
LOCK_BASE := requirements/base.txt
LOCK_DEV := requirements/dev.txt
LOCK_LOAD := requirements/load.txt
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCK_DEV) | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE ?= settings.local

.DEFAULT_GOAL := help
.PHONY: help install lock run serve seed test check lint format bench bench-paired faults load clean

help:
	@echo "make run    install, migrate, load the default standard and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install and run the whole test suite"
	@echo "make check  lint, format check, type check, import layers, migrations check, deploy check, API schema check"
	@echo "make bench  benchmarks (needs DATABASE_URL and CELERY_BROKER_URL)"
	@echo "make bench-paired BEFORE=path  the dashboard pages of another checkout and this one, in turns"
	@echo "make faults fault tests with real workers (needs DATABASE_URL and redis-server)"
	@echo "make load   a 3-minute Locust load run against gunicorn (needs DATABASE_URL and CELERY_BROKER_URL)"
	@echo "make lock   regenerate the hashed lock files in requirements/ from pyproject.toml"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_DEV)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
	--universal --no-header --annotation-style line --quiet

lock: $(BIN)/python
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet "uv>=0.5,<1"
	$(UV_COMPILE) --output-file $(LOCK_BASE)
	$(UV_COMPILE) --extra dev --output-file $(LOCK_DEV)
	$(UV_COMPILE) --extra dev --extra load --output-file $(LOCK_LOAD)

seed: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "Check SEND provision is starting at http://$(HOST):$(PORT)"
	@echo "Officers and admins sign in with a second factor: $(BIN)/python manage.py demo_code EMAIL"
	@echo "prints a demo account's current code."
	@echo "Press Ctrl+C to stop the web server and the Celery worker."
	@echo ""
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho start -f Procfile

test: install
	DJANGO_SETTINGS_MODULE=settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The deploy check loads production settings, which refuse to load without a shared broker and
# cache: the URLs given are only parsed, never connected to.
# Type checks cover every application package (migrations are left out in pyproject.toml).
MYPY_PACKAGES := settings common accounts standards providers audits scoring inclusion dashboards \
	reports notifications api core

check: lint
	$(BIN)/mypy $(wildcard $(MYPY_PACKAGES))
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=settings.production SECRET_KEY=check-deploy-$(shell head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') \
		ALLOWED_HOSTS=example.org DATABASE_URL=sqlite:///check.sqlite3 \
		CELERY_BROKER_URL=redis://127.0.0.1:6379/0 CACHE_URL=redis://127.0.0.1:6379/1 \
		PRIVACY_CONTROLLER="Example Council" PRIVACY_CONTACT_EMAIL=dpo@example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python scripts/check_openapi.py

bench: install
	$(BIN)/python -m bench

bench-paired: install
	@test -n "$(BEFORE)" || (echo "BEFORE=path/to/another/checkout is needed" && exit 2)
	$(BIN)/python -m bench.paired $(BEFORE) $(PAIRED_ARGS)

faults: install
	$(BIN)/python -m reliability.faults $(FAULTS_ARGS)

load: install
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_LOAD)
	$(BIN)/python -m reliability.load $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .celery-queue staticfiles .pytest_cache .mypy_cache .ruff_cache
