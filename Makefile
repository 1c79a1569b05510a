# stelae-smoke — build, test and run the readiness chain. `make help` lists targets and switches.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
PREFIX ?= /usr/local
VENV ?= .venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STATE_HOME ?= .smoke/state

.DEFAULT_GOAL := help
.PHONY: help deps sysdeps venv build debug-build install test render-proxy smoke bench clean

help: ## List targets and the switches they read.
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'
	@echo
	@echo "Switches: PREFIX=$(PREFIX) VENV=$(VENV) STATE_HOME=$(STATE_HOME) SWIFT=$(SWIFT)"

deps: sysdeps venv ## Install what a fresh machine lacks: apt packages, then the pinned .venv.

sysdeps: ## apt-install libgit2-dev, pkg-config, python3-venv (and git, openssl for tests) when missing.
	@missing=""; \
	command -v pkg-config >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v git >/dev/null 2>&1 || missing="$$missing git"; \
	command -v openssl >/dev/null 2>&1 || missing="$$missing openssl"; \
	pkg-config --exists libgit2 2>/dev/null || missing="$$missing libgit2-dev"; \
	dpkg -s python3-venv >/dev/null 2>&1 || $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing" >&2; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(VENV)/.requirements.stamp ## Create .venv with the pinned PyPI packages (only when missing or changed).

$(VENV)/.requirements.stamp: requirements.txt constraints.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	@cat requirements.txt constraints.txt > $@

build: sysdeps ## Release build of the five tools.
	$(SWIFT) build -c release

debug-build: sysdeps
	$(SWIFT) build

install: build ## Install the tools into $(PREFIX)/bin.
	@mkdir -p $(PREFIX)/bin
	@bin=$$($(SWIFT) build -c release --show-bin-path); \
	for tool in render-manifest port-preflight probe-initialize codex-stage git-clean-check; do \
	  install -m 0755 "$$bin/$$tool" "$(PREFIX)/bin/$$tool"; echo "installed $(PREFIX)/bin/$$tool"; \
	done

test: deps debug-build ## The whole suite: unit and end-to-end tests against real servers.
	$(SWIFT) test

render-proxy: ## Render proxy.json, overrides and the curated manifest (arrives with issue 3).
	@echo "render-proxy arrives with the render-manifest issue" >&2; exit 2

smoke: ## The whole readiness chain on the embedded default stack (arrives with issue 6).
	@echo "smoke arrives with the smoke issue" >&2; exit 2

bench: ## Benchmarks with ratios against a baseline run in the same invocation.
	@echo "no benchmarks yet" >&2

clean:
	rm -rf .build .smoke
