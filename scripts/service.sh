# Process handling shared by the scripts that run a local server (sourced, not run).
#
# The sourcing script defines log() and is_up(), and sets PID_FILE, LOG_FILE, START_TIMEOUT,
# TIMEOUT_SETTING (the variable that sets START_TIMEOUT), SERVICE_URL, PORT and PROCESS_MARK (a
# path only this service's command line holds, to tell it from a recycled PID).

# PID recorded for this instance, if that process is still alive and still this service.
running_pid() {
	[[ -f "$PID_FILE" ]] || return 1
	local pid
	pid="$(cat "$PID_FILE")"
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$PROCESS_MARK"; then
		echo "$pid"
	else
		return 1
	fi
}

# Wait until is_up; fails early if the process started (when given) has died.
wait_until_up() {
	local pid="${1:-}" started=$SECONDS
	while ! is_up; do
		if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
			log "process $pid exited during startup; last log lines ($LOG_FILE):"
			tail -n 40 "$LOG_FILE" >&2 || true
			rm -f "$PID_FILE"
			return 1
		fi
		if ((SECONDS - started >= START_TIMEOUT)); then
			log "not up after ${START_TIMEOUT}s ($TIMEOUT_SETTING); see $LOG_FILE"
			return 1
		fi
		sleep 1
	done
}

# Stop the process of the PID file only: one that answers but was started otherwise is left alone.
stop_service() {
	local pid
	if ! pid="$(running_pid)"; then
		rm -f "$PID_FILE"
		if is_up; then
			log "something answers at $SERVICE_URL but was not started by this script; leaving it alone"
		else
			log "not running on port $PORT"
		fi
		return 0
	fi
	log "stopping pid $pid"
	kill "$pid"
	local waited=0
	while kill -0 "$pid" 2>/dev/null; do
		if ((waited >= 60)); then
			log "pid $pid ignored SIGTERM for 60s; killing"
			kill -9 "$pid" 2>/dev/null || true
		fi
		sleep 1
		waited=$((waited + 1))
	done
	rm -f "$PID_FILE"
	log "stopped"
}

# Up, starting (a live PID that does not answer yet) or down; exit codes 0, 1 and 3.
service_status() {
	local pid=""
	pid="$(running_pid)" || pid=""
	if is_up; then
		echo "up: $SERVICE_URL${pid:+ (pid $pid)}"
	elif [[ -n "$pid" ]]; then
		echo "starting: pid $pid, not answering yet at $SERVICE_URL"
		return 1
	else
		echo "down: nothing answers at $SERVICE_URL"
		return 3
	fi
}
