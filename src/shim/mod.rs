//! The shim: find the real client, run it with the user's own stdio, mirror its exit status and
//! signals, and after a failure hand back a `Run` for the failure path. Client-agnostic: all it
//! knows of a client is `crate::clients::Client`.
//!
//! A successful call costs nothing beyond spawn and wait: no log reading, no async runtime,
//! no regex. The steps, one file each:
//! `recursion` (loop guard) -> `Client::locate` (the real binary) -> `Client::recording` (will
//! it write a debug log?) -> `spawn` + `signals` (run it, forward kill()ed signals) or `tee`
//! (stderr copy when there will be no log) -> `exit` (mirror the status). After a non-zero exit
//! only: `Client::debug_log` and the `Run`, with `nesting` deciding which level explains. The
//! caller (`crate::cli`) gives that `Failed` run to the failure path (`crate::live`), then
//! `finish`es.

pub mod exit;
pub mod guard;
mod log_watch;
pub mod nesting;
pub mod out_of_memory;
mod raw_syscall;
pub mod recursion;
pub mod signals;
pub mod spawn;
pub mod tee;
mod witness;

pub use guard::{guarded, say};

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::clients::{Client, Recording};
use crate::types::{Exit, Run};

/// `REGAUTH=off` (or `0`, `false`): pure passthrough, regauth execs the client and is gone.
pub fn is_off() -> bool {
    std::env::var("REGAUTH")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "false"))
}

/// Exit code when no real binary can be found (as a shell does for a missing command).
pub const EXIT_NOT_FOUND: i32 = 127;
/// Exit code when the real binary was found but cannot be run, or when a loop was stopped.
pub const EXIT_CANNOT_RUN: i32 = 126;

/// How a shimmed call ended.
// one value per run, moved once: boxing `Ended` would only add an allocation
#[allow(clippy::large_enum_variant)]
pub enum Outcome {
    /// The client did not run (not found, a loop, cannot be started): exit with this code.
    NotRun(i32),
    Ran(Ended),
}

/// The client ran and exited.
pub struct Ended {
    exit: Exit,
    /// The failed run this level should explain; `Err`: the one line saying why regauth could
    /// not read it (printed by `finish`).
    pub failed: Result<Option<Failed>, String>,
}

/// A failed run to explain, with what its client prepared before the spawn (the configuration
/// it read, for the failure path to reuse).
pub struct Failed {
    pub run: Run,
    pub recording: Recording,
}

impl Ended {
    /// Call before explaining: from then on, running out of memory ends regauth with npm's
    /// exit code (and one line) instead of Rust's abort.
    pub fn exit_as_npm_when_out_of_memory(&self) {
        if let Exit::Code(code) = self.exit {
            out_of_memory::exit_as_npm_when_out_of_memory(code);
        }
    }

    /// Prints a pending internal-error line and mirrors the client's exit (after a signal death
    /// it does not return: it re-raises the signal). Call it after the failure path.
    pub fn finish(self) -> i32 {
        if let Err(line) = &self.failed {
            say(line);
        }
        exit::mirror(self.exit)
    }
}

/// Runs `client` with `args`.
pub fn run(client: &dyn Client, args: Vec<OsString>) -> Outcome {
    let guard = recursion::Guard::from_env();
    let program = match locate(client, &guard) {
        Ok(program) => program,
        Err(code) => return Outcome::NotRun(code),
    };
    let launch = spawn::Launch {
        program: &program,
        arg0: std::ffi::OsStr::new(client.binary_name()),
        args: &args,
        guard: guard.for_child(&program),
    };
    if is_off() {
        let err = spawn::exec(&launch);
        return Outcome::NotRun(cannot_run(&program, &err));
    }
    let started = SystemTime::now();
    // Not even a bug in reading settings may keep the client from running: it then runs
    // untouched, and the bug is reported after its output.
    let recording = guarded("reading npm's settings", || {
        client.recording(&args, &program)
    });
    let tee = match &recording {
        Ok(plan) if !plan.writes_log => tee::Tee::of(plan.tee_stdout).ok(),
        _ => None,
    };
    // Only when npm will write a log: the watch is on its logs directory, or on the parent
    // until npm makes the directory on a first run (log_watch::LogWatch::new).
    let logs = match &recording {
        Ok(plan) if plan.writes_log => plan.logs_dir.as_deref().and_then(log_watch::LogWatch::new),
        _ => None,
    };
    let finished = match spawn::run(&launch, tee, logs) {
        Ok(finished) => finished,
        Err(err) => return Outcome::NotRun(cannot_run(&program, &err)),
    };
    let exited = std::time::Instant::now();
    let exit = exit::from_status(finished.status);
    let failed = match recording {
        Err(line) => Err(line),
        Ok(_) if !matches!(exit, Exit::Code(code) if code != 0) => Ok(None),
        Ok(plan) => guarded("reading npm's failure", || {
            let log = match finished.stderr_tail {
                Some(_) => Ok(None),
                None => this_runs_log(client, &plan, started, &args, finished.logs),
            };
            let run = Run {
                exited,
                ..gather_run(
                    client,
                    program.clone(),
                    args,
                    exit,
                    finished.stderr_tail,
                    log?,
                )
            };
            Ok(nesting::should_explain(&guard, &run).then_some(Failed {
                run,
                recording: plan,
            }))
        })
        .and_then(|r| r),
    };
    Outcome::Ran(Ended { exit, failed })
}

