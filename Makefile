# stelae-smoke — build, test and run the readiness chain. `make help` lists targets and switches.
SHELL := /bin/bash
SWIFT ?= swift
# Release builds link the Swift runtime and Foundation statically: a tool starts in about 9 ms
# instead of 15 (no dynamic symbol binding), which is a fifth of codex-stage's fixed cost per
# stage, and the installed tools run on machines without a Swift toolchain. Every release build
# here uses the same flags, so none of them rebuilds what another built.
SWIFT_RELEASE ?= $(SWIFT) build -c release --static-swift-stdlib
export SWIFT_RELEASE
# The environments' interpreter: Debian's python3 when present, built with PGO and LTO (pyenv's
# default build is not, and the servers' imports, most of `make test`'s CPU, take about a third
# more CPU on it: bench/README.md), else python3 on PATH. An environment built on another
# interpreter is built again (the first line of its stamp names the one it was built on).
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
# $(call other-python,DIR): FORCE when the environment in DIR was built on another interpreter.
other-python = $(if $(shell grep -sqxF 'python: $(PYTHON)' $(1)/.requirements.stamp || echo other),FORCE)
PREFIX ?= /usr/local
VENV ?= .venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STATE_HOME ?= .smoke/state

.DEFAULT_GOAL := help
FORCE:
.PHONY: FORCE help deps sysdeps venv stelae-venv lint format build debug-build install test docs render-proxy smoke bench clean

# Switches of the readiness chain; scripts/smoke reads them from the environment (empty = default).
SMOKE_SWITCHES := SMOKE_SOURCE SMOKE_REV SMOKE_DIR PROXY_PORT PROXY_CMD PROBE_URL CODEX_MODEL STAGES \
  STAGES_FILE PROBE_DEADLINE STAGE_TIMEOUT HEARTBEAT_TIMEOUT CURATED_TOOLS KEEP STELAE_CONFIG_HOME SMOKE_BASELINE SMOKE_BASE_REF \
  SMOKE_TESTS SMOKE_TESTS_PRE SMOKE_TESTS_POST TESTS_TIMEOUT SMOKE_TEST_REQUIREMENTS SMOKE_TEST_PINS SMOKE_TEST_ENVS \
  SMOKE_RESTART RESTART_TIMEOUT REPEAT MANUAL
export $(SMOKE_SWITCHES)
SMOKE_STEPS := clone preflight render test-env tests-pre start probe drift diagnose stages restart tests-post stop summary
# `make smoke` runs on a debug build: from a fresh clone it builds in about half the time of the
# static release build (the chain's speed hardly changes: its steps are I/O and child processes),
# and `make test` then reuses it. `make build`/`make install` stay release and static.
SMOKE_BUILD ?= $(SWIFT) build
SMOKE_TOOLS_STAMP := .build/debug/.smoke-tools
TEST_BUILD_STAMP := .build/debug/.tests-built
# The build stamps' inputs, listed once per make run.
SWIFT_SOURCES := $(shell find Sources -type f 2>/dev/null)
TEST_SOURCES := $(shell find Tests -type f -not -path "*/__pycache__/*" 2>/dev/null)
BIN_DIR ?= $(CURDIR)/.build/debug
SMOKE_BIN = BIN_DIR=$(abspath $(BIN_DIR)) VENV=$(abspath $(VENV)) STELAE_VENV=$(abspath $(STELAE_VENV))

help: ## List targets and the switches they read.
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'
	@echo
	@echo "  smoke-STEP     one step of the chain on the latest run: $(SMOKE_STEPS)"
	@echo
	@echo "Switches: PREFIX=$(PREFIX) VENV=$(VENV) STATE_HOME=$(STATE_HOME) SWIFT=$(SWIFT)"
	@echo "  SWIFT_RELEASE=$(SWIFT_RELEASE)"
	@echo "Smoke switches (docs/smoke.md):"
	@echo "  SMOKE_SOURCE=repo to clone (default: this one)  SMOKE_DIR=run dir (default .smoke/runs/<UTC stamp>)"
	@echo "  PROXY_PORT=port (default: random free)  PROXY_CMD=stack command (default: .venv/bin/python stack/stelae_proxy.py --config <proxy.json> --port \$$PROXY_PORT)"
	@echo "  CODEX_MODEL=scripted|real  STAGES=\"bundle-tools install remove\"  STAGES_FILE=stack/stages.json  CURATED_TOOLS=extra required tools"
	@echo "  PROBE_DEADLINE=30  STAGE_TIMEOUT=120  HEARTBEAT_TIMEOUT=60 (seconds)  KEEP=1 keeps the cloned workspace"
	@echo "  SMOKE_TESTS=0|1 (the source's own tests; 1 for a Stelae checkout)  SMOKE_TESTS_PRE/SMOKE_TESTS_POST=command|none  TESTS_TIMEOUT=300"
	@echo "  SMOKE_RESTART=between|after:<stage>  RESTART_TIMEOUT=60  REPEAT=N (flakes.json)  MANUAL=1 (stop once the stack is ready)"

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

