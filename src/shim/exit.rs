//! Mirroring how npm ended: the same exit code, or death by the same signal (never 128+N: shells
//! and CI runners tell the two apart, e.g. bash stops an `a; b` list only on a real SIGINT death).

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::sys::signal::{SigHandler, SigSet, Signal};

use crate::types::Exit;

/// How a finished child ended.
pub fn from_status(status: ExitStatus) -> Exit {
    match (status.code(), status.signal()) {
        (Some(code), _) => Exit::Code(code),
        (None, Some(sig)) => Exit::Signal(sig),
        // Stopped/continued statuses never come out of wait(); keep a defined answer anyway.
        (None, None) => Exit::Code(1),
    }
}

/// The exit code to return for `exit`; for a signal death it does not return.
pub fn mirror(exit: Exit) -> i32 {
    match exit {
        Exit::Code(code) => code,
        Exit::Signal(sig) if std::process::id() == 1 => as_pid_1(sig),
        Exit::Signal(sig) => die_by(sig),
    }
}

/// regauth is PID 1 (a container) and npm, its child, died by `sig`. Had npm been PID 1 itself
/// the kernel would not have let a signal sent to it end it: npm's run-script, which re-raises
/// a script's signal at itself, then survives and exits 1 (its "just in case we don't die"
/// path). SIGKILL and the faults (a crash) end a PID 1 too: those keep 128+N, the status a
/// container runtime reports for them.
fn as_pid_1(sig: i32) -> i32 {
    let ends_pid_1 = [
        libc::SIGKILL,
        libc::SIGSEGV,
        libc::SIGBUS,
        libc::SIGILL,
        libc::SIGFPE,
        libc::SIGTRAP,
        libc::SIGSYS,
        libc::SIGABRT,
    ];
    if ends_pid_1.contains(&sig) {
        128 + sig
    } else {
        1
    }
}

/// Resets `sig` to its default action, unblocks it and raises it. Falls back to 128+N only
/// for a signal whose default action does not terminate.
pub fn die_by(sig: i32) -> i32 {
    match Signal::try_from(sig) {
        Ok(signal) => {
            // SAFETY: SIG_DFL installs no handler; the process is meant to end here.
            let _ = unsafe { nix::sys::signal::signal(signal, SigHandler::SigDfl) };
            let _ = SigSet::from(signal).thread_unblock();
            let _ = nix::sys::signal::raise(signal);
        }
        // A realtime signal (nix has no name for it): regauth never blocks, ignores or catches
        // those, so it only needs raising.
        Err(_) => {
            // SAFETY: raise(3) with a signal number the kernel gave us.
            unsafe { libc::raise(sig) };
        }
    }
    128 + sig
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_signals() {
        assert_eq!(from_status(ExitStatus::from_raw(42 << 8)), Exit::Code(42));
        assert_eq!(
            from_status(ExitStatus::from_raw(libc::SIGTERM)),
            Exit::Signal(libc::SIGTERM)
        );
        assert_eq!(mirror(Exit::Code(255)), 255);
    }
}
