#!/usr/bin/env bash
# K dashboard replicas behind nginx, sessions pinned to a replica by cookie (docs/DEPLOYMENT.md).
#
# Usage: scripts/replicas.sh {start|stop|status}
#
# Settings (environment): REPLICAS (K, default 2), PROXY_PORT (nginx, default 8501),
# REPLICA_PORT (the replicas listen on REPLICA_PORT+1 … REPLICA_PORT+K, default PROXY_PORT+10),
# RUN_DIR (configuration, PIDs and logs, default var/replicas-PROXY_PORT), HEALTH_INTERVAL
# (seconds between health checks, default 5), REPLICA_START_TIMEOUT (default 120). Everything
# else in the environment (MEDICUS_*) goes to every replica alike: they must share the user
# directory, the session store, the audit log and the cookie key.
#
# nginx, the replicas and the health watch run in the background until `stop`. The watch asks
# every replica's /_stcore/health and marks a replica that does not answer `down` in the nginx
# configuration (then reloads nginx), and takes the mark away once it answers again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
NGINX="${NGINX:-/usr/sbin/nginx}"
TEMPLATE="$ROOT/deploy/nginx.conf.template"
K="${REPLICAS:-2}"
PROXY_PORT="${PROXY_PORT:-8501}"
FIRST_PORT="${REPLICA_PORT:-$((PROXY_PORT + 10))}"
RUN_DIR="${RUN_DIR:-$ROOT/var/replicas-$PROXY_PORT}"
HEALTH_INTERVAL="${HEALTH_INTERVAL:-5}"
START_TIMEOUT="${REPLICA_START_TIMEOUT:-120}"
TIMEOUT_SETTING=REPLICA_START_TIMEOUT
CONF="$RUN_DIR/nginx.conf"

log() { echo "replicas: $*" >&2; }

# shellcheck source=scripts/service.sh
source "$ROOT/scripts/service.sh"

