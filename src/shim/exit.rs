//! Mirroring how npm ended: the same exit code, or death by the same signal (never 128+N: shells
//! and CI runners tell the two apart, e.g. bash stops an `a; b` list only on a real SIGINT death).

use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

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
        Exit::Signal(sig) => die_by(sig),
    }
}

/// Resets `sig` to its default action, unblocks it and raises it. Falls back to 128+N only
/// for a signal whose default action does not terminate.
pub fn die_by(sig: i32) -> i32 {
    // SAFETY: plain libc calls; the process is meant to end here.
    unsafe {
        libc::signal(sig, libc::SIG_DFL);
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, sig);
        libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
        libc::raise(sig);
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
