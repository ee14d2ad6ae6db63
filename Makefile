# Kehu: `make run` serves the sandbox on http://127.0.0.1:8000, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
KEHU := $(BIN)/kehu
export KEHU_DATA_DIR ?= $(CURDIR)/data

.PHONY: install assets install-test system-test-deps run worker demo test test-fast bench lint format messages clean

install: $(VENV)/.installed node_modules/.installed assets

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

# npm packages only at install time; --ignore-scripts: none of them needs a build step, and
# swagger-ui-dist's @scarf/scarf would otherwise phone home.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Copies the files the pages use (listed in tools/collect_assets.py) from node_modules into
# kehu/static/vendor/, which Django serves; node_modules itself is never served, and a running
# Kehu needs no Node.
assets: node_modules/.installed
	$(PYTHON) tools/collect_assets.py

install-test: install $(VENV)/.installed-test system-test-deps

$(VENV)/.installed-test: pyproject.toml
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

# Debian's Chromium (and a CJK font) for the browser tests; Playwright never downloads a browser.
system-test-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy'; then \
		echo "Installing Debian packages: chromium chromium-driver fonts-wqy-microhei"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null; \
	fi

# The local sandbox runs without two-factor sign-in so every printed login works at once;
# production keeps KEHU_REQUIRE_2FA=true (the default).
run: export KEHU_REQUIRE_2FA ?= false
run: install
	$(KEHU) migrate --noinput -v0
	$(KEHU) demo --if-empty
	@echo "Kehu: http://127.0.0.1:8000  (Ctrl-C stops the server and the task worker)"
	@$(KEHU) db_worker >> $(KEHU_DATA_DIR)/worker.log 2>&1 & WORKER=$$!; \
		trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
		$(KEHU) runserver --noreload 127.0.0.1:8000

worker: install
	$(KEHU) db_worker

demo: install
	$(KEHU) migrate --noinput -v0
	$(KEHU) demo --reset

test: install-test
	KEHU_FAST_PASSWORD_HASHER=true $(BIN)/pytest

test-fast: install-test
	KEHU_FAST_PASSWORD_HASHER=true $(BIN)/pytest -m "not browser"

bench: install-test
	$(BIN)/python bench/run.py

lint: install-test
	$(BIN)/ruff check kehu bench tests
	$(BIN)/ruff format --check kehu bench tests
	$(BIN)/lint-imports
	$(BIN)/mypy kehu bench tests

format: install-test
	$(BIN)/ruff format kehu bench tests
	$(BIN)/ruff check --fix kehu bench tests

messages: install
	cd kehu && ../$(KEHU) makemessages -l zh_Hans --no-obsolete && ../$(KEHU) compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) node_modules kehu/static/vendor data
