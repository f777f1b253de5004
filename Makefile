# Entry points: `make demo` (the whole job on the bundled demo data), `make lab`, `make test`
# (everything, what CI runs), `make check` (the fast tier, under 2 minutes), `make docs`.
# Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo lab check test docs docs-build lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,lab,lake,spark]'
	# real series for tests and benchmarks (insights/datasets.py): only their data files
	# are read, so not their dependencies (ISLP's would bring torch)
	$(BIN)/pip install --quiet --no-deps 'ISLP==0.6.*' 'plotnine==0.15.*'
	touch $(STAMP)

# The demo warehouse holds two brands (insights.brands): the main demo's audience, brand
# `default`, and a small second brand (insights.demo_brand) filed under its own name with
# --client. `train` fits each on its own rows; the readers are told which brand they read.
DEMO_BRAND := Café Ñandú
demo: $(STAMP)
	$(BIN)/insights demo-data --out data/raw/demo --platforms data/raw/demo-platforms \
		--second-brand data/raw/demo-brand2
	$(BIN)/insights ingest data/raw/demo
	# the platform downloads need the options their files do not state (--tz, --year)
	$(BIN)/insights ingest data/raw/demo-platforms $$(cat data/raw/demo-platforms/ingest-options)
	$(BIN)/insights ingest data/raw/demo-brand2 --client "$(DEMO_BRAND)"
	$(BIN)/insights status
	$(BIN)/insights train
	$(BIN)/insights recommend --client default
	$(BIN)/insights recommend --client "$(DEMO_BRAND)"
	$(BIN)/insights footprint --campaign música --client default
	$(BIN)/insights report --out reports --client default
	# the second brand's pages, its recommendations and the strategist's report, on its states
	$(BIN)/insights report --out "reports/$(DEMO_BRAND)" --client "$(DEMO_BRAND)" --only 04 --only 05 \
		-p regions "Nuevo León,Chihuahua,Sonora"

# JupyterLab on the project folder (kernels start in notebooks/; paths resolve from there too).
# Options go through LAB_OPTS: make lab LAB_OPTS="--no-browser --ip=0.0.0.0 --port=8890".
# As root (a container) JupyterLab refuses to start without --allow-root: given then.
LAB_OPTS ?=
ROOT_OPT := $(if $(filter 0,$(shell id -u)),--allow-root,)
# The notebooks read one brand (INSIGHTS_CLIENT): the demo's main one unless CLIENT=NAME.
CLIENT ?= default
lab: $(STAMP)
	INSIGHTS_CLIENT="$(CLIENT)" $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ROOT_OPT) $(LAB_OPTS) notebooks/01_ingest.ipynb

# In-process unit tests: no CLI subprocess, no notebook, no browser, no model training.
UNIT_TESTS := tests/test_architecture.py tests/test_pipeline.py tests/test_regions.py \
	tests/models/test_intervals.py tests/recommend/test_score_properties.py \
	tests/recommend/test_slots_local_time.py \
	tests/recommend/test_tradeoff.py::test_front_drops_choices_beaten_on_both \
	tests/recommend/test_tradeoff.py::test_sentence_counts_moved_slots_and_prices_the_next_step
# ... less the ones that fit a model (minutes on 2 shared cores; make test runs them)
FITS_MODELS := insights/models/trend.py::insights.models.trend \
	tests/models/test_intervals.py::test_intervals_widen_where_past_forecasts_erred_more

# The fast tier: lint, types, the import contract, in-process unit tests and the doctests.
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	OMP_NUM_THREADS=1 $(BIN)/pytest -q -m "not slow and not browser" $(UNIT_TESTS) insights \
		$(foreach t,$(FITS_MODELS),--deselect $(t))

# Everything: the fast tier's checks, the whole test suite and the documentation's strict build.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -q -n auto --dist loadfile --timeout 1800
	$(MAKE) docs-build

# The documentation site (MkDocs + Material, offline): built strictly into site/, and
# checked for assets fetched from the network.
docs-build: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir site
	$(BIN)/python tools/check_site_offline.py site

docs: $(STAMP)
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_models.py
	$(BIN)/python benchmarks/bench_rerank.py
	PYTHONPATH=. $(BIN)/python benchmarks/real_series.py

clean:
	rm -rf data/warehouse.duckdb* data/raw/demo data/raw/demo-platforms data/raw/demo-brand2 reports site
