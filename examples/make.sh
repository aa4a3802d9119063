#!/usr/bin/env bash
# Records the sample failures in this directory: the real npm against a throwaway Verdaccio
# (tests/verdaccio, installed by scripts/test-deps.sh) on 127.0.0.1, each case with its own HOME
# and no inherited npm_config_* variables. Each case leaves <cause>.out (what npm printed on
# stderr) and <cause>.log (its debug log), named after the cause regauth should find.
# Run: bash examples/make.sh   (on a free port; the logs say 127.0.0.1:4873 whatever it was)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
verdaccio=$here/../tests/verdaccio/node_modules/.bin/verdaccio
[ -x "$verdaccio" ] || { echo "make.sh: run bash scripts/test-deps.sh first (installs Verdaccio)" >&2; exit 1; }
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
reg="http://127.0.0.1:$port/"
work=$(mktemp -d)
for var in $(env | sed -n 's/^\([Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[^=]*\)=.*/\1/p'); do unset "$var"; done

cat >"$work/config.yaml" <<YAML
storage: $work/storage
auth:
  htpasswd:
    file: $work/htpasswd
    max_users: 100
uplinks: {}
packages:
  '@priv/*': { access: \$authenticated, publish: alice }
  '@team/*': { access: bob, publish: bob }
  '**': { access: \$all, publish: \$authenticated }
web: { enable: false }
log: { type: stdout, format: pretty, level: warn }
YAML
"$verdaccio" --config "$work/config.yaml" --listen "127.0.0.1:$port" >"$work/verdaccio.log" 2>&1 &
server=$!
trap 'kill $server; rm -rf "$work"' EXIT
ready() { kill -0 "$server" 2>/dev/null && curl -fs "${reg}-/ping" >/dev/null; }
for _ in $(seq 300); do ready && break; sleep 0.2; done
ready || { echo "make.sh: Verdaccio did not start:" >&2; cat "$work/verdaccio.log" >&2; exit 1; }

# A user's token, from Verdaccio's user creation (npm adduser's request).
token_of() {
  curl -fs -X PUT -H 'content-type: application/json' \
    -d "{\"name\":\"$1\",\"password\":\"pass-$1\",\"type\":\"user\",\"roles\":[]}" \
    "${reg}-/user/org.couchdb.user:$1" | node -p 'JSON.parse(require("fs").readFileSync(0)).token'
}
alice=$(token_of alice)
bob=$(token_of bob)

# npm with an isolated HOME holding the given .npmrc, in a project dir with package.json.
in_home() { # npmrc, package.json, npm args...
  local npmrc=$1 manifest=$2; shift 2
  local tmp; tmp=$(mktemp -d "$work/case.XXXXXX")
  mkdir -p "$tmp/home" "$tmp/prefix/etc" "$tmp/project"
  printf '%s\n' "$npmrc" >"$tmp/home/.npmrc"
  printf '%s\n' "$manifest" >"$tmp/project/package.json"
  (cd "$tmp/project" && env -i PATH="$PATH" HOME="$tmp/home" PREFIX="$tmp/prefix" \
    npm "$@" --update-notifier=false --audit=false --fund=false) 2>"$tmp/err" >/dev/null || true
  printf '%s' "$tmp"
}

record() { # cause, npmrc, package.json, npm args...
  local cause=$1; shift
  local tmp; tmp=$(in_home "$@")
  cp "$tmp/err" "$here/$cause.out"
  cp "$(ls -t "$tmp"/home/.npm/_logs/*-debug-0.log | head -1)" "$here/$cause.log"
  sed -i "s#$tmp/home#/home/you#g; s#$tmp/project#/home/you/app#g; s#$tmp#/home/you#g; s#127.0.0.1:$port#127.0.0.1:4873#g; s#localhost:$port#localhost:4873#g" \
    "$here/$cause.out" "$here/$cause.log"
  echo "make.sh: $cause"
}

pkg() { printf '{"name":"%s","version":"%s"}' "$1" "$2"; }
# The packages the cases meet: @priv/lib (readable when logged in), @team/secret (bob's only),
# pub-pkg 1.0.0 and 1.1.0.
in_home "//127.0.0.1:$port/:_authToken=$alice" "$(pkg @priv/lib 1.0.0)" publish --registry "$reg" >/dev/null
in_home "//127.0.0.1:$port/:_authToken=$bob" "$(pkg @team/secret 1.0.0)" publish --registry "$reg" >/dev/null
in_home "//127.0.0.1:$port/:_authToken=$alice" "$(pkg pub-pkg 1.0.0)" publish --registry "$reg" >/dev/null
in_home "//127.0.0.1:$port/:_authToken=$alice" "$(pkg pub-pkg 1.1.0)" publish --registry "$reg" >/dev/null

# Cases whose cause the recorded text shows by itself (explain needs no config or registry).
# token-env-unset, token-wrong-host and a plain token-missing read look exactly like a bad token
# in npm's text: only this machine's .npmrc tells them apart, which `regauth npm` reads live.
app=$(pkg app 1.0.0)
record token-missing "registry=$reg" "$(pkg new-pkg 1.0.0)" publish
record insufficient-permission "@team:registry=$reg
//127.0.0.1:$port/:_authToken=$alice" "$app" install @team/secret
record version-exists "registry=$reg
//127.0.0.1:$port/:_authToken=$alice" "$(pkg pub-pkg 1.0.0)" publish
record npmrc-misconfig "registry=$reg
_authToken=$alice" "$app" install pub-pkg

for token in "$alice" "$bob"; do
  if grep -l -- "$token" "$here"/*.out "$here"/*.log; then echo "make.sh: a token leaked into a recording" >&2; exit 1; fi
done
