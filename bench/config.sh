#!/usr/bin/env bash
# Config load + routing: regauth (native, in-process and whole `regauth doctor` process) against
# `npm config get registry` in the same isolated setup, as a ratio. Writes bench/config.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(cargo bench --quiet --bench config 2>/dev/null)
{
  echo "# config"
  echo
  echo "Measured by \`bench/config.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(node --version), release build)."
  echo "Typical setup: global, user (two tokens, one via \${NPM_TOKEN}, one _auth) and project"
  echo "(two scopes) files, run from a project subdirectory. Medians: 2000 native loads, 15 npm runs, 30 doctor runs."
  echo
  echo "$out"
} > bench/config.md
cat bench/config.md
