#!/usr/bin/env bash
# deploy/setup.sh — makes this machine ready to build, test and deploy DINFRA.
#
# Idempotent: what is already there is checked and kept, so a second run takes
# seconds. It installs, for this checkout only:
#   * a Rust 1.85/1.86 toolchain with rust-src and clippy (ink! 5 needs it:
#     1.87+ emits Wasm that chains reject), the normal rustup way, or — where
#     rustup cannot download components — Debian's rustc-web 1.85 packages
#     with lld-19 as the Wasm linker (see ../shared/TOOLCHAIN.md);
#   * cargo-contract 5.0.3 (builds and deploys the contracts; ~13 min cold);
#   * Podman, runc and Debian's static busybox for the reactor's container
#     driver and its tests (apt-get; seconds);
#   * Debian's chromium for the web console's browser test (console/test.sh
#     drives it headless with playwright-core; playwright cannot download a
#     browser here), with apt-get only when /usr/bin/chromium is missing;
#   * with --with-node, also the local chain: substrate-contracts-node from
#     crate contracts-node 0.42.0 (a Cumulus/Polkadot node: it compiles about
#     1,400 crates, one to two hours or more on 2 cores, into a reusable target
#     directory so an interrupted build resumes), with protoc, libclang and
#     the wasm32 target its runtime build needs. Skipped when the binary is
#     there. deploy/node.sh starts it.
# Exits non-zero with the reason when something cannot be installed.
#
# Usage: deploy/setup.sh [--with-node]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUST_CHANNEL="1.86"
CARGO_CONTRACT_VERSION="5.0.3"
DEBIAN_RUST_VERSION="1.85.0+dfsg3-1~deb12u3"
DEBIAN_TOOLCHAIN="dinfra-debian-1.85" # rustup refuses names like "1.85.0"
RUSTUP_TIMEOUT="${RUSTUP_TIMEOUT:-600}"
# Set to 1 to skip rustup and use the Debian toolchain (to test the fallback).
FORCE_DEBIAN="${DINFRA_FORCE_DEBIAN_TOOLCHAIN:-0}"
NODE_CRATE="contracts-node"
NODE_VERSION="0.42.0"
NODE_BINARY="substrate-contracts-node"
# Kept outside the checkout so a fresh clone, or an interrupted install,
# reuses what was compiled.
NODE_TARGET_DIR="${DINFRA_NODE_TARGET_DIR:-/var/tmp/contracts-node-target}"

with_node=0
for arg in "$@"; do
    case "$arg" in
        --with-node) with_node=1 ;;
        *) echo "usage: deploy/setup.sh [--with-node]" >&2; exit 2 ;;
    esac
done

say() { echo "setup: $*"; }
# with_progress: long compilations report what they compile every 20 s.
source "$ROOT/deploy/progress.sh"
die() { echo "setup: FAILED: $*" >&2; exit 1; }
started=$(date +%s)

command -v rustup >/dev/null || die "rustup is not installed (https://rustup.rs); it selects the toolchain for this checkout"

# The toolchain this checkout resolves to is usable for ink! 5.
toolchain_ok() {
    (
        cd "$ROOT" || exit 1
        version=$(rustc --version 2>/dev/null) || exit 1
        [[ $version =~ ^rustc\ 1\.8[56]\. ]] || exit 1
        sysroot=$(rustc --print sysroot) || exit 1
        [ -d "$sysroot/lib/rustlib/src/rust/library" ] || exit 1
        cargo clippy --version >/dev/null 2>&1 || exit 1
    )
}

install_rustup_toolchain() {
    say "installing Rust $RUST_CHANNEL with rust-src and clippy through rustup"
    timeout "$RUSTUP_TIMEOUT" rustup toolchain install "$RUST_CHANNEL" --profile minimal \
        --component rust-src --component clippy --component rustfmt || return 1
    rustup override set "$RUST_CHANNEL" --path "$ROOT" >/dev/null
}

install_debian_toolchain() {
    command -v apt-get >/dev/null || return 1
    say "falling back to Debian's Rust $DEBIAN_RUST_VERSION (rustup could not provide rust-src)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    local pkgs=()
    for p in rustc-web cargo-web rust-web-src rust-web-clippy rustfmt-web libstd-rust-web-dev; do
        pkgs+=("$p=$DEBIAN_RUST_VERSION")
    done
    # The security pocket offers 1.96 under the same names: pin, allow downgrades.
    apt-get install -y -qq --allow-downgrades "${pkgs[@]}" lld-19 >/dev/null
    # rustc-web links LLVM 19 but ships no Wasm linker.
    ln -sf /usr/lib/llvm-19/bin/lld /usr/local/bin/rust-lld
    rustup toolchain link "$DEBIAN_TOOLCHAIN" /usr
    rustup override set "$DEBIAN_TOOLCHAIN" --path "$ROOT" >/dev/null
}

