#!/usr/bin/env bash
# deploy/build.sh — builds every contract with `cargo contract build --release`
# (which also runs clippy's arithmetic and cast lints as a gate) and collects
# each .contract bundle, .wasm and .json metadata into artifacts/, printing the
# Wasm sizes; then the test-only contracts (fixtures/) into
# artifacts/fixtures/. These are the only builds of the contracts: the drink
# scenarios, the demo, the benchmark, deploy/deploy.sh and the TypeScript
# client all use these bundles. Run deploy/setup.sh once first.
# A contract split into hot code and cold parts (a <contract>/coldN package
# each, see contracts/src/cold.rs) has its parts built first; their code
# hashes go into the hot build's environment (DINFRA_COLDn_CODE_HASH), which
# compiles them in. The parts' bundles (dinfra_<contract>_coldN.*) sit beside
# the contract's: a deployer uploads them before instantiating it.
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
    for dir in "${CONTRACTS[@]}" "${FIXTURES[@]/#/fixtures/}" $(for c in "${CONTRACTS[@]}"; do cold_parts "$c"; done); do
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

# A contract's cold part packages (registry/cold1 …), in order.
cold_parts() {
    local part
    for part in "$ROOT/$1"/cold[0-9]; do
        [ -f "$part/Cargo.toml" ] && echo "$1/${part##*/}"
    done
    return 0
}

# The environment a hot build of <contract>'s source needs: each of its cold
# parts' code hash (as its bundle in $OUT records it).
cold_env() {
    local part n
    for part in $(cold_parts "$1"); do
        n=${part##*cold}
        echo "DINFRA_COLD${n}_CODE_HASH=$(jq -r .source.hash "$OUT/dinfra_${1}_cold$n.contract")"
    done
}

# with_cold <contract> <command…>: runs the command (in a subshell) with
# <contract>'s cold code hashes in the environment.
with_cold() {
    local contract=$1 vars
    shift
    vars=$(cold_env "$contract")
    (
        # shellcheck disable=SC2086 # one NAME=VALUE word per part
        [ -z "$vars" ] || export $vars
        "$@"
    )
}

cd "$ROOT"
share_ink_target
for contract in "${CONTRACTS[@]}"; do
    for part in $(cold_parts "$contract"); do
        build "$part" "$OUT" --features "cold${part##*cold}"
    done
    with_cold "$contract" build "$contract" "$OUT"
done
if [ "$with_fixtures" = 1 ]; then
    for fixture in "${FIXTURES[@]}"; do
        case "$fixture" in
            # The upgrade target of a split contract uses its cold parts.
            upgraded/*) with_cold "${fixture#upgraded/}" build "fixtures/$fixture" "$OUT/fixtures" --features upgrade-fixture ;;
            *) build "fixtures/$fixture" "$OUT/fixtures" ;;
        esac
    done
fi
echo "build: artifacts in $OUT"
ls -1 "$OUT"
