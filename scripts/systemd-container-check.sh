#!/usr/bin/env bash
# The installed package under a real systemd as PID 1: boots a root file system that has the idkiosk
# package installed (scripts/fresh-machine-check.sh --keep leaves one; pass it with --root) in
# systemd-nspawn, and checks: idkiosk.service reaches READY (active, Type=notify) with its watchdog; the
# screen token is not in the journal; a hung daemon (SIGSTOP) is restarted by the watchdog; the CRL timer is
# scheduled and its service syncs; the browser unit starts cage and Chromium in it shows the kiosk screen
# connected to the daemon (headless wlroots, screenshot in dist/nspawn-out/); the token on no command line;
# the exposure scores of the running units. Needs root, systemd-container, cgroup2 support.
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
DEVTOOLS_PORT=9222
ok() { printf 'PASS  %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; FAILED=1; }
FAILED=0

# the package and a provisioned kiosk (idempotent)
cp "$DEB" "$R/var/tmp/idkiosk.deb"
chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /var/tmp/idkiosk.deb > /dev/null
# (a root the fresh-machine check kept is provisioned already, under its own kiosk id)
[ -f "$R/etc/idkiosk/config.json" ] \
  || chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin idkiosk provision init --kiosk-id nspawn-01 > /dev/null
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

# The browser unit in a container. The shipped unit runs cage on tty7 in a logind session (PAMName=login,
# TTYPath=/dev/tty7: the way cage documents for starting at boot), where cage takes the DRM device and the
# input devices from logind. A container has no virtual terminal, no DRM and no input devices, so this
# drop-in — made for this check only, never in the package — drops the tty7 condition and TTY settings and
# runs cage on wlroots' headless backend with the pixman software renderer. Everything else (user kiosk,
# PAM session, credential, sandboxing) is the shipped unit's.
d=$R/etc/systemd/system/idkiosk-browser.service.d && install -d "$d"
cat > "$d/container-check.conf" <<'UNIT'
[Unit]
ConditionPathExists=
[Service]
TTYPath=
StandardInput=null
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
UtmpIdentifier=
Environment=WLR_BACKENDS=headless WLR_HEADLESS_OUTPUTS=1 WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman
Environment=IDKIOSK_BROWSER_FLAGS=--remote-debugging-port=DEVTOOLS_PORT
UNIT
# Chromium's DevTools on loopback, for looking at the screen from outside: the drop-in above hands the
# flag to idkiosk-browser.sh (IDKIOSK_BROWSER_FLAGS, empty on a kiosk)
sed -i "s/DEVTOOLS_PORT/$DEVTOOLS_PORT/" "$d/container-check.conf"
install -d "$R/fresh-tools" && cp scripts/fresh-machine/screen-devtools.mjs "$R/fresh-tools/"

# systemd ≥ 256 (Debian 13) boots only on the unified cgroup hierarchy: nspawn mounts one for it.
# --private-network: loopback only, so the daemon's and DevTools' ports never meet another process's.
SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 systemd-nspawn --quiet --register=no --keep-unit --private-network -D "$R" --boot > dist/nspawn-console.log 2>&1 &
NS=$!
C=
# at exit, also on an error: an orderly poweroff (nspawn passes SIGTERM on as SIGRTMIN+3), and if the
# container is not gone within a minute, its PID 1 killed (which ends every process in it)
stop_container() {
  kill $NS 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 $NS 2>/dev/null || break; sleep 1; done
  if kill -0 $NS 2>/dev/null && [ -n "$C" ]; then kill -9 "$C" 2>/dev/null || true; fi
  wait $NS 2>/dev/null || true
}
trap 'echo "systemd container check: stopped by a failing command at line $LINENO" >&2' ERR
trap stop_container EXIT
# ps finds no child (exit 1) until nspawn has forked the container's PID 1
for _ in $(seq 1 60); do C=$(ps -o pid= --ppid $NS | head -1 | tr -d ' ' || true); [ -n "$C" ] && [ "$(cat /proc/$C/comm 2>/dev/null)" = systemd ] && break; sleep 1; done
[ "$(cat /proc/$C/comm 2>/dev/null)" = systemd ] || { echo "systemd container check: the container did not boot (dist/nspawn-console.log)" >&2; exit 1; }
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
# the first run after boot (OnBootSec=) has only a monotonic time
[ -n "$next" ] || next="at $(cx systemctl show -p NextElapseUSecMonotonic --value idkiosk-crl-sync.timer) on the monotonic clock"
[ "$(cx systemctl is-active idkiosk-crl-sync.timer)" = active ] && ok "CRL timer active, next run ${next:-?}" || bad "CRL timer not active"
# what the timer starts, started now: a sync as idkiosk under the unit's sandbox imports the CRL
cx systemctl start idkiosk-crl-sync.service || true
res=$(cx systemctl show -p Result --value idkiosk-crl-sync.service)
[ "$res" = success ] && ok "CRL sync service: $res ($(cx journalctl -b -u idkiosk-crl-sync.service -o cat --no-pager | grep -vE '^(Starting|Finished|Deactivated|idkiosk-crl-sync)' | tail -1))" \
  || { bad "CRL sync service: $res"; cx journalctl -b -u idkiosk-crl-sync.service -o cat --no-pager | tail -5; }
# the sync unit names the same state directory: its StateDirectoryMode must not have changed it
[ "$(cx stat -c %a /var/lib/idkiosk)" = 750 ] && ok "/var/lib/idkiosk still 0750 after the sync unit ran" || bad "/var/lib/idkiosk $(cx stat -c %a /var/lib/idkiosk) after the sync unit ran"
# the kiosk screen: cage + Chromium started by the browser unit, the screen loaded and connected
for _ in $(seq 1 90); do [ "$(cx systemctl is-active idkiosk-browser.service 2>/dev/null)" = active ] && break; sleep 1; done
# why the screen did not come up: cage's and Chromium's own messages, taken as the kiosk user's lines (the
# PAM session moves them out of the unit's journal stream) without its user manager's; Chromium's pid/time
# prefix cut, so that repeats count as one
browser_log() {
  { cx journalctl -b -o short --no-pager _UID="$(cx id -u kiosk)" | grep -vE '^[^ ]+ [^ ]+ [^ ]+ [^ ]+ (systemd|\(sd-pam\))\[' \
    | sed -e 's/^[^ ]* [^ ]* [^ ]* [^ ]* //' -e 's/^\([^ []*\)\[[0-9]*\]:/\1:/' -e 's/\[[0-9]*:[0-9]*:[0-9]*\/[0-9.]*:/[/' \
    | sort | uniq -c | sort -rn | head -12 | cut -c1-240; } || true
}
bstate=$(cx systemctl is-active idkiosk-browser.service || true)
cage_pid=$(cx pgrep -u kiosk -x cage | head -1 || true)
# cage alone proves little: it stays up even when it could not open its Wayland socket and never ran the
# browser. Chromium must be running as cage's child (through Debian's /usr/bin/chromium launcher).
browser_up() { [ -n "$cage_pid" ] && cx pgrep -u kiosk -f '^/usr/lib/chromium/chromium ' > /dev/null; }
for _ in $(seq 1 60); do browser_up && break; sleep 1; cage_pid=$(cx pgrep -u kiosk -x cage | head -1 || true); done
if [ "$bstate" = active ] && browser_up; then
  ok "idkiosk-browser.service active: cage (headless wlroots) and Chromium running as $(cx ps -o user= -p "$cage_pid")"
else
  bad "idkiosk-browser.service is $bstate, cage $([ -n "$cage_pid" ] && echo running || echo 'not running'), Chromium not running ($(cx systemctl show -p NRestarts --value idkiosk-browser.service) restarts of the unit); the kiosk user's messages:"
  browser_log
fi
mkdir -p dist/nspawn-out
if cx /usr/bin/env -i PATH=/usr/bin:/bin node /fresh-tools/screen-devtools.mjs "$DEVTOOLS_PORT" 8080 /var/tmp/browser.png 150 > dist/nspawn-out/browser.txt 2>&1; then
  ok "$(cat dist/nspawn-out/browser.txt)"; cp "$R/var/tmp/browser.png" dist/nspawn-out/browser.png
else
  bad "kiosk screen: $(cat dist/nspawn-out/browser.txt)"
fi
# the token reached Chromium through the credential and the launcher page, not through any command line
token=$(cx cat /run/idkiosk/ui-token)
if cx sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " < "$f" 2>/dev/null; echo; done' | grep -qF "$token"; then
  bad "the screen token is on a process's command line"
else
  ok "the screen token is on no command line ($(cx sh -c 'ls -d /proc/[0-9]* | wc -l') processes, $(cx pgrep -c -u kiosk) of them the kiosk user's)"
fi
if cx journalctl -b -o cat --no-pager | grep -qF "$token"; then bad "the screen token is in the journal"; fi
for u in idkiosk.service idkiosk-browser.service idkiosk-crl-sync.service; do
  printf 'INFO  %s\n' "$(cx systemd-analyze security "$u" 2>/dev/null | tail -1)"
done
cx systemctl poweroff || true
rm -rf "$R/etc/systemd/system/idkiosk-browser.service.d/container-check.conf"
[ $FAILED = 0 ] && echo "systemd container check PASSED ($(( $(date +%s) - t0 )) s)" || { echo "systemd container check FAILED"; exit 1; }
