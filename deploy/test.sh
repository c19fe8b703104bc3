#!/usr/bin/env bash
# deploy/test.sh — runs every DINFRA test and prints one summary line.
#   1. pure logic, property tests and #[ink::test] contract unit tests
#      (the contract workspace);
#   2. every contract built with `cargo contract build --release`, which
#      gates on clippy's arithmetic and cast lints (deploy/build.sh);
#   3. cross-contract scenarios in the drink sandbox (e2e-tests/), and the
#      main job's demo on the embedded chain.
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
run bash deploy/build.sh
# drink builds the contracts from inside this compilation with nested cargo
# runs that use the contracts' own target directory (or $CARGO_TARGET_DIR):
# the scenario crate must build elsewhere, or the nested runs wait forever for
# the lock the outer run holds. `--target-dir` is not inherited; the
# environment variable is.
E2E_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/e2e"
(cd "$ROOT/e2e-tests" && run cargo test --locked --target-dir "$E2E_TARGET" -- --nocapture)
# The main job's demo (deploy/demo.sh without the build): it asserts that
# every unit deposited was paid out or refunded.
(cd "$ROOT/e2e-tests" && run cargo run --locked --quiet --target-dir "$E2E_TARGET" --bin demo)

# Sum cargo's per-binary "test result:" lines into one closing line.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f; exit (f > 0) }' "$log"
