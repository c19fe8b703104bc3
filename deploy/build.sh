#!/usr/bin/env bash
# deploy/build.sh — builds every contract with `cargo contract build --release`
# (which also runs clippy's arithmetic and cast lints as a gate) and collects
# each .contract bundle, .wasm and .json metadata into artifacts/, printing the
# Wasm sizes; then the test-only contracts (fixtures/) into
# artifacts/fixtures/. These are the only builds of the contracts: the drink
# scenarios, the demo, the benchmark, deploy/deploy.sh and the TypeScript
# client all use these bundles. Run deploy/setup.sh once first.
#   deploy/build.sh              the suite and the fixtures
#   deploy/build.sh --suite      the suite only (what a chain needs)
set -euo pipefail
# cargo-contract resolves each contract again in a temporary directory, away
# from .cargo/config.toml: keep those resolutions to versions that build on
# Rust 1.85/1.86 too.
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${ARTIFACTS_DIR:-$ROOT/artifacts}"
CONTRACTS=(registry award subscription escrow pool)
# The test-only contracts: an Award implementation, a multisig admin, the
# benchmark's PSP22 yardstick and the four contracts' upgrade targets (built
# with their `upgrade-fixture` feature).
FIXTURES=(priciest-award multisig psp22-token upgraded/registry upgraded/award upgraded/subscription upgraded/escrow)
# pallet-contracts' default code limit on substrate-contracts-node.
CODE_LIMIT=$((256 * 1024))

with_fixtures=1
case "${1:-}" in
    "") ;;
    --suite) with_fixtures=0 ;;
    *) echo "usage: deploy/build.sh [--suite]" >&2; exit 2 ;;
esac

# build <manifest dir> <output dir> [cargo-contract flags…]
build() {
    local dir=$1 out=$2
    shift 2
    local started=$SECONDS
    echo "build: $dir …"
    local json
    json=$(cargo contract build --release --quiet --output-json --manifest-path "$dir/Cargo.toml" "$@")
    mkdir -p "$out"
    python3 - "$json" "$out" "$dir" "$CODE_LIMIT" "$((SECONDS - started))" <<'PY'
import json, os, shutil, sys
result, out, name, limit, seconds = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
wasm = result["dest_wasm"]
meta = result["metadata_result"]
for path in (wasm, meta["dest_metadata"], meta["dest_bundle"]):
    shutil.copy(path, out)
size = os.path.getsize(wasm)
print(f"build: {name}: {os.path.basename(wasm)} {size} bytes ({size / 1024:.1f} KiB of the {limit // 1024} KiB limit), {seconds} s")
if size > limit:
    sys.exit(f"build: {name} is over the chain's code size limit")
PY
}

# One build directory for every contract. cargo-contract gives each
# contract of a workspace a target directory of its own
# (<target>/ink/<contract>), so each build compiled ink!, the codec and
# core/alloc (build-std) again: about two minutes per contract on a 2-core
# machine, twelve times. Each contract's directory is made a link to one
# shared directory: the dependencies compile once, and each further
# contract takes seconds (its own crate, the link and wasm-opt). Artifacts
# keep their own names (<contract>.wasm/.json/.contract) there.
share_ink_target() {
    local target
    target=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    local ink_dir="$target/ink"
    mkdir -p "$ink_dir/shared"
    local dir name
    # The contracts this script builds: the suite and the fixtures.
    for dir in "${CONTRACTS[@]}" "${FIXTURES[@]/#/fixtures/}"; do
        # cargo-contract names the directory after the package.
        name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$ROOT/$dir/Cargo.toml" | head -1 | tr - _)
        [ -n "$name" ] || continue
        if [ -d "$ink_dir/$name" ] && [ ! -L "$ink_dir/$name" ]; then
            # A per-contract directory from before: its dependencies are
            # built again once, in the shared one.
            rm -rf "${ink_dir:?}/$name"
        fi
        ln -sfn shared "$ink_dir/$name"
    done
}

cd "$ROOT"
share_ink_target
for contract in "${CONTRACTS[@]}"; do
    build "$contract" "$OUT"
done
if [ "$with_fixtures" = 1 ]; then
    for fixture in "${FIXTURES[@]}"; do
        case "$fixture" in
            upgraded/*) build "fixtures/$fixture" "$OUT/fixtures" --features upgrade-fixture ;;
            *) build "fixtures/$fixture" "$OUT/fixtures" ;;
        esac
    done
fi
echo "build: artifacts in $OUT"
ls -1 "$OUT"
