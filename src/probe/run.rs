//! Running planned probes: concurrent child processes on a tokio runtime that exists only while
//! they run, one overall deadline, output captured (never shown raw), every child killed at the
//! deadline or if regauth goes away.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::task::JoinSet;

use super::cli_config::{carried_config, env_key};
use super::kind::Probe;
use super::outcome::{Outcome, ProbeResult};
use super::parse::{parse, Captured};
use super::plan::Plan;
use super::request::ProbeRequest;
use super::settings::ProbeSettings;

/// At most this much of each output stream is kept; the rest is read and dropped so that npm
/// never blocks on a full pipe.
const MAX_CAPTURE: usize = 1 << 20;

/// How long a killed child gets to be reaped before regauth stops waiting for it.
const REAP_GRACE: Duration = Duration::from_millis(200);

/// Runs the plan and returns one result per probe, in plan order. Creates a current-thread
/// tokio runtime only when there is something to run; returns at once when probes are disabled
/// or the plan is empty.
pub fn run_plan(plan: &Plan, request: &ProbeRequest, settings: &ProbeSettings) -> Vec<ProbeResult> {
    if !settings.enabled || plan.is_empty() {
        return Vec::new();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run_plan_async(plan, request, settings)),
        Err(err) => not_started_all(plan, &format!("no async runtime: {err}")),
    }
}

/// The same, for a caller already inside a tokio runtime. On a multi-thread runtime the
/// parent-death signal is tied to the worker thread that spawned each probe, which lives as long
/// as the runtime.
pub async fn run_plan_async(
    plan: &Plan,
    request: &ProbeRequest,
    settings: &ProbeSettings,
) -> Vec<ProbeResult> {
    if !settings.enabled || plan.is_empty() {
        return Vec::new();
    }
    let deadline = tokio::time::Instant::now() + settings.budget;
    let logs_dir = unused_logs_dir();
    let mut tasks = JoinSet::new();
    for (index, probe) in plan.probes.iter().enumerate() {
        let command = build_command(probe, request, &logs_dir, settings.budget);
        let probe = probe.clone();
        tasks.spawn(async move { (index, run_one(probe, command, deadline).await) });
    }
    let mut results: Vec<Option<ProbeResult>> = vec![None; plan.probes.len()];
    while let Some(joined) = tasks.join_next().await {
        if let Ok((index, result)) = joined {
            results[index] = Some(result);
        }
    }
    results
        .into_iter()
        .zip(&plan.probes)
        .map(|(result, probe)| {
            result.unwrap_or_else(|| not_started(probe, "the probe task failed"))
        })
        .collect()
}

/// The child process for one probe: the real npm, the user's cwd and environment, no stdin (so
/// it can never prompt), output captured, in a process group of its own so that a timeout can
/// kill everything it started. (Terminal signals then reach only regauth; its death still kills
/// the probe through `die_with_parent`, and `--fetch-timeout` ends any leftover by itself.)
fn build_command(
    probe: &Probe,
    request: &ProbeRequest,
    logs_dir: &OsStr,
    budget: Duration,
) -> Command {
    let mut command = Command::new(&request.npm);
    command
        .args(probe.args())
        .arg(logs_option(logs_dir))
        .arg(format!("--fetch-timeout={}", budget.as_millis().max(1)))
        .current_dir(&request.cwd)
        .env_clear()
        .envs(probe_env(request, probe))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    die_with_parent(&mut command);
    command
}

/// `--logs-dir` pointing at a directory that does not exist (probes also get `--logs-max=0`, so
/// no log file is written). With `--logs-max=0` alone npm still runs its log cleaning in the
/// user's logs dir and deletes their debug logs (npm 11 `lib/utils/log-file.js`:
/// `toDelete = files - logsMax`), including the one the shim just read the failure from.
/// Pointed at a missing directory, the cleaning finds nothing, so probes leave the user's logs
/// and the shim's "newest log" logic alone.
fn logs_option(logs_dir: &OsStr) -> OsString {
    let mut option = OsString::from("--logs-dir=");
    option.push(logs_dir);
    option
}

fn unused_logs_dir() -> OsString {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "regauth-probe-nologs-{}-{nanos}",
        std::process::id()
    ));
    dir.into_os_string()
}

/// The user's environment, then the config the user passed on npm's command line, then the
/// probe's registry (`Probe::config_overrides`), each as `npm_config_*` (env beats every config file, as the command line
/// does, and keeps URLs and credentials off the probe's command line), then the caller's extra
/// variables. A user variable for a key set here is dropped, so npm cannot pick the wrong one,
/// and so is every setting the probe does not keep (`Probe::keeps_config`).
fn probe_env(request: &ProbeRequest, probe: &Probe) -> Vec<(OsString, OsString)> {
    let mut config = carried_config(&request.command);
    config.retain(|(key, _)| probe.keeps_config(key));
    config.extend(probe.config_overrides());
    let overridden = |name: &OsStr| {
        let key = name.to_str().and_then(env_key);
        key.is_some_and(|key| !probe.keeps_config(&key) || config.iter().any(|(k, _)| *k == key))
    };
    let mut env: Vec<(OsString, OsString)> = request
        .env
        .iter()
        .filter(|(name, _)| !overridden(name))
        .cloned()
        .collect();
    let mut set: Vec<(OsString, OsString)> = Vec::new();
    for (key, value) in &config {
        let name = OsString::from(format!("npm_config_{key}"));
        set.retain(|(k, _)| *k != name);
        set.push((name, value.into()));
    }
    env.extend(set);
    env.extend(request.extra_env.iter().cloned());
    env
}

