#!/usr/bin/env bash
# deploy/demo.sh — the main job: builds the contracts (deploy/build.sh, into
# artifacts/) and runs one whole subscription on an embedded chain — the
# drink sandbox, i.e. the real pallet-contracts runtime in process, so no node
# is needed — printing every step with its block number, the events each
# contract emitted and the balances that moved.
#
#   deploy/demo.sh                                    on the embedded chain
#   deploy/demo.sh --url ws://127.0.0.1:9944 --suri //Alice [--deployment F]
#                                                     the same steps on a node
# Run deploy/setup.sh once first (and deploy/node.sh start for a local node).
set -euo pipefail
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

url=""
suri=""
deployment=""
while [ $# -gt 0 ]; do
    case "$1" in
        --url) url="${2:?--url needs a ws:// address}"; shift 2 ;;
        --suri) suri="${2:?--suri needs a secret URI}"; shift 2 ;;
        --deployment) deployment="${2:?--deployment needs a file}"; shift 2 ;;
        *) echo "usage: deploy/demo.sh [--url ws://… --suri //Alice [--deployment deploy/deployments/<name>.json]]" >&2
           exit 2 ;;
    esac
done

if [ -n "$url" ]; then
    # The same steps on a real node, through the TypeScript client
    # (clients/ts/src/demo.ts): the suite is the one in --deployment, or one
    # deploy/deploy.sh puts on the chain as "demo" (kept when it is there).
    [ -n "$suri" ] || { echo "demo.sh: --url needs --suri (the account that funds the demo's accounts)" >&2; exit 2; }
    if [ -z "$deployment" ]; then
        bash "$ROOT/deploy/deploy.sh" --url "$url" --suri "$suri" --name demo >/dev/null
        deployment="$ROOT/deploy/deployments/demo.json"
    fi
    deployment=$(cd "$(dirname "$deployment")" && pwd)/$(basename "$deployment")
    # The provider's side is the reactor binary (reactor/node): it deploys
    # a substrate-contracts-node --dev for the award (or, without that
    # binary, a python3 http.server), marks it ready, claims and stops it.
    reactor_target="${CARGO_TARGET_DIR:-$ROOT/target}/reactor"
    (cd "$ROOT/reactor" && cargo build --locked --quiet -p dinfra-reactor-node --target-dir "$reactor_target")
    serve=()
    command -v substrate-contracts-node >/dev/null \
        || serve=(--serve "exec python3 -m http.server {port} --bind 127.0.0.1")
    cd "$ROOT/clients/ts"
    [ -d node_modules ] || npm ci --silent
    exec npx tsx src/demo.ts --url "$url" --suri "$suri" --deployment "$deployment" \
        --reactor "$reactor_target/debug/dinfra-reactor" "${serve[@]}"
fi
[ -z "$suri$deployment" ] || { echo "demo.sh: --suri and --deployment go with --url" >&2; exit 2; }

# The suite's bundles, which the embedded chain deploys (the demo crate does
# not build contracts itself).
bash "$ROOT/deploy/build.sh" --suite
cd "$ROOT/e2e-tests"
# The embedded chain's crate: its first build compiles the runtime for
# minutes; say how far along it is every 20 s.
source "$ROOT/deploy/progress.sh"
e2e_target="${CARGO_TARGET_DIR:-$ROOT/target}/e2e"
with_progress "demo: building the embedded chain" "$e2e_target/demo-build.log" "$ROOT/e2e-tests/Cargo.lock" \
    -- cargo build --locked --target-dir "$e2e_target" --bin demo
"$e2e_target/debug/demo"
