#!/usr/bin/env bash
# Per-client passthrough overhead and failure-path cost, measured side by side (interleaved
# rounds, random order within a round, medians of paired runs):
#   1. `<client> --version` direct vs through a `<client>` symlink to the release regauth first on
#      PATH, for pnpm 10/11/12, yarn 1, yarn 4 and npm 12 (tests/clients, scripts/test-deps.sh);
#   2. exit-to-explanation (pnpm 10/11/12, yarn 1, yarn 4, npm 12): `<client> add @priv/lib`
#      failing with 401 (no token; berry's scope mapped in .yarnrc.yml) against a
#      Verdaccio on 127.0.0.1 (started here), direct vs shimmed: the added time is what regauth
#      spends after the client exits (detect, config, probes, render).
#   bench/clients.sh [ROUNDS]   (default 15). Writes bench/clients.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-15}
bash scripts/test-deps.sh >/dev/null
sh scripts/release-build.sh --quiet >/dev/null
python3 bench/clients.py "$ROUNDS" "$PWD" | tee bench/clients.md
