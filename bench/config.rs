//! Benchmark: regauth's native config load + routing for a typical setup, against
//! `npm config get registry` in the same isolated environment, reported as a ratio.
//! Run with `bench/config.sh` (or `cargo bench --bench config`). Prints a Markdown table.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use regauth::config::{Config, LoadContext};

const PACKAGES: &[&str] = &["@priv/lib", "@team/secret", "lodash"];

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A typical developer setup: a global file, a user file with two tokens (one from a variable),
/// a project file mapping two scopes, a package.json, from a subdirectory of the project.
fn setup(root: &Path) -> Vec<(String, String)> {
    write(&root.join("prefix/etc/npmrc"), "fund=false\naudit=false\n");
    write(
        &root.join("home/.npmrc"),
        "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_CANARYcanaryCANARYcanaryCANARY0001\n\
         //127.0.0.1:4873/:_authToken=${NPM_TOKEN}\n//127.0.0.1:4874/:_auth=YWxpY2U6Q0FOQVJZcGFzcw==\nfund=false\n",
    );
    write(
        &root.join("project/.npmrc"),
        "@priv:registry=http://127.0.0.1:4873/\n@team:registry=http://127.0.0.1:4874/\n; comment\nsave-exact=true\n",
    );
    write(
        &root.join("project/package.json"),
        "{\"name\":\"p\",\"version\":\"1.0.0\"}\n",
    );
    std::fs::create_dir_all(root.join("project/src")).unwrap();
    vec![
        ("HOME".into(), root.join("home").display().to_string()),
        ("PREFIX".into(), root.join("prefix").display().to_string()),
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        (
            "NPM_TOKEN".into(),
            "npm_CANARYcanaryCANARYcanaryCANARY0002".into(),
        ),
    ]
}

fn load_and_route(ctx: &LoadContext) -> usize {
    let config = Config::load(ctx);
    let mut sent = 0;
    for p in PACKAGES {
        sent += usize::from(config.route_package(p).routed.route.key.is_some());
    }
    sent + config.problems().len()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_n(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn command(program: &str, root: &Path, env: &[(String, String)]) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root.join("project/src"))
        .env_clear()
        .envs(env.iter().cloned());
    c
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let env = setup(dir.path());
    let ctx = LoadContext {
        cwd: dir.path().join("project/src"),
        env: env.clone(),
        npm_args: vec!["install".into()],
        npm_path: None,
        node_path: None,
    };
    assert_eq!(load_and_route(&ctx), load_and_route(&ctx));
    let check = Config::load(&ctx);
    assert_eq!(
        check.route_package("@priv/lib").routed.route.key.as_deref(),
        Some("//127.0.0.1:4873/:_authToken")
    );

    let native = median(time_n(2000, || {
        std::hint::black_box(load_and_route(&ctx));
    }));
    let npm = median(time_n(15, || {
        let out = command("npm", dir.path(), &env)
            .args(["config", "get", "registry"])
            .output()
            .unwrap();
        assert!(out.status.success());
    }));
    let regauth_bin = env!("CARGO_BIN_EXE_regauth");
    let doctor = median(time_n(30, || {
        let mut c = command(regauth_bin, dir.path(), &env);
        let out = c
            .args(["doctor", "--format", "json"])
            .args(PACKAGES)
            .output()
            .unwrap();
        assert!(out.status.success());
    }));
    let npm_version = command("npm", dir.path(), &env)
        .arg("--version")
        .output()
        .unwrap();
    println!("| measurement (median) | time | npm config get registry / this |");
    println!("|---|---|---|");
    println!(
        "| `npm config get registry` (npm {}) | {} | 1 |",
        String::from_utf8_lossy(&npm_version.stdout).trim(),
        ms(npm)
    );
    println!(
        "| regauth in-process: Config::load + 3 package routes + problems | {} | {:.0}x |",
        ms(native),
        npm.as_secs_f64() / native.as_secs_f64()
    );
    println!(
        "| `regauth doctor --format json` + 3 packages (whole process) | {} | {:.0}x |",
        ms(doctor),
        npm.as_secs_f64() / doctor.as_secs_f64()
    );
}
