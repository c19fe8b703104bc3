#!/usr/bin/env bash
# deploy/bench.sh — benchmarks every public message of the four contracts in
# the drink sandbox (ref_time, proof_size, storage deposit), the scaling
# series, calls per block and Wasm sizes; writes artifacts/bench.md and
# artifacts/bench.json and prints the Markdown. Every figure is read from
# the sandbox runtime (e2e-tests/src/bin/bench/). Run deploy/setup.sh once
# first; run deploy/build.sh first to size the release artifacts too.
set -euo pipefail
# drink builds each contract with cargo-contract, which resolves it again in
# a temporary directory, away from .cargo/config.toml: keep those
# resolutions to versions that build on Rust 1.85/1.86 too.
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${ARTIFACTS_DIR:-$ROOT/artifacts}"
# drink's nested contract builds use the contracts' target directory (or
# $CARGO_TARGET_DIR): the scenario crate must build elsewhere, or the nested
# runs wait forever for the lock the outer run holds (as in deploy/test.sh).
# The default (debug) profile: the figures come from the runtime and do not
# depend on how the host binary was compiled.
E2E_TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/e2e"

mkdir -p "$OUT"
cd "$ROOT/e2e-tests"
exec cargo run --locked --target-dir "$E2E_TARGET" --bin bench -- --out "$OUT"