# Stelae's own servers need mcp 1.x (stack/stelae/requirements.txt); ours run on mcp 2.x. A
# Stelae source gets this second environment, built once per pin set.
STELAE_VENV ?= .venv-stelae
stelae-venv: $(STELAE_VENV)/.requirements.stamp ## Create .venv-stelae, the pinned runtime of a real Stelae checkout's servers.

$(STELAE_VENV)/.requirements.stamp: stack/stelae/requirements.txt stack/stelae/constraints.txt $(call other-python,$(STELAE_VENV))
	@$(if $(call other-python,$(STELAE_VENV)),rm -rf $(STELAE_VENV))
	@test -x $(STELAE_VENV)/bin/python || $(PYTHON) -m venv $(STELAE_VENV)
	$(STELAE_VENV)/bin/pip install -q --disable-pip-version-check -r stack/stelae/requirements.txt -c stack/stelae/constraints.txt
	@{ echo 'python: $(PYTHON)'; cat stack/stelae/requirements.txt stack/stelae/constraints.txt; } > $@

venv: $(VENV)/.requirements.stamp ## Create .venv with the pinned PyPI packages (only when missing or changed).

$(VENV)/.requirements.stamp: requirements.txt constraints.txt $(call other-python,$(VENV))
	@$(if $(call other-python,$(VENV)),rm -rf $(VENV))
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
	@{ echo 'python: $(PYTHON)'; cat requirements.txt constraints.txt; } > $@

build: sysdeps ## Release build of the five tools.
	$(SWIFT_RELEASE)

debug-build: sysdeps
	$(SWIFT) build

install: build ## Install the tools into $(PREFIX)/bin.
	@mkdir -p $(PREFIX)/bin
	@bin=$$($(SWIFT_RELEASE) --show-bin-path); \
	for tool in render-manifest port-preflight probe-initialize codex-stage git-clean-check smoke-report; do \
	  install -m 0755 "$$bin/$$tool" "$(PREFIX)/bin/$$tool"; echo "installed $(PREFIX)/bin/$$tool"; \
	done

# Parallel by process: scripts/test-parallel runs TEST_JOBS test processes at once, each over a
# unit of suites, one test at a time (the last unit's short tests in parallel), plus the units
# that mostly wait beside them (figures in bench/README.md).
# Not swift-testing's in-process parallelism: many tests block a thread on a real child, and on
# 2 cores they starve the cooperative pool that the probe's and the stage runner's timing needs.
# TEST_JOBS=1 runs the units one after another; TEST_FLAGS adds swift-testing flags to every
# unit (e.g. `--skip REGEX`).
TEST_JOBS ?= 4
TEST_FLAGS ?=
export TEST_JOBS

# What swift-format reads (the configuration is .swift-format); the fuzz package is code we ship too.
SWIFT_FORMAT_PATHS := Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources bench/swift_floor/Package.swift bench/swift_floor/Sources

