# The two commands (see README.md): `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format migrate sample-data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

sample-data: migrate
	$(BIN)/python manage.py load_regions
	$(BIN)/python manage.py ingest samples/
	$(BIN)/python manage.py rebuild_index --if-stale

## Set up and serve on http://127.0.0.1:8000 (SQLite + on-disk Whoosh index under var/).
# The development server runs with DEBUG on (and so a development SECRET_KEY).
run migrate sample-data: export DEBUG := true
run: sample-data
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## Set up and run the whole test suite on the database DATABASE_URL names (SQLite by default).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
