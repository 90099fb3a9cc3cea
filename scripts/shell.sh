#!/usr/bin/env bash
# `make shell`: starts the action server in the background, then Rasa's terminal chat.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p results
rasa run actions --actions actions --port "$ACTION_SERVER_PORT" > results/actions-shell.log 2>&1 &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true' EXIT
echo "Action server starting (log: results/actions-shell.log). Type /stop to end."
rasa shell --model models/smp-consult.tar.gz --endpoints endpoints.yml
