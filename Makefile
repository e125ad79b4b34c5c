# Tantième: `make run` starts the demo extranet, `make test` runs every check.
# Both install what they need into .venv first.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?= -n auto
export PORT

.PHONY: run install install-dev lint test pytest messages compile-messages clean help lock

help:
	@echo "make run    install, migrate, seed the demo and serve on http://horizon.localhost:$(PORT)/"
	@echo "make test   install the test tools and run lint, type checks and the whole test suite"
	@echo "make lint   ruff, mypy and the import-layer contract only"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The exact versions of requirements.lock (runtime) and requirements-dev.lock (tests and tools):
# every install gets what CI tested. `make lock` rewrites them from pyproject.toml.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	@touch $@

lock:
	rm -rf var/lock-runtime var/lock-dev
	$(PYTHON) -m venv var/lock-runtime && var/lock-runtime/bin/pip install --quiet .
	var/lock-runtime/bin/pip freeze --exclude-editable | grep -v '^tantieme' > requirements.lock
	$(PYTHON) -m venv var/lock-dev && var/lock-dev/bin/pip install --quiet '.[dev]'
	var/lock-dev/bin/pip freeze --exclude-editable | grep -v '^tantieme' > requirements-dev.lock
	rm -rf var/lock-runtime var/lock-dev

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The periodic jobs (mail retries, next-day postings…) run every 5 minutes beside the server and
# stop with it; tasks run in the web process (TASKS_BACKEND=immediate).
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@$(BIN)/python manage.py runperiodic --loop 300 >> var/periodic.log 2>&1 & periodic=$$!; \
	trap "kill $$periodic 2>/dev/null" EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy tantieme
	$(BIN)/lint-imports

pytest: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

# Regenerate the English catalogue from the French source strings; fill the new msgstr, then
# `make compile-messages` (the .mo is committed so that installs need no gettext tools).
messages: install-dev
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=tests --ignore=bench

compile-messages: install-dev
	$(BIN)/python manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
