#!/usr/bin/env bash
# Fetch, build, start, stop and inspect the Keycloak that stands in for the platform's identity
# provider (realm "medicus" from keycloak/realm.json).
#
# Usage: scripts/keycloak.sh {build|start|stop|status|secret CLIENT}
#
# One instance per port (KC_PORT, default 8180), bound to 127.0.0.1. Each start begins with a new
# dev-file database and imports the realm again, so every start brings new signing keys: a restart
# is a key rotation, which the FHIR server and the dashboard must survive. The client secrets are
# generated once into var/keycloak/secrets (0600) and filled into the imported realm; none is in the
# repository. See docs/SECURITY.md, "Platform boundary".
#
# The staff sign-in client (medicus-staff) accepts one redirect URI, the dashboard's
# /oauth2callback: KC_STAFF_REDIRECT_URI, default http://localhost:8501/oauth2callback (make run).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="${KC_VERSION:-26.5.6}"
VAR="$ROOT/var/keycloak"
DIST="$VAR/keycloak-$VERSION"
ARCHIVE="$VAR/keycloak-quarkus-dist-$VERSION.tar.gz"
BUILT="$DIST/.built"
SECRETS="$VAR/secrets"
REALM_SOURCE="$ROOT/keycloak/realm.json"
PORT="${KC_PORT:-8180}"
REALM_URL="http://127.0.0.1:${PORT}/realms/medicus"
INSTANCE="$VAR/$PORT"
LOG_FILE="$INSTANCE/keycloak.log"
PID_FILE="$INSTANCE/keycloak.pid"
START_TIMEOUT="${KC_START_TIMEOUT:-300}"
STAFF_REDIRECT_URI="${KC_STAFF_REDIRECT_URI:-http://localhost:8501/oauth2callback}"
CLIENTS=(DASHBOARD READONLY ADMIN TEST STAFF)

log() { echo "keycloak: $*" >&2; }

SERVICE_URL="$REALM_URL"
PROCESS_MARK="$DIST/"
TIMEOUT_SETTING=KC_START_TIMEOUT
# shellcheck source=scripts/service.sh
source "$ROOT/scripts/service.sh"

