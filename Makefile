# Entry points: `make demo` (the whole job on the bundled demo data), `make lab`, `make test`.
# Both create .venv and install what they need on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo lab test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,lab]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/insights demo-data --out data/raw/demo
	$(BIN)/insights ingest data/raw/demo
	$(BIN)/insights status
	$(BIN)/insights train
	$(BIN)/insights recommend
	$(BIN)/insights report --out reports

# JupyterLab on the project folder (kernels start in notebooks/; paths resolve from there too).
# Options go through LAB_OPTS: make lab LAB_OPTS="--no-browser --ip=0.0.0.0 --port=8890".
# As root (a container) JupyterLab refuses to start without --allow-root: given then.
LAB_OPTS ?=
ROOT_OPT := $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ROOT_OPT) $(LAB_OPTS) notebooks/01_ingest.ipynb

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

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
	rm -rf data/warehouse.duckdb* data/raw/demo reports
