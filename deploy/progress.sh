#!/usr/bin/env bash
# deploy/progress.sh — sourced by the scripts whose steps compile for
# minutes (cargo-contract, the node, the embedded chain): runs a cargo
# command with its output in a log and prints, every PROGRESS_EVERY seconds
# (20), what it is compiling and how far along it is, so a newcomer sees the
# machine working instead of a silent terminal. On failure it shows the
# log's tail.
#
#   source deploy/progress.sh
#   with_progress LABEL LOG TOTAL -- cargo build …
#
# TOTAL is how many crates the step compiles at most — a number, or a
# Cargo.lock whose packages bound it (read once it exists: `cargo install`
# unpacks the crate's lock after it starts), or 0 for unknown; the report
# says "N of ≤TOTAL crates".

# The number of crates a Cargo.lock names: an upper bound of what a cold
# build of it compiles.
lock_crates() {
    if [ -f "$1" ]; then
        # grep -c prints 0 itself when nothing matches (and exits 1).
        grep -c '^\[\[package\]\]' "$1" || true
    else
        echo 0
    fi
}

with_progress() {
    local label=$1 log=$2 total=$3
    shift 4 # LABEL LOG TOTAL --
    local every=${PROGRESS_EVERY:-20}
    local started=$SECONDS
    mkdir -p "$(dirname "$log")"
    : >"$log"
    "$@" >"$log" 2>&1 &
    local pid=$!
    local next=$((SECONDS + every))
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        if [ "$SECONDS" -ge "$next" ]; then
            next=$((SECONDS + every))
            local done_count last of=""
            done_count=$(grep -c '^ *Compiling ' "$log" || true)
            last=$(grep '^ *Compiling ' "$log" | tail -1 | awk '{print $2, $3}')
            local bound=$total
            [ -f "$total" ] && bound=$(lock_crates "$total")
            [ "$bound" -gt 0 ] 2>/dev/null && of=" of ≤$bound"
            echo "$label: $((SECONDS - started)) s, ${done_count}${of} crates compiled${last:+ (now: $last)}"
        fi
    done
    if wait "$pid"; then
        echo "$label: done in $((SECONDS - started)) s"
    else
        local status=$?
        tail -25 "$log" >&2
        echo "$label: FAILED after $((SECONDS - started)) s (full log: $log)" >&2
        return "$status"
    fi
}
