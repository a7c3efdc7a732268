#!/usr/bin/env bash
# Lets this machine run ARCH binaries through qemu-user-static (binfmt_misc), for the arm64 build root
# and the arm64 fresh-machine check. Nothing to do for the machine's own architecture.
set -euo pipefail
ARCH=${1:-arm64}
[ "$ARCH" = "$(dpkg --print-architecture)" ] && exit 0
qemu=$(case $ARCH in arm64) echo aarch64 ;; armhf) echo arm ;; *) echo "$ARCH" ;; esac)
command -v "qemu-$qemu-static" >/dev/null || { echo "binfmt: install qemu-user-static binfmt-support" >&2; exit 2; }
[ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
[ -e "/proc/sys/fs/binfmt_misc/qemu-$qemu" ] || update-binfmts --enable "qemu-$qemu"
grep -q enabled "/proc/sys/fs/binfmt_misc/qemu-$qemu"
