# server.sh: what the scripts of the test servers share (s3server.sh,
# temporal.sh, postgres.sh). Sourced, not run. The script defines STATE,
# log, and for server_main: install, start, ours PID (a live server of its
# own, not a reused pid) and remove_state (what its start made).

# bin_in_gopath NAME: where go install puts the command NAME.
bin_in_gopath() {
	local gobin
	gobin=$(go env GOBIN)
	echo "${gobin:-$(go env GOPATH)/bin}/$1"
}

# answers PORT: true when something accepts connections on 127.0.0.1:PORT.
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a port nothing on 127.0.0.1 answers on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		answers "$p" || { echo "$p"; return; }
	done
}

# cmdline_has PID WORD: true when PID is alive and its command line holds WORD.
cmdline_has() {
	kill -0 "$1" 2>/dev/null || return 1
	{ tr '\0' ' ' <"/proc/$1/cmdline" || ps -o args= -p "$1"; } 2>/dev/null | grep -q -- "$2"
}

# running: true when the server start recorded in $STATE is up.
running() {
	[ -f "$STATE/pid" ] && [ -f "$STATE/env" ] || return 1
	ours "$(cat "$STATE/pid")" && answers "$(cat "$STATE/port")"
}

print_env() { cat "$STATE/env"; }

# came_up PID TRIES DELAY CHECK...: wait until CHECK succeeds while PID
# lives (at most TRIES times DELAY seconds); true when it is up. When it is
# not, PID is stopped and the log's last lines said.
came_up() {
	local pid=$1 tries=$2 delay=$3
	shift 3
	for _ in $(seq 1 "$tries"); do
		"$@" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep "$delay"
	done
	if "$@" && kill -0 "$pid" 2>/dev/null; then
		return 0
	fi
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	log "not up ($*), trying again: $(tail -n 3 "$STATE/log" 2>/dev/null)"
	return 1
}

# record PID PORT: note a started server; its export lines come on stdin.
record() {
	echo "$1" >"$STATE/pid"
	echo "$2" >"$STATE/port"
	cat >"$STATE/env"
}

# stop_quiet: stop the recorded server (if it is still ours) and remove
# only what start made: the state directory may be one with more in it.
stop_quiet() {
	if [ -f "$STATE/pid" ]; then
		local pid
		pid=$(cat "$STATE/pid")
		if ours "$pid"; then
			kill "$pid"
			for _ in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
		fi
	fi
	remove_state
	rm -f "$STATE/pid" "$STATE/port" "$STATE/env" "$STATE/log"
	rmdir "$STATE" 2>/dev/null || true
}

server_main() {
	case "${1:-start}" in
	start) if running; then print_env; else stop_quiet; install; start; fi ;;
	env) running && print_env || { log "not running"; exit 1; } ;;
	stop) stop_quiet; log "stopped" ;;
	install) install ;;
	*) echo "usage: $0 start|env|stop|install" >&2; exit 2 ;;
	esac
}
