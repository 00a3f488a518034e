# e-commerce ELT on dbt + DuckDB. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ECOM_DATA_DIR ?= data
export PYTHONPATH := $(CURDIR)/scripts
ECOM := $(BIN)/python -m ecom_elt

# Sample-data generator knobs (make data DAYS=30 SCALE=0.1 DEFECTS=none ...); a knob left
# unset takes the generator's default (see `python -m ecom_elt generate --help`).
GENERATE_ARGS = $(if $(DAYS),--days $(DAYS)) $(if $(START),--start $(START)) \
	$(if $(SEED),--seed $(SEED)) $(if $(SCALE),--scale $(SCALE)) $(if $(DEFECTS),--defects $(DEFECTS))
# Benchmark scales (make bench SCALES="1 10").
SCALES ?= 1 10 100

.PHONY: help install data load build report elt test pytest lint docs bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing pinned dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet -r requirements.txt 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -m pip install --quiet --no-deps -e . 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -c "import dbt.version, duckdb, yaml, jinja2, openpyxl, isal" && touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

data: $(STAMP) ## Generate sample files into $ECOM_DATA_DIR/raw (DAYS START SEED SCALE DEFECTS)
	$(ECOM) generate $(GENERATE_ARGS)

load: $(STAMP) ## Load new files from $ECOM_DATA_DIR/raw into the warehouse's raw schema
	$(ECOM) load

build: $(STAMP) ## Run dbt build (models, seeds, data tests) on the loaded warehouse (ARGS=...)
	$(ECOM) build $(ARGS)

report: $(STAMP) ## Write the alert file, validation reports, dashboard and business reports
	$(ECOM) report

elt: $(STAMP) ## The full run: sample data if none, load, dbt build, report
	$(ECOM) elt

test: $(STAMP) lint pytest ## Lint (ruff, sqlfluff) and run every test (pytest, dbt tests in it)

pytest: $(STAMP)
	@scripts/ensure_chromium.sh >/dev/null
	$(BIN)/python -m pytest

lint: $(STAMP) ## ruff and sqlfluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint models macros tests analyses

docs: $(STAMP) ## Generate the dbt docs (also one static file) and serve them on localhost:8080
	$(ECOM) docs --serve

bench: $(STAMP) ## Benchmarks at SCALES (default "1 10 100"); writes BENCHMARKS.md
	$(ECOM) bench --scales $(SCALES)

clean: ## Remove dbt's target/ and logs/ and everything in the data root
	rm -rf target logs
	find $(ECOM_DATA_DIR) -mindepth 1 -not -name .gitkeep -delete 2>/dev/null || true
