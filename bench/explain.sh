#!/usr/bin/env bash
# Scanning speed and memory of `regauth explain` on a ~1 GB GitHub Actions-style CI log: noise
# (timestamps, build/test output, npm warnings, http lines) with one npm E401 near the end.
# Compares against `grep -c` and `wc -l` over the same file (the floor for reading it once).
# Usage: bench/explain.sh [SIZE_MB]   (default 1024). Writes nothing outside $TMPDIR.
set -euo pipefail
size_mb=${1:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
sh "$root/scripts/release-build.sh" --quiet >/dev/null
bin="$root/target/release/regauth"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/chunk.log" <<'PY'
import random, sys
random.seed(7)
lines = []
for i in range(12000):
    t = f"2026-11-28T03:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i:07d}Z "
    r = random.random()
    if r < 0.35:
        lines.append(t + f"  \u2713 renders component {i} correctly ({random.randint(1, 40)} ms)")
    elif r < 0.55:
        lines.append(t + f"[webpack] asset main.{i:08x}.js {random.randint(1, 900)} KiB [emitted] [minimized]")
    elif r < 0.65:
        lines.append(t + f"npm warn deprecated pkg-{i}@1.0.{i % 9}: this version is no longer supported")
    elif r < 0.72:
        lines.append(t + f"npm http fetch GET 200 https://registry.npmjs.org/pkg-{i} {random.randint(5, 90)}ms (cache hit)")
    elif r < 0.80:
        lines.append(t + f"##[group]Run step {i}")
    elif r < 0.88:
        lines.append(t + "\x1b[32mPASS\x1b[39m src/components/Widget" + str(i) + ".test.tsx")
    else:
        lines.append(t + f"Downloading https://cdn.example.com/assets/{i}/bundle.tar.gz ... done")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY

chunk_bytes=$(stat -c %s "$work/chunk.log")
repeats=$(( size_mb * 1024 * 1024 / chunk_bytes ))
log="$work/ci.log"
for _ in $(seq "$repeats"); do cat "$work/chunk.log"; done > "$log"
cat >> "$log" <<'TAIL'
2026-11-28T04:00:00.0000001Z ##[group]Run npm ci
2026-11-28T04:00:01.0000001Z npm error code E401
2026-11-28T04:00:01.0000002Z npm error 401 Unauthorized - GET https://npm.pkg.github.com/download/@acme/ui/1.2.3/abc123 - authentication token not provided
2026-11-28T04:00:01.0000003Z npm error A complete log of this run can be found in: /home/runner/.npm/_logs/2026-11-28T04_00_00_000Z-debug-0.log
2026-11-28T04:00:01.0000004Z ##[error]Process completed with exit code 1.
TAIL
for _ in $(seq 3); do cat "$work/chunk.log"; done >> "$log"
bytes=$(stat -c %s "$log")
echo "log: $((bytes / 1024 / 1024)) MiB, $(wc -l < "$log") lines"

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>/dev/null || true
  read -r secs rss < "$work/time"
  printf '%-34s %8.2f s %8.0f MiB/s %8d KiB peak RSS\n' "$label" "$secs" "$(echo "$bytes / 1048576 / ($secs + 0.0001)" | bc -l)" "$rss"
}
cat "$log" > /dev/null # warm the page cache
measure "wc -l" wc -l "$log"
measure "grep -c 'npm error'" grep -c 'npm error' "$log"
measure "regauth explain --format json" "$bin" explain "$log" --format json --no-config --no-probe
grep -q '"id": "token-missing"' "$work/out" && echo "result: token-missing found (correct)" || { echo "result: WRONG"; cat "$work/out"; exit 1; }
measure "regauth explain < stdin" sh -c "\"$bin\" explain - --no-config --no-probe < \"$log\""
