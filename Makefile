# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY       := .venv/bin/python
VENV     := .venv/.installed
FHIR     := scripts/fhir-server.sh
KEYCLOAK := scripts/keycloak.sh
DEMO_URL := http://localhost:8080/fhir
APP_PORT ?= 8501

export FHIR_PORT ?= 8080
export FHIR_DB_PATH ?= $(CURDIR)/var/demo-db/h2
export KC_PORT ?= 8180

# The demo platform checks tokens from its Keycloak: the loader writes as the admin client, the
# dashboard reads and writes as its own client. Secrets come from var/keycloak/secrets at run time,
# so make never prints them.
ISSUER    := http://127.0.0.1:$(KC_PORT)/realms/medicus
TOKEN_ENV  = MEDICUS_FHIR_TOKEN_URL=$(ISSUER)/protocol/openid-connect/token
ADMIN_ENV  = $(TOKEN_ENV) MEDICUS_FHIR_CLIENT_ID=medicus-admin \
	MEDICUS_FHIR_CLIENT_SECRET=$$(bash $(KEYCLOAK) secret ADMIN)
DASH_ENV   = $(TOKEN_ENV) MEDICUS_FHIR_CLIENT_ID=medicus-dashboard \
	MEDICUS_FHIR_CLIENT_SECRET=$$(bash $(KEYCLOAK) secret DASHBOARD) $(SSO_ENV)

# Staff sign in against the local user directory (default) or, with MEDICUS_SIGN_IN=oidc, at the
# same Keycloak (client medicus-staff, demo staff in keycloak/realm.json; README "Single sign-on").
# Keycloak accepts the dashboard's /oauth2callback on APP_PORT only.
export KC_STAFF_REDIRECT_URI ?= http://localhost:$(APP_PORT)/oauth2callback
ifeq ($(MEDICUS_SIGN_IN),oidc)
SSO_ENV = MEDICUS_SIGN_IN=oidc MEDICUS_OIDC_ISSUER=$(ISSUER) \
	MEDICUS_OIDC_CLIENT_SECRET=$$(bash $(KEYCLOAK) secret STAFF) \
	MEDICUS_OIDC_REDIRECT_URI=$(KC_STAFF_REDIRECT_URI)
endif

.PHONY: help run stop test test-unit lint server keycloak demo-data demo-users browser proxy \
	run-replicas stop-replicas bench bench-loader bench-layer bench-pages bench-timeline bench-store bench-load bench-analytics sync

help:
	@echo "make run    dashboard on the embedded FHIR server with demo data (http://localhost:$(APP_PORT))"
	@echo "make test   the whole suite: lint, unit, integration, browser"
	@echo "make stop   stop the dashboard, the demo FHIR server and its Keycloak"
	@echo "make run-replicas K=2   K dashboards behind nginx (http://localhost:$(PROXY_PORT))"
	@echo "make bench  benchmarks, results in BENCHMARKS.md"

$(VENV): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

keycloak:
	bash $(KEYCLOAK) build

# Keycloak and HAPI start side by side: HAPI fetches Keycloak's keys on the first request only.
server: $(VENV) keycloak
	bash $(FHIR) build
	bash $(KEYCLOAK) start & kc=$$!; \
		FHIR_AUTH_ISSUER=$(ISSUER) bash $(FHIR) start; fhir=$$?; \
		wait $$kc && exit $$fhir

demo-data: server
	$(ADMIN_ENV) $(PY) -m demo_data ensure --preset demo --dir var/demo --base $(DEMO_URL)

demo-users: demo-data
	$(DASH_ENV) $(PY) -m demo_data.users --base $(DEMO_URL) --out .streamlit/credentials.yaml

# The dashboard's PID goes to a file of this checkout, so `make stop` ends this dashboard only.
APP_PID := var/dashboard-$(APP_PORT).pid

# The manager pages read the Parquet store while it is fresh (search otherwise): a sync runs in
# the background from the start and then every SYNC_MINUTES, as the dashboard's own client
# (its token holds the export role). Its log: var/sync.log.
SYNC_PID     := var/sync-$(APP_PORT).pid
SYNC_MINUTES ?= 5

