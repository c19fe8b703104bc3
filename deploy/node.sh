#!/usr/bin/env bash
# deploy/node.sh — a local pallet-contracts chain for the node-backed tests,
# the deploy script and the demo's --url mode: substrate-contracts-node
# (deploy/setup.sh --with-node installs it) in --dev mode with a temporary
# state, on 127.0.0.1 only.
#
#   deploy/node.sh start    start it (if not running) and wait until it answers
#   deploy/node.sh stop     stop it (its temporary state goes with it)
#   deploy/node.sh status   exit 0 and print the URL if it answers
#
# The dev node seals a block for every transaction (instant seal) and
# finalizes it a second later; //Alice … //Ferdie are funded.
# DINFRA_NODE_PORT (default 9944) and DINFRA_NODE_DIR (pid file and log,
# default /tmp/dinfra-node) change where it runs.
set -euo pipefail

PORT="${DINFRA_NODE_PORT:-9944}"
DIR="${DINFRA_NODE_DIR:-/tmp/dinfra-node}"
BINARY="${CONTRACTS_NODE:-substrate-contracts-node}"
PID_FILE="$DIR/node.pid"
LOG="$DIR/node.log"
URL="ws://127.0.0.1:$PORT"
START_TIMEOUT="${DINFRA_NODE_START_TIMEOUT:-60}"

say() { echo "node: $*" >&2; }

# The node answers when its RPC server returns the chain's health.
answers() {
    curl -sf -m 2 -H 'Content-Type: application/json' \
        -d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
        "http://127.0.0.1:$PORT" >/dev/null 2>&1
}

running_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid
    pid=$(cat "$PID_FILE")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

start() {
    if running_pid >/dev/null && answers; then
        say "already running at $URL (pid $(running_pid))"
        echo "$URL"
        return 0
    fi
    if answers; then
        say "something else already answers on port $PORT; set DINFRA_NODE_PORT"
        return 1
    fi
    command -v "$BINARY" >/dev/null || {
        say "$BINARY is not installed: run deploy/setup.sh --with-node (it compiles for an hour or more)"
        return 1
    }
    mkdir -p "$DIR"
    # --dev with no --base-path keeps the chain state in a temporary directory
    # the node deletes on exit.
    setsid "$BINARY" --dev --tmp --rpc-port "$PORT" --no-hardware-benchmarks \
        --no-telemetry --no-prometheus --rpc-cors all >"$LOG" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    local waited=0
    until answers; do
        if ! running_pid >/dev/null; then
            say "the node exited while starting; the end of $LOG:"
            tail -20 "$LOG" >&2
            return 1
        fi
        if [ "$waited" -ge "$START_TIMEOUT" ]; then
            say "no answer on $URL after ${START_TIMEOUT}s; see $LOG"
            stop
            return 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    say "running at $URL (pid $(cat "$PID_FILE"), log $LOG), answered after ${waited}s"
    echo "$URL"
}

stop() {
    local pid
    if pid=$(running_pid); then
        kill "$pid"
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -9 "$pid" 2>/dev/null || true
        say "stopped (pid $pid)"
    else
        say "not running"
    fi
    rm -f "$PID_FILE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status)
        if answers; then echo "$URL"; else say "no node answers on $URL"; exit 1; fi ;;
    *) echo "usage: deploy/node.sh start|stop|status" >&2; exit 2 ;;
esac
