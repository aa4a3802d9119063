#!/usr/bin/env bash
# Installs what the tests need: Verdaccio (from the npm registry) into tests/verdaccio.
# Fails loudly: a test that needs a missing tool must never be skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x tests/verdaccio/node_modules/.bin/verdaccio ]; then
  # Isolated from this machine's ~/.npmrc (omit-lockfile-registry-resolved etc.)
  npm install --prefix tests/verdaccio --no-audit --no-fund --userconfig /dev/null
fi
tests/verdaccio/node_modules/.bin/verdaccio --version
