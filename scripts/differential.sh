#!/usr/bin/env bash
# The randomized differential test of regauth's npm configuration model against the real npm
# (tests/config_random.rs) with N situations (default 3000) and a seed (default: random),
# optimised. The suite runs 300 with a fixed seed.
#   bash scripts/differential.sh 5000 [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
seed=${2:-$(( (RANDOM << 16) | RANDOM ))}
echo "differential: $n situations, seed $seed"
REGAUTH_DIFF_N=$n REGAUTH_DIFF_SEED=$seed cargo test --release --quiet --test config_random
