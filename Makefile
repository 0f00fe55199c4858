# tracuu: `make run` serves everything on this machine, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip -q --disable-pip-version-check
PO := $(wildcard locales/*/LC_MESSAGES/*.po)
MO := $(PO:.po=.mo)

.PHONY: help run test lint messages extract bench clean system-run system-test

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: system-run $(VENV)/.runtime $(MO) ## Set everything up and serve on http://127.0.0.1:8000 (PORT overrides)
	$(PY) scripts/run.py

test: system-test $(VENV)/.dev $(MO) ## Install what the tests need and run them all
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev ## ruff
	$(VENV)/bin/ruff check .

messages: $(MO) ## Compile the message catalogues

extract: $(VENV)/.dev ## Extract strings into the catalogue templates and update vi/en
	$(PY) scripts/i18n.py extract

bench: $(VENV)/.dev ## Run every benchmark in bench/ (see bench/README.md)
	for script in bench/*.py; do $(PY) $$script || exit 1; done

clean: ## Remove the venv, compiled catalogues and var/ (the demo database!)
	rm -rf $(VENV) var $(MO)

system-run:
	@scripts/apt-install deploy/apt-run.txt

system-test:
	@scripts/apt-install deploy/apt-run.txt deploy/apt-test.txt

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { scripts/apt-install deploy/apt-venv.txt && $(PYTHON) -m venv $(VENV); }

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PIP) install -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import flask, rq, sqlalchemy" && touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -c "import flask, rq, sqlalchemy, pytest" && touch $@ $(VENV)/.runtime

%.mo: %.po $(VENV)/.runtime
	$(VENV)/bin/pybabel -q compile -i $< -o $@
