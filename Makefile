# One-command set-up: every target below creates .venv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev,bench]'
	bash scripts/setup-system.sh
	touch $(STAMP)

setup: $(STAMP)

## Run the main job on the bundled default scenario.
demo: setup
	$(BIN)/cvid assess examples/dprk-2018-step-by-step.toml

## Lint, type-check and run the whole test suite (slow tests included). Every skip is a
## failure here (CVID_NO_SKIP=1), and coverage is measured and printed.
test: setup lint
	bash scripts/ensure-postgres.sh
	CVID_NO_SKIP=1 $(BIN)/python -m pytest -n 2 --dist loadgroup \
		--cov=cvid --cov-report=term:skip-covered

## The quick loop while developing: no slow tests.
test-fast: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m 'not slow'

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src tests

## Benchmarks: each prints a ratio against its baseline measured in the same run.
bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
