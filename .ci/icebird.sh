#!/usr/bin/env bash
# icebird.sh: installs the Node project in .ci/icebird (icebird, a JavaScript
# Iceberg reader on hyparquet, at the versions its package-lock.json pins),
# which connectors/iceberg/icebird_test.go runs to read the sink's tables
# back without iceberg-go.
#
#   bash .ci/icebird.sh
#
# It needs node (20 or later) and npm on PATH and the npm registry. It is
# idempotent: when node_modules was installed from the current
# package-lock.json it does nothing; else it runs npm ci, which installs
# exactly what the lock file lists.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/icebird"

log() { echo "icebird: $*" >&2; }

for c in node npm; do
	command -v "$c" >/dev/null || { log "no $c on PATH: install Node.js 20 or later"; exit 1; }
done
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
	log "node $(node --version) is too old: icebird's reader needs Node.js 20 or later"
	exit 1
fi

stamp=node_modules/.ccetl-package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f node_modules/icebird/package.json ]; then
	log "already installed ($(node -p 'require("./node_modules/icebird/package.json").version'))"
	exit 0
fi
npm ci --no-audit --no-fund >&2
echo "$want" >"$stamp"
log "installed icebird $(node -p 'require("./node_modules/icebird/package.json").version') in $PWD/node_modules"
