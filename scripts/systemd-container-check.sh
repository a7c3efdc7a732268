#!/usr/bin/env bash
# The installed package under a real systemd as PID 1: boots a root file system that has the idkiosk
# package installed (scripts/fresh-machine-check.sh --keep leaves one; pass it with --root) in
# systemd-nspawn, and checks: idkiosk.service reaches READY (active, Type=notify) with its watchdog; the
# screen token is not in the journal; a hung daemon (SIGSTOP) is restarted by the watchdog; the CRL timer is
# scheduled; the exposure scores of the running units. Needs root, systemd-container, cgroup2 support.
#   scripts/systemd-container-check.sh --root DIR [--deb FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
R= DEB=
while [ $# -gt 0 ]; do
  case $1 in --root) R=$2; shift 2 ;; --deb) DEB=$2; shift 2 ;; *) echo "unknown option $1" >&2; exit 2 ;; esac
done
[ -d "$R/etc" ] || { echo "systemd-container-check: --root DIR (a root file system with systemd)" >&2; exit 2; }
VERSION=$(node -p "require('./package.json').version")
DEB=${DEB:-dist/idkiosk_${VERSION}_$(dpkg --print-architecture).deb}
t0=$(date +%s)
ok() { printf 'PASS  %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; FAILED=1; }
FAILED=0

# the package and a provisioned kiosk (idempotent)
cp "$DEB" "$R/var/tmp/idkiosk.deb"
chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /var/tmp/idkiosk.deb > /dev/null
chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin idkiosk provision init --kiosk-id nspawn-01 > /dev/null
# a CRL source for the timer's sync: a throwaway CA and its empty CRL made with openssl (a local directory
# source, outside /tmp and /var/tmp, which the sync unit's PrivateTmp= hides)
crl=$R/srv/idkiosk-crl-test && rm -rf "$crl" && mkdir -p "$crl" && (
  cd "$crl"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj "/CN=idkiosk container-check CA" -days 30 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  touch index.txt && echo 01 > crlnumber
  printf '[ca]\ndefault_ca = t\n[t]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 7\n' > ca.cnf
  openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.pem -out crl.pem 2>/dev/null
  openssl crl -in crl.pem -outform DER -out test.crl && rm -f ca.key crl.pem index.txt* crlnumber* ca.cnf
)
rm -f "$R/etc/idkiosk/crl-sync.json"
chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin idkiosk provision crl --source /srv/idkiosk-crl-test/test.crl --issuer /srv/idkiosk-crl-test/ca.pem --no-sync > /dev/null

# systemd ≥ 256 (Debian 13) boots only on the unified cgroup hierarchy: nspawn mounts one for it
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --quiet --register=no --keep-unit -D "$R" --boot > dist/nspawn-console.log 2>&1 &
NS=$!
trap 'kill $NS 2>/dev/null || true; wait $NS 2>/dev/null || true' EXIT
C=
for _ in $(seq 1 60); do C=$(ps -o pid= --ppid $NS | head -1 | tr -d ' '); [ -n "$C" ] && [ "$(cat /proc/$C/comm 2>/dev/null)" = systemd ] && break; sleep 1; done
cx() { nsenter -t "$C" -a "$@"; }
for _ in $(seq 1 120); do [ "$(cx systemctl is-active idkiosk.service 2>/dev/null)" = active ] && break; sleep 1; done
boot=$(( $(date +%s) - t0 ))

state=$(cx systemctl is-active idkiosk.service || true)
[ "$state" = active ] && ok "idkiosk.service active after ${boot} s (Type=notify: READY=1 received)" || bad "idkiosk.service is $state"
wd=$(cx systemctl show -p WatchdogUSec --value idkiosk.service)
[ "$wd" = 30s ] && ok "watchdog $wd" || bad "WatchdogUSec=$wd"
token=$(cx cat /run/idkiosk/ui-token)
if cx journalctl -b -o cat --no-pager | grep -qF "$token"; then bad "the screen token is in the journal"; else ok "the screen token is not in the journal ($(cx journalctl -b -u idkiosk -o cat --no-pager | grep -c .) daemon lines)"; fi
cx stat -c '%U:%G %a %n' /etc/idkiosk /etc/idkiosk/config.json /etc/idkiosk/device.key /var/lib/idkiosk /run/idkiosk

# a hung daemon: stopped with SIGSTOP it sends no WATCHDOG=1; systemd must kill and restart it
pid=$(cx systemctl show -p MainPID --value idkiosk.service)
cx kill -STOP "$pid"
t_hang=$(date +%s)
for _ in $(seq 1 90); do
  now=$(cx systemctl show -p MainPID --value idkiosk.service)
  [ "$now" != "$pid" ] && [ "$now" != 0 ] && [ "$(cx systemctl is-active idkiosk.service)" = active ] && break
  sleep 1
done
restarts=$(cx systemctl show -p NRestarts --value idkiosk.service)
if [ "$now" != "$pid" ] && [ "${restarts:-0}" -ge 1 ]; then ok "hung daemon restarted by the watchdog after $(( $(date +%s) - t_hang )) s (NRestarts=$restarts)"; else bad "hung daemon not restarted (MainPID $now, NRestarts $restarts)"; fi
cx journalctl -b -u idkiosk.service -o cat --no-pager | grep -m2 -i watchdog || true

next=$(cx systemctl show -p NextElapseUSecRealtime --value idkiosk-crl-sync.timer)
[ "$(cx systemctl is-active idkiosk-crl-sync.timer)" = active ] && ok "CRL timer active, next run ${next:-?}" || bad "CRL timer not active"
# what the timer starts, started now: a sync as idkiosk under the unit's sandbox imports the CRL
cx systemctl start idkiosk-crl-sync.service || true
res=$(cx systemctl show -p Result --value idkiosk-crl-sync.service)
[ "$res" = success ] && ok "CRL sync service: $res ($(cx journalctl -b -u idkiosk-crl-sync.service -o cat --no-pager | grep -vE '^(Starting|Finished|Deactivated|idkiosk-crl-sync)' | tail -1))" \
  || { bad "CRL sync service: $res"; cx journalctl -b -u idkiosk-crl-sync.service -o cat --no-pager | tail -5; }
# the sync unit names the same state directory: its StateDirectoryMode must not have changed it
[ "$(cx stat -c %a /var/lib/idkiosk)" = 750 ] && ok "/var/lib/idkiosk still 0750 after the sync unit ran" || bad "/var/lib/idkiosk $(cx stat -c %a /var/lib/idkiosk) after the sync unit ran"
printf 'INFO  idkiosk-browser.service: %s (%s)\n' "$(cx systemctl is-active idkiosk-browser.service || true)" "$(cx systemctl show -p ConditionResult --value idkiosk-browser.service)"
for u in idkiosk.service idkiosk-browser.service idkiosk-crl-sync.service; do
  printf 'INFO  %s\n' "$(cx systemd-analyze security "$u" 2>/dev/null | tail -1)"
done
cx systemctl poweroff || true
[ $FAILED = 0 ] && echo "systemd container check PASSED ($(( $(date +%s) - t0 )) s)" || { echo "systemd container check FAILED"; exit 1; }
