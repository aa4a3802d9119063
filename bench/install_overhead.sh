#!/usr/bin/env bash
# What each install method costs, measured interleaved in one run (median ms over N rounds):
#   - shell start-up: `bash -i -c true` with and without the --path / --alias block;
#   - `npm --version`: the real npm directly, through the installed shim script (sh -> regauth
#     -> npm), and through the alias's command (`regauth npm`).
# Usage: bash bench/install_overhead.sh [ROUNDS]   (builds nothing; uses target/debug/regauth
# unless REGAUTH_BIN points at a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-30}
bin=${REGAUTH_BIN:-target/debug/regauth}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mk_home() { mkdir -p "$tmp/$1"; env -i HOME="$tmp/$1" PATH=/usr/bin:/bin sh install.sh --binary "$bin" "${@:2}" >/dev/null; }
mk_home plain
mk_home path --path --shells bash
mk_home alias --alias --shells bash

now_ns() { date +%s%N; }
declare -A samples
run() { # name, then the command
    local name=$1 t0 t1
    shift
    t0=$(now_ns)
    "$@" >/dev/null 2>&1
    t1=$(now_ns)
    samples[$name]+="$(( (t1 - t0) / 1000 )) "
}
bare() { env -i HOME="$tmp/$1" PATH=/usr/bin:/bin TERM=dumb PREFIX="$tmp/prefix" npm_config_update_notifier=false "${@:2}"; }

for _ in $(seq "$rounds"); do
    run "bash -i, no block" bare plain bash -i -c true
    run "bash -i, --path block" bare path bash -i -c true
    run "bash -i, --alias block" bare alias bash -i -c true
    run "npm --version direct" bare plain /usr/bin/npm --version
    run "npm --version via shim" bare path "$tmp/path/.regauth/shims/npm" --version
    run "npm --version via alias (regauth npm)" bare alias "$tmp/alias/.regauth/bin/regauth" npm --version
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf '%-42s %10s\n' "what ($rounds rounds, interleaved)" "median ms"
for name in "bash -i, no block" "bash -i, --path block" "bash -i, --alias block" \
    "npm --version direct" "npm --version via shim" "npm --version via alias (regauth npm)"; do
    us=$(printf '%s' "${samples[$name]}" | median)
    printf '%-42s %10.2f\n' "$name" "$(echo "$us / 1000" | bc -l)"
done
