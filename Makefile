# bma_tracker — every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: WeasyPrint's Pango/HarfBuzz, a Thai font for browsers, poppler for reading
# PDFs back in tests, Debian's Chromium for browser tests, gettext for translations, redis-server
# for the Redis tests and `make faulttest` (which starts one of its own), Debian's nginx and
# openssl for the deployed site (deploy/: its tests, `make loadtest TLS=1`).
DEB_PACKAGES := python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-thai-tlwg \
	poppler-utils chromium gettext redis-server nginx openssl
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# make loadtest TLS=1: through Debian's nginx with deploy/'s site and a throw-away certificate
TLS ?= $(LOADTEST_TLS)
# make serve: the production stack on PostgreSQL over plain HTTP on the loopback
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bma_tracker

.PHONY: help deps system-deps run serve loadtest faulttest worker test test-fast lint format bench import-seeds messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

system-deps: ## Install the Debian packages (needs root or sudo; skipped when present)
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	@touch $@

deps: system-deps $(VENV)/.installed ## Install everything: Debian packages, virtualenv, requirements
	@test -f .env || { echo "DEBUG=1"; echo "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(40))')"; \
		echo "DEMO_PASSWORD=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(9))')"; } > .env
	@$(PY) manage.py compilemessages -v0 --ignore=.venv

run: deps ## Set up the embedded SQLite database with demo data and serve on http://127.0.0.1:8000
	$(PY) manage.py migrate -v0
	$(PY) manage.py load_reference
	@set -a; . ./.env; set +a; $(PY) manage.py seed_demo --if-empty --password "$$DEMO_PASSWORD"
	@echo "Background jobs (quarterly books): one db_worker in the background, log in db_worker.log"
	@$(PY) manage.py db_worker --no-reload >db_worker.log 2>&1 & echo $$! >.db_worker.pid; \
	trap 'kill $$(cat .db_worker.pid) 2>/dev/null; rm -f .db_worker.pid' EXIT INT TERM; \
	echo "Serving on http://$(HOST):$(PORT)/ — stop with Ctrl+C"; \
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: deps ## The production stack locally: gunicorn + whitenoise on PostgreSQL (DATABASE_URL), http://127.0.0.1:8000
	@set -a; . ./.env; set +a; \
	export DATABASE_URL="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}" DEBUG=0 ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 STATIC_MANIFEST=1 GUNICORN_BIND="$(HOST):$(PORT)"; \
	$(PY) manage.py ensure_database && \
	$(PY) manage.py migrate -v0 && \
	$(PY) manage.py load_reference && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py seed_demo --if-empty --password "$$DEMO_PASSWORD" && \
	echo "Serving the production stack on http://$(HOST):$(PORT)/ (plain HTTP on the loopback: no HTTPS redirect, cookies not Secure) — Ctrl+C stops" && \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py bma_tracker.wsgi

loadtest: deps ## Month-end peak: locust against gunicorn on PostgreSQL (bma_loadtest) on 127.0.0.1 (TLS=1: through deploy/'s nginx over HTTPS); prints req/s, p50/p95/p99, checks every posted report
	LOADTEST_TLS=$(TLS) $(PY) loadtest/run.py

faulttest: deps ## Faults against the production stack on 127.0.0.1 (own Redis and, when it can, own PostgreSQL cluster) while users post reports; fails if a report is lost or doubled or a request fails after one retry
	$(PY) loadtest/faulttest.py

worker: deps ## Run a background-job worker (quarterly books) on DATABASE_URL; start as many as you like, on any machine
	$(PY) manage.py migrate -v0
	$(PY) manage.py db_worker --no-reload

test: deps ## Run the whole test suite (browser tests included) and the linter
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-fast: deps ## Run the suite without the browser tests
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

lint: deps ## ruff: lint and formatting check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: deps ## ruff: fix imports and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: deps ## Time the main pages at BMA scale (5,000 projects x 5 years) on DATABASE_URL
	$(PY) manage.py migrate -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py bench --ensure-dataset

import-seeds: deps ## Load the reference data (fixtures/reference), then import the legacy printouts in fixtures/legacy: the three seeds and the three written pages (FY 2564)
	$(PY) manage.py load_reference
	$(PY) manage.py import_legacy fixtures/legacy/000_ce21939e2f54dfaa.txt fixtures/legacy/003_479be46a3a9ca5c2.txt
	$(PY) manage.py import_legacy --indicator-code 2400-9001 --fy 2564 fixtures/legacy/002_b90a0f8adbbb71e4.txt
	$(PY) manage.py import_legacy --fy 2564 fixtures/legacy/kpi_detail_written_5012-0456.txt \
		fixtures/legacy/unit_performance_written_50120000_dim1.txt fixtures/legacy/city_indicator_written_123.txt

messages: deps ## Regenerate and compile the English translations
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

clean: ## Remove the virtualenv, the SQLite database and generated files
	rm -rf $(VENV) db.sqlite3* staticfiles test-artifacts .pytest_cache .ruff_cache
