# Bootstraps .venv from nothing but python3 and the lock, then runs the suite.
#
# Installs come from requirements.lock (pip-compile, hashes; `make lock` refreshes it): every run of a
# commit uses the same numpy, scipy, Hypothesis and BLAS build. CI runs Python 3.11 (3.11.7).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= auto
SEEDS  ?= 5
PIP    := python -m pip --quiet --disable-pip-version-check
# one BLAS thread per process (the plugin pins it too, for a plain `pytest`): the oracles work on tiny
# matrices, where threading only adds contention; xdist gives the parallelism
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: install lint falsify test bench bench-baselines soak lock test-latest clean

# a fresh venv from the lock (--clear: nothing left from an older lock), then the project itself, editable
$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; v == (3, 11) or print(f"warning: Python {v[0]}.{v[1]}; the lock and CI use 3.11", file=sys.stderr)'
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/$(PIP) install --require-hashes --no-deps -r $(LOCK)
	$(BIN)/$(PIP) install --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## falsify: every statement at the `thorough` profile, across all cores; writes reports/
falsify: $(STAMP)
	@status=0; $(BIN)/python -m pytest theorems -n $(JOBS) --dist worksteal --hypothesis-profile=thorough \
		--report-dir=reports -p no:cacheprovider -q -rN || status=$$?; \
	echo "open reports/index.html (summary: reports/summary.json)"; exit $$status

## lint: ruff (lint and format) and mypy on the code; part of `make test`
lint: $(STAMP)
	$(BIN)/ruff check oracles theorems generators tests
	$(BIN)/ruff format --check oracles theorems generators tests
	$(BIN)/mypy

## test: make lint, then the project's own tests and every statement at the `ci` profile; benchmarks once, untimed.
## --timeout is a hang guard (a test stuck for 15 minutes fails with its stack), not a speed check.
test: $(STAMP) lint
	$(BIN)/python -m pytest -n 2 --dist worksteal --hypothesis-profile=ci --benchmark-disable --report-dir=reports -q --timeout=900

## bench: time the solvers (CPU time, minimum over rounds) and compare each, in units of a reference kernel
## timed in the same run, against the previous saved run (fails beyond +25%);
## the slow one-off SLSQP/trust-constr baselines at d = 1000 run only with `make bench-baselines`
bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -p no:xdist --benchmark-only --benchmark-autosave \
		--benchmark-timer=time.process_time --benchmark-columns=min,median,max,rounds -q
	$(BIN)/python -m tests.benchmarks.compare --limit 25; s=$$?; [ $$s -eq 1 ] && exit 1 || exit 0

bench-baselines: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -p no:xdist --benchmark-only -m baseline \
		--benchmark-timer=time.process_time --benchmark-columns=min,median,max,rounds -q

## soak: the thorough campaign (statements and controls) under SEEDS different seeds, each with an empty
## example database; writes soak/seed-<s>/ and the table soak/table.md (false alarms, misses, inconclusive)
soak: $(STAMP)
	@rm -rf soak; mkdir -p soak; for s in $$(seq 1 $(SEEDS)); do \
		HYPOTHESIS_DATABASE_DIR=soak/seed-$$s/db $(BIN)/python -m pytest theorems tests/controls -n $(JOBS) \
			--dist worksteal --hypothesis-profile=thorough --hypothesis-seed=$$s --report-dir=soak/seed-$$s \
			-p no:cacheprovider -q -rN > soak/seed-$$s.log 2>&1; \
		echo "seed $$s: exit $$? ($$(tail -1 soak/seed-$$s.log))"; done
	$(BIN)/python -m theorems soak soak/seed-*/ --out soak/table.md

## lock: re-resolve requirements.lock from pyproject.toml (newest allowed versions, with hashes)
lock:
	$(PYTHON) -m venv --clear .venv-lock
	.venv-lock/bin/$(PIP) install 'pip-tools==7.6.2'
	.venv-lock/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe --strip-extras --extra dev \
		--all-build-deps --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml
	rm -rf .venv-lock

## test-latest: the suite under the newest versions pyproject.toml allows (upstream breakage, on purpose)
test-latest:
	$(PYTHON) -m venv --clear .venv-latest
	.venv-latest/bin/$(PIP) install --upgrade pip
	.venv-latest/bin/$(PIP) install --upgrade -e '.[dev]'
	.venv-latest/bin/python -m pytest -n 2 --dist worksteal --hypothesis-profile=ci --benchmark-disable \
		--report-dir=reports-latest -q --timeout=900

clean:
	rm -rf $(VENV) .venv-lock .venv-latest .hypothesis .benchmarks soak reports-latest \
		reports/*/ reports/summary.json reports/index.*
