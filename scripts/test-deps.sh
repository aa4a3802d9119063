#!/usr/bin/env bash
# Installs what the tests need: Verdaccio (from the npm registry) into tests/verdaccio, and the
# shells the install tests run (zsh, fish). Idempotent: does nothing when all is in place.
# Fails loudly: a test that needs a missing tool must never be skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "test-deps: $*" >&2; exit 1; }

command -v node >/dev/null || die "node is not installed (the tests run the real npm on Node 20)"
command -v npm >/dev/null || die "npm is not installed"

wanted_verdaccio=$(node -p 'require("./tests/verdaccio/package.json").dependencies.verdaccio')
installed_verdaccio() {
  node -p 'require("./tests/verdaccio/node_modules/verdaccio/package.json").version' 2>/dev/null || true
}

if [ ! -x tests/verdaccio/node_modules/.bin/verdaccio ] || [ "$(installed_verdaccio)" != "$wanted_verdaccio" ]; then
  echo "test-deps: installing verdaccio $wanted_verdaccio into tests/verdaccio"
  # Isolated from this machine's npm config and from any npm_config_* of a calling npm script.
  for var in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$var"; done
  npm install --prefix tests/verdaccio --no-audit --no-fund --no-package-lock \
    --userconfig /dev/null --update-notifier=false --loglevel=warn
  [ -x tests/verdaccio/node_modules/.bin/verdaccio ] || die "npm install finished but tests/verdaccio/node_modules/.bin/verdaccio is missing"
fi
echo "test-deps: verdaccio $(installed_verdaccio)"

missing_shells=()
for shell in zsh fish; do command -v "$shell" >/dev/null || missing_shells+=("$shell"); done
if [ ${#missing_shells[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing_shells[*]} (needed by the install tests) and not root: install them with your package manager"
  command -v apt-get >/dev/null || die "missing ${missing_shells[*]} (needed by the install tests) and no apt-get: install them by hand"
  echo "test-deps: installing ${missing_shells[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they know no version of a shell: a refresh is what
  # makes apt pull newer versions of libraries the system already has.
  if ! apt-get install -s -qq --no-install-recommends --no-upgrade "${missing_shells[@]}" >/dev/null 2>&1; then
    apt-get update -qq || die "apt-get update failed"
  fi
  # --no-upgrade: add what is missing, upgrade nothing already installed.
  apt-get install -y -qq --no-install-recommends --no-upgrade "${missing_shells[@]}" || die "apt-get install ${missing_shells[*]} failed"
  for shell in "${missing_shells[@]}"; do command -v "$shell" >/dev/null || die "$shell still missing after apt-get install"; done
fi
echo "test-deps: zsh $(zsh --version | head -1), $(fish --version)"

# npm 10.9 (Node 22's bundled npm, older than trusted publishing's 11.5.1) for tests/oidc_npm.rs.
wanted_npm10=$(node -p 'require("./tests/npm10/package.json").dependencies.npm')
installed_npm10() { node -p 'require("./tests/npm10/node_modules/npm/package.json").version' 2>/dev/null || true; }
if [ "$(installed_npm10)" != "$wanted_npm10" ]; then
  echo "test-deps: installing npm $wanted_npm10 into tests/npm10"
  for var in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$var"; done
  npm install --prefix tests/npm10 --no-audit --no-fund --no-package-lock \
    --userconfig /dev/null --update-notifier=false --loglevel=warn
  [ "$(installed_npm10)" = "$wanted_npm10" ] || die "npm install finished but tests/npm10 has no npm $wanted_npm10"
fi
echo "test-deps: npm $(installed_npm10) in tests/npm10"
