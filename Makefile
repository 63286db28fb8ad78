# Two commands a fresh clone needs: `make run` and `make test`.
# Each creates .venv on first use and installs the project into it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: run test lint bench bench-engine bench-scale bench-gui bench-files screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

# The benchmarks also need the optional group "bench" (torch for the baseline, threadpoolctl).
$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test,bench]"
	touch $(BENCH_STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(PYTEST_ARGS)

bench: bench-engine bench-scale bench-gui

bench-engine: $(BENCH_STAMP)
	$(PY) bench/bench_engine.py

bench-scale: $(BENCH_STAMP)
	$(PY) bench/bench_scale.py

bench-gui: $(BENCH_STAMP)
	$(PY) bench/bench_gui.py

# Files at their largest (minutes, ~3 GB of memory): a 110 MB CSV, a 16 M-parameter net.
bench-files: $(STAMP)
	$(PY) bench/bench_csv.py
	$(PY) bench/bench_big_files.py

# The three README screenshots (offscreen, 1600x1000): forward pass, backward pass, training.
screenshots: $(STAMP)
	$(PY) main.py --screenshot docs/screenshots/forward.png --steps 3 --size 1600x1000
	$(PY) main.py --screenshot docs/screenshots/backward.png --steps 9 --size 1600x1000
	$(PY) main.py --screenshot docs/screenshots/training.png --train-epochs 100 --size 1600x1000
	QT_QPA_PLATFORM=offscreen $(PY) docs/lecture_screenshots.py
	$(PY) main.py --screenshot docs/screenshots/worked_example.png --example mazur --steps 6 \
		--size 1600x1000

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
