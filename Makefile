# London Continuity of Care Outcomes. `make run` and `make test` do all the set-up they need.
PYTHON ?= python3
PORT ?= 8501
ADDRESS ?= 127.0.0.1
WAREHOUSE ?= var/warehouse.duckdb
APP_DB ?= var/app.duckdb
SAMPLES ?= data_samples
BENCH_WORKDIR ?= var/bench
BENCH_SCALES ?= 1,10,67
COMMA := ,
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

# The synthetic Recovery Audit sample goes into an app store that holds no audit entries yet
# (never over real ones; a store other processes hold is left alone, with the reason printed).
run: $(WAREHOUSE)
	-COC_WAREHOUSE=$(abspath $(WAREHOUSE)) COC_APP_DB='$(APP_DB_SETTING)' \
		$(BIN)/python -m dashboard.recovery_audit seed --from $(SAMPLES)/recovery_audit
	$(BIN)/python -m dashboard.peer_research --db '$(APP_DB_SETTING)' seed --from $(SAMPLES)/peer_research
	COC_WAREHOUSE=$(abspath $(WAREHOUSE)) COC_APP_DB='$(APP_DB_SETTING)' \
		$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) \
		--server.address $(ADDRESS)

test: $(INSTALLED)
	$(BIN)/python -m pytest

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -m "not browser"

# The build at each scale (pipelines), then the pages: script runs against the largest
# benchmark warehouse (dashboard) and, in Chromium, against the sample's warehouse (tests/browser).
bench: $(WAREHOUSE)
	mkdir -p var/bench
	$(BIN)/python -m pipelines bench --scales $(BENCH_SCALES) --workdir $(BENCH_WORKDIR) \
		--warehouse-dir $(BENCH_WORKDIR) --out var/bench/report.json
	$(BIN)/python -m dashboard.bench_pages \
		--warehouse $(BENCH_WORKDIR)/warehouse-$(lastword $(subst $(COMMA), ,$(BENCH_SCALES))).duckdb \
		> var/bench/pages.json
	$(BIN)/python -m tests.browser.bench --warehouse $(WAREHOUSE) > var/bench/browser.json

samples: $(INSTALLED)
	$(BIN)/python -m pipelines synth --out $(SAMPLES)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

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
