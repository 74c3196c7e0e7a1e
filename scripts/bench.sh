#!/usr/bin/env bash
# `npm run bench`: builds what the benchmark runs (handler bundles, layers), starts an S3 store of its
# own in its own folder (stopped again at the end, whatever happens), and runs bench/run.ts against
# it. Arguments go to bench/run.ts: --big adds the 1 GB case, --quick is a short trial run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
. scripts/node.sh
npm run --silent build

store_dir="${BW_BENCH_STORE_DIR:-$PWD/.local/bench-store}"
# The benchmark keeps at most one object of each size at a time, plus both databases; memstore takes
# RAM only as data arrives, so the room for the 1 GB case costs nothing when it is not run.
export BW_STORE_OSD_BYTES="${BW_STORE_OSD_BYTES:-$((8 * 1024 * 1024 * 1024))}"
bash local/store/store.sh start "$store_dir" >/dev/null
trap 'bash local/store/store.sh stop "$store_dir" >/dev/null 2>&1 || true' EXIT
export BW_BENCH_STORE_DIR="$store_dir"

npx tsx bench/run.ts "$@"
