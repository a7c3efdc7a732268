#!/bin/bash
# Runs inside the fresh root file system (scripts/fresh-machine-check.sh), after `apt-get install` of the
# idkiosk package and nothing else from the repository, in private PID and network namespaces (loopback
# only). Provisions like a technician, starts the daemon as the unit does (as the idkiosk user,
# NODE_ENV=production, simulated hardware), checks /healthz, reads a virtual My Number card through the
# real pcscd (vpcd), and takes a screenshot of the idle screen with the tofu check.
set -euo pipefail
step() { printf '\n--- %s\n' "$*"; }
fail() { echo "FRESH-MACHINE CHECK FAILED: $*" >&2; exit 1; }
export NODE_ENV=production
OUT=/fresh-out
mkdir -p "$OUT"
# Another architecture run through qemu-user-static (the arm64 check on an amd64 machine): this shell's
# executable, as the kernel sees it from another process (qemu answers only a process's own /proc/self/exe
# with the emulated program), is the qemu interpreter binfmt_misc started.
EMULATED=0
case $(readlink /proc/$$/exe) in *qemu*) EMULATED=1 ;; esac

step "the package as installed"
[ "$(readlink -f /usr/bin/idkiosk)" = /usr/lib/idkiosk/bin/idkiosk.js ] || fail "/usr/bin/idkiosk does not point at the package"
[ ! -e /usr/lib/idkiosk/node_modules/tsx ] || fail "tsx is in the package"
[ ! -e /usr/lib/idkiosk/daemon ] || fail "TypeScript sources are in the package"
id idkiosk && id kiosk
[ "$(stat -c '%U:%G %a' /etc/idkiosk)" = "root:idkiosk 750" ] || fail "/etc/idkiosk is $(stat -c '%U:%G %a' /etc/idkiosk)"
idkiosk --help | head -1

step "the native addons load on this machine ($(uname -m))"
# each of them, as the daemon loads it: built for the target (cross-compiled for arm64) and linked only
# against what the package's Depends: pulled in
cd /usr/lib/idkiosk
node -e '
  const Database = require("better-sqlite3");
  console.log("better-sqlite3: SQLite", new Database(":memory:").prepare("select sqlite_version() v").get().v);
  console.log("pcsclite:", typeof require("pcsclite"));
  console.log("epoll:", typeof require("epoll").Epoll);
  const b = require("@serialport/bindings-cpp").autoDetect();
  console.log("@serialport/bindings-cpp:", typeof b.list);' || fail "a native addon does not load"
# sd_notify (unix-dgram, compiled for this architecture by package.sh): without it idkiosk.service
# (Type=notify) never becomes ready. Not only loaded: one datagram sent and received through it, as the
# daemon sends READY=1 to systemd's socket.
node -e '
  const unix = require("unix-dgram");
  const path = require("os").tmpdir() + "/idkiosk-smoke-notify." + process.pid;
  try { require("fs").rmSync(path, { force: true }); } catch {}
  const t = setTimeout(() => { console.error("no datagram arrived"); process.exit(1); }, 5000);
  const rx = unix.createSocket("unix_dgram", (buf) => {
    if (buf.toString() !== "READY=1") { console.error("got " + buf); process.exit(1); }
    console.log("unix-dgram (sd_notify): READY=1 sent and received");
    clearTimeout(t); rx.close(); require("fs").rmSync(path, { force: true });
  });
  rx.bind(path);
  const tx = unix.createSocket("unix_dgram");
  tx.send(Buffer.from("READY=1"), 0, 7, path, (e) => { if (e) { console.error(e.message); process.exit(1); } tx.close(); });' 2> "$OUT/sdnotify.err" \
  || fail "unix-dgram (sd_notify) does not work: idkiosk.service (Type=notify) would never start. $(head -1 "$OUT/sdnotify.err")"
cd /

step "provision as root"
idkiosk provision init --kiosk-id fresh-01 --site lab
for f in config.json:root:idkiosk:640 device.key:idkiosk:idkiosk:600; do
  IFS=: read -r name want_u want_g want_m <<<"$f"
  got=$(stat -c '%U:%G:%a' "/etc/idkiosk/$name")
  [ "$got" = "$want_u:$want_g:$want_m" ] || fail "/etc/idkiosk/$name is $got, want $want_u:$want_g:$want_m"
done

step "the daemon as idkiosk.service runs it (user idkiosk, NODE_ENV=production, simulated hardware)"
# what RuntimeDirectory=/StateDirectory= would make
install -d -o idkiosk -g idkiosk -m 0750 /run/idkiosk /var/lib/idkiosk
cd /usr/lib/idkiosk
setpriv --reuid=idkiosk --regid=idkiosk --init-groups env -i PATH=/usr/bin:/bin NODE_ENV=production HOME=/var/lib/idkiosk \
  node /usr/lib/idkiosk/bin/idkiosk.js daemon --config /etc/idkiosk/config.json --simulated > "$OUT/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 120); do
  # the address the daemon logs (the default health port unless the config names one)
  health=$(sed -n 's|.*health: \(http://[^ ]*/healthz\).*|\1|p' "$OUT/daemon.log" | head -1)
  if [ -n "$health" ] && node -e "fetch('$health').then(r=>r.text()).then(t=>{console.log(t);process.exit(0)},()=>process.exit(1))" > "$OUT/healthz.json" 2>/dev/null; then break; fi
  kill -0 $daemon 2>/dev/null || { cat "$OUT/daemon.log"; fail "the daemon exited"; }
  sleep 1