/// The real binary, after the loop checks (only a nested regauth pays for them); `Err`: the
/// exit code, its one line already printed.
fn locate(client: &dyn Client, guard: &recursion::Guard) -> Result<PathBuf, i32> {
    let located = if guard.depth == 0 {
        client.locate()
    } else {
        let me = crate::paths::SelfIdentity::current();
        match guard.check(&me, recursion::parent_runs(&me)) {
            Ok(recursion::Search::Normal) => client.locate(),
            Ok(recursion::Search::AfterSelf) => {
                crate::paths::locate_after_self(client.binary_name(), &me)
            }
            Err(found_loop) => {
                say(&found_loop.to_string());
                return Err(EXIT_CANNOT_RUN);
            }
        }
    };
    located.map_err(|err| {
        say(&err.to_string());
        EXIT_NOT_FOUND
    })
}

/// The debug log of a failed call: the one npm was seen holding open; without a watch, or
/// when no other run wrote a log meanwhile, the one `Client::debug_log` finds by time and
/// arguments. `Err`: the one line saying this run's log cannot be told from other runs'.
fn this_runs_log(
    client: &dyn Client,
    recording: &Recording,
    started: SystemTime,
    args: &[OsString],
    seen: Option<log_watch::Seen>,
) -> Result<Option<crate::types::DebugLog>, String> {
    let log = match seen {
        Some(log_watch::Seen {
            ours: Some(ours), ..
        }) => log_watch::read(ours),
        Some(seen) if seen.others > 1 => return Err(cannot_tell(&seen)),
        seen => {
            let found = client.debug_log(recording, started, args);
            // One other log may be this run's own, not seen held (a wrapper that detaches
            // npm): found by time and arguments; when nothing is found, say so, not nothing.
            match seen.filter(|s| s.others == 1) {
                Some(seen) if found.is_none() => return Err(cannot_tell(&seen)),
                _ => found,
            }
        }
    };
    match log {
        Some(log) if log_watch::holds_other_runs(&log.text) => Err(format!(
            "regauth: this run's npm debug log {} also holds another npm run's entries (npm \
             names its log by the millisecond a run starts); not explaining from a mixed log",
            log.path.display()
        )),
        log => Ok(log),
    }
}

/// The line for a run whose debug log cannot be told from the logs other runs wrote.
fn cannot_tell(seen: &log_watch::Seen) -> String {
    let others = match seen.others {
        1 => "the one".to_owned(),
        n => format!("the {n}"),
    };
    format!(
        "regauth: could not tell this run's npm debug log from {others} that other npm runs \
         wrote meanwhile in {}; not explaining another run's failure",
        seen.dir.display()
    )
}

/// The `Run` of a failed call.
fn gather_run(
    client: &dyn Client,
    program: PathBuf,
    args: Vec<OsString>,
    exit: Exit,
    stderr_tail: Option<String>,
    debug_log: Option<crate::types::DebugLog>,
) -> Run {
    Run {
        client: client.id(),
        program,
        args,
        cwd: std::env::current_dir().unwrap_or_default(),
        exit,
        debug_log,
        stderr_tail,
        exited: std::time::Instant::now(),
    }
}

fn cannot_run(program: &Path, err: &std::io::Error) -> i32 {
    say(&format!("regauth: cannot run {}: {err}", program.display()));
    if err.kind() == std::io::ErrorKind::NotFound {
        EXIT_NOT_FOUND
    } else {
        EXIT_CANNOT_RUN
    }
}
