# genapp: `make run` serves the app, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PYTHONUNBUFFERED := 1

.PHONY: run run-prod test test-unit test-e2e bench setup chromium migrate clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

.tools/node_modules/.bin/bun: .tools/package.json .tools/package-lock.json
	npm ci --prefix .tools --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.installed .tools/node_modules/.bin/bun

migrate: setup
	$(PY) -m genapp.db

run: migrate
	reflex run --frontend-port $${GENAPP_FRONTEND_PORT:-3000} --backend-port $${GENAPP_BACKEND_PORT:-8000}

run-prod: migrate
	reflex run --env prod --single-port --backend-port $${GENAPP_BACKEND_PORT:-8000}

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

test-unit: setup
	$(PY) -m pytest tests/unit -q

test-e2e: setup chromium
	$(PY) -m pytest tests/e2e -q

# Two runs: sync Playwright keeps an event loop in the main thread, which the async unit tests need.
test: test-unit test-e2e

bench: setup
	$(PY) bench/bench_generators.py
	$(PY) bench/bench_engine.py
	$(PY) bench/bench_push.py
	$(PY) bench/bench_providers.py

clean:
	rm -rf .web .states genapp.db
