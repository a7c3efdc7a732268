#!/usr/bin/env bash
# Run a command inside a private network namespace whose loopback routes have `quickack 1`.
#
# Why: vpcd (the pcscd driver behind the virtual reader) and the virtual card talk over TCP on loopback;
# with delayed ACKs every APDU stalls ~40 ms. A private namespace also keeps test ports (vpcd, UI, API)
# away from anything else on the machine. Needs root (or sudo) for unshare.
set -euo pipefail
if [ "${IDKIOSK_TESTNET:-}" = 1 ]; then exec "$@"; fi
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then exec sudo -E env "PATH=$PATH" "$0" "$@"; fi
  echo "in-testnet: needs root or sudo (unshare --net)" >&2; exit 2
fi
exec unshare --net -- bash -c '
  set -e
  ip link set lo up
  ip route change local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 quickack 1
  ip route change local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 quickack 1
  export IDKIOSK_TESTNET=1
  exec "$@"' in-testnet "$@"
