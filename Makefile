# Two commands: `make run` (set up and run the dashboard) and `make test` (set up and run every test).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501
# Where the map's Leaflet/jQuery/Bootstrap come from: local (this server, /app/static/vendor/) or cdn.
ASSETS ?= local

.PHONY: install run test lint format browser assets validate bench loadtest clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# The map assets are installed if they can be; without them the app uses the CDNs and says so.
run: install
	-@$(MAKE) --no-print-directory assets >/dev/null || echo "map assets not installed: the map loads them from public CDNs"
	@echo "Qantar Map: open http://localhost:$(PORT) (QANTAR_DATA_DIR=$${QANTAR_DATA_DIR:-geodata})"
	QANTAR_ASSETS=$(ASSETS) $(PY) -m streamlit run dashboard/app.py --server.port $(PORT)

validate: install
	$(PY) -m dashboard validate $(DIR)

# Debian's chromium for the browser tests (never a browser downloaded by a test tool).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

# Leaflet & co. at the versions of dashboard/static/vendor/package-lock.json, into its
# node_modules/ (git-ignored); npm runs only when they are not all installed at those versions.
assets: install
	@$(PY) -m dashboard.assets >/dev/null 2>&1 || npm ci --ignore-scripts --prefix dashboard/static/vendor
	$(PY) -m dashboard.assets

# ruff, the type checker and the layering contract (pyproject.toml's [tool.importlinter]).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# The interface strings (tr("...") and N_("...") in dashboard/) into dashboard/locales/*.po:
# new strings appear untranslated (tests/test_i18n.py fails until they are translated).
messages: install
	$(VENV)/bin/pybabel extract --no-default-keywords -k tr -k N_ -k trn:1,2 --no-location --omit-header \
		-o dashboard/locales/messages.pot dashboard
	for lang in ru kk; do $(VENV)/bin/pybabel update --no-fuzzy-matching \
		-l $$lang -i dashboard/locales/messages.pot -o dashboard/locales/$$lang.po; done
	rm dashboard/locales/messages.pot

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: install browser assets lint
	$(PY) -m pytest

# Qantar Map vs a naive one-marker-per-event folium app at 1k..1M synthetic events: prints one
# table (bench/README.md). Not part of `make test`; about 10 minutes on 2 cores.
bench: install browser assets
	$(PY) bench/run.py

# 30 concurrent browser sessions x 20 slider moves against one server (bench/loadtest.py);
# loopback only, about 12 minutes. `make test` runs a small form (tests/e2e/test_load.py).
loadtest: install browser assets
	$(PY) bench/loadtest.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dashboard/static/vendor/node_modules bench/out
