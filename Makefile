# The two commands a newcomer needs: `make lab` and `make test`.
# Each builds the virtual environment from nothing the first time (and again
# whenever pyproject.toml changes), then does its job.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook,test,torch]'
	touch $(STAMP)

## Open the lessons in JupyterLab.
lab: $(STAMP)
	$(PY) -m jupyterlab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks

## Run every test: lint, unit, gradient checks, torch parity, notebooks.
test: $(STAMP)
	$(PY) -m ruff check nbgrad tests bench
	$(PY) -m pytest -n 2 --dist loadscope

bench: $(STAMP)
	$(PY) bench/engine.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
