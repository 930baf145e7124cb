# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PWA_STAMP := frontend/dist/.built-stamp
PWA_DEPS := frontend/node_modules/.package-lock.json
PWA_SOURCES := $(shell find frontend \( -name node_modules -o -path frontend/dist \) -prune -o -type f -print)

.PHONY: fuzz run test install pwa types types-check lint bench migrate demo check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The PWA's packages, exactly as the lockfile has them (`npm ci`): it carries every platform's optional
# packages, so it installs as it is anywhere and leaves the work tree as it was.
$(PWA_DEPS): frontend/package.json frontend/package-lock.json frontend/tools/api-types/package.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

# The PWA is built once, and again when its sources change.
$(PWA_STAMP): $(PWA_DEPS) $(PWA_SOURCES)
	cd frontend && npm run build && touch dist/.built-stamp

pwa: $(PWA_STAMP)

# The PWA's API types (frontend/src/lib/api-schema.d.ts) from the server's OpenAPI schema.
types: install $(PWA_DEPS)
	cd frontend && npm run --silent types

# For `make lint`: the checked-in types are what the schema gives, and the lockfile carries every platform.
types-check: install $(PWA_DEPS)
	cd frontend && npm run --silent types:check && node scripts/check-lockfile.mjs

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

# ruff; migrations committed; the three floors import only downward; mypy; the PWA's generated API types and
# its lockfile are what the schema and every platform give.
lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(MAKE) --no-print-directory types-check

# A longer property-based run of the whole API than the test suite's (a random seed unless FUZZ_SEED is set).
fuzz: install pwa
	FUZZ_SEED=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')} FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} \
		FUZZ_MAX_TIME=$${FUZZ_MAX_TIME:-900} $(BIN)/python -m pytest -m fuzz tests/fuzz -v

bench: install
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf var $(VENV) frontend/node_modules frontend/tools/api-types/node_modules frontend/dist
