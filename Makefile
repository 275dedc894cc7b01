.PHONY: demo test test-postgres lint format check bench lock serve clean
.DEFAULT_GOAL := help

VENV = .venv
PY = $(VENV)/bin/python
PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/presscentre

help:   ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml requirements.lock   ## venv with the pinned dependencies
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

demo: $(VENV)/.installed   ## migrate, load the demo content, serve web + worker on 127.0.0.1:8000
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo_data
	$(PY) manage.py load_demo_comments
	$(PY) manage.py load_demo_contacts
	$(PY) manage.py load_demo_media
	@# Ctrl-C stops every process; honcho then exits 130, which is how a demo is meant to end, not an error.
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start; status=$$?; \
	if [ $$status -eq 130 ] || [ $$status -eq 0 ]; then echo "Demo stopped."; else exit $$status; fi

# axe-core for the browser tests; without npm the browser tests skip (in CI they fail instead).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: skipping axe-core, so the browser tests will skip" >&2; fi

# Both suites run on pytest-xdist's workers, one per core, each with a test database of its own; a file (the
# browser journeys: their package) runs on one worker (conftest.py). `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto

test: $(VENV)/.installed node_modules/.installed   ## the whole suite on SQLite
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

test-postgres: $(VENV)/.installed node_modules/.installed   ## the whole suite on PostgreSQL (127.0.0.1:5432, user postgres)
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --create-db

lint: $(VENV)/.installed   ## ruff lint and format check, then the apps' import layers (pyproject.toml)
	$(PY) -m ruff check . && $(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed   ## format and fix with ruff
	$(PY) -m ruff format . && $(PY) -m ruff check --fix .

check: lint   ## lint, Django checks, missing migrations, then the suite
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

bench: $(VENV)/.installed   ## lift latency (about 90 s), edge freshness through Varnish (about 150 s), then the load run on 500,000 items against a stock Wagtail site (about 10 min, plus 11 min to generate the archive once), then distribution throughput, then alerts at the lift and a digest to 5,000 and 20,000 subscribers (about 6 min), then the WordPress import, then fault injection (about 7 min), then media: download sizes of 500 24-megapixel pictures, their galleries' ZIPs and a gallery page (about 20 min) (see bench/README.md)
	@# Every benchmark runs even when an earlier one misses its target; the target fails at the end if any did.
	@status=0; \
	$(PY) bench/lift_latency.py || status=1; \
	$(PY) bench/edge_freshness.py || status=1; \
	$(PY) bench/generate.py --items 500000 || status=1; \
	$(PY) bench/load.py || status=1; \
	$(PY) bench/distribution/run.py || status=1; \
	$(PY) bench/alerts.py || status=1; \
	$(PY) bench/import/run.py || status=1; \
	$(PY) bench/faults.py || status=1; \
	$(PY) bench/media.py || status=1; \
	exit $$status

lock: $(VENV)/.installed   ## re-pin requirements.lock from pyproject.toml (run after changing dependencies)
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip freeze --exclude-editable --exclude presscentre > requirements.lock

clean:   ## remove the venv, the local database and uploaded media
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media static_collected node_modules artifacts