lint: venv ## Check style and the workflow files: swift-format (.swift-format, --strict), actionlint.
	$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_FORMAT_PATHS)
	$(VENV)/bin/actionlint .github/workflows/*.yml

format: ## Rewrite the Swift sources in the house style (.swift-format).
	$(SWIFT) format format --in-place --recursive --parallel $(SWIFT_FORMAT_PATHS)

test: deps $(TEST_BUILD_STAMP) ## The whole suite: unit and end-to-end tests against real servers, TEST_JOBS processes at once.
	SWIFT="$(SWIFT)" scripts/test-parallel $(TEST_FLAGS)

# One build of the tools and the tests, run only when a source changed since the last one: a
# no-op `swift build --build-tests` costs 14 s here, a tenth of a warm `make test`. It builds every
# tool too, so `make smoke` need not build after it.
$(TEST_BUILD_STAMP): Package.swift $(wildcard Package.resolved) $(SWIFT_SOURCES) $(TEST_SOURCES) | sysdeps
	$(SWIFT) build --build-tests
	@touch $@ $(SMOKE_TOOLS_STAMP)

docs: debug-build ## Rewrite each docs page's quoted `--help` blocks from the built tools (DocsSynopsisTests checks them).
	STELAE_SMOKE_UPDATE_DOCS=1 $(SWIFT) test --filter DocsSynopsisTests

# render-proxy: the embedded stack (stack/) by default, hermetic (no ~/.config/stelae, no
# STELAE_ENV_FILE). STELAE_DIR=/path/to/stelae renders a real checkout instead: its
# config/proxy.template.json and .env.example, the config home (STELAE_CONFIG_HOME, else the
# tool's default) with its catalog/*.json and bundles, and STELAE_ENV_FILE when given.
# RENDER_FLAGS adds flags (e.g. --allow-hardcoded-port, --set KEY=VALUE, --check-only).
STELAE_DIR ?=
STELAE_CONFIG_HOME ?=
STELAE_ENV_FILE ?=
RENDER_FLAGS ?=
STACK_DIR ?= stack

render-proxy: sysdeps ## Render proxy.json, overrides and the curated manifest into $(STATE_HOME) (STELAE_DIR=… for a real Stelae).
	@$(SWIFT) build --product render-manifest >&2
	@bin="$$($(SWIFT) build --show-bin-path)/render-manifest"; \
	if [ -n "$(STELAE_DIR)" ]; then \
	  set -- --template "$(STELAE_DIR)/config/proxy.template.json" --scope local \
	    --set "STELAE_DIR=$(abspath $(STELAE_DIR))"; \
	  if [ -f "$(STELAE_DIR)/.env.example" ]; then set -- "$$@" --fallback-env "$(STELAE_DIR)/.env.example"; fi; \
	  if [ -n "$(STELAE_CONFIG_HOME)" ]; then set -- "$$@" --config-home "$(STELAE_CONFIG_HOME)"; fi; \
	  if [ -n "$(STELAE_ENV_FILE)" ]; then set -- "$$@" --env-file "$(STELAE_ENV_FILE)"; fi; \
	  "$$bin" render --state-home "$(STATE_HOME)" "$$@" $(RENDER_FLAGS); \
	else \
	  env -u STELAE_ENV_FILE -u STELAE_CONFIG_HOME -u STELAE_STATE_HOME "$$bin" render \
	    --template "$(STACK_DIR)/proxy.template.json" --catalog "$(STACK_DIR)/catalog/core.json" --scope default \
	    --config-home "$(abspath $(STATE_HOME))/config" --state-home "$(STATE_HOME)" \
	    --set "STACK_PYTHON=$(abspath $(VENV))/bin/python" $(RENDER_FLAGS); \
	fi

smoke: deps $(SMOKE_TOOLS_STAMP) $(if $(SMOKE_SOURCE),stelae-venv) ## The whole readiness chain, offline on the embedded default stack; evidence in .smoke/runs/.
	@$(SMOKE_BIN) scripts/smoke all

# The build, run only when a source changed since the last one: a no-op `swift build` costs
# seconds (17 s on a loaded 2-core box), a third of a warm `make smoke`.
$(SMOKE_TOOLS_STAMP): Package.swift $(SWIFT_SOURCES) | sysdeps
	$(SMOKE_BUILD)
	@touch $@

# One step of the chain on the latest run directory (or SMOKE_DIR); `smoke-clone` starts a new one.
$(addprefix smoke-,$(SMOKE_STEPS)):
	@$(SMOKE_BIN) scripts/smoke $(patsubst smoke-%,%,$@)
.PHONY: $(addprefix smoke-,$(SMOKE_STEPS))

bench: sysdeps venv ## Benchmarks (bench/*.sh), each printing ratios against a baseline run in the same invocation.
	$(SWIFT_RELEASE)
	@status=0; for script in bench/*.sh; do \
	  echo "== $$script"; bash "$$script" || status=1; \
	done; exit $$status

clean:
	rm -rf .build .smoke

# --- Hardening (issue 7): heavy runs kept out of `make test`. ---
MUTATIONS ?= 10000
MUTATE_SEED ?= 1
MUTATE_JOBS ?= 2
.PHONY: mutate
mutate: debug-build ## Command-line mutation test: MUTATIONS mutants per tool (seed MUTATE_SEED), report in .smoke/mutate.json.
	@mkdir -p .smoke
	$(PYTHON) scripts/mutate_cli.py --bin "$$($(SWIFT) build --show-bin-path)" --mutations $(MUTATIONS) \
	  --seed $(MUTATE_SEED) --jobs $(MUTATE_JOBS) --report .smoke/mutate.json

# Leak and race reports of third-party code are suppressed (Tests/Fixtures/Hardening/*.supp); the
# tests hand these settings on to every tool they run.
SANITIZE_TEST_FLAGS ?= --no-parallel
SANITIZE_ENV = LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Fixtures/Hardening/lsan.supp:print_suppressions=0 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
  TSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Fixtures/Hardening/tsan.supp:halt_on_error=0:second_deadlock_stack=1
.PHONY: sanitize
sanitize: sysdeps venv ## The suite (tools included) under AddressSanitizer, then ThreadSanitizer (.build-asan, .build-tsan).
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	$(SANITIZE_ENV) $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan $(SANITIZE_TEST_FLAGS)
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	$(SANITIZE_ENV) $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan $(SANITIZE_TEST_FLAGS)

RELIABILITY_REPEAT ?= 3
.PHONY: reliability
reliability: debug-build venv ## Fault matrix and 1 GB / 50 MB / 10,000-deep resource runs (peak RSS) → docs/reliability.md.
	$(PYTHON) scripts/reliability.py --bin "$$($(SWIFT) build --show-bin-path)" --python $(VENV)/bin/python \
	  --codex "$$($(VENV)/bin/python -c 'import codex_cli_bin, os; print(os.path.dirname(codex_cli_bin.__file__))')/bin/codex" \
	  --repeat $(RELIABILITY_REPEAT)

# libFuzzer + ASan on every parser (Fuzz/ is a package of its own: its targets call libFuzzer's driver).
# A few seconds per target by default, which is what CI runs: the build proves the fuzz package still
# compiles against the parsers, the runs replay the seeds and any crash fails. FUZZ_SECONDS=60 digs
# deeper. New inputs go to .smoke/fuzz/<target>/corpus, crashes to .smoke/fuzz/<target>/crash-*.
FUZZ_SECONDS ?= 5
FUZZ_TARGETS ?= FuzzJSON FuzzEnvFile FuzzTemplate FuzzCatalog FuzzDrift FuzzTranscript FuzzStageFile FuzzBaseline FuzzSSE
FUZZ_FLAGS = -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --scratch-path ../.build-fuzz
.PHONY: fuzz fuzz-build fuzzdeps
fuzz: fuzz-build ## libFuzzer each parser for FUZZ_SECONDS (default 5; seeds Fuzz/Corpus/<target>; findings in .smoke/fuzz/).
	@bin=$(CURDIR)/.build-fuzz/debug; status=0; \
	for target in $(FUZZ_TARGETS); do \
	  mkdir -p .smoke/fuzz/$$target/corpus; echo "== $$target ($(FUZZ_SECONDS) s)"; \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/Fixtures/Hardening/lsan.supp "$$bin/$$target" \
	    .smoke/fuzz/$$target/corpus Fuzz/Corpus/$$target -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix=.smoke/fuzz/$$target/ -print_final_stats=1 2>&1 \
	    | grep -E '^(#[0-9]+ +DONE|==[0-9]+==|SUMMARY|artifact_prefix|Test unit written|stat::number_of_executed_units|stat::peak_rss_mb|INFO: Loaded|.*Fatal error:)' \
	    ; [ "$${PIPESTATUS[0]}" = 0 ] || { echo "$$target: FAILED (see .smoke/fuzz/$$target/)"; status=1; }; \
	done; exit $$status

fuzz-build: fuzzdeps ## Build the fuzz package (libFuzzer + ASan) into .build-fuzz.
	cd Fuzz && $(SWIFT) build $(FUZZ_FLAGS)

# The fuzz targets link only with lld (gold crashes on the instrumented debug info); the Swift
# toolchain ships it beside swiftc, a distribution's `lld` package does elsewhere.
fuzzdeps: sysdeps
	@command -v ld.lld >/dev/null 2>&1 || [ -x "$$(dirname "$$(readlink -f "$$(command -v $(SWIFT))")")/ld.lld" ] || { \
	  echo "fuzz: installing lld" >&2; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lld >/dev/null; }
