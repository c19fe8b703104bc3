#!/usr/bin/env bash
# clients/ts/test.sh — the TypeScript client's tests: installs the locked
# dependencies if node_modules is missing (npm ci), copies the contracts'
# metadata from artifacts/*.json into src/metadata.generated.js (npm run
# metadata), type-checks, runs the offline tests (bundles, the package's
# metadata, event and reply decoding, deployment loading, input checks, the
# demo's reactor helpers: they need artifacts/*.contract and *.json, built
# by deploy/build.sh; the catalogue's descriptors), then the package test
# (test/package.sh: npm pack, installed in a scratch project in /var/tmp and
# used from there as a stranger would, bundled for the browser with esbuild),
# then — only when DINFRA_URL or DINFRA_DEPLOYMENT is set — the tests against
# a node (DINFRA_URL default ws://127.0.0.1:9944, DINFRA_DEPLOYMENT the
# deployments json, DINFRA_SURI a funded account, default //Alice); the
# package test then also queries that node.
# Ends with one line `ts tests: N passed, N failed` (a type error counts as
# one failure); exits non-zero on failure.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [ ! -d node_modules ]; then
    echo "ts: npm ci" >&2
    npm ci --no-audit --no-fund >&2 || { echo "ts tests: 0 passed, 1 failed"; exit 1; }
fi

passed=0
failed=0
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

# Runs node's test runner on the given files; adds its counts to the totals.
run() {
    : >"$tap"
    node_modules/.bin/tsx --test --test-concurrency=1 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" "$@"
    count $?
}

# Adds the counts of the TAP in $tap to the totals; $1 is the exit code of
# what wrote it.
count() {
    local code=$1 p f c
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
    c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${c:-0}))
    # A runner that failed without counting a failure (it could not start).
    if [ "$code" -ne 0 ] && [ "${f:-0}" -eq 0 ] && [ "${c:-0}" -eq 0 ]; then
        failed=$((failed + 1))
    fi
}

echo "ts: metadata (artifacts/dinfra_*.json → src/metadata.generated.js)"
node scripts/metadata.mjs || failed=$((failed + 1))

echo "ts: typecheck (tsc --noEmit)"
node_modules/.bin/tsc --noEmit || failed=$((failed + 1))

echo "ts: offline tests"
run test/offline.test.ts test/metadata.test.ts test/reactor.test.ts test/descriptor.test.ts test/status.test.ts test/human.test.ts test/cli.test.ts

echo "ts: package test (npm pack, installed outside the repository, bundled for the browser)"
: >"$tap"
bash test/package.sh "$tap"
count $?

if [ -n "${DINFRA_URL:-}" ] || [ -n "${DINFRA_DEPLOYMENT:-}" ]; then
    echo "ts: node tests against ${DINFRA_URL:-ws://127.0.0.1:9944} (${DINFRA_DEPLOYMENT:-DINFRA_DEPLOYMENT not set})"
    run test/node.test.ts
else
    echo "ts: node tests skipped (set DINFRA_URL and DINFRA_DEPLOYMENT to run them)"
fi

echo "ts tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
