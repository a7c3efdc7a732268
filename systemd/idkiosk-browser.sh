#!/bin/sh
# Started by idkiosk-browser.service: waits for the daemon's per-boot screen token, then runs Chromium in
# kiosk mode under cage (a single-application Wayland compositor).
#
# The token never appears in a process's command line (readable by every local user through ps or
# /proc/PID/cmdline) nor in a log line. It arrives as this service's credential (LoadCredential=ui-token,
# a root-owned copy only this service sees), and reaches Chromium through a launcher page written into
# the service's private runtime directory (mode 0700, owned by the kiosk user): Chromium is started with
# file://…/launch.html on its command line, and that page redirects to the tokenised screen URL.
# Only shell built-ins (read, printf, case) touch the token, so no helper process carries it either.
set -eu
url=${IDKIOSK_UI_URL:-http://127.0.0.1:8080/}
cred=${CREDENTIALS_DIRECTORY:-}/ui-token
dir=${RUNTIME_DIRECTORY:-}
[ -n "$dir" ] && [ -d "$dir" ] || { echo "idkiosk-browser: no runtime directory (RuntimeDirectory= in the unit)" >&2; exit 1; }
case $url in http://127.0.0.1:*/|http://localhost:*/|'http://[::1]:'*/) ;; *) echo "idkiosk-browser: IDKIOSK_UI_URL must be a loopback http://HOST:PORT/ URL" >&2; exit 1 ;; esac
i=0
while [ ! -s "$cred" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
[ -s "$cred" ] || { echo "idkiosk-browser: no ui-token credential (is idkiosk.service running?)" >&2; exit 1; }
token=
IFS= read -r token < "$cred" || true
case $token in *[!A-Za-z0-9_-]*|'') echo "idkiosk-browser: malformed ui-token" >&2; exit 1 ;; esac

umask 077
page=$dir/launch.html
# The token is base64url (checked above): nothing in it needs escaping in a URL, in HTML or in a JS string.
# The page goes to the screen only once the screen server answers (any HTTP answer to a tokenless probe):
# navigating while the daemon restarts (watchdog, upgrade) would leave Chromium's "refused to connect" page
# on the kiosk for good, as it does not retry. Once the screen is loaded, it reconnects by itself.
printf '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>idkiosk</title><body style="background:#000"><script>
const base = "%s";
const go = () => location.replace(base + "?token=%s");
const probe = () => fetch(base, { mode: "no-cors", cache: "no-store" }).then(go, () => setTimeout(probe, 1000));
probe();
</script>\n' "$url" "$token" > "$page.tmp"
mv -f "$page.tmp" "$page"
token=

# The browser binary itself, not Debian's /usr/bin/chromium launcher script: the launcher reads
# /proc/cpuinfo, which the unit hides (ProcSubset=pid).
chromium=/usr/lib/chromium/chromium
[ -x "$chromium" ] || chromium=$(command -v chromium || command -v chromium-browser)
# cage makes its Wayland socket in XDG_RUNTIME_DIR; the login session's /run/user/UID is hidden by the
# unit's ProtectHome=yes, so the service's own private runtime directory serves instead.
export XDG_RUNTIME_DIR="$dir"
# IDKIOSK_BROWSER_FLAGS: extra Chromium flags from a drop-in (the container check's DevTools port); empty
# on a kiosk. Split on spaces on purpose.
# A fresh profile each start (tmpfs): nothing a previous customer did survives a restart.
# --autoplay-policy: the voice prompts (ui/voice.js) play on each screen change, and the alert chimes
# sound, before any touch (a holder who uses only the keypad, or walked away leaving the card, never touched it).
# shellcheck disable=SC2086
exec cage -d -s -- "$chromium" ${IDKIOSK_BROWSER_FLAGS:-} \
  --kiosk --no-first-run --noerrdialogs --disable-translate --disable-features=Translate \
  --disable-pinch --overscroll-history-navigation=0 --password-store=basic --incognito \
  --check-for-update-interval=31536000 --ozone-platform=wayland \
  --autoplay-policy=no-user-gesture-required \
  --user-data-dir="$dir/profile" \
  "file://$page"
