# The two commands a newcomer needs: `make serve` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# axe-core for the accessibility tests, pinned in package-lock.json; reinstalled only when
# package.json or the lockfile changes, as the .venv is.
NODE_STAMP := node_modules/.installed
# Lighthouse for the benchmark only, a package of its own (bench/lighthouse/) so that `make test`
# and CI never install its 200 packages.
LIGHTHOUSE := bench/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE)/node_modules/.installed
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve serve-full build test lint validate bench lighthouse install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE)/package.json $(LIGHTHOUSE)/package-lock.json
	npm ci --prefix $(LIGHTHOUSE) --no-audit --no-fund --loglevel=error
	touch $(LIGHTHOUSE_STAMP)

install: $(STAMP) $(NODE_STAMP)  ## only the install: .venv and node_modules/ with the pinned dependencies

serve: $(STAMP)  ## preview on http://127.0.0.1:8000: Simplified pages only, no search index, only changed pages rewritten on save
	CASEBOOK_PREVIEW=1 $(BIN)/mkdocs serve --dirty --no-strict

serve-full: $(STAMP)  ## serve the complete site (both scripts, search) as `make build` makes it; slower to reload
	$(BIN)/mkdocs serve

build: $(STAMP)  ## write the site to site/ (strict: any warning fails)
	$(BIN)/mkdocs build --strict

validate: $(STAMP)  ## check every record, as the build does
	$(BIN)/casebook validate

lint: $(STAMP)
	$(BIN)/ruff check hooks tests bench
	$(BIN)/ruff format --check hooks tests bench

test: $(STAMP) $(NODE_STAMP)  ## lint, layer contracts, then the whole suite: core, strict build, and browser tests
	$(BIN)/ruff check hooks tests bench
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: $(STAMP) $(LIGHTHOUSE_STAMP)  ## the benchmark at N = 100, 1,000 and 5,000 (several minutes); writes bench/results.md
	$(BIN)/python bench/run.py

lighthouse: build $(LIGHTHOUSE_STAMP)  ## Lighthouse's mobile scores of home, browse, a case and 数说 in the site just built
	$(BIN)/python bench/lighthouse.py site

clean:
	rm -rf site .pytest_cache
