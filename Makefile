# The two Quickstart commands, `make demo` and `make test`, work on a fresh clone
# with nothing but Python 3.10+ and PyPI: every target builds what it needs.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# tox environments run at once by `make test` (tools/run_matrix.py); 1 for one at a time.
JOBS ?= 2
STARTED := $(shell date +%s)

# pyenv installs interpreters that are not on PATH unless selected; expose every
# 3.10-3.13 it has (after the user's own PATH) so tox can build the whole matrix.
PYENV_ROOT ?= $(HOME)/.pyenv
empty :=
space := $(empty) $(empty)
PYENV_BINS := $(wildcard $(PYENV_ROOT)/versions/3.1[0-3].*/bin)
ifneq ($(PYENV_BINS),)
export PATH := $(PATH):$(subst $(space),:,$(PYENV_BINS))
endif

.PHONY: help test demo bench lint format clean

help:
	@echo "make demo   run the example service on \$$PORT (default 8000)"
	@echo "make test   lint, the Python x Django matrix, docs (as CI runs it)"
	@echo "make bench  benchmarks against python-dockerflow (not part of make test)"

$(BIN)/.installed: requirements/*.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt -e .
	touch $@

test: $(BIN)/.installed
	$(BIN)/python tools/run_matrix.py --jobs $(JOBS) --since $(STARTED)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# --- demo (owned by the "serve it for real" work) ---------------------------
# migrate, version.json from git, collectstatic, then gunicorn (Prod) on $(PORT);
# prints the Dockerflow URLs when ready; Ctrl-C stops it. See tools/demo.py.
demo: $(BIN)/.installed
	PORT=$(PORT) exec $(BIN)/python tools/demo.py
# --- end demo ---------------------------------------------------------------

# --- bench (owned by the benchmarks work) ------------------------------------
# Builds benchmarks/.venv-ours and .venv-pydf (same pinned Django/WhiteNoise/orjson),
# alternates the two per measure and round, writes benchmarks/RESULTS.md.
# `make bench ROUNDS=3` for a quicker, noisier run.
ROUNDS ?= 9
bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py --rounds $(ROUNDS)
# --- end bench --------------------------------------------------------------

clean:
	rm -rf $(VENV) .tox reports build dist *.egg-info docs/_build
