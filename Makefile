# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY       := .venv/bin/python
VENV     := .venv/.installed
FHIR     := scripts/fhir-server.sh
DEMO_URL := http://localhost:8080/fhir
APP_PORT ?= 8501

export FHIR_PORT ?= 8080
export FHIR_DB_PATH ?= $(CURDIR)/var/demo-db/h2

.PHONY: help run stop test test-unit lint server demo-data demo-users browser \
	bench bench-loader bench-layer bench-pages bench-timeline

help:
	@echo "make run    dashboard on the embedded FHIR server with demo data (http://localhost:$(APP_PORT))"
	@echo "make test   the whole suite: lint, unit, integration, browser"
	@echo "make stop   stop the dashboard and the demo FHIR server"
	@echo "make bench  benchmarks, results in BENCHMARKS.md"

$(VENV): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

server: $(VENV)
	bash $(FHIR) build
	bash $(FHIR) start

demo-data: server
	$(PY) -m demo_data ensure --preset demo --dir var/demo --base $(DEMO_URL)

demo-users: demo-data
	$(PY) -m demo_data.users --base $(DEMO_URL) --out .streamlit/credentials.yaml

run: demo-users
	MEDICUS_FHIR_URL=$(DEMO_URL) $(PY) -m streamlit run app.py \
		--server.port $(APP_PORT) --server.headless true --browser.gatherUsageStats false

stop:
	-pkill -f "streamlit run app.py" || true
	bash $(FHIR) stop

# Debian's Chromium for the browser tests; Playwright cannot fetch its own browser here.
browser:
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

lint: $(VENV)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test-unit: $(VENV)
	$(PY) -m pytest -m unit -q

test: $(VENV) browser lint
	bash $(FHIR) build
	$(PY) -m pytest -q

# Benchmarks run on the demo network (the demo server is started and loaded when needed), except
# the loader, which times an empty database of its own, and the timeline, which needs one large
# person in a server of its own. Results: bench/results/ and BENCHMARKS.md.
bench: bench-loader bench-layer bench-pages bench-timeline

bench-loader: $(VENV)
	bash $(FHIR) build
	$(PY) bench/bench_loader.py

# The data layer is compared on a network of its own with >100k Encounters and Observations
# (scale 26, 416k resources), generated and loaded on the first run: 2-3 hours on 2 cores (HAPI
# indexes Encounters and Observations at 30-70 resources/s there); later runs reuse var/bench-layer.
BENCH_LAYER_URL  := http://localhost:8095/fhir
BENCH_LAYER_DATA := Organization,Location,Patient,Encounter,Observation
bench-layer: $(VENV)
	bash $(FHIR) build
	FHIR_PORT=8095 FHIR_DB_PATH=$(CURDIR)/var/bench-layer/db/h2 bash $(FHIR) start
	$(PY) -m demo_data ensure --scale 26 --kinds $(BENCH_LAYER_DATA) \
		--dir var/bench-layer/data --base $(BENCH_LAYER_URL)
	$(PY) bench/bench_layer.py --base $(BENCH_LAYER_URL) --sizes 1000,10000,100000 --runs 3
	FHIR_PORT=8095 bash $(FHIR) stop

bench-pages: demo-data
	$(PY) bench/bench_capacity.py --base $(DEMO_URL) --runs 3
	$(PY) bench/bench_nurse_pages.py --base $(DEMO_URL) --runs 3

bench-timeline: $(VENV)
	bash $(FHIR) build
	FHIR_PORT=8097 FHIR_DB_PATH=$(CURDIR)/var/bench-timeline-db/h2 bash $(FHIR) start
	$(PY) bench/bench_timeline.py --base http://localhost:8097/fhir --runs 5
	FHIR_PORT=8097 bash $(FHIR) stop
