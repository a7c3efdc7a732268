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
# The token is base64url (checked above): nothing in it needs escaping in a URL or in HTML.
printf '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>idkiosk</title><meta http-equiv="refresh" content="0;url=%s?token=%s">\n' "$url" "$token" > "$page.tmp"
mv -f "$page.tmp" "$page"
token=

chromium=$(command -v chromium || command -v chromium-browser)
# A fresh profile each start (tmpfs): nothing a previous customer did survives a restart.
exec cage -d -s -- "$chromium" \
  --kiosk --no-first-run --noerrdialogs --disable-translate --disable-features=Translate \
  --disable-pinch --overscroll-history-navigation=0 --password-store=basic --incognito \
  --check-for-update-interval=31536000 --ozone-platform=wayland \
  --user-data-dir="$dir/profile" \
  "file://$page"