run: demo-users
	@mkdir -p var
	$(DASH_ENV) MEDICUS_FHIR_URL=$(DEMO_URL) bash -c 'echo $$$$ > $(SYNC_PID); \
		exec $(PY) -m services.sync --every $(SYNC_MINUTES) >>var/sync.log 2>&1' &
	$(DASH_ENV) MEDICUS_DEMO=1 MEDICUS_FHIR_URL=$(DEMO_URL) MEDICUS_ANALYTICS=store \
		bash -c 'echo $$$$ > $(APP_PID); \
		sign_in=$$($(PY) -m services.oidc streamlit-args) || exit 1; \
		exec $(PY) -m streamlit run app.py --server.port $(APP_PORT) \
		--server.headless true --browser.gatherUsageStats false $$sign_in'

# Stops the process named in a PID file only while it is still this checkout's dashboard or
# sync (a PID can be reused after the process ended).
stop-pid = if [ -f $(1) ]; then \
		pid=$$(cat $(1)); \
		if kill -0 "$$pid" 2>/dev/null \
			&& [ "$$(readlink /proc/$$pid/cwd)" = "$(CURDIR)" ] \
			&& tr '\0' ' ' </proc/$$pid/cmdline | grep -qF "$(2)"; then \
			echo "stopping $(3) (pid $$pid)"; kill "$$pid"; \
		fi; \
		rm -f $(1); \
	fi

stop:
	@$(call stop-pid,$(APP_PID),streamlit run app.py,dashboard)
	@$(call stop-pid,$(SYNC_PID),services.sync,sync)
	$(REPLICAS) stop
	bash $(FHIR) stop
	bash $(KEYCLOAK) stop

# Debian's Chromium for the browser tests (Playwright cannot fetch its own browser here), poppler
# to read the PDFs they print, and axe-core (package.json) to check accessibility.
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/pdftotext || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; }
	npm ci --no-audit --no-fund --silent

# Debian's nginx in front of the replicas. Only the binary is used: scripts/replicas.sh runs it
# with a configuration, logs and PID file of its own under var/ (nothing in /etc/nginx is read).
# The package's own service is not needed; where services start on installation, Debian starts
# it on port 80 (`systemctl disable --now nginx` ends that).
proxy:
	@test -x /usr/sbin/nginx || { \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null; }

# K dashboard processes behind nginx on the demo platform, sessions pinned to a replica by
# cookie, dead replicas taken out by their health endpoint (docs/DEPLOYMENT.md). They share the
# user directory, the session store and the audit log under var/, so a session survives the loss
# of its replica. Runs in the background; `make stop-replicas` (or `make stop`) ends it.
K          ?= 2
PROXY_PORT ?= $(APP_PORT)
REPLICAS    = REPLICAS=$(K) PROXY_PORT=$(PROXY_PORT) bash scripts/replicas.sh

run-replicas: demo-users proxy
	$(DASH_ENV) MEDICUS_DEMO=1 MEDICUS_FHIR_URL=$(DEMO_URL) $(REPLICAS) start

stop-replicas:
	$(REPLICAS) stop

lint: $(VENV)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test-unit: $(VENV)
	$(PY) -m pytest -m unit -q

test: $(VENV) browser proxy lint keycloak
	bash $(FHIR) build
	$(PY) -m pytest -q

# Benchmarks run on the demo network (the demo server is started and loaded when needed), except
# the loader, which times an empty database of its own, and the timeline, which needs one large
# person in a server of its own. Results: bench/results/ and BENCHMARKS.md.
bench: bench-loader bench-layer bench-pages bench-timeline bench-store bench-load bench-analytics

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
	$(DASH_ENV) $(PY) bench/bench_capacity.py --base $(DEMO_URL) --runs 3
	$(DASH_ENV) $(PY) bench/bench_nurse_pages.py --base $(DEMO_URL) --runs 3

# The 90-day window by search against the Parquet store synced by $export (a store of its own in
# a temporary directory; the demo's var/store is left alone).
bench-store: demo-data
	$(DASH_ENV) $(PY) bench/bench_store.py --base $(DEMO_URL) --runs 3

