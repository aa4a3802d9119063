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

# --- clients (issue 12): pnpm 10/11/12, yarn 1, yarn 4, npm 12 and Node 24, pinned in
# tests/clients/package.json and installed there (nothing global). tests/clients/bin/<client>/ then
# holds that client under its real names, plus `node` (Node 24) where the client needs a newer
# Node than the system's: a test puts one such dir first on PATH.
clients_stamp=tests/clients/node_modules/.regauth-installed
if [ ! -f "$clients_stamp" ] || ! cmp -s tests/clients/package.json "$clients_stamp"; then
  echo "test-deps: installing the clients of tests/clients/package.json"
  for var in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$var"; done
  # No bin links (the aliased packages' bins collide); pnpm 12's install script only relinks the
  # native binary, which tests/clients/bin points at directly.
  npm install --prefix tests/clients --no-audit --no-fund --no-package-lock --no-bin-links \
    --ignore-scripts --engine-strict=false --userconfig /dev/null --update-notifier=false --loglevel=error
  cp tests/clients/package.json "$clients_stamp"
  rm -f "$clients_stamp.checked"
fi
m=$PWD/tests/clients/node_modules
client_link() { # DIR NAME TARGET
  [ -e "$3" ] || die "client file $3 is missing after installing tests/clients (remove tests/clients/node_modules and rerun)"
  mkdir -p "tests/clients/bin/$1"
  ln -sfn "$3" "tests/clients/bin/$1/$2"
}
client_link pnpm10 pnpm "$m/pnpm10/bin/pnpm.cjs"
client_link pnpm10 pnpx "$m/pnpm10/bin/pnpx.cjs"
client_link pnpm11 pnpm "$m/pnpm11/bin/pnpm.mjs"
client_link pnpm11 pnpx "$m/pnpm11/bin/pnpx.mjs"
client_link pnpm11 node "$m/node24/bin/node"
client_link pnpm12 pnpm "$m/@pnpm/exe.linux-x64/pnpm"
client_link pnpm12 pnpx "$m/@pnpm/exe.linux-x64/pnpm"
client_link yarn1 yarn "$m/yarn1/bin/yarn.js"
client_link yarn1 yarnpkg "$m/yarn1/bin/yarn.js"
client_link yarn4 yarn "$m/yarn4/bin/yarn.js"
client_link npm12 npm "$m/npm12/bin/npm-cli.js"
client_link npm12 npx "$m/npm12/bin/npx-cli.js"
client_link npm12 node "$m/node24/bin/node"
# Each must run and report the pinned version (checked once after an install; later runs only
# check the files): a broken client fails here, not as a skipped test.
client_version() { # DIR NAME PACKAGE-ALIAS
  local want got
  want=$(node -p "require('./tests/clients/package.json').dependencies['$3'].replace(/^npm:.*@/, '')")
  got=$(PATH="$PWD/tests/clients/bin/$1:$PATH" "$2" --version 2>&1 </dev/null) || die "$1/$2 --version failed: $got"
  [ "$got" = "$want" ] || [ "$got" = "v$want" ] || die "$1/$2 --version says '$got', tests/clients/package.json pins $want"
  printf '%s ' "$1=$got"
}
client_link node24 node "$m/node24/bin/node"
if [ ! -f "$clients_stamp.checked" ]; then
  echo "test-deps: clients $(client_version pnpm10 pnpm pnpm10)$(client_version pnpm11 pnpm pnpm11)$(client_version pnpm12 pnpm pnpm12)$(client_version yarn1 yarn yarn1)$(client_version yarn4 yarn yarn4)$(client_version npm12 npm npm12)$(client_version node24 node node24)"
  touch "$clients_stamp.checked"
else
  echo "test-deps: clients of tests/clients/package.json in place"
fi

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