if [ "$FORCE_DEBIAN" = 1 ]; then
    install_debian_toolchain || die "the Debian toolchain could not be installed"
    toolchain_ok || die "the Debian toolchain lacks rust-src or clippy: $(cd "$ROOT" && rustc --version)"
    say "Rust toolchain (Debian, forced): $(cd "$ROOT" && rustc --version)"
elif toolchain_ok; then
    say "Rust toolchain ok: $(cd "$ROOT" && rustc --version)"
else
    # An earlier run may have installed the toolchain; only the per-path
    # override (stored outside the repo) is missing in a fresh clone.
    if rustup toolchain list | grep -q "^$RUST_CHANNEL-"; then
        rustup override set "$RUST_CHANNEL" --path "$ROOT" >/dev/null
    elif rustup toolchain list | grep -q "^$DEBIAN_TOOLCHAIN"; then
        rustup override set "$DEBIAN_TOOLCHAIN" --path "$ROOT" >/dev/null
    fi
    if ! toolchain_ok; then
        install_rustup_toolchain || true
    fi
    if ! toolchain_ok; then
        install_debian_toolchain || die "no Rust 1.85/1.86 toolchain with rust-src and clippy could be installed"
    fi
    toolchain_ok || die "the installed toolchain lacks rust-src or clippy: $(cd "$ROOT" && rustc --version)"
    say "Rust toolchain installed: $(cd "$ROOT" && rustc --version)"
fi

# cargo-contract is a host tool: build it with the machine's default toolchain,
# outside the checkout, so the 1.86 override does not apply.
if cargo_contract=$(cd / && cargo contract --version 2>/dev/null) && [[ $cargo_contract == *"$CARGO_CONTRACT_VERSION"* ]]; then
    say "cargo-contract ok: $cargo_contract"
else
    say "installing cargo-contract $CARGO_CONTRACT_VERSION (about 13 minutes on 2 cores; progress every 20 s)"
    (cd / && with_progress "setup: cargo-contract" "${CARGO_TARGET_DIR:-$ROOT/target}/setup/cargo-contract.log" \
        "${CARGO_HOME:-$HOME/.cargo}/registry/src/index.crates.io-1949cf8c6b5b557f/cargo-contract-$CARGO_CONTRACT_VERSION/Cargo.lock" \
        -- cargo install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked) \
        || die "cargo install cargo-contract $CARGO_CONTRACT_VERSION failed"
    say "cargo-contract installed: $(cd / && cargo contract --version)"
fi

# The build collects artifacts with python3; the demo and the reactor's
# tests run `python3 -m http.server` as a deployment; the TypeScript client
# needs Node.js 20+ with npm (its packages come from the npm registry).
command -v python3 >/dev/null || die "python3 is needed (Debian: python3)"
command -v jq >/dev/null || die "jq is needed by deploy/build.sh (cold parts' code hashes) and deploy/deploy.sh (Debian: jq)"
command -v curl >/dev/null || die "curl is needed by deploy/node.sh and deploy/deploy.sh (Debian: curl)"
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/') || true
[ "${node_major:-0}" -ge 20 ] 2>/dev/null || die "Node.js 20 or newer with npm is needed for clients/ts (found: ${node_major:-none})"
if [ ! -d "$ROOT/clients/ts/node_modules" ]; then
    say "installing the TypeScript client's packages (npm ci)"
    (cd "$ROOT/clients/ts" && npm ci --no-audit --no-fund --silent) || die "npm ci in clients/ts failed"
fi
say "python3, jq, curl, Node.js $(node --version) ok"

# The reactor's container driver: Podman with runc and catatonit (crun fails on hosts
# with hybrid cgroups; reactor/podman/containers.conf selects runc), and
# Debian's static busybox, from which its tests build their images (no
# registry is reachable from a test machine).
container_missing=()
command -v podman >/dev/null || container_missing+=(podman)
command -v runc >/dev/null || container_missing+=(runc)
# A played pod's infra container runs catatonit (`podman kube play`).
{ command -v catatonit >/dev/null || [ -x /usr/libexec/podman/catatonit ]; } || container_missing+=(catatonit)
{ command -v busybox >/dev/null && ! ldd "$(command -v busybox)" >/dev/null 2>&1; } \
    || container_missing+=(busybox-static)
