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
# The demo panel switches the My Number mode and the policy at run time; these choose the start setting
# without writing a config file (README "Quick start"):
#   DEMO_MODE=auth|info|sign|face   which My Number check the kiosk runs (利用者証明, 4 情報, 署名用, 券面AP)
#   DEMO_POLICY=<policy>            the walk-up policy, e.g. age-20, age-18, jpki-sign, mynumber-4info
extra=()
if [ -n "${DEMO_MODE:-}${DEMO_POLICY:-}" ]; then
  case "${DEMO_MODE:-auth}" in auth|info|sign|face) ;; *) echo "DEMO_MODE must be auth, info, sign or face" >&2; exit 2 ;; esac
  case "${DEMO_POLICY:-x}" in *[!a-z0-9-]*) echo "DEMO_POLICY must be a policy name (lower-case letters, digits, -)" >&2; exit 2 ;; esac
  cfg="$(mktemp -t idkiosk-demo-XXXXXX.json)"
  trap 'rm -f "$cfg"' EXIT
  mode="${DEMO_MODE:-auth}"
  docs='"mynumber", "license", "residence", "passport"'
  policy=null
  [ -n "${DEMO_POLICY:-}" ] && policy="\"$DEMO_POLICY\""
  printf '{ "documents": [%s], "mynumber": { "mode": "%s" }, "walkUpPolicy": %s }\n' "$docs" "$mode" "$policy" > "$cfg"
  echo "==> demo configuration: My Number mode $mode, walk-up policy ${DEMO_POLICY:-none} ($cfg)"
  extra=(--config "$cfg")
fi
node bin/idkiosk.js daemon --demo --port "$PORT" "${extra[@]}" "$@"
