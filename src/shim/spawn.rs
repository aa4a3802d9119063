//! Running the real binary: inherited stdin and stdout (and stderr unless teed), the same
//! process group and session, the recursion guard in its environment, the signal mask and
//! dispositions regauth was given, and signal forwarding from before it exists until it has
//! been waited for. Returns only after npm has exited.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitStatus};

use nix::sys::signal::SigSet;

use super::log_watch::{LogWatch, Seen};
use super::{recursion, signals, tee};

/// What to start and how.
pub struct Launch<'a> {
    pub program: &'a Path,
    /// argv[0] as npm would have got it from a shell (`npm`).
    pub arg0: &'a OsStr,
    pub args: &'a [OsString],
    /// The recursion guard value for the child.
    pub guard: OsString,
}

/// npm's exit status, the teed stderr tail when there was a tee, and what the logs watch saw
/// (when there was one).
pub struct Finished {
    pub status: ExitStatus,
    pub stderr_tail: Option<String>,
    pub logs: Option<Seen>,
}

/// The command for npm, which starts with `mask` blocked. std's spawn would clear the mask (and
/// its posix_spawn path leaves glibc's internal signals 32 and 33 ignored in the child); the
/// fork path with this reset hands over exactly the mask regauth was given, and every
/// disposition as exec leaves it: ignored stays ignored, everything else default.
fn command(launch: &Launch, mask: SigSet) -> Command {
    let mut command = Command::new(launch.program);
    command
        .arg0(launch.arg0)
        .args(launch.args)
        .env(recursion::ENV_VAR, &launch.guard);
    // A shell sets `_` to the path of the command it runs: npm alone would see its own path.
    if std::env::var_os("_").is_some() {
        command.env("_", launch.program);
    }
    // SAFETY: between fork and exec the closure makes one async-signal-safe call
    // (pthread_sigmask) on a value it owns, and allocates nothing.
    unsafe {
        command.pre_exec(move || mask.thread_set_mask().map_err(io::Error::from));
    }
    command
}

/// Spawns, forwards signals, waits. `tee` (if any) takes npm's stderr; `logs` (if any) sees
/// which debug log npm writes.
pub fn run(launch: &Launch, tee: Option<tee::Tee>, logs: Option<LogWatch>) -> io::Result<Finished> {
    let watch = signals::watch(tee.as_ref().is_some_and(tee::Tee::is_pty))?;
    let finished = spawn_and_wait(launch, tee, logs, &watch);
    watch.stop();
    finished
}

fn spawn_and_wait(
    launch: &Launch,
    tee: Option<tee::Tee>,
    mut logs: Option<LogWatch>,
    watch: &signals::Watch,
) -> io::Result<Finished> {
    let mut command = command(launch, watch.given_mask());
    if let Some(t) = tee.as_ref() {
        t.attach(&mut command)?;
    }
    let spawned = command.spawn();
    drop(command); // closes our copies of the teed ends, so the tee can see EOF
    let mut child = spawned?;
    // Started while the watched signals are blocked: they stay with the signalfd.
    let copying = tee.map(tee::Tee::start);
    // A failing signalfd leaves only the plain wait: npm still runs and is waited for.
    let _ = watch.until_exit(child.id(), logs.as_mut(), || {
        if let Some(copying) = copying.as_ref() {
            copying.on_winch();
        }
    });
    let status = child.wait()?;
    let stderr_tail = copying.map(tee::Copying::finish);
    Ok(Finished {
        status,
        stderr_tail,
        logs: logs.map(LogWatch::into_seen),
    })
}

/// `REGAUTH=off`: become npm (exec), with the guard still set. Returns only on failure.
pub fn exec(launch: &Launch) -> io::Error {
    let given = SigSet::thread_get_mask().unwrap_or_else(|_| SigSet::empty());
    command(launch, given).exec()
}
