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

# npm dependencies: install when missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
