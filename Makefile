# London Continuity of Care Outcomes. `make run` and `make test` do all the set-up they need.
PYTHON ?= python3
PORT ?= 8501
ADDRESS ?= 127.0.0.1
WAREHOUSE ?= var/warehouse.duckdb
APP_DB ?= var/app.duckdb
SAMPLES ?= data_samples
BENCH_WORKDIR ?= var/bench
# APP_DB is a file (made absolute) or a postgresql:// URL (passed as given).
APP_DB_SETTING = $(if $(findstring ://,$(APP_DB)),$(APP_DB),$(abspath $(APP_DB)))
UV_VERSION := 0.13.8

VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(UV_VERSION)
PIPELINE_CODE := $(wildcard pipelines/*.py pipelines/*/*.py)
SAMPLE_FILES := $(wildcard $(SAMPLES)/*)
export PYTHONPATH := $(CURDIR)

.PHONY: install run warehouse test test-fast bench lint clean samples board-pack mutation mutation-retest

install: $(INSTALLED)

# A virtual environment with uv in it, then every dependency exactly as uv.lock pins it.
$(INSTALLED): pyproject.toml uv.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python --quiet
	touch $@

# Rebuilt when missing or older than the sample data or the pipeline code.
$(WAREHOUSE): $(INSTALLED) $(SAMPLE_FILES) $(PIPELINE_CODE)
	$(BIN)/python -m pipelines build --source $(SAMPLES) --warehouse $(WAREHOUSE) \
		--report $(dir $(WAREHOUSE))load_report.json
	touch $@

warehouse: $(WAREHOUSE)

run: $(WAREHOUSE)
	COC_WAREHOUSE=$(abspath $(WAREHOUSE)) COC_APP_DB='$(APP_DB_SETTING)' \
		$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) \
		--server.address $(ADDRESS)

test: $(INSTALLED)
	$(BIN)/python -m pytest

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not browser"

bench: $(INSTALLED)
	$(BIN)/python -m pipelines bench --pages --browser --workdir $(BENCH_WORKDIR) \
		--out var/bench/report.json

samples: $(INSTALLED)
	$(BIN)/python -m pipelines synth --out $(SAMPLES)

lint: $(INSTALLED)
	$(BIN)/ruff check .

clean:
	rm -rf var .pytest_cache

board-pack: $(WAREHOUSE)
	$(BIN)/python -m dashboard.board_pack --scope london --out var/board-pack \
		--warehouse $(WAREHOUSE)

# Mutation testing of the modules that make published figures (README: "Mutation testing").
# Not part of `make test`: about 25 minutes on two cores. MUTATE=journeys,kpis runs some modules.
MUTATE ?= journeys,kpis,validate,stats,disclosure
MUTATION_JOBS ?= 2
mutation: $(INSTALLED)
	nice -n 10 $(BIN)/python -m coc_mutation.run --modules $(MUTATE) --jobs $(MUTATION_JOBS) \
		--out var/mutation

# After adding tests: run the last run's survivors again (the modules must be unchanged).
mutation-retest: $(INSTALLED)
	nice -n 10 $(BIN)/python -m coc_mutation.run --modules $(MUTATE) --jobs $(MUTATION_JOBS) \
		--out var/mutation --retest-survivors
