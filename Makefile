# The two commands a newcomer needs: `make lab` and `make test`.
# Each builds the virtual environment from nothing the first time (and again
# whenever pyproject.toml changes), then does its job.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# JupyterLab's settings for the lessons, as on Binder: widget state saved, no news pop-up.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# JupyterLab refuses to run as root unless told.
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab test lint bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[notebook,test,torch]'
	touch $(STAMP)

$(LAB_SETTINGS): binder/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp binder/overrides.json $@

## Open the lessons in JupyterLab, on this machine only (127.0.0.1): it opens a browser tab
## where it can, and prints the address (with its token) to paste into one.
lab: $(STAMP) $(LAB_SETTINGS)
	$(PY) -m jupyterlab $(AS_ROOT) --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks

## Run every test: lint, unit, gradient checks, torch parity, notebooks, the browser test.
test: $(STAMP) chromium
	$(PY) -m ruff check nbgrad tests bench
	$(PY) -m pytest -n 2

bench: $(STAMP)
	$(PY) bench/engine.py

## Debian's Chromium for tests/test_browser.py, installed when missing and this user may
## (root, or sudo without a password); elsewhere that test skips itself and says why.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
	  echo "no /usr/bin/chromium and no apt-get: tests/test_browser.py will be skipped"; \
	else \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else echo "no /usr/bin/chromium: tests/test_browser.py will be skipped" \
	            "(to run it: sudo apt-get install chromium)"; exit 0; fi; \
	  echo "installing Debian's chromium for tests/test_browser.py (apt-get)"; \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
