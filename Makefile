# The verbs of the project. CI (.ci/run) calls the same targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install generate codegen check-generated codegen-check docs lint format typecheck \
        test test-fast record demo bench server check clean

install: $(STAMP)

# The environment is rebuilt when the project or its pins change.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[server,pandas,polars,arrow,dev]'
	touch $(STAMP)

generate: install  ## regenerate src/wandb_typed/_generated and docs/ from schema/ + queries/
	$(BIN)/python codegen/generate.py

codegen: generate

check-generated: install  ## fail if the committed generated code or docs differ from a fresh run
	$(BIN)/python codegen/generate.py --check

codegen-check: check-generated

# import-linter lives in a venv of its own: it brings rich, and httpx imports its command
# line (and rich) whenever rich is installed, which would weigh on every `import httpx` in the
# project's venv (its benchmarks included). It reads the sources; it needs no install of them.
LINT_VENV := .venv-lint
LINT_STAMP := $(LINT_VENV)/.installed

$(LINT_STAMP): constraints.txt
	test -x $(LINT_VENV)/bin/python || $(PYTHON) -m venv $(LINT_VENV)
	$(LINT_VENV)/bin/python -m pip install --quiet -c constraints.txt import-linter
	touch $(LINT_STAMP)

lint: install $(LINT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=src $(LINT_VENV)/bin/lint-imports --no-logo

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# mypy --strict and pyright strict on the client and the typing tests (tests/typing: user
# programs with assert_type and expected errors), then the typing tests' coverage of the public
# surface, then pyright --verifytypes on a wheel built in a temporary folder (100% or it names
# the symbols). PYRIGHT_PYTHON_IGNORE_WARNINGS: no "newer pyright on PyPI" check on each run.
typecheck: install
	$(BIN)/mypy
	PYRIGHT_PYTHON_IGNORE_WARNINGS=1 $(BIN)/pyright
	$(BIN)/python tools/typing_coverage.py
	$(BIN)/python tools/verify_types.py

test: install  ## install everything and run the whole test suite
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not official"

record: install  ## re-record the HTTP cassettes against a fresh local server
	$(BIN)/python -m pytest tests/recorded --record-mode=rewrite

demo: install  ## the main job: local server, seeded through the wire, read back with wandb_typed
	$(BIN)/python examples/demo.py

bench: install
	$(BIN)/python bench/run.py

server: install
	$(BIN)/wandb-typed server --data-dir .wandb-typed-data

check: check-generated lint typecheck test

clean:
	rm -rf $(VENV) $(LINT_VENV) .pytest_cache .mypy_cache .ruff_cache
