#!/usr/bin/env bash
# clients/ts/test/package.sh [TAP_FILE] — @dinfra/client as a stranger gets
# it: builds the package (npm run build: dist/ from src/ and the metadata in
# artifacts/), packs it (npm pack), installs the tarball with npm in a
# scratch project in /var/tmp (outside the repository; --prefer-offline
# reuses npm's cache for @polkadot and the rest), and runs
# test/package/consumer.test.mjs there with node's test runner: it imports
# only @dinfra/client and @dinfra/client/node, bundles the main entry for
# the browser with esbuild, type-checks a consumer with tsc (both this
# directory's), and — with DINFRA_URL / DINFRA_DEPLOYMENT — queries the node.
# The runner's TAP goes to TAP_FILE (test.sh counts it); a step before the
# runner that fails exits non-zero. The scratch project is deleted at the end.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
here=$(pwd)
tap=${1:-/dev/null}
[ -n "${DINFRA_DEPLOYMENT:-}" ] && DINFRA_DEPLOYMENT=$(realpath -m "$DINFRA_DEPLOYMENT") && export DINFRA_DEPLOYMENT

scratch=$(mktemp -d /var/tmp/dinfra-package.XXXXXX) || exit 1
trap 'rm -rf "$scratch"' EXIT

echo "package: npm run build"
npm run --silent build >&2 || { echo "package: the build failed" >&2; exit 1; }

echo "package: npm pack"
npm pack --ignore-scripts --json --pack-destination "$scratch" >"$scratch/pack.json" 2>/dev/null \
    || { echo "package: npm pack failed" >&2; exit 1; }
tarball=$(node -e 'const [p] = require(process.argv[1]); console.log(p.filename)' "$scratch/pack.json")
node -e '
const [p] = require(process.argv[1]);
console.log(`package: ${p.filename}: ${(p.size / 1024).toFixed(0)} KiB packed, ${(p.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${p.entryCount} files`);
' "$scratch/pack.json"

echo "package: npm install $tarball in a scratch project ($scratch/app)"
mkdir "$scratch/app"
cat >"$scratch/app/package.json" <<'EOF'
{ "name": "dinfra-stranger", "version": "0.0.0", "private": true, "type": "module" }
EOF
cp test/package/consumer.test.mjs test/package/browser-entry.js test/package/consumer.ts test/package/consumer-node.ts "$scratch/app/"
(cd "$scratch/app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error "$scratch/$tarball" >&2) \
    || { echo "package: npm install of the tarball failed" >&2; exit 1; }

echo "package: consumer tests (node --test in $scratch/app)"
cd "$scratch/app" && DINFRA_ESBUILD="$here/node_modules/.bin/esbuild" DINFRA_TSC="$here/node_modules/.bin/tsc" \
    node --test --test-concurrency=1 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$tap" consumer.test.mjs
