#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, type-checks, then runs every test
# (unit, integration through a private pcscd + vpcd, socat PTYs, headless Chromium) inside a private
# network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "==> type-checking"
npx tsc --noEmit -p tsconfig.json
echo "==> running tests"
bash scripts/in-testnet.sh npx vitest run "$@"
