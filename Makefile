# Werkstatt developer entry points: `make run`, `make test`.
# Needs GNU make, bash and a Swift 6 toolchain. PostgreSQL is installed with
# apt if missing and run as a private cluster by deploy/local-postgres.sh;
# set DATABASE_URL to use an existing database instead.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# Each recipe is one shell script, so variables and `exec` carry across lines.
.ONESHELL:

PORT         ?= 8080
TEST_TIMEOUT ?= 1200
TEST_FLAGS   ?=
TEST_FUZZ    ?= 1
BENCH_FLAGS  ?=
FUZZ_FLAGS   ?=
FAULTS       ?=
FAULTS_FLAGS ?=
PGDIR        := .werkstatt/pg
PG           := deploy/local-postgres.sh
# Deferred (?= is recursive), so swift is only asked when BIN is used.
BIN          ?= $(shell swift build --show-bin-path)/werkstatt
# Benchmarks use a release build in its own scratch path, never .build.
BENCH_BUILD  := swift build -c release --product werkstatt --scratch-path .build-bench

.PHONY: build run test test-api-fuzz fuzz bench-tools bench-recompute bench-freshness bench-ingest bench-http bench-scale-out bench-member-import bench-progress faults db-start db-stop db-destroy psql clean

build:
	swift build

run: build
	if [[ -z "$${DATABASE_URL:-}" ]]; then DATABASE_URL=$$($(PG) start $(PGDIR)); fi
	export DATABASE_URL
	$(BIN) migrate
	# `demo` arrives in a later issue: run it once `--help` lists it. (Not
	# `demo --help`: ArgumentParser answers that with the root help, exit 0.)
	if $(BIN) --help | grep -E '^  demo( |$$)' >/dev/null; then $(BIN) demo; fi
	exec $(BIN) serve --host 127.0.0.1 --port $(PORT) --with-worker

# Build first, so a compile error doesn't start a cluster and the build isn't
# counted in TEST_TIMEOUT. The watchdog turns a hung test into a CI failure that
# names the tests still running, what PostgreSQL was doing and the threads' stacks.
# Then a bounded schemathesis run against the debug build (TEST_FUZZ=0 skips it).
test:
	swift build --build-tests
	deploy/with-test-db.sh scripts/test-watchdog.sh $(TEST_TIMEOUT) $(TEST_FLAGS)
	if [[ "$(TEST_FUZZ)" != 0 ]]; then
	  WERKSTATT_BIN=$(BIN) timeout --signal=INT --kill-after=30 900 scripts/schemathesis.sh --max-examples 20
	fi

# Fuzz the API with schemathesis against the /openapi.yaml it serves (release build,
# throwaway cluster, demo data; see the head of scripts/schemathesis.sh). test-api-fuzz
# is the bounded run (--max-examples 20, fixed seed), fuzz the long one; FUZZ_FLAGS go
# to the script and on to `schemathesis run`, e.g. FUZZ_FLAGS='--seed 7'.
test-api-fuzz:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt scripts/schemathesis.sh $(FUZZ_FLAGS)

fuzz:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt scripts/schemathesis.sh --max-examples 200 $(FUZZ_FLAGS)

# Benchmarks on a throwaway cluster (or $DATABASE_URL); see the head of each script
# for settings (BENCH_FLAGS go to bench/freshness.py, e.g. --rate 500).
# Build first, as for `test`, so a compile error doesn't start a cluster.
# bench-tools installs the load generator wrk with apt-get when it is missing and we are
# root (as in CI); otherwise it says what to install. The scripts themselves install nothing.
bench-tools:
	if ! command -v wrk >/dev/null; then
	  if (( EUID != 0 )); then
	    echo "bench-tools: wrk is missing; install it as root: apt-get install wrk" >&2
	    exit 1
	  fi
	  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; then
	    apt-get update
	    DEBIAN_FRONTEND=noninteractive apt-get install -y wrk
	  fi
	fi

bench-recompute:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/recompute.sh

bench-freshness:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/freshness.sh $(BENCH_FLAGS)

bench-ingest: bench-tools
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/ingest.sh

# BENCH_PERF=10 adds a perf profile of the workshop read, BENCH_SOAK=300 the 5-minute soak
# (see the head of bench/http.sh).
bench-http: bench-tools
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/http.sh

bench-scale-out: bench-tools
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/scale-out.sh

bench-member-import:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/member-import.sh

bench-progress:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/progress.sh

# Fault injection (bench/faults/run.sh, docs/reliability.md): each scenario on its own
# throwaway cluster against the release build; exits non-zero if any check fails.
# FAULTS picks scenarios (db-outage worker-kill api-kill graceful; default all),
# FAULTS_FLAGS go to every scenario's script, e.g. FAULTS_FLAGS='--rate 100'.
faults:
	$(BENCH_BUILD)
	WERKSTATT_BIN=$$($(BENCH_BUILD) --show-bin-path)/werkstatt bench/faults/run.sh $(FAULTS) -- $(FAULTS_FLAGS)

db-start:
	$(PG) start $(PGDIR)

db-stop:
	$(PG) stop $(PGDIR)

db-destroy:
	$(PG) destroy $(PGDIR)

psql:
	$(PG) psql $(PGDIR)

# Also removes test clusters left behind by a killed `make test`.
clean:
	swift package clean
	for d in $(PGDIR) .werkstatt/test-*; do
	  if [[ -e $$d ]]; then $(PG) destroy $$d; fi
	done
