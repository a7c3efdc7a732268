# Sourced by scripts/fresh-machine-check.sh and scripts/clean-root-test-check.sh: the cached Debian base both
# unpack into a new root file system on every run, and the phase banner both print.
#
# The cache holds downloads only (a pristine base and apt's .debs), kept on the machine rather than in the
# checkout so that CI's clean clones do not fetch them again: $IDKIOSK_FRESH_CACHE, default
# /var/cache/idkiosk-fresh. The mirror is $IDKIOSK_DEBIAN_MIRROR, default deb.debian.org.

FRESH_CACHE=${IDKIOSK_FRESH_CACHE:-/var/cache/idkiosk-fresh}
FRESH_T0=$(date +%s)

# phase TEXT: a banner with the seconds since the script started.
phase() { printf '\n==> [%4ss] %s\n' $(( $(date +%s) - FRESH_T0 )) "$*"; }

# base_tar SUITE ARCH: where the base of that suite and architecture is cached.
base_tar() { printf '%s/base-%s-%s.tar\n' "$FRESH_CACHE" "$1" "$2"; }

# ensure_base SUITE ARCH: builds the base with mmdebstrap when it is missing, or older than a week (Debian
# moves on, and a stale base would hide a dependency that changed). Written to a temporary name first, so an
# interrupted build never leaves a truncated base behind.
ensure_base() {
  local suite=$1 arch=$2 base
  base=$(base_tar "$suite" "$arch")
  mkdir -p "$FRESH_CACHE"
  if [ -n "$(find "$base" -mtime +7 2>/dev/null)" ]; then rm -f "$base"; fi
  if [ ! -s "$base" ]; then
    phase "base root file system: Debian $suite $arch (mmdebstrap, cached in $base)"
    mmdebstrap --quiet --arch="$arch" --variant=apt --mode=root --format=tar --include=ca-certificates \
      "$suite" "$base.tmp" "${IDKIOSK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    mv "$base.tmp" "$base"
  fi
}
