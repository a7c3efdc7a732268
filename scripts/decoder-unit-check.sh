#!/usr/bin/env bash
# The card-image decoder units (systemd/idkiosk-decode.socket, idkiosk-decode@.service) under a real
# systemd as PID 1 (issue 17). Boots this machine's own /usr in systemd-nspawn (--volatile=yes: an empty
# tmpfs root, /usr read-only, no package needed) and checks, with the units as shipped except that
# ExecStart points at this checkout's script (the container's /usr cannot be written):
#   - a JPEG 2000 face and an MMR TIFF decode through the socket to the same PNM as the tools give bare;
#     garbage gives no bytes at all;
#   - a probe run by the same unit file: a throw-away user, a world-readable device-key stand-in under
#     /etc/idkiosk and /var/lib/idkiosk unreachable, no TCP/UDP socket, 512 MiB address space, no core —
#     while the same probe run bare in the container reads the key and connects (the probe is not blind);
#   - only the daemon's user may connect; an instance that hangs is stopped at RuntimeMaxSec;
#   - from a copy of idkiosk.service's sandbox the socket decodes, and bubblewrap is refused (why the
#     installed daemon needs the unit at all).
# Not part of the test suite (root, nspawn, ~1 min); the units' syntax and exposure score are checked in
# test/integration/systemd/decoder-unit.test.ts, the daemon's client in test/integration/images/decode-socket.test.ts.
# Needs root, systemd-container, socat, opj_decompress, tifftopnm, bubblewrap, python3.
#   scripts/decoder-unit-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "decoder-unit-check: needs root (systemd-nspawn)" >&2; exit 2; }
for t in systemd-nspawn socat opj_decompress tifftopnm bwrap python3 nsenter; do
  command -v "$t" > /dev/null || { echo "decoder-unit-check: $t not installed" >&2; exit 2; }
