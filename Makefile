# Keel: `make run` serves the app, `make test` runs the whole suite. Both set everything up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install migrate seed lint format bench browser check-compose clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Development settings that last: DEBUG on and a secret key of this machine's own, so that
# the README's manage.py commands work after `make run` without typing anything first.
# Written once, when there is no .env (git-ignored); delete it to get a new one.
.env:
	@key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') && test -n "$$key" && \
	printf '%s\n' \
		'# Written by `make run` for development on this machine (git-ignored). Variables set' \
		'# in the environment win over these. Delete this file to have `make run` write a new one.' \
		'DEBUG=true' \
		"SECRET_KEY=$$key" > $@
	@echo "Wrote .env for development: DEBUG=true and a generated SECRET_KEY."

# The embedded default: SQLite, eager Celery, local-memory cache. DEBUG is on only here.
run: export DEBUG ?= true
run: install .env
	@case "$(PORT)" in ''|*[!0-9]*) echo "PORT must be a number, got '$(PORT)'"; exit 2;; esac
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

browser:
	@scripts/ensure-chromium

# The suite runs on every CPU (pytest-xdist, one database per worker): the demo's story alone
# seeds the demo on twelve dates. PYTEST_WORKERS=0 runs it in this one process.
PYTEST_WORKERS ?= auto
test: install browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Lint: ruff, formatting, missing migrations, the floors between the apps (import-linter,
# pyproject.toml), types over the whole tree, and strict typing of the pure domain modules.
lint: export DEBUG ?= true
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/mypy --strict --follow-imports=silent $(wildcard */domain.py */domain/*.py) kpis/periods.py kpis/rows kpis/csvfiles.py core/formatting.py core/charts.py core/clock.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python scripts/bench.py

check-compose:
	docker-compose -f docker-compose.yml config -q

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
