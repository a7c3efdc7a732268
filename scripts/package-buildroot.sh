#!/usr/bin/env bash
# A Debian 13 (trixie) root file system for ARCH (default arm64) in dist/buildroot-ARCH, run through
# qemu-user-static: where scripts/package.sh builds the native addons for that architecture (npm ci with
# trixie's Node.js 20 and compilers) and reads its shared-library dependencies. Made once, then reused.
# Needs: mmdebstrap, qemu-user-static, binfmt-support (Debian packages), root.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=${1:-arm64}
DIR=dist/buildroot-$ARCH
MIRROR=${IDKIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -x "$DIR/usr/bin/node" ]; then echo "==> build root $DIR present"; exit 0; fi
bash scripts/binfmt-enable.sh "$ARCH"
echo "==> making the $ARCH build root (Debian trixie) in $DIR"
rm -rf --one-file-system "$DIR"
mmdebstrap --quiet --arch="$ARCH" --variant=apt --mode=root \
  --include=nodejs,npm,build-essential,python3,libpcsclite-dev,dpkg-dev,ca-certificates \
  trixie "$DIR" "$MIRROR"
# the npm registry settings of this machine (proxy, mirror), if any, for npm ci inside
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$DIR/root/.npmrc"
cp /etc/resolv.conf "$DIR/etc/resolv.conf"
echo "==> $DIR: $(chroot "$DIR" node --version) on $(chroot "$DIR" uname -m)"
