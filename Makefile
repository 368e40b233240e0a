# cartsite: `make run` serves one node on SQLite, `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test verify lint format protogen protocheck bench migrate demo clean venv

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo_catalog

## Serve one node at http://$(HOST):$(PORT) on SQLite (or DATABASE_URL).
## Plain http on a laptop: the cart cookie drops Secure unless told otherwise.
run: demo
	DEV_INSECURE_COOKIES=$${DEV_INSECURE_COOKIES:-1} $(PY) manage.py runnode --host $(HOST) --port $(PORT)

## Run the whole suite (PostgreSQL when CI=true or DATABASE_URL is set).
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Regenerate the protobuf modules from proto/cart_actor.proto.
protogen: venv
	$(PY) proto/generate.py

## Fail when the committed generated modules differ from a fresh generation.
protocheck: venv
	$(PY) proto/generate.py --check

## Lint, generated protobuf fresh, the whole suite with coverage.
verify: lint protocheck
	$(PY) -m pytest --cov --cov-report=term --cov-fail-under=85 $(PYTEST_ARGS)

bench: demo
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov
