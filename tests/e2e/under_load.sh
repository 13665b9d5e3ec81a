#!/usr/bin/env bash
# The counter and delivery end-to-end tests, N times in a row, while
# stress-ng keeps both cores busy (issue 13: scans must not be lost or split
# under load). A benchmark-style proof, not a CI step (about 4 minutes a
# round). Usage: tests/e2e/under_load.sh APP_BINARY [ROUNDS]
set -euo pipefail
APP="$1"
ROUNDS="${2:-3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${VENV:-$HOME/.cache/countercheck/venv}/bin/python"
if ! command -v stress-ng >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends stress-ng
fi
stress-ng --cpu 2 --cpu-load 100 --timeout 3600s --quiet &
STRESS=$!
trap 'kill $STRESS 2>/dev/null || true' EXIT
for i in $(seq 1 "$ROUNDS"); do
  echo "== round $i of $ROUNDS, both cores busy (stress-ng --cpu 2)"
  "$PY" "$HERE/counter.py" "$APP"
  "$PY" "$HERE/delivery.py" "$APP" "" 200
done
echo "under-load: $ROUNDS rounds of the counter and delivery e2e passed with both cores busy"
