#!/usr/bin/env bash
# deploy/build.sh — builds every contract with `cargo contract build --release`
# (which also runs clippy's arithmetic and cast lints as a gate) and collects
# each .contract bundle, .wasm and .json metadata into artifacts/, printing the
# Wasm sizes. Run deploy/setup.sh once first.
set -euo pipefail
# cargo-contract resolves each contract again in a temporary directory, away
# from .cargo/config.toml: keep those resolutions to versions that build on
# Rust 1.85/1.86 too.
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${ARTIFACTS_DIR:-$ROOT/artifacts}"
CONTRACTS=(registry award subscription escrow)
# pallet-contracts' default code limit on substrate-contracts-node.
CODE_LIMIT=$((256 * 1024))

mkdir -p "$OUT"
cd "$ROOT"
for contract in "${CONTRACTS[@]}"; do
    echo "build: $contract"
    json=$(cargo contract build --release --quiet --output-json --manifest-path "$contract/Cargo.toml")
    python3 - "$json" "$OUT" "$contract" "$CODE_LIMIT" <<'PY'
import json, os, shutil, sys
result, out, name, limit = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
wasm = result["dest_wasm"]
meta = result["metadata_result"]
for path in (wasm, meta["dest_metadata"], meta["dest_bundle"]):
    shutil.copy(path, out)
size = os.path.getsize(wasm)
print(f"build: {name}: {os.path.basename(wasm)} {size} bytes ({size / 1024:.1f} KiB of the {limit // 1024} KiB limit)")
if size > limit:
    sys.exit(f"build: {name} is over the chain's code size limit")
PY
done
echo "build: artifacts in $OUT"
ls -1 "$OUT"
