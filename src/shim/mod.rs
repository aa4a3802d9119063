//! The shim: find the real npm, run it with the user's own stdio, mirror its exit status and
//! signals, and after a failure gather a `Run` for the later stages.
//!
//! A successful npm call costs nothing beyond spawn and wait: no log reading, no async runtime,
//! no regex. The steps, one file each:
//! `recursion` (loop guard) -> `locate` (the real npm) -> `settings` (will npm write a debug
//! log?) -> `spawn` + `signals` (run it, forward kill()ed signals) or `tee` (stderr copy when
//! there will be no log) -> `exit` (mirror the status) and, after a non-zero exit only,
//! `debug_log` + `hook` (the `Run`, `detect`, the one line) with `nesting` deciding which level
//! explains.

pub mod debug_log;
pub mod exit;
pub mod hook;
pub mod locate;
pub mod nesting;
pub mod recursion;
pub mod settings;
pub mod signals;
pub mod spawn;
pub mod tee;

/// The one place where the later stages plug in after npm failed.
pub use hook::after_failure;

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::SystemTime;

/// The tools regauth can stand in front of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shimmed {
    Npm,
    Npx,
}

impl Shimmed {
    /// The tool a binary name (argv[0] file name, or the first argument) stands for.
    pub fn from_name(name: &str) -> Option<Shimmed> {
        match name {
            "npm" => Some(Shimmed::Npm),
            "npx" => Some(Shimmed::Npx),
            _ => None,
        }
    }

    pub fn binary_name(self) -> &'static str {
        match self {
            Shimmed::Npm => "npm",
            Shimmed::Npx => "npx",
        }
    }
}

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

/// npm's debug log for this run, read after exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugLog {
    pub path: PathBuf,
    pub text: String,
}

/// A finished run of the real tool: what later stages need, nothing more.
#[derive(Debug, Clone)]
pub struct Run {
    pub tool: Shimmed,
    /// The path of the real binary that ran.
    pub program: PathBuf,
    /// The user's arguments, exactly as given (after `npm`).
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    pub started: SystemTime,
    pub exit: Exit,
    pub debug_log: Option<DebugLog>,
    /// The end of npm's stderr, where it was teed (no debug log available).
    pub stderr_tail: Option<String>,
    /// When npm exited (the live explanation's timing starts here).
    pub exited: std::time::Instant,
}

/// The marker line every script in `shims/` carries; the npm search skips files holding it.
pub const SHIM_MARKER: &str = "regauth-shim: this file runs regauth";

/// `REGAUTH=off` (or `0`, `false`): pure passthrough, regauth execs npm and is gone.
pub fn is_off() -> bool {
    std::env::var("REGAUTH")
        .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "off" | "0" | "false"))
}

/// Exit code when no real npm can be found (as a shell does for a missing command).
pub const EXIT_NOT_FOUND: i32 = 127;
/// Exit code when the real npm was found but cannot be run, or when a loop was stopped.
pub const EXIT_CANNOT_RUN: i32 = 126;

/// Runs the tool with `args` and returns the exit code to exit with (after a signal death it
/// does not return: it re-raises the signal).
pub fn run(tool: Shimmed, args: Vec<OsString>) -> i32 {
    let guard = recursion::Guard::from_env();
    if let Err(found_loop) = guard.check(std::os::unix::process::parent_id()) {
        hook::say(&found_loop.to_string());
        return EXIT_CANNOT_RUN;
    }
    let program = match locate::locate(tool) {
        Ok(program) => program,
        Err(err) => {
            hook::say(&err.to_string());
            return EXIT_NOT_FOUND;
        }
    };
    let launch = spawn::Launch {
        program: &program,
        arg0: std::ffi::OsStr::new(tool.binary_name()),
        args: &args,
        guard: guard.for_child(std::process::id(), &program),
    };
    if is_off() {
        let err = spawn::exec(&launch);
        return cannot_run(&program, &err);
    }
    let started = SystemTime::now();
    // Not even a bug in reading settings may keep npm from running: it then runs untouched,
    // and the bug is reported after npm's output.
    let mut deferred = None;
    let plan = guarded_or_note(&mut deferred, || {
        settings::log_plan(&settings::load(&args, &program))
    })
    .unwrap_or_default();
    let tee = if plan.writes_log || deferred.is_some() {
        None
    } else {
        tee::Tee::new().ok()
    };
    let finished = match spawn::run(&launch, tee) {
        Ok(finished) => finished,
        Err(err) => return cannot_run(&program, &err),
    };
    let exited = std::time::Instant::now();
    let exit = exit::from_status(finished.status);
    if let Some(line) = deferred {
        hook::say(&line);
    } else if matches!(exit, Exit::Code(code) if code != 0) {
        let explained = hook::guarded("reading npm's failure", || {
            let run = Run {
                exited,
                ..gather_run(
                    tool,
                    program.clone(),
                    args,
                    started,
                    exit,
                    finished.stderr_tail,
                    plan.logs_dir.as_deref(),
                )
            };
            if nesting::should_explain(&guard, &run) {
                hook::after_failure(&run);
            }
        });
        if let Err(line) = explained {
            hook::say(&line);
        }
    }
    exit::mirror(exit)
}

/// `work`'s value, or `None` with the internal-error line kept in `note` for later.
fn guarded_or_note<T>(note: &mut Option<String>, work: impl FnOnce() -> T) -> Option<T> {
    hook::guarded("reading npm's settings", work)
        .map_err(|line| *note = Some(line))
        .ok()
}

/// The `Run` of a failed call: its debug log is looked up only now.
fn gather_run(
    tool: Shimmed,
    program: PathBuf,
    args: Vec<OsString>,
    started: SystemTime,
    exit: Exit,
    stderr_tail: Option<String>,
    logs_dir: Option<&std::path::Path>,
) -> Run {
    let debug_log = match stderr_tail {
        Some(_) => None,
        None => logs_dir.and_then(|dir| debug_log::find(dir, started, &args)),
    };
    Run {
        tool,
        program,
        args,
        cwd: std::env::current_dir().unwrap_or_default(),
        started,
        exit,
        debug_log,
        stderr_tail,
        exited: std::time::Instant::now(),
    }
}

fn cannot_run(program: &std::path::Path, err: &std::io::Error) -> i32 {
    hook::say(&format!("regauth: cannot run {}: {err}", program.display()));
    if err.kind() == std::io::ErrorKind::NotFound {
        EXIT_NOT_FOUND
    } else {
        EXIT_CANNOT_RUN
    }
}
