# The two commands a new machine needs (see README):
#   make demo   - install, migrate, load the Liverpool demo data, print logins, run the site
#   make test   - install everything the tests need, then run every test
# Everything is installed into .venv by the project itself; nothing by hand.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The demo serves debug pages: only this machine by default (HOST=0.0.0.0 to share it).
HOST ?= 127.0.0.1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo serve test lint install install-test chromium bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input -v 0
	# Links in the printed logins, emails and feeds point at the port the demo really uses.
	DEBUG=true SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(BIN)/python manage.py load_demo --reset
	DEBUG=true SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The site as production runs it, on this machine's loopback: production settings (DEBUG off,
# hashed static files), PostgreSQL, Redis and gunicorn. Plain HTTP on loopback only, so the
# HTTPS redirect is off; browsers accept the secure cookies on localhost. See README, Deploying.
serve: export DEBUG = false
serve: export DATABASE_URL ?= postgres://root@127.0.0.1:5432/nowrongdoor
serve: export REDIS_URL ?= redis://127.0.0.1:6379/1
serve: export SITE_URL ?= http://localhost:$(PORT)
serve: export ALLOWED_HOSTS ?= localhost,127.0.0.1
serve: export SECURE_SSL_REDIRECT = false
serve: export SECRET_KEY ?= local-serve-$(shell hostname)-not-for-the-internet-0123456789abcdef
serve: export REFERRAL_ENCRYPTION_KEYS ?= $(shell $(PYTHON) -c 'import base64, hashlib, socket; print(base64.urlsafe_b64encode(hashlib.sha256(socket.gethostname().encode()).digest()).decode())')
serve: install
	createdb -h 127.0.0.1 -U root nowrongdoor 2>/dev/null || true
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py load_demo --force 2>/dev/null | tail -n +2 || echo "(demo data already loaded)"
	$(BIN)/gunicorn directory.wsgi:application --bind 127.0.0.1:$(PORT) --workers 2 --threads 4

# ical.js (Thunderbird's parser) checks our feeds in the tests, and axe-core checks every public
# page for WCAG 2.2 AA problems in the browser tests; both pinned in package-lock.json.
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The browser tests (tests/browser/) drive Debian's chromium through Playwright, which never
# downloads a browser of its own here. When chromium is missing it comes from Debian (CI is root).
chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y --no-install-recommends chromium)

test: install-test node_modules/.package-lock.json chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

bench: install-test
	$(BIN)/python bench/bench_browse.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_feeds.py
	$(BIN)/python bench/bench_duplicates_quality.py
	$(BIN)/python bench/bench_search.py
	$(BIN)/python bench/bench_duplicates_scale.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache node_modules
