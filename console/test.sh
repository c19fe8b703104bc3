#!/usr/bin/env bash
# console/test.sh — the console's browser test (test/browser.test.mjs): its
# own node on port 9966 (DINFRA_NODE_PORT; state in /tmp/dinfra-node-console),
# a fresh suite "consoletest", the console built and served by serve.sh on
# 5199 (DINFRA_CONSOLE_PORT), headless Debian chromium (/usr/bin/chromium,
# CHROMIUM) driven by playwright-core. About 40-60 s, most of it the deploy
# and the console's build. Needs substrate-contracts-node, cargo-contract and
# chromium (deploy/setup.sh installs them); says NOT RUN and exits 0 when
# the node or chromium is missing. The provider's reactor step needs the
# dinfra-reactor binary (DINFRA_REACTOR, default
# /var/tmp/dinfra-target/reactor/debug/dinfra-reactor; deploy/test.sh builds
# it before this runs): without it that step says NOT RUN and the rest runs.
# Ends with `console tests: N passed, N failed[, N not run]`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if ! command -v "${CONTRACTS_NODE:-substrate-contracts-node}" >/dev/null || ! command -v cargo-contract >/dev/null; then
    echo "console tests: NOT RUN (substrate-contracts-node or cargo-contract missing: deploy/setup.sh --with-node)"
    exit 0
fi
if [ ! -x "$CHROMIUM" ]; then
    echo "console tests: NOT RUN ($CHROMIUM missing: deploy/setup.sh installs Debian's chromium)"
    exit 0
fi
if [ ! -f ../clients/ts/dist/index.js ]; then
    (cd ../clients/ts && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -x ../clients/ts/node_modules/.bin/tsx ] || (cd ../clients/ts && npm ci --no-audit --no-fund)
# tsx: the test imports the TS demo's reactor runner from clients/ts/src.
exec ../clients/ts/node_modules/.bin/tsx test/browser.test.mjs
