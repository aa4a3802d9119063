#!/usr/bin/env bash
# The test command: every test, against the real npm and a real Verdaccio on 127.0.0.1.
# Extra arguments go to `cargo test` (e.g. `bash scripts/test.sh -- spinner` filters by name).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/test-deps.sh
cargo test --locked --lib --bins --tests --no-fail-fast "$@"
# The benchmarks are measurements, not tests (bench/README.md): build them so they cannot rot,
# but leave running them to `cargo bench` / bench/*.sh.
cargo test --locked --benches --no-run
