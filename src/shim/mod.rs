//! The shim: find the real npm, run it with the user's own stdio, mirror its exit status and
//! signals, and after a failure gather a `Run` for the later stages.
//!
//! A successful npm call costs nothing beyond spawn and wait: no log reading, no async runtime.

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
}

/// The marker line every script in `shims/` carries; the npm search skips files holding it.
pub const SHIM_MARKER: &str = "regauth-shim: this file runs regauth";

/// Runs the tool with `args` and returns the exit code to exit with (after a signal death it
/// does not return: it re-raises the signal).
pub fn run(tool: Shimmed, args: Vec<OsString>) -> i32 {
    let _ = (tool, args);
    eprintln!("regauth: the shim is not built yet");
    127
}
