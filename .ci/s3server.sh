#!/usr/bin/env bash
# s3server.sh: a real S3-compatible server (versitygw, Apache-2.0) on 127.0.0.1
# for the S3 integration tests.
#
#   eval "$(.ci/s3server.sh start)"   # install if needed, start (or reuse), print export lines
#   .ci/s3server.sh env               # print the export lines of the running server
#   .ci/s3server.sh stop              # stop it and remove its data
#
# start is idempotent: a server already running from the same state directory
# is reused. The export lines are also written to $STATE/env.
# The tests read CCETL_TEST_S3_ENDPOINT, CCETL_TEST_S3_ACCESS_KEY,
# CCETL_TEST_S3_SECRET_KEY, CCETL_TEST_S3_BUCKET (created here with curl if
# there is one, else by the Go test helper) and CCETL_TEST_VERSITYGW (the
# binary, for tests that run their own server).
#
# Environment: CCETL_S3_STATE_DIR (default /dev/shm/ccetl-s3server when /dev/shm
# is writable, else ${TMPDIR:-/tmp}/ccetl-s3server).
# The first install builds versitygw from source (about 80 s); later starts take
# under a second. Progress goes to stderr; stdout carries only the export lines.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/server.sh"

VERSION=v1.8.0
# Default: memory-backed /dev/shm where there is one, so the server's own disk
# copies (versitygw assembles multipart uploads by copying the parts) do not
# set the pace of the upload benchmark; otherwise the temporary folder.
if [ -z "${CCETL_S3_STATE_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	STATE=/dev/shm/ccetl-s3server
else
	STATE=${CCETL_S3_STATE_DIR:-${TMPDIR:-/tmp}/ccetl-s3server}
fi
ACCESS=ccetltestaccess
SECRET=ccetltestsecret0123456789
BUCKET=ccetl-test
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

log() { echo "s3server: $*" >&2; }

bin_path() { bin_in_gopath versitygw; }

install() {
	local bin
	bin=$(bin_path)
	if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
		return 0
	fi
	log "installing versitygw $VERSION (go install, about 80 s)"
	go install "github.com/versity/versitygw/cmd/versitygw@$VERSION" >&2
}

# ours PID: true when PID is a live versitygw (not a reused pid).
ours() { cmdline_has "$1" versitygw; }

remove_state() { rm -rf "$STATE/data" "$STATE/meta"; }

# make_bucket PORT: create the test bucket (200, or 409 when it exists). The
# Go test helper creates it too, so without curl the tests still run.
make_bucket() {
	command -v curl >/dev/null || { log "no curl: the tests will create bucket $BUCKET"; return 0; }
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT --aws-sigv4 "aws:amz:us-east-1:s3" \
		--user "$ACCESS:$SECRET" -H "x-amz-content-sha256: $EMPTY_SHA256" "http://127.0.0.1:$1/$BUCKET") || true
	case "$code" in
	200 | 409) ;;
	*) log "creating bucket $BUCKET answered HTTP $code; the tests will try again" ;;
	esac
}

start() {
	mkdir -p "$STATE/data"
	local meta=()
	# versitygw keeps object metadata in xattrs; tmpfs may not allow user xattrs.
	if [ "$(stat -f -c %T "$STATE/data")" = tmpfs ]; then
		mkdir -p "$STATE/meta"
		meta=(--sidecar "$STATE/meta")
	fi
	local port pid
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port=$(free_port)
		"$(bin_path)" --access "$ACCESS" --secret "$SECRET" --port "127.0.0.1:$port" \
			--keep-alive --quiet posix "${meta[@]}" "$STATE/data" >"$STATE/log" 2>&1 &
		pid=$!
		if came_up "$pid" 100 0.1 answers "$port"; then
			make_bucket "$port"
			record "$pid" "$port" <<EOF
export CCETL_TEST_S3_ENDPOINT=http://127.0.0.1:$port
export CCETL_TEST_S3_ACCESS_KEY=$ACCESS
export CCETL_TEST_S3_SECRET_KEY=$SECRET
export CCETL_TEST_S3_BUCKET=$BUCKET
export CCETL_TEST_VERSITYGW=$(bin_path)
EOF
			log "versitygw $VERSION listening on 127.0.0.1:$port (pid $pid, data $STATE/data)"
			print_env
			return 0
		fi
	done
	log "could not start versitygw; see $STATE/log"
	return 1
}

server_main "$@"
