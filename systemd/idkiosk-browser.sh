#!/bin/sh
# Started by idkiosk-browser.service: waits for the kiosk screen, then runs Chromium in kiosk mode under
# cage. The token comes from the service's credential (LoadCredential=ui-token), never from argv of the
# unit or a world-readable file.
set -eu
url=${IDKIOSK_UI_URL:-http://127.0.0.1:8080/}
cred=${CREDENTIALS_DIRECTORY:-}/ui-token
i=0
while [ ! -s "$cred" ] && [ $i -lt 60 ]; do sleep 1; i=$((i + 1)); done
[ -s "$cred" ] || { echo "idkiosk-browser: no ui-token credential (is idkiosk.service running?)" >&2; exit 1; }
token=$(tr -d '\n' < "$cred")
case $token in *[!A-Za-z0-9_-]*|'') echo "idkiosk-browser: malformed ui-token" >&2; exit 1 ;; esac
chromium=$(command -v chromium || command -v chromium-browser)
exec cage -d -s -- "$chromium" \
  --kiosk --no-first-run --noerrdialogs --disable-translate --disable-features=Translate \
  --disable-pinch --overscroll-history-navigation=0 --password-store=basic --incognito \
  --check-for-update-interval=31536000 --ozone-platform=wayland \
  "${url}?token=${token}"
