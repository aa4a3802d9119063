//! The probe runner's one time budget, with the real npm: a registry that never answers ends
//! every probe at the budget, a timed-out probe is killed with everything it started, and
//! `REGAUTH_PROBE=off` runs nothing. Each test sets its own budget.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use regauth::probe::{plan, probe, Outcome, ProbeRequest, ProbeSettings};
use support::probe_request::{answering, request, token_config, CANARY};
use support::{FixtureServer, NpmEnv, Response};

/// A registry that accepts connections and never answers.
fn silent_registry() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
            let _ = stream.read(&mut buf);
            held.push(stream);
        }
    });
    format!("http://127.0.0.1:{port}/")
}

/// PIDs of live processes whose environment names `needle` (our probes: the registry goes to
/// npm through `npm_config_registry`).
fn processes_with_env(needle: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if String::from_utf8_lossy(&environ).contains(needle) {
            pids.push(pid);
        }
    }
    pids
}

#[test]
fn a_registry_that_never_answers_ends_every_probe_within_the_budget() {
    let registry = silent_registry();
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(registry_port(&registry), CANARY));
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"pub-pkg","version":"1.0.0"}"#,
    )
    .unwrap();
    let budget = Duration::from_millis(1500);
    let settings = ProbeSettings {
        budget,
        ..ProbeSettings::default()
    };
    let needle = format!("npm_config_registry={registry}");

    let req = request(&env, &["publish"], &registry);
    let started = Instant::now();
    let runner = std::thread::spawn(move || probe(&req, &settings));
    // While they run: the probes are there, and neither the token nor the URL is on a command line.
    // They exist from their spawn until the budget kills them: look until seen or the runner is
    // done (a minute at most).
    let mut seen_running = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen_running.is_empty() && !runner.is_finished() && Instant::now() < deadline {
        seen_running = processes_with_env(&needle);
        std::thread::sleep(Duration::from_millis(2));
    }
    for pid in &seen_running {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        assert!(
            !cmdline.contains("CANARY") && !cmdline.contains(&registry),
            "{cmdline}"
        );
    }
    let found = runner.join().unwrap();
    let elapsed = started.elapsed();

    assert!(!seen_running.is_empty(), "the probes were seen running");
    // a publish plans whoami, view-versions, owner-ls, anonymous-view and access-status
    assert_eq!(found.results.len(), 5);
    for result in &found.results {
        assert_eq!(result.outcome, Outcome::TimedOut, "{result:?}");
        assert!(
            result.summary().starts_with("no answer within"),
            "{}",
            result.summary()
        );
    }
    assert!(
        elapsed <= budget + Duration::from_secs(2),
        "took {elapsed:?}"
    );
    assert!(
        processes_with_env(&needle).is_empty(),
        "no probe outlives the run"
    );
}

fn registry_port(url: &str) -> u16 {
    url.trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn regauth_probe_off_runs_nothing() {
    let fixture =
        FixtureServer::start(|_| Response::new(401).json(serde_json::json!({"error": "no"})));
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(fixture.port(), CANARY));
    let req = request(&env, &["install", "@priv/lib"], &fixture.url());
    assert!(!plan(&req).is_empty(), "the same failure would be probed");

    let off =
        ProbeSettings::from_lookup(|name| (name == "REGAUTH_PROBE").then(|| "off".to_string()));
    let found = probe(&req, &off);
    assert!(found.results.is_empty() && found.plan.is_empty());
    // Nothing was started that could still reach the registry: probe() returns after its
    // processes are reaped, and with probes off it started none.
    assert!(fixture.requests().is_empty());

    let found = probe(&req, &answering());
    assert_eq!(found.results.len(), 2);
    assert!(
        !fixture.requests().is_empty(),
        "enabled, the probes do reach the registry"
    );
}

#[test]
fn a_timed_out_probe_is_killed_with_everything_it_started() {
    // An "npm" that is a wrapper (as version managers install) whose real work runs in a child:
    // the deadline must end both, not only the direct child.
    let env = NpmEnv::new();
    let wrapper = env.root().join("npm-wrapper");
    support::write_executable(&wrapper, "#!/bin/sh\nsleep 30 &\nsleep 30\n");
    let marker = format!("REGAUTH_PROBE_TEST_MARKER={}", std::process::id());
    let req = ProbeRequest {
        npm: wrapper,
        extra_env: vec![marker
            .split_once('=')
            .map(|(k, v)| (k.into(), v.into()))
            .unwrap()],
        ..request(&env, &["install", "pub-pkg"], "http://127.0.0.1:9/")
    };
    let settings = ProbeSettings {
        budget: Duration::from_millis(500),
        ..ProbeSettings::default()
    };
    let started = Instant::now();
    let found = probe(&req, &settings);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        found.results.iter().all(|r| r.outcome == Outcome::TimedOut),
        "{found:?}"
    );
    // SIGKILL to the group is sent before probe() returns; the kernel ends them at once, but
    // their /proc entries go only when they are reaped: wait for that, for 10 s at most (far
    // below the 30 s an unkilled `sleep` would live).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !processes_with_env(&marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        processes_with_env(&marker).is_empty(),
        "the wrapper's children were killed too"
    );
}
