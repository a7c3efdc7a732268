#!/usr/bin/env bash
# The fresh-machine check (issue 18): a clean Debian root file system made by mmdebstrap, the idkiosk
# package installed into it with apt and nothing else from this repository, then
# scripts/fresh-machine/smoke.sh inside it: provisioning, the daemon as its unit runs it with simulated
# hardware, /healthz, a JPKI read of a virtual card through the real pcscd, and a screenshot of the idle
# screen with the tofu check. A runtime package missing from the package's Depends: fails it.
#
#   scripts/fresh-machine-check.sh                 amd64, Debian 13 (trixie)
#   scripts/fresh-machine-check.sh --arch arm64    arm64 through qemu-user-static (Raspberry Pi OS base)
#   options: --deb FILE (default dist/idkiosk_<version>_<arch>.deb, built if missing), --suite SUITE,
#            --keep (leave the root file system for inspection)
#
# Why trixie: the package depends on nodejs (>= 20). Debian 13's archive ships Node.js 20; Debian 12's
# ships 18, so on Debian 12 the package installs only with Node.js 20 from another apt source (NodeSource),
# which this machine cannot reach. See docs/packaging.md.
#
# Cached between runs (/var/cache/idkiosk-fresh/, or $IDKIOSK_FRESH_CACHE): the base root file system (rebuilt
# weekly) and apt's downloaded .debs. The root file system of each run is new. Root only (chroot, namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. scripts/lib/fresh-base.sh
ARCH=$(dpkg --print-architecture)
SUITE=trixie
DEB=
KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
    --arch) ARCH=$2; shift 2 ;;
    --suite) SUITE=$2; shift 2 ;;
    --deb) DEB=$(readlink -f "$2"); shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "fresh-machine-check: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "fresh-machine-check: needs root (chroot, namespaces)" >&2; exit 2; }
VERSION=$(node -p "require('./package.json').version")

if [ -z "$DEB" ]; then
  DEB=$ROOT/dist/idkiosk_${VERSION}_${ARCH}.deb
  [ -f "$DEB" ] || { phase "building the package"; bash scripts/package.sh --arch "$ARCH"; }
fi
[ -f "$DEB" ] || { echo "fresh-machine-check: no package $DEB" >&2; exit 2; }
bash scripts/binfmt-enable.sh "$ARCH"

# Every run builds its root file system afresh from the cached base and installs the package with apt.
ensure_base "$SUITE" "$ARCH"
BASE=$(base_tar "$SUITE" "$ARCH")
ARCHIVES=$FRESH_CACHE/apt-$SUITE-$ARCH
mkdir -p "$ARCHIVES/partial"

R=$(mktemp -d /var/tmp/idkiosk-fresh-XXXXXX)
cleanup() {
  for m in var/cache/apt/archives fresh-tools dev/pts dev proc sys; do umount -l "$R/$m" 2>/dev/null || true; done
  if [ $KEEP = 1 ]; then echo "root file system kept: $R"; else rm -rf --one-file-system "$R"; fi
}
trap cleanup EXIT
phase "fresh root file system in $R"
tar -C "$R" -xf "$BASE"
mkdir -p "$R/fresh-tools" "$R/fresh-out"
mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount --rbind /sys "$R/sys" 2>/dev/null || true
cp /etc/resolv.conf "$R/etc/resolv.conf"
cp "$DEB" "$R/var/tmp/"
deb=/var/tmp/$(basename "$DEB")
# keep downloaded .debs for the next run (the image default deletes them after install)
rm -f "$R/etc/apt/apt.conf.d/docker-clean"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }

phase "dpkg -i without the dependencies: must fail cleanly (nothing configured)"
in_root apt-get update -qq
if in_root dpkg -i "$deb" > "$R/fresh-out/dpkg-i.log" 2>&1; then
  echo "fresh-machine-check: dpkg -i succeeded on a machine without the dependencies" >&2; exit 1
fi
grep -m3 'depends on' "$R/fresh-out/dpkg-i.log" || true
in_root dpkg -s idkiosk | grep -q '^Status: install ok unpacked' || { echo "fresh-machine-check: unexpected state after dpkg -i" >&2; exit 1; }
in_root dpkg -r idkiosk > /dev/null # back to a clean machine: the documented path is apt

phase "apt-get install ./$(basename "$DEB"): pulls every runtime dependency"
t_apt=$(date +%s)
in_root apt-get install -y -q --no-install-recommends "$deb" > "$R/fresh-out/apt.log" 2>&1 || { tail -30 "$R/fresh-out/apt.log"; exit 1; }
echo "    $(grep -c '^Setting up' "$R/fresh-out/apt.log") packages set up in $(( $(date +%s) - t_apt )) s"
in_root dpkg -s idkiosk | grep -q '^Status: install ok installed'

phase "test-only tools into the root file system (not part of the package): vpcd (virtual reader), fontconfig utilities"
in_root apt-get install -y -q --no-install-recommends vsmartcard-vpcd fontconfig >> "$R/fresh-out/apt.log" 2>&1 || { tail -30 "$R/fresh-out/apt.log"; exit 1; }

phase "smoke test inside (private PID + network namespace, loopback only)"
cp scripts/fresh-machine/smoke.sh scripts/fresh-machine/tofu.mjs "$R/fresh-tools/"
set +e
unshare --pid --net --fork --mount -- /bin/sh -c '
  ip link set lo up
  mount -t proc proc "$1/proc"
  exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /bin/bash /fresh-tools/smoke.sh' sh "$R"
rc=$?
set -e
mkdir -p dist/fresh-out-$ARCH && cp -a "$R/fresh-out/." "dist/fresh-out-$ARCH/"
if [ $rc != 0 ]; then
  echo "fresh-machine-check: FAILED ($ARCH, $(( $(date +%s) - FRESH_T0 )) s); logs in dist/fresh-out-$ARCH/" >&2
  exit 1
fi

phase "upgrade (reinstall over itself) keeps config, key and state; remove keeps them; purge removes them"
key_before=$(sha256sum "$R/etc/idkiosk/device.key" | cut -c1-16)
in_root dpkg -i "$deb" > /dev/null
[ "$(sha256sum "$R/etc/idkiosk/device.key" | cut -c1-16)" = "$key_before" ] || { echo "upgrade replaced the device key" >&2; exit 1; }
in_root dpkg -r idkiosk > /dev/null
[ -f "$R/etc/idkiosk/config.json" ] && [ -d "$R/var/lib/idkiosk" ] || { echo "remove deleted the configuration or state" >&2; exit 1; }
in_root dpkg -P idkiosk > /dev/null
[ ! -e "$R/etc/idkiosk" ] && [ ! -e "$R/var/lib/idkiosk" ] && [ ! -e "$R/usr/lib/idkiosk" ] || { echo "purge left files behind" >&2; exit 1; }

echo
echo "fresh-machine check PASSED: $ARCH, Debian $SUITE, $(( $(date +%s) - FRESH_T0 )) s (screenshot: dist/fresh-out-$ARCH/idle.png)"
