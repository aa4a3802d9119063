//! Benchmark of the live path: for a set of failing scenarios on loopback (real npm, real
//! Verdaccio), the time from npm's exit to the explanation's last byte (`REGAUTH_TIMING=1`),
//! with probes and with `REGAUTH_PROBE=off`, and the whole failing command through regauth vs
//! npm directly. Run: `cargo bench --bench live` (prints markdown; figures go in bench/live.md).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::{NpmEnv, Verdaccio};

const ROUNDS: usize = 5;

struct Scenario {
    name: &'static str,
    env: NpmEnv,
    args: Vec<String>,
}

fn scenario(name: &'static str, npmrc: String, args: &[&str]) -> Scenario {
    let env = NpmEnv::new();
    env.write_userconfig(&npmrc);
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args.push("--fetch-retries=0".into());
    Scenario { name, env, args }
}

fn scenarios(v: &Verdaccio, other: &Verdaccio) -> Vec<Scenario> {
    let reg = format!("registry={}\n", v.url());
    let key = |port: u16| format!("//127.0.0.1:{port}/:_authToken");
    let publish_dir = |s: &Scenario| {
        std::fs::write(
            s.env.project().join("package.json"),
            r#"{"name":"pub-pkg","version":"1.0.0"}"#,
        )
        .unwrap();
    };
    let mut list = vec![
        scenario("token-missing", reg.clone(), &["view", "@priv/lib"]),
        scenario(
            "token-env-unset",
            format!("{reg}{}=${{BENCH_UNSET_TOKEN}}\n", key(v.port())),
            &["view", "@priv/lib"],
        ),
        scenario(
            "token-invalid",
            format!(
                "{reg}{}=npm_CANARYcanaryCANARYcanaryCANARY0099\n",
                key(v.port())
            ),
            &["view", "@priv/lib"],
        ),
        scenario(
            "token-wrong-host",
            format!("{reg}{}={}\n", key(1), v.token("alice")),
            &["view", "@priv/lib"],
        ),
        scenario(
            "insufficient-permission",
            format!("{reg}{}={}\n", key(v.port()), v.token("alice")),
            &["view", "@team/secret"],
        ),
        scenario(
            "scope-not-mapped",
            format!("{reg}{}={}\n", key(other.port()), other.token("alice")),
            &["view", "@priv/lib"],
        ),
        scenario(
            "npmrc-misconfig (ERR_INVALID_AUTH)",
            format!("{reg}_authToken={}\n", v.token("alice")),
            &["view", "@priv/lib"],
        ),
    ];
    let publish = scenario(
        "version-exists",
        format!("{reg}{}={}\n", key(v.port()), v.token("alice")),
        &["publish"],
    );
    publish_dir(&publish);
    list.push(publish);
    list
}

fn run(cmd: &mut Command) -> (Duration, Output) {
    let started = Instant::now();
    let out = cmd.output().unwrap();
    (started.elapsed(), out)
}

/// The post-exit time regauth printed, in ms.
fn timing(out: &Output) -> f64 {
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find_map(|l| l.strip_prefix("regauth: timing: "))
        .unwrap_or_else(|| panic!("no timing line: {err}"));
    line.split_whitespace().next().unwrap().parse().unwrap()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let v = Verdaccio::shared();
    let other = Verdaccio::start();
    let list = scenarios(v, &other);
    println!("| scenario | top cause | after exit, probes (ms) | after exit, REGAUTH_PROBE=off (ms) | npm direct (ms) | regauth, probes (ms) | ratio | regauth, probes off (ms) | ratio |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let (mut all_on, mut all_off, mut all_ratio_on, mut all_ratio_off) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for s in &list {
        let (mut on, mut off, mut direct, mut whole_on, mut whole_off) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut top = String::new();
        for _ in 0..ROUNDS {
            let (d, out) = run(s.env.npm().args(&s.args));
            assert!(!out.status.success(), "{} must fail", s.name);
            direct.push(ms(d));
            let report = s.env.root().join("bench-report.json");
            let (d, out) = run(s
                .env
                .regauth()
                .arg("npm")
                .args(&s.args)
                .env("REGAUTH_TIMING", "1")
                .env("REGAUTH_REPORT", &report));
            on.push(timing(&out));
            whole_on.push(ms(d));
            let r: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
            top = r["causes"][0]["id"].as_str().unwrap_or("-").to_owned();
            let (d, out) = run(s
                .env
                .regauth()
                .arg("npm")
                .args(&s.args)
                .env("REGAUTH_TIMING", "1")
                .env("REGAUTH_PROBE", "off"));
            off.push(timing(&out));
            whole_off.push(ms(d));
        }
        let (on, off, direct) = (median(on), median(off), median(direct));
        let (whole_on, whole_off) = (median(whole_on), median(whole_off));
        println!(
            "| {} | {top} | {on:.1} | {off:.1} | {direct:.0} | {whole_on:.0} | {:.2} | {whole_off:.0} | {:.2} |",
            s.name,
            whole_on / direct,
            whole_off / direct
        );
        all_on.push(on);
        all_off.push(off);
        all_ratio_on.push(whole_on / direct);
        all_ratio_off.push(whole_off / direct);
    }
    println!(
        "\nmedian over {} scenarios ({ROUNDS} rounds each): after npm's exit {:.1} ms with probes, {:.1} ms with REGAUTH_PROBE=off; whole command vs npm directly: ratio {:.2} with probes, {:.2} without",
        list.len(),
        median(all_on),
        median(all_off),
        median(all_ratio_on),
        median(all_ratio_off)
    );
}
