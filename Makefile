# artifactctl: the two commands a new user types are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
PYTEST_WORKERS ?= 2

.PHONY: demo test lint typecheck unit test-crash bench bench-peers emulators clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# The project itself (runtime dependencies only).
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(PIP) install -e .
	touch $@

# Everything the tests need: the test extra (cloud backends, emulators, linters) and Azurite.
$(VENV)/.test-installed: $(BIN)/python pyproject.toml tests/emulators/install.sh
	$(PIP) install -e '.[test]'
	bash tests/emulators/install.sh
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" bash examples/quickstart.sh

lint: $(VENV)/.test-installed
	$(BIN)/ruff check artifactctl tests bench examples
	$(BIN)/ruff format --check artifactctl tests bench examples

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

unit: $(VENV)/.test-installed
	ARTIFACTCTL_REQUIRE_EMULATORS=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not crash"

test: lint typecheck unit

# The long crash-injection run (hundreds of SIGKILL points); not part of `make test`.
test-crash: $(VENV)/.test-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -q -m crash

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

bench-peers: $(VENV)/.installed
	$(BIN)/python bench/run.py --peers

emulators:
	bash tests/emulators/install.sh

clean:
	rm -rf $(VENV) .emulators .pytest_cache .mypy_cache .ruff_cache bench/.work
