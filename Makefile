# Two commands do all set-up on a fresh machine:  make run   and   make test
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin

.PHONY: run test lint typecheck unit docs bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $@

run: $(BIN)/.installed  ## the main job: the web workspace with the demo program, on http://127.0.0.1:8000/
	$(BIN)/bioparity demo --load --quiet
	$(BIN)/bioparity serve --host 127.0.0.1 --port 8000 --workers 2

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench docs
	$(BIN)/ruff format --check src tests bench docs

# mypy in two worker processes: from the empty cache of a clean clone it checks src, bench and tests in ~90 s
# of CPU; one process left the second CPU idle (nice -n -15 on a loaded 2-core machine: 289 -> 232 s wall).
MYPY_WORKERS ?= 2

typecheck: $(BIN)/.installed
	$(BIN)/mypy --num-workers $(MYPY_WORKERS)

# pytest in two worker processes (pytest-xdist), each test file kept on one worker so that its module and
# session fixtures (servers, databases) start once; PYTEST_WORKERS=0 runs in one process. One BLAS thread per
# worker (tests/__init__.py, as `bioparity` itself sets): two workers on two CPUs, BLAS helper threads spin-wait.
# --no-loadscope-reorder: the workers take the files in the collection order, slowest first (tests/conftest.py);
# by default xdist re-sorts them by their number of tests, which started test_gallery.py (one test, the slowest
# file) last, alone, while the other worker had finished.
PYTEST_WORKERS ?= 2

unit: $(BIN)/.installed
	bash scripts/system-deps.sh
	bash scripts/services.sh
	CI=$${CI:-true} $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

docs: $(BIN)/.installed  ## the documentation site (tutorials executed; warnings are errors) in docs/_build/html
	rm -rf docs/_build
	PYTHONPATH=$(CURDIR)/src $(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "documentation: docs/_build/html/index.html"

test: lint typecheck unit docs  ## everything CI runs

bench: $(BIN)/.installed  ## every benchmark under bench/, one table; the README section is rewritten from it
	$(BIN)/python bench/run_all.py --update-readme

clean:
	rm -rf $(VENV) build docs/_build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
