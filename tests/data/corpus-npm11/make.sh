#!/usr/bin/env bash
# Records real npm failures against server.py on loopback, with an isolated HOME/PREFIX and no
# inherited npm_config_* variables. Each case leaves <name>.out (npm's stderr) and <name>.log
# (its debug log). Tokens in the configs are canaries; the logs are checked for them afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${PORT:-48731}
python3 "$here/server.py" "$port" & server=$!
trap 'kill $server' EXIT
sleep 0.5
reg="http://127.0.0.1:$port"
canary=npm_CANARYcanaryCANARYcanaryCANARY0001

record() { # name, npmrc text, npm args...
  local name=$1 npmrc=$2; shift 2
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/home" "$tmp/prefix/etc" "$tmp/project"
  printf '%s\n' "$npmrc" > "$tmp/home/.npmrc"
  printf '{"name":"fixture-pkg","version":"1.0.0"}\n' > "$tmp/project/package.json"
  ( cd "$tmp/project" && env -i PATH="$PATH" HOME="$tmp/home" PREFIX="$tmp/prefix" \
      npm "$@" --fetch-retries=0 --update-notifier=false --audit=false --fund=false 2> "$here/$name.out" >/dev/null ) || true
  cp "$(ls -t "$tmp"/home/.npm/_logs/*-debug-0.log | head -1)" "$here/$name.log" 2>/dev/null || true
  sed -i "s#$tmp#/tmp/npmfixture#g" "$here/$name.out" "$here/$name.log" 2>/dev/null || true
  rm -rf "$tmp"
}

record basic401 "registry=$reg/basic401/
//127.0.0.1:$port/basic401/:_authToken=$canary" view fixture-pkg
record bearer401 "@corp:registry=$reg/bearer401/
//127.0.0.1:$port/bearer401/:_authToken=$canary" view @corp/lib
record envunset "@corp:registry=$reg/bearer401/
//127.0.0.1:$port/bearer401/:_authToken=\${NPM_TOKEN}" view @corp/lib
record notoken401 "@corp:registry=$reg/notoken401/" view @corp/lib
record forbidden403 "@team:registry=$reg/forbidden403/
//127.0.0.1:$port/forbidden403/:_authToken=$canary" view @team/secret
record quarantine403 "registry=$reg/quarantine403/" view static-eval
record publish403 "registry=$reg/publish403/
//127.0.0.1:$port/publish403/:_authToken=$canary" publish
record otp401 "registry=$reg/otp401/
//127.0.0.1:$port/otp401/:_authToken=$canary" publish
record expired404 "registry=$reg/expired404/
//127.0.0.1:$port/expired404/:_authToken=$canary" publish
record needauth "registry=$reg/missing404/" publish
record invalidauth "registry=$reg/missing404/
_authToken=$canary" view fixture-pkg
record wronghost "@corp:registry=$reg/bearer401/
//localhost:$port/bearer401/:_authToken=$canary" view @corp/lib
record typo404 "registry=$reg/missing404/" view no-such-package-xyz
record busy429 "registry=$reg/busy429/" view fixture-pkg
record broken500 "registry=$reg/broken500/" view fixture-pkg
record refused "registry=http://127.0.0.1:9/" view fixture-pkg
if grep -l CANARY "$here"/*.out "$here"/*.log; then echo "canary leaked into a recording" >&2; fi
