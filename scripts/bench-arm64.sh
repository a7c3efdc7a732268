#!/usr/bin/env bash
# `npm run bench:arm64`: the benchmarks on arm64 — this checkout's arm64 package (scripts/package.sh: the
# bundle, the production npm packages with their addons built for arm64) installed with apt into a Debian 13
# root file system and run there through qemu-user (binfmt_misc), each figure side by side with its
# reference (node -e 0, a minimal node HTTP server, openssl) in the same emulated run.
# qemu-user translates every instruction (and its JIT translates V8's), so absolute times are several times
# a real Raspberry Pi's and mean nothing: read the RATIOS only. The table is headed accordingly.
#   bash scripts/bench-arm64.sh [options of bench/index.ts]   default: --only startup,crl,idle,passport --runs 5
# Sizes as for `npm run bench` (CRL_BENCH_SIZES, IDLE_SECONDS, IDLE_RUNS); here CRL_BENCH_SIZES defaults to
# 1000000 (one 1M import under emulation takes about a minute). The root is made once (dist/bench-root-arm64,
# from the Debian base the fresh-machine check caches, or mmdebstrap) and the package reinstalled every run.
# Needs root (chroot, mounts), qemu-user-static and binfmt-support; mmdebstrap when no base is cached.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=arm64
[ "$(id -u)" = 0 ] || { echo "bench-arm64: needs root (chroot, mounts)" >&2; exit 2; }
bash scripts/binfmt-enable.sh "$ARCH"
[ $# -gt 0 ] || set -- --only startup,crl,idle,passport --runs 5

# IDKIOSK_BENCH_DEB=FILE: measure that package as it is (no rebuild)
DEB=${IDKIOSK_BENCH_DEB:-}
if [ -z "$DEB" ]; then
  echo "==> the $ARCH package of this checkout" >&2
  bash scripts/package.sh --arch "$ARCH" --no-lintian >&2
  DEB=dist/idkiosk_$(node -p "require('./package.json').version")_$ARCH.deb
fi

# The Debian base and apt's downloads: the fresh-machine check's cache (scripts/fresh-machine-check.sh).
CACHE=${IDKIOSK_FRESH_CACHE:-/var/cache/idkiosk-fresh}
BASE=$CACHE/base-trixie-$ARCH.tar
ARCHIVES=$CACHE/apt-trixie-$ARCH
R=$PWD/dist/bench-root-$ARCH
mkdir -p "$ARCHIVES/partial"
if [ ! -f "$BASE" ]; then
  echo "==> Debian trixie $ARCH base → $BASE" >&2
  mmdebstrap --quiet --arch="$ARCH" --variant=apt --mode=root --format=tar --include=ca-certificates trixie "$BASE.tmp" \
    "${IDKIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
  mv "$BASE.tmp" "$BASE"
fi
if [ ! -x "$R/usr/bin/node" ]; then
  echo "==> root file system $R" >&2
  rm -rf --one-file-system "$R" && mkdir -p "$R" && tar -C "$R" -xf "$BASE"
  rm -f "$R/etc/apt/apt.conf.d/docker-clean"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
fi

# The bench runner for an installed package tree (no tsx inside), next to the package's own files.
BENCH_MJS=$(mktemp --suffix=.mjs)
trap 'rm -f "$BENCH_MJS"' EXIT
node_modules/.bin/tsx bench/bundle-installed.ts "$BENCH_MJS" >&2

# Everything below in a private mount namespace: the mounts vanish with it, even on failure.
unshare --mount --propagation private bash -euo pipefail -s "$R" "$ARCHIVES" "$DEB" "$BENCH_MJS" "$@" <<'INNER'
R=$1 ARCHIVES=$2 DEB=$3 BENCH_MJS=$4
shift 4
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o size=2g tmpfs "$R/tmp"
mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$DEB" "$R/tmp/idkiosk.deb"
echo "==> apt-get install the package (and GNU time, openssl: the references' tools)" >&2
if ! in_root apt-get install -y -q --no-install-recommends --reinstall /tmp/idkiosk.deb time openssl > "$R/tmp/apt.log" 2>&1; then
  in_root apt-get update -qq
  in_root apt-get install -y -q --no-install-recommends --reinstall /tmp/idkiosk.deb time openssl > "$R/tmp/apt.log" 2>&1 || { tail -30 "$R/tmp/apt.log" >&2; exit 1; }
fi
mkdir -p "$R/usr/lib/idkiosk/bench"
cp "$BENCH_MJS" "$R/usr/lib/idkiosk/bench/index.mjs"
echo "==> benchmarks, emulated: node $(in_root node --version) on $(in_root uname -m)" >&2
in_root BENCH_LABEL="EMULATED arm64 (qemu-user) — ratios only, absolute times are not an arm64 machine's" \
  IDKIOSK_BENCH_BUNDLE=/usr/lib/idkiosk/dist/idkiosk.mjs CRL_BENCH_SIZES="${CRL_BENCH_SIZES:-1000000}" \
  IDLE_SECONDS="${IDLE_SECONDS:-30}" IDLE_RUNS="${IDLE_RUNS:-3}" BENCH_RUNS="${BENCH_RUNS:-5}" \
  node /usr/lib/idkiosk/bench/index.mjs "$@"
INNER
