//! Benchmark of the probe runner: wall time from start to all probes done, run concurrently by
//! `regauth::probe` vs the same npm commands one after another, over a few failure scenarios
//! against a real Verdaccio on 127.0.0.1. Also the cost of creating the tokio runtime (current-
//! thread vs multi-thread). Run: `cargo bench --bench probe` (prints a markdown table).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use regauth::probe::{
    plan, run_plan, run_plan_async, CredentialKind, Plan, ProbeRequest, ProbeSettings,
};
use support::{NpmEnv, Verdaccio};

const ROUNDS: usize = 9;

struct Scenario {
    name: &'static str,
    env: NpmEnv,
    request: ProbeRequest,
}

fn scenario(
    v: &Verdaccio,
    name: &'static str,
    user: Option<&str>,
    command: &[&str],
    manifest: Option<&str>,
) -> Scenario {
    let env = NpmEnv::new();
    if let Some(user) = user {
        env.write_userconfig(&format!(
            "//127.0.0.1:{}/:_authToken={}\n",
            v.port(),
            v.token(user)
        ));
    }
    if let Some(manifest) = manifest {
        std::fs::write(env.project().join("package.json"), manifest).unwrap();
    }
    let request = ProbeRequest {
        npm: which::which("npm").unwrap(),
        cwd: env.project(),
        env: env.environment(),
        command: command.iter().map(|s| s.to_string()).collect(),
        registry: Some(v.url()),
        credential: user.map(|_| CredentialKind::Token),
        ..ProbeRequest::default()
    };
    Scenario { name, env, request }
}

/// The planned probes run one after another with std::process, same arguments and environment.
fn sequential(plan: &Plan, s: &Scenario) -> Duration {
    let started = Instant::now();
    for probe in &plan.probes {
        let status = Command::new(&s.request.npm)
            .args(probe.args())
            .arg("--logs-dir=/nonexistent/regauth-bench")
            .current_dir(&s.request.cwd)
            .env_clear()
            .envs(s.env.environment())
            .env(
                "npm_config_registry",
                probe.registry.as_deref().unwrap_or_default(),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let _ = status;
    }
    started.elapsed()
}

fn concurrent(plan: &Plan, s: &Scenario) -> Duration {
    let started = Instant::now();
    let results = run_plan(plan, &s.request, &ProbeSettings::default());
    assert_eq!(results.len(), plan.probes.len());
    started.elapsed()
}

fn concurrent_multi_thread(plan: &Plan, s: &Scenario) -> Duration {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let results = runtime.block_on(run_plan_async(plan, &s.request, &ProbeSettings::default()));
    drop(runtime);
    assert_eq!(results.len(), plan.probes.len());
    started.elapsed()
}

/// CPU time (user + system) used so far by reaped children of this process.
fn children_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split(' ')
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

fn runtime_cost(multi: bool) -> Duration {
    let mut times = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let runtime = if multi {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap()
        } else {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        };
        drop(runtime);
        times.push(started.elapsed());
    }
    median(times)
}

fn main() {
    let v = Verdaccio::shared();
    let scenarios = [
        scenario(
            v,
            "read 403: alice installs @team/secret (whoami + view)",
            Some("alice"),
            &["install", "@team/secret"],
            None,
        ),
        scenario(
            v,
            "publish: bob publishes pub-pkg@1.0.0 (whoami + versions + owner ls)",
            Some("bob"),
            &["publish"],
            Some(r#"{"name":"pub-pkg","version":"1.0.0"}"#),
        ),
        scenario(
            v,
            "read 401: anonymous install @priv/lib (view)",
            None,
            &["install", "@priv/lib"],
            None,
        ),
    ];
    println!("load average at start: {}\n", loadavg());
    println!("| scenario | probes | concurrent, current-thread (median ms) | concurrent, multi-thread | sequential | ratio seq/conc | npm CPU per round |");
    println!("|---|---|---|---|---|---|---|");
    for s in &scenarios {
        let plan = plan(&s.request);
        // Warm-up: npm's and Verdaccio's first run of each command.
        concurrent(&plan, s);
        sequential(&plan, s);
        let (mut conc, mut multi, mut seq, mut cpu) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            conc.push(concurrent(&plan, s));
            multi.push(concurrent_multi_thread(&plan, s));
            let before = children_cpu();
            seq.push(sequential(&plan, s));
            cpu.push(children_cpu() - before);
        }
        let (c, m, q) = (median(conc.clone()), median(multi), median(seq));
        println!(
            "| {} | {} | {} (min {}, max {}) | {} | {} | {:.2} | {} |",
            s.name,
            plan.probes.len(),
            ms(c),
            ms(*conc.iter().min().unwrap()),
            ms(*conc.iter().max().unwrap()),
            ms(m),
            ms(q),
            q.as_secs_f64() / c.as_secs_f64(),
            ms(median(cpu))
        );
    }
    let off = ProbeSettings {
        enabled: false,
        ..ProbeSettings::default()
    };
    let mut off_times = Vec::new();
    for _ in 0..1000 {
        let started = Instant::now();
        let found = regauth::probe::probe(&scenarios[0].request, &off);
        assert!(found.results.is_empty());
        off_times.push(started.elapsed());
    }
    println!(
        "\nREGAUTH_PROBE=off: probe() returns in {:.2} µs (median of 1000)",
        median(off_times).as_secs_f64() * 1e6
    );
    let mut plan_times = Vec::new();
    for _ in 0..1000 {
        let started = Instant::now();
        let planned = plan(&scenarios[1].request);
        assert_eq!(planned.probes.len(), 3);
        plan_times.push(started.elapsed());
    }
    println!(
        "planning (publish scenario, reads package.json): {:.1} µs (median of 1000)",
        median(plan_times).as_secs_f64() * 1e6
    );
    println!("\nload average at end: {}", loadavg());
    println!(
        "tokio runtime build+drop, median of 200: current-thread {:.1} µs, multi-thread {:.1} µs",
        runtime_cost(false).as_secs_f64() * 1e6,
        runtime_cost(true).as_secs_f64() * 1e6
    );
}
