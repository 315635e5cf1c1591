# Two commands on a fresh machine: `make run` (install, migrate, demo data, serve + job worker) and
# `make test` (install, the whole suite). Both need only python3; `make test` also installs
# Debian's chromium for the browser tests when it is missing and apt is available.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test install translations browser bench load demo-province clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(BIN)/.installed translations

# Compiled catalogues are build output (not committed).
translations: $(BIN)/.installed
	@if ls app/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile --use-fuzzy -d app/translations; fi

run: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --if-empty
	@# The job queue's worker (large imports) runs beside the server and stops with it.
	$(BIN)/flask worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# Browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian chromium for the browser tests"; \
	    apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else echo "chromium not found and cannot be installed here: browser tests will be skipped"; fi; }

test: install browser
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Benchmarks print figures; they are not part of `make test`.
bench: install
	$(BIN)/python -m tests.benchmarks.bench_households $(BENCH_ARGS)

# gunicorn on a scratch database, 50 simulated officers for LOAD_SECONDS (60) on 127.0.0.1:
# requests/s, percentiles, errors, lost writes (tests/load/run.py; LOAD_ARGS for the rest).
load: install
	$(BIN)/python -m tests.load.run $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
