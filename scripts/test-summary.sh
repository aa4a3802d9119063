#!/usr/bin/env bash
# Reads `cargo test` output on stdin and prints one line, `N passed, M failed`: the sums of the
# "test result: ok. N passed; M failed; ..." line of every test binary.
set -euo pipefail
sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed;.*/\1 \2/p' |
  awk '{p += $1; f += $2} END {printf "%d passed, %d failed\n", p, f}'