healthy() {
	[[ "$(curl -s -m 2 "http://127.0.0.1:$1/_stcore/health" 2>/dev/null)" == ok ]]
}

# The service.sh helpers act on one process at a time: these select which.
as_replica() {
	PORT="$1"
	PID_FILE="$RUN_DIR/replica-$PORT.pid"
	LOG_FILE="$RUN_DIR/replica-$PORT.log"
	SERVICE_URL="http://127.0.0.1:$PORT"
	PROCESS_MARK="$ROOT/app.py --server.port $PORT "
	is_up() { healthy "$PORT"; }
}

as_proxy() {
	PORT="$PROXY_PORT"
	PID_FILE="$RUN_DIR/nginx.pid"
	LOG_FILE="$RUN_DIR/error.log"
	SERVICE_URL="http://127.0.0.1:$PROXY_PORT"
	PROCESS_MARK="$RUN_DIR -c $CONF"
	is_up() { healthy "$PROXY_PORT"; }
}

as_watch() {
	PORT="$PROXY_PORT"
	PID_FILE="$RUN_DIR/watch.pid"
	LOG_FILE="$RUN_DIR/watch.log"
	SERVICE_URL="(health watch of $RUN_DIR)"
	PROCESS_MARK="replicas.sh watch $RUN_DIR"
	is_up() { false; }
}

# The replicas' ports as written at start (stop and status need no K).
ports() {
	[[ -f "$RUN_DIR/ports" ]] && cat "$RUN_DIR/ports"
}

# The nginx configuration with the replicas listed in $1 (space-separated ports) marked down.
write_config() {
	local down=" $1 " servers="" port secure=""
	for port in $(ports); do
		servers+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s"
		[[ "$down" == *" $port "* ]] && servers+=" down"
		servers+=$';\n'
	done
	# As the sign-in cookie: Secure unless the deployment is plain HTTP beyond localhost.
	[[ "${MEDICUS_COOKIE_SECURE:-1}" == 0 ]] || secure="; Secure"
	local text
	text="$(<"$TEMPLATE")"
	text="${text//@RUN_DIR@/$RUN_DIR}"
	text="${text//@PROXY_PORT@/$PROXY_PORT}"
	text="${text//@COOKIE_SECURE@/$secure}"
	text="${text//@SERVERS@/${servers%$'\n'}}"
	printf '%s\n' "$text" >"$CONF.new"
	mv "$CONF.new" "$CONF"
}

nginx_run() {
	"$NGINX" -p "$RUN_DIR" -c "$CONF" -e "$RUN_DIR/error.log" "$@"
}

# Run a command in the background, in a session of its own (it must outlive this shell and not
# get the caller's Ctrl-C), output to LOG_FILE; returns once PID_FILE holds its PID. The process
# writes the PID itself: setsid may fork, so $! need not be it.
launch() {
	rm -f "$PID_FILE"
	PID_FILE="$PID_FILE" nohup setsid bash -c 'echo $$ >"$PID_FILE"; exec "$@"' launch "$@" \
		>"$LOG_FILE" 2>&1 </dev/null 9>&- &
	local waited=0
	until [[ -s "$PID_FILE" ]] || ((waited++ >= 50)); do sleep 0.1; done
}

start_replica() {
	as_replica "$1"
	if running_pid >/dev/null || healthy "$PORT"; then
		log "port $PORT is taken (a replica of an earlier start, or another program); stop it first"
		return 1
	fi
	# No file watcher: a deployment does not reload on edits, and K watchers cost K times the CPU.
	(cd "$ROOT" && launch "$PY" -m streamlit run "$ROOT/app.py" --server.port "$PORT" \
		--server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false \
		--server.fileWatcherType none "${SIGN_IN_ARGS[@]}")
	log "replica starting on port $PORT (pid $(cat "$PID_FILE")), log: $LOG_FILE"
}

cmd_start() {
	if [[ ! -x "$NGINX" ]]; then
		log "$NGINX is missing: run \`make proxy\` (Debian's nginx package)"
		return 1
	fi
	mkdir -p "$RUN_DIR/tmp"
	exec 9>"$RUN_DIR/.lock"
	flock 9
	as_proxy
	if running_pid >/dev/null; then
		log "already running at http://localhost:$PROXY_PORT; \`stop\` first to change it"
		return 0
	fi
	seq $((FIRST_PORT + 1)) $((FIRST_PORT + K)) | tr '\n' ' ' >"$RUN_DIR/ports"
	local port
	# Single sign-on settings (services/oidc.py), written once for every replica; none for the
	# local user directory.
	read -r -a SIGN_IN_ARGS <<<"$(cd "$ROOT" && "$PY" -m services.oidc streamlit-args)" || true
	[[ ${#SIGN_IN_ARGS[@]} -gt 0 || "${MEDICUS_SIGN_IN:-local}" != oidc ]] || return 1
	for port in $(ports); do
		start_replica "$port" || {
			cmd_stop
			return 1
		}
	done
	for port in $(ports); do
		as_replica "$port"
		wait_until_up "$(cat "$PID_FILE")" || {
			cmd_stop
			return 1
		}
	done
	write_config ""
	as_proxy
	nginx_run -t -q || {
		cmd_stop
		return 1
	}
	nginx_run
	wait_until_up || {
		cmd_stop
		return 1
	}
	as_watch
	# The watch reads the same settings (it is started with the run directory as its mark).
	export REPLICAS PROXY_PORT REPLICA_PORT="$FIRST_PORT" RUN_DIR HEALTH_INTERVAL
	launch bash "$ROOT/scripts/replicas.sh" watch "$RUN_DIR"
	log "up at http://localhost:$PROXY_PORT: $K replicas on ports $(ports)"
}

cmd_watch() {
	local previous="" down port
	as_proxy
	while running_pid >/dev/null; do
		down=""
		for port in $(ports); do
			healthy "$port" || down+="$port "
		done
		if [[ "$down" != "$previous" ]]; then
			write_config "$down"
			nginx_run -s reload
			log "$(date -Is) down: ${down:-none}"
			previous="$down"
		fi
		sleep "$HEALTH_INTERVAL"
	done
}

cmd_stop() {
	local port
	as_watch
	stop_service
	as_proxy
	stop_service
	for port in $(ports); do
		as_replica "$port"
		stop_service
	done
	rm -f "$RUN_DIR/ports"
}

cmd_status() {
	local port code=0
	as_proxy
	service_status || code=$?
	for port in $(ports); do
		as_replica "$port"
		service_status || code=$?
	done
	return "$code"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
watch)
	RUN_DIR="${2:?run directory}"
	CONF="$RUN_DIR/nginx.conf"
	cmd_watch
	;;
*)
	echo "usage: $0 {start|stop|status}" >&2
	exit 2
	;;
esac
