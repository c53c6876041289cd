# Two commands: `make run` (set up and run the dashboard) and `make test` (set up and run every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: install run test lint format browser assets validate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

run: install
	@echo "Qantar Map: open http://localhost:$(PORT) (QANTAR_DATA_DIR=$${QANTAR_DATA_DIR:-geodata})"
	$(PY) -m streamlit run dashboard/app.py --server.port $(PORT)

validate: install
	$(PY) -m dashboard validate $(DIR)

# Debian's chromium for the browser tests (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# Leaflet & co. from the npm registry into dashboard/static/vendor/ (git-ignored).
assets: install
	$(PY) -m dashboard.assets

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: install browser assets lint
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dashboard/static/vendor
