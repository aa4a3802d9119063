#!/usr/bin/env bash
# The randomized differential tests of regauth's configuration models (tests/config_random.rs):
# against the real npm with N situations (default 3000), and against the real pnpm 10/11/12,
# yarn 1 and yarn 4 with CLIENT_N situations per client (default 100; each costs a few client
# processes), with a seed (default: random), optimised. The suite runs 300 and 6 with a fixed
# seed.
#   bash scripts/differential.sh 5000 [SEED] [CLIENT_N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
seed=${2:-$(( (RANDOM << 16) | RANDOM ))}
client_n=${3:-100}
echo "differential: $n npm situations, $client_n per other client, seed $seed"
REGAUTH_DIFF_N=$n REGAUTH_DIFF_CLIENT_N=$client_n REGAUTH_DIFF_SEED=$seed \
    cargo test --release --quiet --test config_random
