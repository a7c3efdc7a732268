#!/usr/bin/env bash
# The clean-root test check: proves that the README's test command installs everything it needs. A clean
# Debian root file system (the cached mmdebstrap base of the fresh-machine check) gets only what the README
# assumes a machine has — Node.js ≥ 20 with npm, and git to clone — then a clone of this checkout's HEAD
# runs `bash scripts/test.sh` inside it, as root, exactly as CI does. A Debian package, an npm tool or a
# font that the test command forgets to install fails here, where on a developer's machine (or CI's, which
# is the same machine) a package installed by hand once would hide it.
#
#   scripts/clean-root-test-check.sh [--suite trixie] [--keep] [--root DIR] [-- ARGS…]
#     ARGS go to scripts/test.sh; --root continues in a root a --keep run left (a new clone, same packages)
#
# Not part of `scripts/test.sh` (it runs the whole suite a second time, ~20–40 minutes); run it after
# changing scripts/install-deps.sh or anything the tests start. Root only (chroot, namespaces).
# Debian 13 (trixie) because its archive has Node.js 20; on Debian 12 the README's Node.js ≥ 20 comes from
# another apt source this machine cannot reach (docs/packaging.md).
#
# Reused between runs, as downloads only: the base tarball and apt's .debs (/var/cache/idkiosk-fresh/, shared
# with the fresh-machine check) and npm's download cache (/var/cache/idkiosk-cleanroot/npm). Nothing installed
# is reused: every run unpacks a new root.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
. scripts/lib/fresh-base.sh
SUITE=trixie
KEEP=0
REUSE=
while [ $# -gt 0 ]; do
  case $1 in
    --suite) SUITE=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --root) REUSE=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "clean-root-test-check: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "clean-root-test-check: needs root (chroot, namespaces)" >&2; exit 2; }
ARCH=$(dpkg --print-architecture)
CACHE=$FRESH_CACHE
BASE=$(base_tar "$SUITE" "$ARCH")
ARCHIVES=$CACHE/apt-$SUITE-$ARCH
NPM_CACHE=/var/cache/idkiosk-cleanroot/npm
mkdir -p "$ARCHIVES/partial" "$NPM_CACHE"
ensure_base "$SUITE" "$ARCH"

if [ -n "$REUSE" ]; then R=$REUSE; KEEP=1; else R=$(mktemp -d /var/tmp/idkiosk-cleanroot-XXXXXX); fi
cleanup() {
  if [ $KEEP = 1 ]; then echo "root file system kept: $R"; else rm -rf --one-file-system "$R"; fi
}
trap cleanup EXIT
if [ -z "$REUSE" ]; then
  phase "clean root file system in $R"
  tar -C "$R" -xf "$BASE"
  rm -f "$R/etc/apt/apt.conf.d/docker-clean"   # keep downloaded .debs in the shared download cache
else
  phase "continuing in the root file system $R (left by an earlier --keep run)"
fi
cp /etc/resolv.conf "$R/etc/resolv.conf"
# This machine reaches the npm registry through an intercepting proxy whose CA is in its local CA store
# (/usr/local/share/ca-certificates): the root gets the same CAs, as any machine on that network would.
# A machine on the open internet has none there and needs none.
EXTRA_CA=
if compgen -G '/usr/local/share/ca-certificates/*.crt' > /dev/null; then
  mkdir -p "$R/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/"
  EXTRA_CA=/etc/ssl/certs/ca-certificates.crt
fi
mkdir -p "$R/var/cache/apt/archives" "$R/root/.npm" "$R/var/cache/idkiosk-fresh"
# Each command runs in a private mount namespace whose root IS the new file system (pivot_root, not
# chroot): the kernel refuses user namespaces to a chrooted process and `unshare --propagation` needs / to
# be a mount point, so bubblewrap (the image decoders' sandbox) and the pcscd test harness behave there as on
# a real machine. The mounts (downloads caches, /proc, /dev, /sys, a fresh /run) end with the namespace.
in_root() {
  unshare --mount --propagation private --fork -- /bin/bash -c '
    set -e; R=$1; shift
    mount --bind "$R" "$R"
    mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
    mount --bind "$NPM_CACHE" "$R/root/.npm"
    mount --bind "$CACHE" "$R/var/cache/idkiosk-fresh"   # the fresh-machine check inside reuses the cached base
    mount -t proc proc "$R/proc"
    mount --rbind /dev "$R/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
    mount --rbind /sys "$R/sys"
    mount -t tmpfs -o mode=755 tmpfs "$R/run"
    cd "$R"; mkdir -p .oldroot; pivot_root . .oldroot; cd /; umount -l /.oldroot
    exec "$@"' sh "$R" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 CI="${CI:-true}" ${EXTRA_CA:+NODE_EXTRA_CA_CERTS=$EXTRA_CA} "$@"
}
export ARCHIVES NPM_CACHE CACHE

phase "what the README assumes: Node.js >= 20 with npm, and git (Debian $SUITE's own packages)"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends nodejs npm git ca-certificates > "$R/root/prereq.log" 2>&1 \
  || { tail -30 "$R/root/prereq.log"; exit 1; }
echo "    node $(in_root node --version), npm $(in_root npm --version)"
[ -z "$EXTRA_CA" ] || in_root update-ca-certificates > /dev/null 2>&1

phase "clone of $(git -C "$SRC" rev-parse --short HEAD) into the root"
rm -rf "$R/root/idkiosk"
git clone -q "$SRC" "$R/root/idkiosk"
git -C "$R/root/idkiosk" checkout -q "$(git -C "$SRC" rev-parse HEAD)"

phase "bash scripts/test.sh $* (the README's test command, as CI runs it)"
set +e
in_root /bin/bash -c 'cd /root/idkiosk && exec bash scripts/test.sh "$@"' sh "$@"
rc=$?
set -e
if [ $rc != 0 ]; then
  echo "clean-root test check: FAILED (rc $rc, $(( $(date +%s) - FRESH_T0 )) s)" >&2
  exit 1
fi
echo
echo "clean-root test check PASSED: Debian $SUITE $ARCH, $(( $(date +%s) - FRESH_T0 )) s"