done
ok() { printf 'PASS  %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; FAILED=1; }
FAILED=0
W=$(mktemp -d /tmp/idkiosk-decoder-check.XXXXXX)
chmod 0755 "$W"

# the synthetic card images (no personal data) and the tools' own output, bare, as the expected answers
cat > "$W/images.mts" << EOF
import { writeFileSync } from 'node:fs';
import { SYNTHETIC_FACE_JP2, SYNTHETIC_FRONT_TIFF } from '$PWD/drivers/sim/residence/index.ts';
writeFileSync('$W/face.jp2', SYNTHETIC_FACE_JP2);
writeFileSync('$W/front.tiff', SYNTHETIC_FRONT_TIFF);
EOF
npx tsx "$W/images.mts"
opj_decompress -quiet -i "$W/face.jp2" -o "$W/face.expected.pnm" > /dev/null
tifftopnm -quiet < "$W/front.tiff" > "$W/front.expected.pnm" 2> /dev/null
chmod 0644 "$W"/*

install -m 0755 systemd/idkiosk-decode.sh "$W/"
install -m 0644 systemd/idkiosk.sysusers.conf systemd/idkiosk-decode.socket "$W/"
sed 's|^ExecStart=.*|ExecStart=/check/idkiosk-decode.sh|' systemd/idkiosk-decode@.service > "$W/idkiosk-decode@.service"
# the probe: the same unit file with another ExecStart, on its own socket
sed 's|^ExecStart=.*|ExecStart=/check/probe.sh|' systemd/idkiosk-decode@.service > "$W/idkiosk-probe@.service"
sed 's|^ListenStream=.*|ListenStream=/run/idkiosk-probe.sock|' systemd/idkiosk-decode.socket > "$W/idkiosk-probe.socket"
cat > "$W/probe.sh" << 'EOF'
#!/bin/bash
cat > /dev/null
echo "uid=$(id -u)"
if cat /etc/idkiosk/device.key > /dev/null 2>&1; then echo key=READ; else echo key=denied; fi
if ls /var/lib/idkiosk > /dev/null 2>&1; then echo state=LISTED; else echo state=denied; fi
if (exec 3<> /dev/tcp/127.0.0.1/7777) 2> /dev/null; then echo tcp=CONNECTED; else echo tcp=refused; fi
echo "as=$(ulimit -v) core=$(ulimit -c)"
python3 -c 'bytearray(700 * 1024 * 1024); print("alloc700=OK")' 2>&1 | tail -1
EOF
sed 's|^ExecStart=.*|ExecStart=/bin/sleep 60|' systemd/idkiosk-decode@.service > "$W/idkiosk-hang@.service"
sed 's|^ListenStream=.*|ListenStream=/run/idkiosk-hang.sock|' systemd/idkiosk-decode.socket > "$W/idkiosk-hang.socket"
# idkiosk.service's [Service] sandbox, running a client instead of the daemon
cat > "$W/daemon-side.sh" << 'EOF'
#!/bin/sh
n=$({ printf 'jp2\n'; cat /check/face.jp2; } | socat -t 30 - UNIX-CONNECT:/run/idkiosk-decode.sock | wc -c)
echo "socket-bytes=$n"
if bwrap --unshare-user --unshare-net --ro-bind / / -- /usr/bin/true 2> /dev/null; then echo bwrap=works; else echo bwrap=refused; fi
EOF
{
  printf '[Unit]\nDescription=idkiosk.service sandbox, client only\n[Service]\nType=oneshot\nExecStart=/check/daemon-side.sh\n'
  sed -n '/^\[Service\]/,/^\[Install\]/p' systemd/idkiosk.service | grep -vE '^(\[|Type=|NotifyAccess=|WatchdogSec=|Restart|ExecStart=|WorkingDirectory=|DeviceAllow=|#)'
} > "$W/idkiosk-sandbox-client.service"
chmod 0755 "$W"/*.sh

SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --quiet --register=no --keep-unit --private-network -D / --volatile=yes \
  --bind-ro="$W:/check" --boot -- systemd.firstboot=off > "$W/console.log" 2>&1 &
NS=$!
# nspawn powers the container off on SIGTERM; one that does not stop within 30 s is killed
stop() {
  kill "$NS" 2> /dev/null || true
  for _ in $(seq 1 30); do kill -0 "$NS" 2> /dev/null || break; sleep 1; done
  kill -KILL "$NS" 2> /dev/null || true
  wait "$NS" 2> /dev/null || true
  rm -rf "$W"
}
trap stop EXIT
C=
for _ in $(seq 1 60); do C=$(ps -o pid= --ppid $NS | head -1 | tr -d ' '); [ -n "$C" ] && [ "$(cat /proc/$C/comm 2> /dev/null)" = systemd ] && break; sleep 1; done
[ -n "$C" ] || { echo "decoder-unit-check: the container did not boot (see $W/console.log)" >&2; cat "$W/console.log" >&2; exit 1; }
cx() { timeout 60 nsenter -t "$C" -a "$@"; }
as() { local u=$1; shift; cx setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }
for _ in $(seq 1 90); do case $(cx systemctl is-system-running 2> /dev/null) in running | degraded) break ;; esac; sleep 1; done

cx sh -c 'systemd-sysusers /check/idkiosk.sysusers.conf > /dev/null 2>&1
  mkdir -p /etc/idkiosk /var/lib/idkiosk && chmod 0755 /etc/idkiosk /var/lib/idkiosk
  echo device-key-stand-in > /etc/idkiosk/device.key && chmod 0644 /etc/idkiosk/device.key
  mkdir -p /etc/systemd/system && cp /check/*.socket /check/*.service /etc/systemd/system/ && systemctl daemon-reload
  systemctl start idkiosk-decode.socket idkiosk-probe.socket idkiosk-hang.socket'
send() { as idkiosk sh -c "{ printf '$1\n'; cat $2; } | socat -t 30 - UNIX-CONNECT:/run/idkiosk-decode.sock"; }

send jp2 /check/face.jp2 > "$W/face.pnm"
cmp -s "$W/face.pnm" "$W/face.expected.pnm" && ok "JPEG 2000 face decoded in the unit ($(wc -c < "$W/face.pnm") bytes, identical to a bare decode)" || bad "face: $(wc -c < "$W/face.pnm") bytes, not the bare decode"
send tiff /check/front.tiff > "$W/front.pnm"
cmp -s "$W/front.pnm" "$W/front.expected.pnm" && ok "MMR TIFF decoded in the unit ($(wc -c < "$W/front.pnm") bytes, identical to a bare decode)" || bad "TIFF: $(wc -c < "$W/front.pnm") bytes, not the bare decode"
n=$(send jp2 /check/probe.sh | wc -c)
[ "$n" = 0 ] && ok "garbage: no bytes back" || bad "garbage: $n bytes back"

cx sh -c '(socat TCP-LISTEN:7777,bind=127.0.0.1,fork,reuseaddr - > /dev/null 2>&1 &); sleep 1'
bare=$(echo | cx /check/probe.sh | tr '\n' ' ')
unit=$(echo | as idkiosk socat -t 30 - UNIX-CONNECT:/run/idkiosk-probe.sock | tr '\n' ' ')
echo "      bare probe:    $bare"
echo "      probe in unit: $unit"
case $bare in *key=READ*tcp=CONNECTED*) ;; *) bad "the probe is blind: bare it should read the key and connect" ;; esac
case $unit in
  *key=denied*state=denied*tcp=refused*"as=524288 core=0"*) ok "in the unit: device key and state unreachable, no TCP, 512 MiB address space, no core" ;;
  *) bad "in the unit: $unit" ;;
esac
case $unit in "uid=0 "* | "uid=$(cx id -u idkiosk) "*) bad "the decoder runs as root or idkiosk" ;; *) ok "a throw-away user (${unit%% *})" ;; esac
case $unit in *alloc700=OK*) bad "700 MiB allocated in the unit" ;; *) ok "a 700 MiB allocation fails in the unit" ;; esac
if as kiosk socat -t 5 - UNIX-CONNECT:/run/idkiosk-probe.sock < /dev/null > /dev/null 2>&1; then bad "another user (kiosk) connected"; else ok "another user (kiosk) cannot connect"; fi

t0=$(date +%s)
echo | as idkiosk socat -t 100 - UNIX-CONNECT:/run/idkiosk-hang.sock > /dev/null || true
dt=$(($(date +%s) - t0))
if cx journalctl -b -o cat --no-pager -u 'idkiosk-hang@*' | grep -q 'runtime time limit'; then ok "a hanging instance stopped at RuntimeMaxSec (connection closed after ${dt} s)"; else bad "a hanging instance was not stopped (${dt} s)"; fi

cx systemctl start idkiosk-sandbox-client.service || true
out=$(cx journalctl -b -o cat --no-pager -u idkiosk-sandbox-client.service | grep -E '^(socket-bytes|bwrap)=' | tr '\n' ' ')
case $out in
  *"socket-bytes=$(wc -c < "$W/face.expected.pnm")"*bwrap=refused*) ok "from idkiosk.service's sandbox: the socket decodes, bubblewrap is refused ($out)" ;;
  *) bad "from idkiosk.service's sandbox: $out" ;;
esac
exit $FAILED
