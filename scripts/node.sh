# Sourced by the other scripts (not run): puts the Node 22 that scripts/ensure-deps.sh installed
# first on PATH, so that tsx, mocha, local mode's execution environments (which run on the Node that
# started them) and the benchmark run on the Node the Lambda functions run on (nodejs22.x).
# Without it (ensure-deps not run yet), the machine's Node stays in use.
bw_node_bin="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/node/bin"
if [ -x "$bw_node_bin/node" ]; then
  case ":$PATH:" in
    *":$bw_node_bin:"*) ;;
    *) export PATH="$bw_node_bin:$PATH" ;;
  esac
fi
unset bw_node_bin
