#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, type-checks, then runs every test
# (unit, integration through a private pcscd + vpcd, socat PTYs, headless Chromium) inside a private
# network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "==> type-checking"
npx tsc --noEmit -p tsconfig.json  # daemon, drivers, tests, scripts/*.ts …
npx tsc -p tsconfig.ui.json        # the kiosk screen (ui/, JavaScript + JSDoc)
npx tsc -p tsconfig.scripts.json   # bin/*.js, scripts/**/*.mjs
echo "==> lint (Biome, zero warnings)"
npx biome check --error-on-warnings
echo "==> running tests"
bash scripts/in-testnet.sh npx vitest run "$@"
# The Debian package and the fresh-machine check (docs/packaging.md): the package alone, installed with apt
# on a clean Debian root file system, must provision, start, answer /healthz, read a virtual card through
# pcscd and draw the idle screen without tofu. Downloads are cached in dist/ between runs; with them the
# check adds ~2.5 minutes on this 2-core machine at moderate load (6 when it is busy), the first run ~10. IDKIOSK_FRESH_CHECK=0 (or a test filter) skips it.
if [ $# -eq 0 ] && [ "${IDKIOSK_FRESH_CHECK:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v mmdebstrap >/dev/null; then
  echo "==> Debian package + fresh-machine check ($(dpkg --print-architecture))"
  bash scripts/package.sh --arch "$(dpkg --print-architecture)"
  bash scripts/fresh-machine-check.sh
fi
