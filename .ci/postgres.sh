#!/usr/bin/env bash
# postgres.sh: a throwaway PostgreSQL cluster on 127.0.0.1 for the tests of
# the Iceberg sink's PostgreSQL catalog.
#
#   eval "$(bash .ci/postgres.sh start)"   # install if needed, start (or reuse), print export lines
#   bash .ci/postgres.sh env               # print the export lines of the running cluster
#   bash .ci/postgres.sh stop              # stop it and remove its data
#
# start is idempotent: a cluster already running from the same state
# directory is reused. It installs Debian's postgresql package with apt-get
# when no PostgreSQL server is found. The cluster runs as an unprivileged
# user (postgres when started by root, else the caller), listens on
# 127.0.0.1 only, and has one database and one password user for the tests.
# The tests read CCETL_TEST_POSTGRES_URL.
#
# Environment: CCETL_PG_STATE_DIR (default ${TMPDIR:-/tmp}/ccetl-postgres).
# Progress goes to stderr; stdout carries only the export lines.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/server.sh" # answers, free_port

STATE=${CCETL_PG_STATE_DIR:-${TMPDIR:-/tmp}/ccetl-postgres}
DBUSER=ccetl
DBPASS=ccetltest0123456789
DBNAME=ccetl_test

log() { echo "postgres: $*" >&2; }

# bindir: the newest installed server's bin directory.
bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

install() {
	bindir >/dev/null && return 0
	log "installing postgresql with apt-get"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql >&2
	bindir >/dev/null || { log "no PostgreSQL server after installing"; return 1; }
}

# as CMD...: run as the cluster's owner.
as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

running() {
	[ -f "$STATE/env" ] && [ -f "$STATE/port" ] || return 1
	as "$(bindir)/pg_ctl" -D "$STATE/data" status >/dev/null 2>&1 && answers "$(cat "$STATE/port")"
}

start() {
	if running; then
		cat "$STATE/env"
		return 0
	fi
	stop_quiet
	install
	local bin port attempt
	bin=$(bindir)
	mkdir -p "$STATE"
	chmod 0755 "$STATE"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$STATE"
	as sh -c "umask 077; echo '$DBPASS' >'$STATE/pwfile'"
	as "$bin/initdb" -D "$STATE/data" -U "$DBUSER" --pwfile="$STATE/pwfile" --auth=scram-sha-256 \
		--encoding=UTF8 --no-instructions >"$STATE/initdb.log" 2>&1 || {
		log "initdb failed: $(tail -n 5 "$STATE/initdb.log")"
		return 1
	}
	for attempt in 1 2 3 4 5 6 7 8 9 10; do
		port=$(free_port)
		if as "$bin/pg_ctl" -D "$STATE/data" -l "$STATE/log" -w -t 30 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $STATE -c fsync=off" start >&2; then
			break
		fi
		log "attempt $attempt on port $port failed: $(tail -n 3 "$STATE/log" 2>/dev/null)"
		port=""
	done
	[ -n "$port" ] || { log "could not start PostgreSQL; see $STATE/log"; return 1; }
	PGPASSWORD=$DBPASS "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$DBUSER" "$DBNAME"
	echo "$port" >"$STATE/port"
	cat >"$STATE/env" <<EOF
export CCETL_TEST_POSTGRES_URL='postgres://$DBUSER:$DBPASS@127.0.0.1:$port/$DBNAME?sslmode=disable'
EOF
	log "PostgreSQL $(basename "$(dirname "$bin")") listening on 127.0.0.1:$port (data $STATE/data)"
	cat "$STATE/env"
}

stop_quiet() {
	local bin
	if bin=$(bindir) && [ -d "$STATE/data" ]; then
		as "$bin/pg_ctl" -D "$STATE/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	# Only what start made: CCETL_PG_STATE_DIR may name a directory with more in it.
	rm -rf "$STATE/data"
	rm -f "$STATE/pwfile" "$STATE/port" "$STATE/env" "$STATE/log" "$STATE/initdb.log"
	rmdir "$STATE" 2>/dev/null || true
}

case "${1:-start}" in
start) start ;;
env) running && cat "$STATE/env" || { log "not running"; exit 1; } ;;
stop) stop_quiet; log "stopped" ;;
install) install ;;
*) echo "usage: $0 start|env|stop|install" >&2; exit 2 ;;
esac
