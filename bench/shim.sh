#!/usr/bin/env bash
# The shim's cost, measured side by side in one run (interleaved rounds, random order within a
# round, medians and ratios), as shim-notes.md requires: plain back-to-back timing cannot
# resolve 1 ms on this machine.
#
#   bench/shim.sh [ROUNDS]        (default 150; builds the release binary first)
#
# 1. `npm --version` direct vs through an `npm` symlink to the release regauth, first on PATH
#    (wall time and CPU time of the whole process tree).
# 2. regauth's fixed cost: `/bin/true` direct vs `REGAUTH_NPM=/bin/true regauth npm`.
# 3. Peak RSS of regauth itself, on the success path and on the failure path (reading a debug
#    log and printing the line), with a shell-script npm so node's RSS is not in the figure.
# 4. Throughput of 200 MiB of stderr through the logs-max=0 tee (a pipe: stderr is not a
#    terminal here) vs the same bytes through a plain pipe.
# Targets: added <= 2 ms median and ratio <= 1.02 on (1); RSS <= 10 MB; tee >= 50% of direct.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-150}
sh scripts/release-build.sh --quiet >/dev/null
REGAUTH=$PWD/target/release/regauth
NPM=$(command -v npm)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# An isolated npm: own HOME and PREFIX, no npm_config_* from outside.
mkdir -p "$WORK/home" "$WORK/prefix/etc" "$WORK/project" "$WORK/shimbin"
echo '{"name":"bench","version":"1.0.0"}' > "$WORK/project/package.json"
ln -s "$REGAUTH" "$WORK/shimbin/npm"
for v in $(env | grep -i '^npm_config_' | cut -d= -f1); do unset "$v"; done
export HOME=$WORK/home PREFIX=$WORK/prefix
cd "$WORK/project"

# A shell-script npm that fails like npm 11 with E401 and leaves a debug log behind.
cat > "$WORK/fail-npm" <<'SH'
#!/bin/sh
id=$(date -u +%Y-%m-%dT%H_%M_%S_%3NZ)
mkdir -p "$HOME/.npm/_logs"
log="$HOME/.npm/_logs/$id-debug-0.log"
{
  echo "0 verbose cli /usr/bin/node /usr/bin/npm"
  echo "1 info using npm@11.19.1"
  echo "7 verbose title npm view @priv/lib"
  echo "8 verbose argv \"view\" \"@priv/lib\""
  i=9; while [ $i -lt 400 ]; do echo "$i silly fetch filler line $i"; i=$((i+1)); done
  echo "400 http fetch GET 401 http://127.0.0.1:4873/@priv%2flib 12ms (cache skip)"
  echo "401 error code E401"
  echo "402 verbose exit 1"
} > "$log"
echo "npm error code E401" >&2
exit 1
SH
cat > "$WORK/gen-npm" <<'SH'
#!/bin/sh
exec dd if=/dev/zero bs=65536 count=3200 status=none 1>&2
SH
chmod +x "$WORK/fail-npm" "$WORK/gen-npm"

python3 - "$ROUNDS" "$NPM" "$WORK" "$REGAUTH" <<'PY'
import os, random, resource, statistics, subprocess, sys, time

rounds, npm, work, regauth = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
shim_path = f"{work}/shimbin:" + os.environ["PATH"]
DEVNULL = subprocess.DEVNULL

def timed(argv, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter_ns()
    subprocess.run(argv, env=env, stdout=DEVNULL, stderr=DEVNULL, check=False)
    wall = (time.perf_counter_ns() - start) / 1e6
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    return wall, cpu

def paired(name, a, b, n):
    runs = {"direct": ([], []), "shim": ([], [])}
    for _ in range(3):  # warm-up, not counted
        timed(*a); timed(*b)
    for _ in range(n):
        order = [("direct", a), ("shim", b)]
        random.shuffle(order)
        for label, (argv, env) in order:
            wall, cpu = timed(argv, env)
            runs[label][0].append(wall); runs[label][1].append(cpu)
    dw, sw = statistics.median(runs["direct"][0]), statistics.median(runs["shim"][0])
    dc, sc = statistics.median(runs["direct"][1]), statistics.median(runs["shim"][1])
    # Median of per-round differences too: robust against drifting machine load.
    diffs = [s - d for d, s in zip(runs["direct"][0], runs["shim"][0])]
    print(f"{name}: {n} interleaved rounds")
    print(f"  wall median  direct {dw:8.2f} ms   shim {sw:8.2f} ms   added {sw - dw:+.2f} ms   ratio {sw / dw:.3f}")
    print(f"  paired diff  median {statistics.median(diffs):+.2f} ms")
    print(f"  cpu median   direct {dc:8.2f} ms   shim {sc:8.2f} ms   added {sc - dc:+.2f} ms")

shim_env = dict(os.environ, PATH=shim_path)
paired("npm --version", ([npm, "--version"], None), ([f"{work}/shimbin/npm", "--version"], shim_env), rounds)
true_env = dict(os.environ, REGAUTH_NPM="/bin/true")
paired("/bin/true (regauth's fixed cost)", (["/bin/true"], None), ([regauth, "npm"], true_env), rounds)

def peak_rss_kib(argv, env):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, env=env, stdout=DEVNULL,
                         stderr=subprocess.PIPE, check=False).stderr.decode().strip().splitlines()
    return int(out[-1])

ok = max(peak_rss_kib([regauth, "npm", "--version"], true_env) for _ in range(5))
fail_env = dict(os.environ, REGAUTH_NPM=f"{work}/fail-npm")
bad = max(peak_rss_kib([regauth, "npm", "view", "@priv/lib"], fail_env) for _ in range(5))
line = subprocess.run([regauth, "npm", "view", "@priv/lib"], env=fail_env, stderr=subprocess.PIPE).stderr.decode()
assert "regauth: GET http://127.0.0.1:4873/@priv%2flib answered 401" in line, line
print("peak RSS of regauth (max of 5)")
print(f"  success path {ok / 1024:.1f} MiB   failure path (log read + line) {bad / 1024:.1f} MiB")

gen_env = dict(os.environ, REGAUTH_NPM=f"{work}/gen-npm")
direct = ["sh", "-c", f"{work}/gen-npm 2>&1 | cat >/dev/null"]
teed = ["sh", "-c", f"'{regauth}' npm --logs-max=0 2>&1 | cat >/dev/null"]
walls = {"direct": [], "tee": []}
for _ in range(7):
    for label, argv in random.sample([("direct", direct), ("tee", teed)], 2):
        walls[label].append(timed(argv, gen_env)[0])
d, t = statistics.median(walls["direct"]), statistics.median(walls["tee"])
mib = 3200 * 65536 / (1 << 20)
print("200 MiB of stderr, 7 interleaved rounds")
print(f"  direct pipe {d:7.1f} ms ({mib / d * 1000:6.0f} MiB/s)   through the tee {t:7.1f} ms ({mib / t * 1000:6.0f} MiB/s)   tee/direct throughput {d / t:.2f}")
PY
