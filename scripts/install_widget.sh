#!/usr/bin/env bash
# Installs the widget's one dependency (socket.io-client, pinned in widget/package-lock.json) from
# the npm registry and builds widget/dist/smp-chat.js. Idempotent: skips npm when node_modules
# matches the lock file, and rebuilds only when a source changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is needed to install the chat widget's socket.io client (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
stamp=widget/node_modules/.lock-sha256
lock_sum=$(sha256sum widget/package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  echo "install: widget dependencies (npm ci)"
  (cd widget && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  echo "$lock_sum" > "$stamp"
fi
out=widget/dist/smp-chat.js
if [ ! -f "$out" ] || [ -n "$(find widget/src widget/package-lock.json scripts/build_widget.py -newer "$out" 2>/dev/null)" ]; then
  .venv/bin/python scripts/build_widget.py
fi