if [ ${#container_missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "the container driver needs ${container_missing[*]} (install them; Debian: apt-get install ${container_missing[*]})"
    say "installing ${container_missing[*]} (the reactor's container driver and its tests)"
    # Stale package lists on a new machine: update once and try again.
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${container_missing[@]}" >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${container_missing[@]}" >/dev/null; }; } \
        || die "apt-get install ${container_missing[*]} failed"
fi
CONTAINERS_CONF="$ROOT/reactor/podman/containers.conf" podman version --format '{{.Client.Version}}' >/dev/null \
    || die "podman is installed but does not run (as root, with $ROOT/reactor/podman/containers.conf)"
say "podman $(podman version --format '{{.Client.Version}}'), runc, static busybox ok"

# The web console's browser test (console/test.sh) drives Debian's chromium
# headless; installed only when it is missing.
if [ ! -x /usr/bin/chromium ]; then
    command -v apt-get >/dev/null || die "the console's browser test needs chromium at /usr/bin/chromium (Debian: apt-get install chromium)"
    say "installing chromium (the console's browser test)"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; } \
        || die "apt-get install chromium failed"
fi
say "chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}') ok"

# The node: only on request, it is the one long install.
node_crate_dir() {
    local dir
    for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$NODE_CRATE-$NODE_VERSION"; do
        [ -f "$dir/Cargo.lock" ] && { echo "$dir"; return 0; }
    done
    return 1
}

install_node() {
    if command -v apt-get >/dev/null; then
        local missing=()
        command -v protoc >/dev/null || missing+=(protobuf-compiler)
        command -v clang >/dev/null || missing+=(clang)
        compgen -G "/usr/lib/llvm-*/lib/libclang.so*" >/dev/null || missing+=(libclang-dev)
        if [ ${#missing[@]} -gt 0 ]; then
            say "installing ${missing[*]} (the node's build needs protoc and libclang)"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
                || die "apt-get install ${missing[*]} failed"
        fi
    fi
    command -v protoc >/dev/null || die "the node's build needs protoc (Debian: protobuf-compiler)"
    # Its runtime is compiled to Wasm with the checkout's toolchain.
    local toolchain
    toolchain=$(cd "$ROOT" && rustup show active-toolchain | cut -d' ' -f1)
    if ! rustup target list --installed --toolchain "$toolchain" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target to $toolchain"
        timeout "$RUSTUP_TIMEOUT" rustup target add wasm32-unknown-unknown --toolchain "$toolchain" \
            || die "the node's runtime needs the wasm32-unknown-unknown target for $toolchain"
    fi
    say "installing $NODE_BINARY ($NODE_CRATE $NODE_VERSION): it compiles about 1,400 crates,"
    say "one to two hours or more on 2 cores; progress in $NODE_TARGET_DIR/install.log"
    mkdir -p "$NODE_TARGET_DIR"
    # The runtimes' Wasm builds (substrate-wasm-builder) resolve their own
    # dependencies unless pointed at a Cargo.lock: without the crate's own
    # lock they pick substrate-bip39 0.6.1, which needs Rust 1.87. The hint is
    # read by build scripts after cargo has unpacked the crate, so it may name
    # the directory before it exists: crates.io's sources live under a fixed
    # name in cargo's registry.
    local crate_dir
    crate_dir=$(node_crate_dir) \
        || crate_dir="${CARGO_HOME:-$HOME/.cargo}/registry/src/index.crates.io-1949cf8c6b5b557f/$NODE_CRATE-$NODE_VERSION"
    (cd "$ROOT" && CARGO_TARGET_DIR="$NODE_TARGET_DIR" WASM_BUILD_WORKSPACE_HINT="$crate_dir" \
        PROGRESS_EVERY=60 with_progress "setup: $NODE_CRATE" "$NODE_TARGET_DIR/install.log" "$crate_dir/Cargo.lock" \
        -- cargo install "$NODE_CRATE" --version "$NODE_VERSION" --locked) \
        || die "cargo install $NODE_CRATE $NODE_VERSION failed"
}

if [ "$with_node" = 1 ]; then
    if node_version=$("$NODE_BINARY" --version 2>/dev/null) && [[ $node_version == *"$NODE_VERSION"* ]]; then
        say "$NODE_BINARY ok: $node_version"
    else
        install_node
        say "$NODE_BINARY installed: $("$NODE_BINARY" --version)"
    fi
fi

say "ready in $(( $(date +%s) - started ))s"
