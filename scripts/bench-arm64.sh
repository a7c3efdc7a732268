#!/usr/bin/env bash
# `npm run bench:arm64`: the benchmarks on arm64 — this checkout's arm64 package (scripts/package.sh: the
# bundle, the production npm packages with their addons built for arm64) installed with apt into a Debian 13
# root file system and run there through qemu-user (binfmt_misc), each figure side by side with its
# reference (node -e 0, a minimal node HTTP server, openssl) in the same emulated run.
# qemu-user translates every instruction (and its JIT translates V8's), so absolute times are several times
# a real Raspberry Pi's and mean nothing: read the RATIOS only. The table is headed accordingly.
#   bash scripts/bench-arm64.sh [options of bench/index.ts]   default: --only startup,crl,passport,idle --runs 5
#   bash scripts/bench-arm64.sh --prepare-only                 make the root file system (below) and stop
# Sizes as for `npm run bench` (CRL_BENCH_SIZES, IDLE_SECONDS, IDLE_RUNS), with smaller defaults here:
# CRL_BENCH_SIZES=100000,1000000 (the 10k delta on the 1M store), IDLE_SECONDS=20, IDLE_RUNS=3. The table
# (stdout) is also written to dist/bench-arm64-<UTC time>.md; each benchmark's rows go to stderr as it ends.
# BENCH_SLOWDOWN (default 6 here) stretches the benchmarks' deadlines and the idle settling time.
#
# The root file system: installing the package's ~100 runtime dependencies with apt under emulation takes
# over 20 minutes, so it is done once per package list. The prepared root (Debian base + the package's
# Depends + the references' tools) is cached as $IDKIOSK_FRESH_CACHE/bench-root-<suite>-<arch>-<key>.tar,
# key = a hash of that list, next to the Debian base the fresh-machine check caches (scripts/lib/fresh-base.sh);
# dist/bench-root-arm64 is unpacked from it when its stamp differs. Every run then only reinstalls the package.
#   IDKIOSK_BENCH_ROOT_SEED=DIR   start the preparation from a root made earlier (e.g. another checkout's
#                                 dist/bench-root-arm64) instead of the bare base: apt adds only what is missing
#   IDKIOSK_BENCH_DEB=FILE        measure that package as it is (no rebuild)
# Needs root (chroot, mounts), qemu-user-static and binfmt-support; mmdebstrap when no base is cached.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/fresh-base.sh
ARCH=arm64
SUITE=trixie
[ "$(id -u)" = 0 ] || { echo "bench-arm64: needs root (chroot, mounts)" >&2; exit 2; }
bash scripts/binfmt-enable.sh "$ARCH"
PREPARE_ONLY=0
[ "${1:-}" = --prepare-only ] && { PREPARE_ONLY=1; shift; }
[ $# -gt 0 ] || set -- --only startup,crl,passport,idle --runs 5

DEB=${IDKIOSK_BENCH_DEB:-}
if [ -z "$DEB" ]; then
  phase "the $ARCH package of this checkout" >&2
  bash scripts/package.sh --arch "$ARCH" --no-lintian >&2
  DEB=dist/idkiosk_$(node -p "require('./package.json').version")_$ARCH.deb
fi

# The references' tools: GNU time (every whole-command figure) and openssl (the CRL references).
REFS=(time openssl)
# What the prepared root was made for: the suite, the package's Depends and the references' tools.
KEY=$(printf '%s\n%s\n%s\n' "$SUITE" "$(dpkg-deb -f "$DEB" Depends)" "${REFS[*]}" | sha256sum | cut -c1-16)
PREPARED=$FRESH_CACHE/bench-root-$SUITE-$ARCH-$KEY.tar
ARCHIVES=$FRESH_CACHE/apt-$SUITE-$ARCH
R=$PWD/dist/bench-root-$ARCH
STAMP=$R/.idkiosk-bench-key
mkdir -p "$ARCHIVES/partial"

# in_namespace MODE: the steps inside the root, in a private mount namespace (the mounts vanish with it,
# even on failure). prepare: finish any interrupted dpkg run, install the package with its dependencies
# and the references' tools. bench: reinstall the package (its dependencies are there), run the benchmarks.
in_namespace() {
  local mode=$1
  shift
  unshare --mount --propagation private bash -euo pipefail -s "$mode" "$R" "$ARCHIVES" "$DEB" "${BENCH_MJS:-}" "${REFS[*]}" "$@" <<'INNER'
MODE=$1 R=$2 ARCHIVES=$3 DEB=$4 BENCH_MJS=$5
read -ra REFS <<< "$6"
shift 6
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o size=2g tmpfs "$R/tmp"
mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$DEB" "$R/tmp/idkiosk.deb"
apt_install() { in_root apt-get install -y -q --no-install-recommends --reinstall /tmp/idkiosk.deb "${REFS[@]}" > "$R/tmp/apt.log" 2>&1; }
if [ "$MODE" = prepare ]; then
  echo "==> the runtime dependencies and ${REFS[*]} into the root (apt under emulation: minutes to tens of minutes)" >&2
  in_root dpkg --configure -a >&2
  apt_install || { in_root apt-get update -qq && apt_install; } || { tail -30 "$R/tmp/apt.log" >&2; exit 1; }
  exit 0
fi
# the package: reinstalled with dpkg (its dependencies are in the prepared root), unless it is the one
# the last run installed (a dpkg run under emulation takes minutes on a loaded machine)
sum=$(sha256sum "$DEB" | cut -d' ' -f1)
if [ "$(cat "$R/.idkiosk-bench-deb" 2>/dev/null)" = "$sum" ]; then
  echo "==> the package is the one installed by the last run" >&2
else
  echo "==> reinstall the package" >&2
  in_root dpkg -i /tmp/idkiosk.deb > "$R/tmp/dpkg.log" 2>&1 || { tail -30 "$R/tmp/dpkg.log" >&2; echo "bench-arm64: the prepared root lacks a dependency; remove $R and run again" >&2; exit 1; }
  echo "$sum" > "$R/.idkiosk-bench-deb"
fi
mkdir -p "$R/usr/lib/idkiosk/bench"
cp "$BENCH_MJS" "$R/usr/lib/idkiosk/bench/index.mjs"
echo "==> benchmarks, emulated: node $(in_root node --version) on $(in_root uname -m), host load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
in_root BENCH_LABEL="EMULATED arm64 (qemu-user) — ratios only, absolute times are not an arm64 machine's. Host load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" \
  IDKIOSK_BENCH_BUNDLE=/usr/lib/idkiosk/dist/idkiosk.mjs CRL_BENCH_SIZES="${CRL_BENCH_SIZES:-100000,1000000}" \
  IDLE_SECONDS="${IDLE_SECONDS:-20}" IDLE_RUNS="${IDLE_RUNS:-3}" BENCH_RUNS="${BENCH_RUNS:-5}" BENCH_SLOWDOWN="${BENCH_SLOWDOWN:-6}" \
  node /usr/lib/idkiosk/bench/index.mjs "$@"
INNER
}

if [ "$(cat "$STAMP" 2>/dev/null)" != "$KEY" ]; then
  rm -rf --one-file-system "$R" && mkdir -p "$R"
  if [ -s "$PREPARED" ]; then
    phase "root file system $R from the prepared root $PREPARED" >&2
    tar -C "$R" -xf "$PREPARED"
  else
    if [ -n "${IDKIOSK_BENCH_ROOT_SEED:-}" ]; then
      phase "root file system $R from the seed $IDKIOSK_BENCH_ROOT_SEED" >&2
      [ -x "$IDKIOSK_BENCH_ROOT_SEED/usr/bin/apt-get" ] || { echo "bench-arm64: $IDKIOSK_BENCH_ROOT_SEED is no root file system" >&2; exit 2; }
      cp -a "$IDKIOSK_BENCH_ROOT_SEED/." "$R/"
      rm -f "$STAMP"
    else
      ensure_base "$SUITE" "$ARCH" >&2
      phase "root file system $R from the Debian base" >&2
      tar -C "$R" -xf "$(base_tar "$SUITE" "$ARCH")"
    fi
    rm -f "$R/etc/apt/apt.conf.d/docker-clean"
    cp /etc/resolv.conf "$R/etc/resolv.conf"
    in_namespace prepare
    phase "caching the prepared root → $PREPARED" >&2
    rm -f "$FRESH_CACHE/bench-root-$SUITE-$ARCH-"*.tar
    tar -C "$R" -cf "$PREPARED.tmp" . && mv "$PREPARED.tmp" "$PREPARED"
  fi
  echo "$KEY" > "$STAMP"
fi
[ "$PREPARE_ONLY" = 0 ] || { phase "root file system $R ready (key $KEY)" >&2; exit 0; }

# The bench runner for an installed package tree (no tsx inside), next to the package's own files.
BENCH_MJS=$(mktemp --suffix=.mjs)
trap 'rm -f "$BENCH_MJS"' EXIT
node_modules/.bin/tsx bench/bundle-installed.ts "$BENCH_MJS" >&2

OUT=dist/bench-arm64-$(date -u +%Y%m%dT%H%MZ).md
phase "benchmarks (the table also goes to $OUT)" >&2
in_namespace bench "$@" | tee "$OUT"
