//! Running the real binary: inherited stdin and stdout (and stderr unless teed), the same
//! process group and session, the recursion guard in its environment, and signal forwarding
//! from the moment it exists until it has been waited for. Returns only after npm has exited.

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

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

/// npm's exit status, and the teed stderr tail when there was a tee.
pub struct Finished {
    pub status: ExitStatus,
    pub stderr_tail: Option<String>,
}

fn command(launch: &Launch) -> Command {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(launch.program);
    command
        .arg0(launch.arg0)
        .args(launch.args)
        .env(recursion::ENV_VAR, &launch.guard);
    command
}

/// Spawns, forwards signals, waits. `tee` (if any) takes npm's stderr.
pub fn run(launch: &Launch, tee: Option<tee::Tee>) -> io::Result<Finished> {
    let mut command = command(launch);
    let mut tee = tee;
    if let Some(t) = tee.as_mut() {
        command.stderr(t.child_stderr()?);
    }
    let blocked = signals::block();
    let spawned = command.spawn();
    drop(command); // closes our copy of npm's stderr end, so the tee can see EOF
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => {
            blocked.unblock();
            return Err(err);
        }
    };
    let forwarding = signals::forward_to(child.id());
    let copying = tee.map(tee::Tee::start); // started while signals are blocked: they go to this thread
    blocked.unblock();
    let status = child.wait();
    forwarding.stop();
    let stderr_tail = copying.map(tee::Copying::finish);
    Ok(Finished {
        status: status?,
        stderr_tail,
    })
}

/// `REGAUTH=off`: become npm (exec), with the guard still set. Returns only on failure.
pub fn exec(launch: &Launch) -> io::Error {
    use std::os::unix::process::CommandExt;
    command(launch).stdin(Stdio::inherit()).exec()
}
