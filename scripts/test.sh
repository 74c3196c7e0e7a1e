#!/usr/bin/env bash
# `npm test`: everything from a fresh checkout. Installs what is missing, builds the handler bundles
# and the layers, starts a real S3 store on loopback (stopped again at the end, whatever happens),
# and runs every test against it and against the real ClamAV engine from the layers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
. scripts/node.sh
npm run --silent build

store_dir="${BW_STORE_DIR:-}"
if [ -z "$store_dir" ]; then
  store_dir="$PWD/.local/test-store"
  bash local/store/store.sh start "$store_dir"
  trap 'bash local/store/store.sh stop "$store_dir" >/dev/null 2>&1 || true' EXIT
fi
export BW_STORE_DIR="$store_dir"

npx mocha "tests/**/*.test.ts" "$@"
