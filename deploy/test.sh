#!/usr/bin/env bash
# deploy/test.sh — runs every DINFRA test and prints one summary line.
#   1. pure logic, property tests and #[ink::test] contract unit tests
#      (the contract workspace), and the reactor's own tests (reactor/: its
#      core, and the node back-end's unit tests);
#   2. every contract built with `cargo contract build --release`, which
#      gates on clippy's arithmetic and cast lints (deploy/build.sh);
#   3. cross-contract scenarios in the drink sandbox, ink_e2e's sandbox
#      backend and the reactor on the embedded chain (e2e-tests/), and the
#      main job's demo on the embedded chain;
#   4. the TypeScript client's offline tests (clients/ts/);
#   5. on a real node, when substrate-contracts-node is installed
#      (deploy/setup.sh --with-node): a node started by deploy/node.sh, the
#      node-backed ink_e2e tests, deploy/deploy.sh (twice: the second run must
#      keep the suite), the `dinfra-reactor` binary serving subscriptions
#      as processes and as Podman containers (killed and restarted
#      mid-way), the demo with --url, the TypeScript
#      client's node tests (with a pool deploy.sh --pool adds), a `cargo
#      contract call` query, and the web console in headless chromium on a
#      node of its own (console/test.sh). Without the node these are not
#      run, and the script says so.
# Run deploy/setup.sh once first.
set -euo pipefail
# cargo-contract resolves each contract again in a temporary directory, away
# from .cargo/config.toml: keep those resolutions to versions that build on
# Rust 1.85/1.86 too.
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {
    echo "==> $*"
    "$@" 2>&1 | tee -a "$log"
}

cd "$ROOT"
run cargo test --workspace --locked
# The provider's agent (its own workspace): config, driver, state and the
# reactor's steps against a scripted chain, with real processes; the node
# back-end's decoding and settings.
REACTOR_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/reactor"
(cd "$ROOT/reactor" && run cargo test --workspace --locked --target-dir "$REACTOR_TARGET")
run bash deploy/build.sh
# The scenarios deploy the bundles deploy/build.sh just built (the suite and
# artifacts/fixtures/). ink_e2e's node tests build their own debug bundles
# from inside this compilation with nested cargo runs that use
# $CARGO_TARGET_DIR: the scenario crate builds in a directory of its own, or
# the nested runs would wait forever for the lock the outer run holds.
E2E_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/e2e"
(cd "$ROOT/e2e-tests" && run cargo test --locked --target-dir "$E2E_TARGET" -- --nocapture)
# The main job's demo (deploy/demo.sh without the build): it asserts that
# every unit deposited was paid out or refunded.
(cd "$ROOT/e2e-tests" && run cargo run --locked --quiet --target-dir "$E2E_TARGET" --bin demo)

run bash clients/ts/test.sh

if command -v substrate-contracts-node >/dev/null; then
    node_url=$(bash deploy/node.sh start)
    trap 'bash "$ROOT/deploy/node.sh" stop; rm -f "$log"' EXIT
    (cd "$ROOT/e2e-tests" && CONTRACTS_NODE_URL="$node_url" \
        run cargo test --locked --target-dir "$E2E_TARGET" --test ink_e2e -- --ignored --nocapture)
    run bash deploy/deploy.sh --url "$node_url" --suri //Alice --name test
    # Re-running against the same chain keeps the suite.
    run bash deploy/deploy.sh --url "$node_url" --suri //Alice --name test
    grep -q "is on this chain with the artifacts' code: keeping it" "$log" \
        || { echo "deploy.sh did not keep the suite on its second run" >&2; exit 1; }
    # The README's cargo-contract call against the deployed suite.
    run cargo contract call --url "$node_url" --suri //Alice \
        --contract "$(jq -r .contracts.subscription.address deploy/deployments/test.json)" \
        --message parameters artifacts/dinfra_subscription.json
    grep -q "Result Ok(Parameters { ready_timeout: 20, consumer_notice: 10 })" "$log" \
        || { echo "cargo contract call did not return the deployed parameters" >&2; exit 1; }
    # The reactor binary as a provider's agent on the node: award → a real
    # process, and a Podman container, and mark_ready with the access record;
    # the status API signed over the node's block; SIGKILL and restart;
    # cancel → stopped at the end.
    (cd "$ROOT/reactor" && CONTRACTS_NODE_URL="$node_url" DINFRA_DEPLOYMENT="$ROOT/deploy/deployments/test.json" \
        run cargo test --locked --target-dir "$REACTOR_TARGET" -p dinfra-reactor-node --test node --test containers -- --ignored --nocapture)
    run bash deploy/demo.sh --url "$node_url" --suri //Alice --deployment deploy/deployments/test.json
    # A community pool beside the suite (type 0 exists by now), for the
    # TypeScript client's pool test on the node.
    run bash deploy/deploy.sh --url "$node_url" --suri //Alice --name test --pool 0:1000000
    [ "$(jq '.pools | length' deploy/deployments/test.json)" -ge 1 ] \
        || { echo "deploy.sh --pool recorded no pool" >&2; exit 1; }
    DINFRA_URL="$node_url" DINFRA_DEPLOYMENT="$ROOT/deploy/deployments/test.json" run bash clients/ts/test.sh
    # The web console in headless Debian chromium, on a node of its own
    # (port 9966): connect, market, subscribe, my subscriptions, top-up,
    # cancel, refusals in words, each date checked against details.
    DINFRA_REACTOR="$REACTOR_TARGET/debug/dinfra-reactor" run bash console/test.sh
else
    echo "==> node-backed tests NOT RUN: substrate-contracts-node is not installed;"
    echo "    deploy/setup.sh --with-node installs it (it compiles for an hour or more)."
    echo "    Not run: ink_e2e on the node, deploy/deploy.sh, the reactor binary on the node"
    echo "    (processes and Podman containers),"
    echo "    deploy/demo.sh --url, the TypeScript node tests, the console in chromium."
fi

# Sum cargo's per-binary "test result:" lines and the TypeScript client's
# "ts tests:" lines into one closing line.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     /^ts tests:/ { p += $3; f += $5 }
     /^console tests: [0-9]/ { p += $3; f += $5 }
     END { printf "tests: %d passed, %d failed\n", p, f; exit (f > 0) }' "$log"
