#!/usr/bin/env bash
# console/serve.sh — builds the DINFRA web console and serves it on
# 127.0.0.1 (vite preview of the built files).
#
#   console/serve.sh [PORT]        default port 5173
#
# Builds the TypeScript client first if clients/ts/dist is missing (the
# console links it as @dinfra/client, file:../clients/ts), installs the
# console's locked npm dependencies (npm ci) if node_modules is missing, then
# type-checks and builds into console/dist and serves it until interrupted.
# Open http://127.0.0.1:PORT/ and connect it to a node (deploy/node.sh start:
# ws://127.0.0.1:9944) with a deployments json (deploy/deployments/<name>.json).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLIENT="$HERE/../clients/ts"
PORT="${1:-5173}"
[[ "$PORT" =~ ^[0-9]+$ ]] || { echo "serve.sh: the port must be a number, got $PORT" >&2; exit 2; }

if [ ! -f "$CLIENT/dist/index.js" ]; then
    echo "serve.sh: building the TypeScript client (clients/ts/dist)" >&2
    (cd "$CLIENT" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build)
fi
cd "$HERE"
if [ ! -d node_modules ]; then
    echo "serve.sh: installing the console's dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund
fi
echo "serve.sh: building the console" >&2
npx tsc --noEmit
npx vite build --logLevel warn
echo "serve.sh: serving on http://127.0.0.1:$PORT/" >&2
exec npx vite preview --host 127.0.0.1 --port "$PORT" --strictPort
