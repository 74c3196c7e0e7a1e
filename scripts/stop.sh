#!/usr/bin/env bash
# `npm stop`: stops what `npm start` started (runner, execution environments, store), by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${BW_LOCAL_DIR:-$PWD/.local}"
[ -d "$root" ] || { echo "Nothing to stop: $root does not exist."; exit 0; }

lock="$root/start.lock"
if [ "${BW_LOCK_HELD:-}" != "$lock" ]; then
  BW_LOCK_HELD="$lock" exec flock -o -w 900 "$lock" bash "$0" "$@"
fi
unset BW_LOCK_HELD

. scripts/node.sh
exec npx tsx local/stop.ts
