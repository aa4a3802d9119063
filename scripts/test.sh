#!/usr/bin/env bash
# The test command: every test, against the real npm and a real Verdaccio on 127.0.0.1.
# Extra arguments go to `cargo test` (e.g. `bash scripts/test.sh --test support_selftest`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
cargo test --locked --all-targets --no-fail-fast "$@"