# Sync the demo's store (var/store) by Bulk Data $export; the manager pages read it with
# MEDICUS_ANALYTICS=store.
sync: demo-data
	$(ADMIN_ENV) MEDICUS_FHIR_URL=$(DEMO_URL) $(PY) -m services.sync

# The manager pages' data from 10k to 1M Encounters: search, DuckDB and Spark side by side. The
# search path needs a server holding the 10k network (loaded into a server of its own on the first
# run, about 5 minutes on a quiet machine; FHIR_START_TIMEOUT raises the server's start limit on a
# busy one; BENCH_ANALYTICS_PORT moves it off 8088); 100k and 1M exist only as generated NDJSON. Each size's store is built once into
# var/bench-analytics/stores (the 1M flatten takes 2-30 minutes with the load) and measured there later;
# delete that directory to rebuild. Spark runs up to 100k: at 1M it is DuckDB's table alone.
BENCH_ANALYTICS_PORT ?= 8088
BENCH_ANALYTICS_URL := http://localhost:$(BENCH_ANALYTICS_PORT)/fhir
BENCH_ANALYTICS_KEEP := var/bench-analytics/stores
bench-analytics: $(VENV)
	bash $(FHIR) build
	FHIR_PORT=$(BENCH_ANALYTICS_PORT) FHIR_DB_PATH=$(CURDIR)/var/bench-analytics/db/h2 \
		bash $(FHIR) start
	$(PY) -m demo_data ensure --scale 2.5 --seed 11 --kinds Encounter \
		--dir var/bench-analytics/data --base $(BENCH_ANALYTICS_URL)
	$(PY) bench/bench_analytics.py --sizes 10k,100k --engines duckdb,spark --runs 3 \
		--search-base $(BENCH_ANALYTICS_URL) --search-size 10k --keep $(BENCH_ANALYTICS_KEEP)
	$(PY) bench/bench_analytics.py --sizes 1M --engines duckdb --runs 3 \
		--keep $(BENCH_ANALYTICS_KEEP) --out analytics-1M.md
	FHIR_PORT=$(BENCH_ANALYTICS_PORT) bash $(FHIR) stop

bench-timeline: $(VENV)
	bash $(FHIR) build
	FHIR_PORT=8097 FHIR_DB_PATH=$(CURDIR)/var/bench-timeline-db/h2 bash $(FHIR) start
	$(PY) bench/bench_timeline.py --base http://localhost:8097/fhir --runs 5
	FHIR_PORT=8097 bash $(FHIR) stop

# Signed-in browser sessions at once against one dashboard process of its own (headless Debian
# Chromium, a counting proxy in front of the FHIR server). The demo network by default (started
# and loaded when needed); LOAD_BASE=http://localhost:8091/fhir runs it on the test server.
# LOAD_SESSIONS=1,5,10,20,30 for the full table; LOAD_REPLICAS=2 drives the same sessions through
# nginx in front of two replicas (scripts/replicas.sh: nginx on LOAD_PORT, the replicas on the
# ports above it). The manager pages read the Parquet store as in `make run` (synced before each
# level); LOAD_ANALYTICS=search makes them search instead. Results: bench/results/load*.
LOAD_BASE     ?= $(DEMO_URL)
LOAD_SESSIONS ?= 1,5,10
LOAD_SECONDS  ?= 150
LOAD_THINK    ?= 1
LOAD_REPLICAS ?= 1
LOAD_PORT     ?= 8611
LOAD_ANALYTICS ?= store
bench-load: $(VENV) browser $(if $(filter-out 1,$(LOAD_REPLICAS)),proxy) \
		$(if $(filter $(DEMO_URL),$(LOAD_BASE)),demo-data)
	$(DASH_ENV) $(PY) bench/bench_load.py --base $(LOAD_BASE) --sessions $(LOAD_SESSIONS) \
		--seconds $(LOAD_SECONDS) --think-scale $(LOAD_THINK) --replicas $(LOAD_REPLICAS) \
		--port $(LOAD_PORT) --analytics $(LOAD_ANALYTICS)
