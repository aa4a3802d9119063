"""bench/clients.sh's measurement (see there). Prints a markdown report."""
import json, os, random, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

rounds, root = int(sys.argv[1]), sys.argv[2]
regauth = f"{root}/target/release/regauth"
clients = [("pnpm10", "pnpm"), ("pnpm11", "pnpm"), ("pnpm12", "pnpm"),
           ("yarn1", "yarn"), ("yarn4", "yarn"), ("npm12", "npm")]
work = tempfile.mkdtemp(prefix="regauth-bench-clients-")
base_env = {k: v for k, v in os.environ.items()
            if not k.lower().startswith(("npm_config_", "pnpm_config_", "yarn_", "regauth"))}

def env_for(bindir, shim):
    home = tempfile.mkdtemp(dir=work)
    os.makedirs(f"{home}/p")
    with open(f"{home}/p/package.json", "w") as f:
        f.write('{"name":"p","version":"1.0.0"}\n')
    path = f"{bindir}:{base_env['PATH']}"
    if shim:
        path = f"{shim}:{path}"
    env = dict(base_env, HOME=home, PATH=path, npm_config_update_notifier="false",
               pnpm_config_update_notifier="false", YARN_ENABLE_TELEMETRY="0",
               YARN_ENABLE_GLOBAL_CACHE="0")
    return env, f"{home}/p"

def timed(cmd, env, cwd):
    t = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL)
    return time.perf_counter() - t

def paired(cmd, direct, shimmed):
    d, s = [], []
    for _ in range(rounds):
        order = [("d", direct), ("s", shimmed)]
        random.shuffle(order)
        for kind, (env, cwd) in order:
            (d if kind == "d" else s).append(timed(cmd, env, cwd))
    return statistics.median(d), statistics.median(s)

def shim_dir(program):
    d = tempfile.mkdtemp(dir=work)
    os.symlink(regauth, f"{d}/{program}")
    return d

print(f"# clients\n\nMeasured by `bench/clients.sh {rounds}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
      f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, release build), medians of {rounds} paired runs.\n")
print("| client | `--version` direct | through regauth | ratio |\n|---|---|---|---|")
for d, program in clients:
    bindir = f"{root}/tests/clients/bin/{d}"
    direct = env_for(bindir, None)
    shimmed = env_for(bindir, shim_dir(program))
    a, b = paired([program, "--version"], direct, shimmed)
    print(f"| {d} | {a*1000:.0f} ms | {b*1000:.0f} ms | {b/a:.3f} |")

# Verdaccio with @priv/* needing a login: `add @priv/lib` without a token answers 401.
vd = f"{work}/verdaccio"
os.makedirs(vd)
with open(f"{vd}/config.yaml", "w") as f:
    f.write("storage: ./storage\nauth: { htpasswd: { file: ./htpasswd, max_users: 100 } }\nuplinks: {}\n"
            "packages:\n  '@priv/*': { access: $authenticated, publish: $authenticated }\n"
            "  '**': { access: $all, publish: $authenticated }\nweb: { enable: false }\n"
            "middlewares: { audit: { enabled: false } }\nlog: { type: stdout, format: pretty, level: warn }\n")
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
server = subprocess.Popen([f"{root}/tests/verdaccio/node_modules/.bin/verdaccio", "--config", f"{vd}/config.yaml",
                           "--listen", f"127.0.0.1:{port}"], cwd=vd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ping", timeout=1); break
        except Exception:
            time.sleep(0.1)
    print(f"\n| client | `add @priv/lib` (401) direct | through regauth | exit-to-explanation (added) |\n|---|---|---|---|")
    for d, program in [("pnpm10", "pnpm"), ("pnpm11", "pnpm"), ("pnpm12", "pnpm"), ("yarn1", "yarn"),
                       ("yarn4", "yarn"), ("npm12", "npm")]:
        bindir = f"{root}/tests/clients/bin/{d}"
        pair = [env_for(bindir, None), env_for(bindir, shim_dir(program))]
        for env, cwd in pair:
            if d == "yarn4":
                # berry reads .yarnrc.yml only, needs http allowed on loopback and a lockfile
                with open(f"{env['HOME']}/.yarnrc.yml", "w") as f:
                    f.write('unsafeHttpWhitelist: ["127.0.0.1"]\nnpmPreapprovedPackages: ["**"]\n')
                with open(f"{cwd}/.yarnrc.yml", "w") as f:
                    f.write(f'npmScopes:\n  priv:\n    npmRegistryServer: "http://127.0.0.1:{port}"\n')
                open(f"{cwd}/yarn.lock", "w").close()
                continue
            with open(f"{cwd}/.npmrc", "w") as f:
                f.write(f"@priv:registry=http://127.0.0.1:{port}/\nfetch-retries=0\n")
        cmd = [program, "install" if program == "npm" else "add", "@priv/lib"]
        a, b = paired(cmd, *pair)
        print(f"| {d} | {a*1000:.0f} ms | {b*1000:.0f} ms | {(b-a)*1000:.0f} ms |")
finally:
    server.kill(); server.wait()
    shutil.rmtree(work, ignore_errors=True)