/// Linux: the kernel kills the probe if regauth dies first (even by SIGKILL), so no probe
/// outlives regauth. `kill_on_drop` covers the ordinary paths.
fn die_with_parent(command: &mut Command) {
    #[cfg(target_os = "linux")]
    // SAFETY: between fork and exec the closure makes one async-signal-safe call (prctl) and
    // allocates nothing.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(std::io::Error::from)
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = command;
}

async fn run_one(
    probe: Probe,
    mut command: Command,
    deadline: tokio::time::Instant,
) -> ProbeResult {
    let started = Instant::now();
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => return not_started(&probe, &err.to_string()),
    };
    // The group id, kept from spawn: once npm itself is reaped `child.id()` is gone, but a
    // process it left behind may still hold the pipes.
    let group = child.id();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let finished = tokio::time::timeout_at(deadline, async {
        tokio::join!(child.wait(), capture(stdout), capture(stderr))
    })
    .await;
    let duration = started.elapsed();
    match finished {
        Ok((status, stdout, stderr)) => {
            let exit_code = status.ok().and_then(|s| s.code());
            let (requests, outcome) = parse(
                &probe.kind,
                Captured {
                    exit_code,
                    stdout: &stdout,
                    stderr: &stderr,
                },
            );
            ProbeResult {
                command: probe.display(),
                probe,
                exit_code,
                duration,
                requests,
                outcome,
            }
        }
        Err(_) => {
            kill_group(group);
            let _ = child.start_kill();
            let _ = tokio::time::timeout(REAP_GRACE, child.wait()).await;
            ProbeResult {
                command: probe.display(),
                probe,
                exit_code: None,
                duration,
                requests: Vec::new(),
                outcome: Outcome::TimedOut,
            }
        }
    }
}

/// Kills the probe's whole process group: an npm started through a wrapper (a version manager's
/// shim) may have a child of its own that killing the direct child would leave running.
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
    }
}

/// Reads a stream to its end, keeping at most `MAX_CAPTURE` bytes.
async fn capture(stream: Option<impl AsyncRead + Unpin>) -> String {
    let Some(mut stream) = stream else {
        return String::new();
    };
    let mut kept = Vec::new();
    let mut chunk = [0u8; 8192];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let room = MAX_CAPTURE.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

fn not_started(probe: &Probe, why: &str) -> ProbeResult {
    ProbeResult {
        command: probe.display(),
        probe: probe.clone(),
        exit_code: None,
        duration: Duration::ZERO,
        requests: Vec::new(),
        outcome: Outcome::NotStarted(why.to_string()),
    }
}

fn not_started_all(plan: &Plan, why: &str) -> Vec<ProbeResult> {
    plan.probes.iter().map(|p| not_started(p, why)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_config_and_registry_replace_the_users_variables() {
        let request = ProbeRequest {
            env: vec![
                ("NPM_CONFIG_REGISTRY".into(), "http://old/".into()),
                ("npm_config_userconfig".into(), "/old".into()),
                ("HOME".into(), "/h".into()),
            ],
            command: ["publish", "--userconfig", "./ci.npmrc"]
                .map(String::from)
                .to_vec(),
            extra_env: vec![("REGAUTH_RECURSION".into(), "1:2:/npm".into())],
            ..ProbeRequest::default()
        };
        let probe = Probe {
            kind: super::super::kind::ProbeKind::Whoami,
            registry: Some("http://new/".into()),
        };
        let env = probe_env(&request, &probe);
        let get = |name: &str| {
            env.iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(get("npm_config_registry"), ["http://new/"]);
        assert!(get("NPM_CONFIG_REGISTRY").is_empty());
        assert_eq!(get("npm_config_userconfig"), ["./ci.npmrc"]);
        assert_eq!(get("HOME"), ["/h"]);
        assert_eq!(get("REGAUTH_RECURSION"), ["1:2:/npm"]);
    }

    #[test]
    fn disabled_or_empty_runs_nothing() {
        let request = ProbeRequest {
            npm: "/nonexistent/npm".into(),
            ..ProbeRequest::default()
        };
        let plan = Plan {
            probes: vec![Probe {
                kind: super::super::kind::ProbeKind::Whoami,
                registry: None,
            }],
            skipped: vec![],
        };
        let off = ProbeSettings {
            enabled: false,
            ..ProbeSettings::default()
        };
        assert!(run_plan(&plan, &request, &off).is_empty());
        assert!(run_plan(&Plan::default(), &request, &ProbeSettings::default()).is_empty());
    }

    #[test]
    fn missing_npm_is_reported_not_started() {
        let request = ProbeRequest {
            npm: "/nonexistent/npm".into(),
            cwd: std::env::temp_dir(),
            ..ProbeRequest::default()
        };
        let plan = Plan {
            probes: vec![Probe {
                kind: super::super::kind::ProbeKind::Whoami,
                registry: None,
            }],
            skipped: vec![],
        };
        let results = run_plan(&plan, &request, &ProbeSettings::default());
        assert!(
            matches!(results[0].outcome, Outcome::NotStarted(_)),
            "{results:?}"
        );
    }
}
