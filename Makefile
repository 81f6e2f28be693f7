# thresher: `make demo` runs the main flow on bundled data; `make test` runs lint, types and tests.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck pytest golden bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip==26.3"
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/thresher run examples/penguins.yaml

lint: $(STAMP)
	$(BIN)/ruff check pipelines schemas reports flows serving tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy pipelines schemas flows reports serving

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

# Refresh tests/golden/*.json after an intended change to a report, then review `git diff tests/golden`.
golden: $(STAMP)
	$(BIN)/python -m pytest tests/test_golden.py -q --update-golden

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/profile.py
	$(BIN)/python benchmarks/train.py
	$(BIN)/python benchmarks/errors.py
	$(BIN)/python benchmarks/serve.py
	$(BIN)/python benchmarks/flow.py

clean:
	rm -rf $(VENV) runs .prefect .pytest_cache .mypy_cache .ruff_cache
