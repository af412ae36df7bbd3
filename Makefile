# ZVH portal. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.DEFAULT_GOAL := help

.PHONY: help
help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

.PHONY: install
install: $(UV) ## Install the portal's runtime dependencies (locked, with hashes)
	$(UV) pip sync --python $(BIN)/python --require-hashes requirements.lock

# npm ci wipes and reinstalls node_modules: run it only when package-lock.json (or
# package.json) is newer than the last install, recorded by this stamp file.
NPM_STAMP := node_modules/.package-lock.stamp

$(NPM_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install-test
install-test: $(UV) $(NPM_STAMP) ## Install runtime + test dependencies, npm tools and Debian's chromium
	$(UV) pip sync --python $(BIN)/python --require-hashes requirements-test.lock
	@command -v $(CHROMIUM) >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@# Casework attachment tests start their own clamd with a test signature database.
	@command -v clamd >/dev/null || command -v /usr/sbin/clamd >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null; }
	@# The deployment tests check the nginx site config with nginx -t; make stack runs it.
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

.PHONY: lock
lock: $(UV) ## Re-lock pyproject.toml into requirements*.lock (exact versions and hashes)
	$(UV) pip compile pyproject.toml --generate-hashes --python-version 3.11 -o requirements.lock --quiet
	$(UV) pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 -o requirements-test.lock --quiet
	npm install --package-lock-only --no-audit --no-fund --loglevel=error
	@# Committed files name no hosts: drop npm's funding links and URL-bearing license notes.
	$(BIN)/python -c "import json,re;p='package-lock.json';d=json.load(open(p));	[(v.pop('funding',None),v.update(license=re.sub(r'\s*\(https?://[^)]*\)','',v['license'])) if 'license' in v else None) for v in d['packages'].values()];	open(p,'w').write(json.dumps(d,indent=2)+'\n')"

.PHONY: demo
# Every step sees PORT: the demo's settings derive BASE_URL (links in e-mails) from it.
demo: export PORT := $(PORT)
demo: install ## Install, migrate, load demo content and serve at http://127.0.0.1:$(PORT)
	@# Attachments are scanned by a private clamd that demo_serve starts (portal/clamd_local.py).
	@command -v clamd >/dev/null || test -x /usr/sbin/clamd || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clamav-daemon >/dev/null; } \
	      || echo "clamav-daemon kon niet worden geïnstalleerd: bijlagen worden geweigerd (docs/operations.md)."; \
	  else \
	    echo "Geen virusscanner (clamd): bijlagen worden geweigerd. Aanzetten: sudo apt-get install clamav-daemon, dan opnieuw make demo."; \
	    echo "No virus scanner (clamd): attachments are refused. To enable them: sudo apt-get install clamav-daemon, then make demo again."; \
	  fi; }
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py load_demo
	@# One account per role (the administrator too) and demo cases; prints every password.
	$(BIN)/python manage.py ensure_demo_accounts
	@echo "Portal: http://127.0.0.1:$(PORT)/   Beheer: http://127.0.0.1:$(PORT)/admin/   E-mail: var/mail/ en Beheer > Verzonden e-mail (demo)"
	@echo "Wat u kunt proberen, per account: docs/demo.md"
	@# One process: web server, in-process scheduler for the beat jobs and clamd; Ctrl-C stops all.
	PORT=$(PORT) $(BIN)/python manage.py demo_serve 127.0.0.1:$(PORT)

.PHONY: test
test: install-test ## Install what the tests need and run the whole suite
	$(BIN)/python -m pytest

.PHONY: test-journeys
test-journeys: install-test ## Only the journeys of docs/demo.md (part of make test), in chromium against a live embedded demo
	$(BIN)/python -m pytest -n0 -m journey tests/journeys

.PHONY: test-pages
test-pages: install-test ## Every public, partner and staff page at 1366 and 375 px through axe (screenshots in test-artifacts/pages/)
	$(BIN)/python -m pytest -n0 -m pages tests/browser

.PHONY: test-thorough
test-thorough: install-test ## The whole suite with every property-based test at full size (before a release)
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest

.PHONY: lint
lint: $(UV) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: typecheck
typecheck: $(UV) ## mypy: strict on services, selectors and search backends, gradual elsewhere
	$(BIN)/mypy

.PHONY: format
format: ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: messages
messages: ## Extract and compile translations (needs GNU gettext)
	$(BIN)/python manage.py makemessages -l nl -l en --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

.PHONY: bench
bench: install-test ## Run the benchmarks under bench/ and write docs/performance.md
	$(BIN)/python -m bench

.PHONY: stack
stack: install-test ## The production topology natively (nginx, 2 gunicorns, worker, beat, clamd, SMTP sink) until Ctrl-C
	$(BIN)/python -m tests.stack

.PHONY: stack-test
stack-test: install-test ## Start that stack, run the smoke checks through nginx (tests/stack), stop it
	$(BIN)/python -m pytest -n0 -p no:cacheprovider tests/stack

.PHONY: clean
clean: ## Remove the demo database, outbox and caches (keeps the virtualenv)
	rm -rf var .pytest_cache .mypy_cache
