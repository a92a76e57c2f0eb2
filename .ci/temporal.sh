#!/usr/bin/env bash
# temporal.sh: a throwaway Temporal dev server (the Temporal CLI's
# `temporal server start-dev`, MIT) on 127.0.0.1 for the tests of
# `ccetl worker` and `ccetl backfill --engine temporal`.
#
#   eval "$(bash .ci/temporal.sh start)"   # install if needed, start (or reuse), print export lines
#   bash .ci/temporal.sh env               # print the export lines of the running server
#   bash .ci/temporal.sh stop              # stop it and remove its database
#
# start is idempotent: a server already running from the same state directory
# is reused. Each new start gets a fresh SQLite database in the state
# directory, free ports on 127.0.0.1 and no web UI. The tests read
# CCETL_TEST_TEMPORAL (HOST:PORT of the frontend, namespace "default").
#
# Environment: CCETL_TEMPORAL_STATE_DIR (default ${TMPDIR:-/tmp}/ccetl-temporal).
# The first install builds the CLI from source with go install (a few
# minutes); later starts take a few seconds. Progress goes to stderr; stdout
# carries only the export lines.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

VERSION=v1.3.0
STATE=${CCETL_TEMPORAL_STATE_DIR:-${TMPDIR:-/tmp}/ccetl-temporal}

log() { echo "temporal: $*" >&2; }

bin_path() { bin_in_gopath temporal; }

install() {
	local bin
	bin=$(bin_path)
	# go install builds report version 0.0.0-DEV: ask the binary's build info
	if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -qE "^\s+mod\s+github.com/temporalio/cli\s+$VERSION\s"; then
		return 0
	fi
	log "installing the Temporal CLI $VERSION (go install, a few minutes)"
	go install "github.com/temporalio/cli/cmd/temporal@$VERSION" >&2
}

# serving PORT: true when the frontend on PORT reports itself healthy.
serving() {
	answers "$1" && "$(bin_path)" operator cluster health --address "127.0.0.1:$1" 2>/dev/null | grep -q SERVING
}

# ours PID: true when PID is a live temporal server (not a reused pid).
ours() { cmdline_has "$1" start-dev; }

remove_state() { rm -f "$STATE"/temporal.db*; }

start() {
	mkdir -p "$STATE"
	local port http metrics pid
	for _ in 1 2 3 4 5; do
		port=$(free_port)
		http=$(free_port)
		metrics=$(free_port)
		rm -f "$STATE/temporal.db"
		"$(bin_path)" server start-dev --ip 127.0.0.1 --port "$port" --http-port "$http" --metrics-port "$metrics" \
			--headless --db-filename "$STATE/temporal.db" --log-level warn >"$STATE/log" 2>&1 &
		pid=$!
		if came_up "$pid" 300 0.2 serving "$port"; then
			echo "export CCETL_TEST_TEMPORAL=127.0.0.1:$port" | record "$pid" "$port"
			log "Temporal $VERSION dev server on 127.0.0.1:$port (pid $pid, database $STATE/temporal.db)"
			print_env
			return 0
		fi
	done
	log "could not start the Temporal dev server; see $STATE/log"
	return 1
}

server_main "$@"
