# Bootstraps .venv from nothing but python3, then runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?= auto
# one BLAS thread per process: the oracles work on tiny matrices, where threading only adds
# contention (expm of a 2x2 took 20 ms under load with threads, 0.014 ms without); xdist gives the parallelism
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: install falsify test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## falsify: every statement at the `thorough` profile, across all cores; writes reports/
falsify: $(STAMP)
	@status=0; $(BIN)/python -m pytest theorems -n $(JOBS) --dist worksteal --hypothesis-profile=thorough \
		--report-dir=reports -p no:cacheprovider -q -rN || status=$$?; \
	echo "open reports/index.html (summary: reports/summary.json)"; exit $$status

## test: the project's own tests and every statement at the `ci` profile; benchmarks once, untimed.
## --timeout is a hang guard (a test stuck for 15 minutes fails with its stack), not a speed check.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist worksteal --hypothesis-profile=ci --benchmark-disable --report-dir=reports -q --timeout=900

## bench: time the solvers, save a baseline, fail on a median regression beyond 25% against the
## previous saved run (the first run, with nothing saved in .benchmarks/, only saves)
bench: $(STAMP)
	$(BIN)/python -m pytest tests/benchmarks -p no:xdist --benchmark-only --benchmark-autosave \
		$(if $(wildcard .benchmarks/*/*.json),--benchmark-compare --benchmark-compare-fail=median:25%) \
		--benchmark-columns=min,median,max,rounds -q

clean:
	rm -rf $(VENV) .hypothesis .benchmarks reports/*/ reports/summary.json reports/index.*
