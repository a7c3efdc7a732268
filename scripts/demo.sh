#!/usr/bin/env bash
# The kiosk demo: installs what it needs, then runs the daemon with simulated hardware and the kiosk
# screen on http://127.0.0.1:${PORT:-8080}. Open that address in a browser, place a virtual card from the
# demo panel at the bottom of the screen and enter the PIN 1234 on the on-screen keypad.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --runtime
# the spoken prompts (docs/voice.md), when the synthesisers are installed (scripts/install-deps.sh without
# --runtime installs them); without them the demo is silent
node_modules/.bin/tsx scripts/build-voice.ts --optional
PORT="${PORT:-8080}"
echo "==> starting the kiosk demo on http://127.0.0.1:${PORT}/  (Ctrl-C to stop)"
exec node bin/idkiosk.js daemon --demo --port "$PORT" "$@"
