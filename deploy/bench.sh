#!/usr/bin/env bash
# deploy/bench.sh — benchmarks every public message of the four contracts in
# the drink sandbox (ref_time, proof_size, storage deposit), the scaling
# series, calls per block and Wasm sizes; writes artifacts/bench.md and
# artifacts/bench.json and prints the Markdown. Every figure is read from
# the sandbox runtime (e2e-tests/src/bin/bench/), for the bundles
# deploy/build.sh builds (it runs first). Run deploy/setup.sh once first.
set -euo pipefail
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${ARTIFACTS_DIR:-$ROOT/artifacts}"
# The scenario crate's own target directory (as in deploy/test.sh). The
# default (debug) profile: the figures come from the runtime and do not
# depend on how the host binary was compiled.
E2E_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/e2e"

# The suite and the yardstick (a fixture): the bundles measured.
bash "$ROOT/deploy/build.sh" >&2
mkdir -p "$OUT"
cd "$ROOT/e2e-tests"
exec cargo run --locked --target-dir "$E2E_TARGET" --bin bench -- --out "$OUT"
