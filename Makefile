# Every target creates .venv on first use and installs kaohe with its test extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench install clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kaohe validate schemes/changzhou-2018.yaml
	$(BIN)/kaohe score schemes/changzhou-2018.yaml examples/changzhou-2018/evidence.xlsx
	mkdir -p out
	$(BIN)/kaohe score schemes/changzhou-2018.yaml examples/changzhou-2018/evidence.xlsx -o out/考核结果.xlsx
	$(BIN)/kaohe score schemes/changzhou-2018.yaml examples/changzhou-2018/evidence.xlsx -o out/结果.json --no-timestamp
	$(BIN)/kaohe publish schemes/changzhou-2018.yaml out/结果.json --previous examples/changzhou-2018/previous-year.json -o out/通报.docx
	@echo "已写出: 考核结果工作簿 out/考核结果.xlsx,通报 out/通报.docx(out/ 已列入 .gitignore)"
	@echo "make demo wrote the results workbook out/考核结果.xlsx and the 通报 out/通报.docx (out/ is in .gitignore)"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]' || echo "pandas, polars or duckdb could not be installed: their peer figures are left out"
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
