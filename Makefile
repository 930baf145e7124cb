# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PWA_STAMP := frontend/dist/.built-stamp
PWA_SOURCES := $(shell [ -d frontend ] && find frontend -path frontend/node_modules -prune -o -path frontend/dist -prune -o -type f -print 2>/dev/null)

.PHONY: run test install pwa lint bench migrate demo check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The PWA is built once (and again when its sources change), if frontend/ has one. `npm install` rather
# than `npm ci`: npm 11 writes lockfiles without other platforms' optional packages, which `npm ci` then
# rejects; `npm install` keeps to the lockfile's versions all the same.
$(PWA_STAMP): $(PWA_SOURCES)
	@if [ -f frontend/package.json ]; then \
		cd frontend && npm install --no-audit --no-fund --loglevel=error && npm run build && touch dist/.built-stamp; \
	else echo "frontend/ has no app yet: skipping the PWA build"; fi

pwa: $(PWA_STAMP)

migrate: install
	$(BIN)/python manage.py prepare_var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: install pwa migrate demo
	$(BIN)/python manage.py devstack

test: install pwa
	@if [ -f frontend/package.json ]; then cd frontend && npm test; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf var $(VENV) frontend/node_modules frontend/dist
