# Set-up and everyday commands. `make run` and `make test` do everything on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2
export DJANGO_SETTINGS_MODULE ?= settings.local

.DEFAULT_GOAL := help
.PHONY: help install run serve seed test check lint format bench clean

help:
	@echo "make run    install, migrate, load the default standard and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test   install and run the whole test suite"
	@echo "make check  lint, format check, type check, import layers, migrations check, deploy check, API schema check"
	@echo "make bench  benchmarks (needs DATABASE_URL and CELERY_BROKER_URL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

seed: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "Check SEND provision is starting at http://$(HOST):$(PORT)"
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

check: lint
	$(BIN)/mypy $(shell ls -d */services.py */selectors.py */services */selectors 2>/dev/null) common
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=settings.production SECRET_KEY=check-deploy-$(shell head -c 32 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9') \
		ALLOWED_HOSTS=example.org DATABASE_URL=sqlite:///check.sqlite3 \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python scripts/check_openapi.py

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .celery-queue staticfiles .pytest_cache .mypy_cache .ruff_cache