# Keycloak 26 needs Java 21 or newer; the machine's default java is 17.
java_home() {
	if [[ -n "${KC_JAVA_HOME:-}" ]]; then
		echo "$KC_JAVA_HOME"
		return
	fi
	local candidate version
	for candidate in /usr/lib/jvm/*; do
		[[ -x "$candidate/bin/java" ]] || continue
		version="$("$candidate/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
		if [[ -n "$version" ]] && ((version >= 21)); then
			echo "$candidate"
			return
		fi
	done
	log "no Java 21 or newer under /usr/lib/jvm; set KC_JAVA_HOME"
	return 1
}

is_up() {
	curl -sf -m 5 "$REALM_URL/.well-known/openid-configuration" 2>/dev/null | grep -q '"issuer"'
}

cmd_build() {
	mkdir -p "$VAR"
	(
		flock 9
		if [[ -f "$BUILT" ]]; then
			log "keycloak $VERSION is built"
			exit 0
		fi
		if [[ ! -f "$ARCHIVE" ]]; then
			log "fetching org.keycloak:keycloak-quarkus-dist:$VERSION"
			mvn -q -B -Dstyle.color=never dependency:copy \
				-Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:tar.gz" -DoutputDirectory="$VAR"
		fi
		rm -rf "$DIST"
		tar -xzf "$ARCHIVE" -C "$VAR"
		log "building the server image (dev-file database)"
		JAVA_HOME="$(java_home)" "$DIST/bin/kc.sh" build --db=dev-file >"$VAR/build.log" 2>&1 ||
			{
				tail -n 30 "$VAR/build.log" >&2
				exit 1
			}
		touch "$BUILT"
	) 9>"$VAR/.build.lock"
}

# Secrets are made once per checkout, like the dashboard's cookie key; a client added to the realm
# later gets its secret on the next start, the others are kept.
ensure_secrets() {
	mkdir -p "$VAR"
	(
		flock 9
		umask 077
		local name added=()
		touch "$SECRETS"
		cp "$SECRETS" "$SECRETS.tmp"
		for name in "${CLIENTS[@]}"; do
			grep -q "^${name}_SECRET=" "$SECRETS" && continue
			echo "${name}_SECRET=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')" >>"$SECRETS.tmp"
			added+=("$name")
		done
		mv "$SECRETS.tmp" "$SECRETS"
		((${#added[@]} == 0)) || log "client secrets for ${added[*]} written to $SECRETS"
	) 9>"$VAR/.secrets.lock"
}

# The realm with its placeholders filled; readable by this user only.
write_realm() {
	local import="$DIST/data/import" sed_args=() line
	mkdir -p "$import"
	chmod 700 "$import"
	while IFS= read -r line; do
		sed_args+=(-e "s/\${${line%%=*}}/${line#*=}/")
	done <"$SECRETS"
	if [[ ! "$STAFF_REDIRECT_URI" =~ ^https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9._~/-]*)?/oauth2callback$ ]]; then
		log "KC_STAFF_REDIRECT_URI must be the dashboard's http(s)://HOST:PORT/oauth2callback"
		return 1
	fi
	sed_args+=(-e "s|\${STAFF_REDIRECT_URI}|$STAFF_REDIRECT_URI|g")
	(umask 077 && sed "${sed_args[@]}" "$REALM_SOURCE" >"$import/medicus.json")
}

cmd_start() {
	mkdir -p "$INSTANCE"
	exec 8>"$INSTANCE/start.lock"
	flock 8
	if is_up; then
		log "reusing keycloak already answering at $REALM_URL"
		return 0
	fi
	local pid
	if pid="$(running_pid)"; then
		log "keycloak (pid $pid) is still starting; waiting"
		wait_until_up "$pid"
		return 0
	fi
	cmd_build
	ensure_secrets
	# Every instance of this checkout imports from the one import directory: the realm written for
	# this instance stays there until this instance has imported it.
	exec 7>"$VAR/.import.lock"
	flock 7
	write_realm
	rm -rf "$INSTANCE/db"
	local started=$SECONDS jhome
	jhome="$(java_home)"
	# Local cache: no cluster transport (JGroups would listen on every interface).
	# hostname-strict=false: the issuer follows the address a client uses, so the FHIR server and the
	# clients must name Keycloak alike (http://127.0.0.1:PORT). No admin user is created: the realm
	# is configured by import only.
	JAVA_HOME="$jhome" JAVA_OPTS_APPEND="${KC_JAVA_OPTS:--Xms64m -Xmx512m}" \
		nohup setsid "$DIST/bin/kc.sh" start --optimized --import-realm \
		--cache=local --http-enabled=true --http-host=127.0.0.1 --http-port="$PORT" --hostname-strict=false \
		--db-url="jdbc:h2:file:$INSTANCE/db/keycloakdb;NON_KEYWORDS=VALUE" \
		>"$LOG_FILE" 2>&1 </dev/null 7>&- 8>&- &
	pid=$!
	echo "$pid" >"$PID_FILE"
	log "starting (pid $pid, port $PORT), log: $LOG_FILE"
	wait_until_up "$pid"
	log "up at $REALM_URL after $((SECONDS - started))s"
	exec 7>&- 8>&-
}

cmd_stop() {
	stop_service
}

cmd_status() {
	service_status
}

# Prints one client's secret (e.g. `secret DASHBOARD`) for a process that needs it in a variable.
cmd_secret() {
	ensure_secrets
	local line
	line="$(grep "^${1:?client name}_SECRET=" "$SECRETS")" || {
		log "no secret for client $1"
		return 1
	}
	echo "${line#*=}"
}

case "${1:-}" in
build) cmd_build ;;
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
secret) cmd_secret "${2:-}" ;;
*)
	echo "usage: $0 {build|start|stop|status|secret CLIENT}" >&2
	exit 2
	;;
esac
