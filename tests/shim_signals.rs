//! Signals sent with kill() to regauth reach npm (and only npm), regauth dies the way npm died,
//! and it never exits while npm still runs: the same outcome as sending them to npm alone.

mod support;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use support::NpmEnv;

fn env_with_sleep() -> NpmEnv {
    let env = NpmEnv::new();
    let package = r#"{"name":"proj","version":"1.0.0","scripts":{"sleep":"echo $$ > sleep.pid; exec sleep 30"}}"#;
    std::fs::write(env.project().join("package.json"), package).unwrap();
    env
}

/// Starts `command` and waits until the script's `sleep` runs; returns the child.
fn start(mut command: Command, env: &NpmEnv) -> Child {
    let _ = std::fs::remove_file(env.project().join("sleep.pid"));
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    // The script writes its PID, then `exec`s sleep: wait until that PID runs `sleep`.
    while !sleep_pid(env).is_some_and(runs_sleep) {
        assert!(Instant::now() < deadline, "the script never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

fn runs_sleep(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sleep")
}

fn sleep_pid(env: &NpmEnv) -> Option<i32> {
    std::fs::read_to_string(env.project().join("sleep.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The direct children of `pid` (Linux /proc).
fn children(pid: u32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// Sends `sig` to the started process only; returns its outcome (None: still running after 3 s).
/// With `is_shim`, the started process is regauth and its child npm must be gone when it ends.
fn outcome_of(mut child: Child, env: &NpmEnv, sig: i32, is_shim: bool) -> Option<ExitStatus> {
    let top = child.id();
    let npm = children(top);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(top as i32, sig) };
    let status = wait_timeout(&mut child, Duration::from_secs(3));
    if status.is_some() && is_shim {
        // npm and the witness that tells group-directed signals apart (src/shim/witness.rs)
        assert_eq!(npm.len(), 2, "regauth runs npm and its witness: {npm:?}");
        for pid in npm.iter().filter(|&&p| p as u32 != top) {
            assert!(
                !alive(*pid),
                "npm or the witness ({pid}) still runs after its parent {top} ended"
            );
        }
    }
    // Clean up what npm leaves behind on purpose (it forwards only to its direct child).
    if let Some(pid) = sleep_pid(env) {
        // SAFETY: kill(2) of the test's own orphaned `sleep`.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    status
}

fn direct_and_shimmed(sig: i32) -> (Option<ExitStatus>, Option<ExitStatus>) {
    direct_and_shimmed_with(sig, |_| {})
}

/// As `direct_and_shimmed`, with `prepare` applied to both commands before they start.
fn direct_and_shimmed_with(
    sig: i32,
    prepare: impl Fn(&mut Command),
) -> (Option<ExitStatus>, Option<ExitStatus>) {
    let env = env_with_sleep();
    let mut npm = env.npm();
    npm.args(["run", "sleep"]);
    prepare(&mut npm);
    let direct = outcome_of(start(npm, &env), &env, sig, false);
    let mut shim = env.regauth();
    shim.args(["npm", "run", "sleep"]);
    prepare(&mut shim);
    let shimmed = outcome_of(start(shim, &env), &env, sig, true);
    (direct, shimmed)
}

#[test]
fn sigterm_reaches_npm_and_regauth_dies_by_sigterm() {
    let (direct, shimmed) = direct_and_shimmed(libc::SIGTERM);
    let shimmed = shimmed.expect("regauth ended after SIGTERM (so npm got it)");
    assert_eq!(shimmed.signal(), Some(libc::SIGTERM), "{shimmed:?}");
    assert_eq!(
        Some(shimmed.into_raw()),
        direct.map(|d| d.into_raw()),
        "same as npm alone"
    );
}

#[test]
fn sighup_reaches_npm_and_regauth_dies_the_same_way() {
    let (direct, shimmed) = direct_and_shimmed(libc::SIGHUP);
    let shimmed = shimmed.expect("regauth ended after SIGHUP");
    assert_eq!(
        Some(shimmed.into_raw()),
        direct.map(|d| d.into_raw()),
        "same as npm alone"
    );
    assert!(
        shimmed.signal() == Some(libc::SIGHUP) || shimmed.code() == Some(129),
        "{shimmed:?}"
    );
}

#[test]
fn sigint_sent_with_kill_behaves_as_for_npm_alone() {
    let (direct, shimmed) = direct_and_shimmed(libc::SIGINT);
    // npm passes SIGINT on to its script and waits for it; regauth must neither die early nor
    // swallow the signal, so whatever npm alone does, the shim does too.
    assert_eq!(shimmed.map(|s| s.into_raw()), direct.map(|d| d.into_raw()));
}

#[test]
fn sigint_sent_with_kill_behaves_as_for_npm_alone_in_a_background_job() {
    use std::os::unix::process::CommandExt;
    // A non-interactive shell starts `cmd &` with SIGINT and SIGQUIT ignored; npm (node) may
    // still handle a SIGINT sent with kill(), so regauth must pass it on all the same.
    let ignore_sigint = |command: &mut Command| {
        // SAFETY: signal(2) between fork and exec is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                libc::signal(libc::SIGQUIT, libc::SIG_IGN);
                Ok(())
            });
        }
    };
    let (direct, shimmed) = direct_and_shimmed_with(libc::SIGINT, ignore_sigint);
    assert_eq!(shimmed.map(|s| s.into_raw()), direct.map(|d| d.into_raw()));
}