done
[ -s "$OUT/healthz.json" ] || { cat "$OUT/daemon.log"; fail "no /healthz answer"; }
head -c 400 "$OUT/healthz.json"; echo
grep -q '"version":"' "$OUT/healthz.json" || fail "/healthz has no version"
token_file=/run/idkiosk/ui-token
[ "$(stat -c '%U %a' $token_file)" = "idkiosk 600" ] || fail "ui-token is $(stat -c '%U %a' $token_file)"
if grep -qF "$(cat $token_file)" "$OUT/daemon.log"; then fail "the screen token is in the daemon's log"; fi
grep 'kiosk screen:' "$OUT/daemon.log"

# Chromium under qemu-user is not checked (the amd64 check covers the screen, fonts and tofu alike)
if [ "${FRESH_SKIP_SCREEN:-$EMULATED}" = 1 ]; then
  step "idle screen: NOT CHECKED here ($(uname -m) emulated by qemu-user; the amd64 check covers it)"
else
step "idle screen: screenshot and tofu check (Chromium from the package's dependencies, as user kiosk)"
port=$(sed -n 's|.*kiosk screen: http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$OUT/daemon.log" | head -1)
shot=/var/tmp/idkiosk-shot && rm -rf $shot && install -d -o kiosk -g kiosk -m 0700 $shot
# the token handed over in a launcher page as the browser unit does, not on the command line
printf '<!doctype html><meta http-equiv="refresh" content="0;url=http://127.0.0.1:%s/?token=%s">\n' "$port" "$(cat $token_file)" > $shot/launch.html
chown kiosk:kiosk $shot/launch.html && chmod 0600 $shot/launch.html
chrome() { setpriv --reuid=kiosk --regid=kiosk --init-groups env -i PATH=/usr/bin:/bin HOME=$shot LANG=C.UTF-8 \
  chromium --headless=new --no-sandbox --disable-gpu --user-data-dir=$shot/profile --window-size=1280,800 \
  --virtual-time-budget=8000 "$@" "file://$shot/launch.html" 2>>"$OUT/chromium.log"; }
# The page's WebSocket to the daemon is real I/O that --virtual-time-budget does not wait for: on a busy
# machine a dump can come back empty or before the idle screen arrived. Such a dump is taken again (at most
# 5 times); a missing glyph fails at once, it would not change.
for try in 1 2 3 4 5; do
  chrome --dump-dom > "$OUT/idle.html" || true
  rc=0; node /fresh-tools/tofu.mjs "$OUT/idle.html" || rc=$?
  [ $rc = 2 ] || break
  echo "  (dump $try was not the idle screen yet)"
done
[ $rc = 0 ] || fail "tofu on the idle screen"
chrome --screenshot=$shot/idle.png >/dev/null
cp $shot/idle.png "$OUT/idle.png"
[ -s "$OUT/idle.png" ] || fail "no screenshot"
fi

step "JPKI read: a virtual My Number card in the real pcscd (vpcd), read with the package's CLI"
# No D-Bus system bus or polkitd runs in this root file system, and pcscd asks polkit about every client
# (the package's polkit rule, 60-idkiosk-pcscd.rules, lets idkiosk and root in on a real kiosk): without
# polkit pcscd would refuse everyone, so it runs here with polkit off.
[ -f /usr/share/polkit-1/rules.d/60-idkiosk-pcscd.rules ] || fail "the package's polkit rule for pcscd is missing"
pcscd --foreground $(pcscd --help 2>&1 | grep -q -- --disable-polkit && echo --disable-polkit) > "$OUT/pcscd.log" 2>&1 &
for _ in $(seq 1 30); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.5; done
pki=/var/tmp/idkiosk-pki && rm -rf $pki
idkiosk sim pki --out $pki >/dev/null
idkiosk sim mynumber --profile $pki/mynumber-profile.json > "$OUT/card.log" 2>&1 &
card=$!
# poll until the virtual card is in vpcd (under qemu this takes a while), with a deadline
for _ in $(seq 1 240); do
  grep -q 'card inserted' "$OUT/card.log" && break
  kill -0 $card 2>/dev/null || { cat "$OUT/card.log"; fail "the virtual card exited"; }
  sleep 0.5
done
grep -q 'card inserted' "$OUT/card.log" || { cat "$OUT/card.log"; fail "the virtual card did not reach vpcd in 120 s"; }
set +e
echo 1234 | idkiosk read jpki-auth --trust $pki/jpki-auth-ca.pem --pin-stdin --json > "$OUT/read.json" 2> "$OUT/read.err"
rc=$?
set -e
cat "$OUT/read.json"; cat "$OUT/read.err" >&2
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // The chip answered through pcscd: its certificate chains to the trusted CA and it signed the
  // challenge after the PIN. Revocation is unknown (no CRL: the synthetic PKI the CLI writes keeps its CA
  // key), so the verdict is refused, fail-closed, for exactly that reason and no other.
  const want = { chain: "valid", challengeSignature: "valid", holderBinding: "pin", revocation: "unknown", verdict: "refused" };
  const bad = Object.entries(want).filter(([k, v]) => r[k] !== v);
  const reasons = (r.reasons || []).map((x) => x.code);
  if (bad.length || reasons.join() !== "TRUST_REVOCATION_UNKNOWN") { console.error("unexpected:", JSON.stringify(bad), reasons); process.exit(1); }
  console.log(`JPKI read through pcscd: chain ${r.chain}, challenge signature ${r.challengeSignature}, holder binding ${r.holderBinding}; verdict ${r.verdict} (revocation unknown: no CRL configured)`);
' "$OUT/read.json" || fail "JPKI read through pcscd (exit $rc)"

kill $daemon 2>/dev/null || true
echo; echo "FRESH-MACHINE CHECK PASSED"
