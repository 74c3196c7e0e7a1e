#!/usr/bin/env bash
# `npm start`: the whole pipeline on this machine, in the background, on loopback only. Installs
# what is missing and builds on first use, then starts the store, the buckets with the access rule
# and the runner (local/start.ts), and returns once the pipeline is ready. Running it again reports
# the running pipeline. BW_LOCAL_DIR moves the state directory (default .local/).
set -euo pipefail
cd "$(dirname "$0")/.."
root="${BW_LOCAL_DIR:-$PWD/.local}"
mkdir -p "$root"

# One start or stop at a time per state directory. flock -o holds the lock itself and does not hand
# it down, so the background processes started below do not keep it after this script returns.
lock="$root/start.lock"
if [ "${BW_LOCK_HELD:-}" != "$lock" ]; then
  BW_LOCK_HELD="$lock" exec flock -o -w 900 "$lock" bash "$0" "$@"
fi
unset BW_LOCK_HELD

bash scripts/ensure-deps.sh
. scripts/node.sh
# Already running: report it, without rebuilding what the running pipeline loaded.
status=0
npx tsx local/start.ts --if-running || status=$?
[ "$status" -eq 3 ] || exit "$status"
# The bundles and layers are what deploys; the build is quick when nothing changed.
npm run --silent build >"$root/build.log" 2>&1 || { cat "$root/build.log" >&2; exit 1; }
exec npx tsx local/start.ts
