//! Signals while npm runs (the rules in shim-notes.md, and issue 10's conformance list).
//!
//! regauth stays in npm's process group and never changes a disposition: the signals it must
//! see are blocked before the spawn and read from a signalfd, so nothing is ever lost, fatal to
//! regauth, or handled in a signal handler; npm gets back exactly the mask regauth was given
//! (see `spawn`). Then, while waiting:
//! * a signal sent with kill() (`SI_USER`, `SI_QUEUE`) to regauth alone is passed on to npm's
//!   PID only; one a terminal generated (Ctrl-C: `SI_KERNEL`) or one sent to the whole process
//!   group (`kill -TERM -PGID`, which `witness` tells apart) already reached npm;
//! * when npm stops (Ctrl-Z, SIGTSTP/SIGSTOP from anyone), regauth stops the same way, so the
//!   shell sees the job stop; a SIGCONT sent to regauth alone is passed on to npm;
//! * as PID 1 (a container), a signal is passed on only when npm catches it: the kernel drops
//!   every other signal sent to a PID 1, so npm, had it been PID 1 itself, would never see it.

use std::io;
use std::os::fd::AsFd;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use super::log_watch::LogWatch;
use super::witness::Witness;

/// The signals a wrapper must pass on with kill().
pub const FORWARDED: [Signal; 7] = [
    Signal::SIGHUP,
    Signal::SIGINT,
    Signal::SIGQUIT,
    Signal::SIGTERM,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
    Signal::SIGALRM,
];

/// Job control: regauth stops and continues with npm.
const JOB_CONTROL: [Signal; 3] = [Signal::SIGTSTP, Signal::SIGCONT, Signal::SIGCHLD];

/// The signals regauth reads while npm runs, blocked from before the spawn until the end.
pub struct Watch {
    fd: SignalFd,
    /// The mask regauth was given (npm starts with it).
    given: SigSet,
    watched: SigSet,
    /// `None` when it could not be started: then group-directed signals reach npm twice.
    witness: Option<Witness>,
}

/// Blocks what regauth watches, before the spawn; `winch` adds SIGWINCH (the pty tee).
pub fn watch(winch: bool) -> io::Result<Watch> {
    let mut watched: SigSet = FORWARDED.into_iter().chain(JOB_CONTROL).collect();
    if winch {
        watched.add(Signal::SIGWINCH);
    }
    let given = watched.thread_swap_mask(nix::sys::signal::SigmaskHow::SIG_BLOCK)?;
    // CLOEXEC: npm must start with exactly the descriptors regauth was given.
    let fd = match SignalFd::with_flags(&watched, SfdFlags::SFD_CLOEXEC) {
        Ok(fd) => fd,
        Err(err) => {
            let _ = given.thread_set_mask();
            return Err(err.into());
        }
    };
    let witness = Witness::start().ok();
    Ok(Watch {
        fd,
        given,
        watched,
        witness,
    })
}

impl Watch {
    /// The mask regauth was given, for npm to start with.
    pub fn given_mask(&self) -> SigSet {
        self.given
    }

    /// Waits until npm (`pid`) has ended, acting on every watched signal meanwhile; `on_winch`
    /// runs for SIGWINCH, `logs` hears of new files in npm's logs directory. Returns once npm's
    /// exit can be reaped (not reaped here).
    pub(crate) fn until_exit(
        &self,
        pid: u32,
        mut logs: Option<&mut LogWatch>,
        mut on_winch: impl FnMut(),
    ) -> io::Result<()> {
        let npm = Pid::from_raw(pid as i32);
        let as_pid_1 = std::process::id() == 1;
        loop {
            if !npm_running(npm)? {
                return Ok(());
            }
            if let Some(logs) = logs.as_deref_mut() {
                if !self.signal_or_log(logs, npm)? {
                    continue;
                }
            }
            let Some(info) = self.fd.read_signal()? else {
                continue;
            };
            let Ok(sig) = Signal::try_from(info.ssi_signo as i32) else {
                continue;
            };
            if matches!(sig, Signal::SIGCHLD | Signal::SIGWINCH) {
                if sig == Signal::SIGWINCH {
                    on_winch();
                }
                continue;
            }
            let to_group = self.witness.as_ref().is_some_and(|w| w.saw(sig));
            let sent_with_kill = matches!(info.ssi_code, libc::SI_USER | libc::SI_QUEUE);
            let for_npm = match sig {
                // A SIGCONT for regauth alone is for npm too (npm may be stopped by a forwarded
                // SIGTSTP), whoever sent it.
                Signal::SIGCONT => !to_group,
                _ => sent_with_kill && !to_group && (!as_pid_1 || catches(npm, sig)),
            };
            if for_npm {
                pass_on(npm, sig);
            }
        }
    }

    /// Waits for a signal or a change in the logs directory (handled here, first: npm's files
    /// can be looked at only while it runs); true when a signal is there to be read.
    fn signal_or_log(&self, logs: &mut LogWatch, npm: Pid) -> io::Result<bool> {
        let (signal, log) = {
            let mut fds = [
                PollFd::new(self.fd.as_fd(), PollFlags::POLLIN),
                PollFd::new(logs.fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => return Ok(false),
                Err(err) => return Err(err.into()),
            }
            let ready = |fd: &PollFd| fd.revents().is_some_and(|r| !r.is_empty());
            (ready(&fds[0]), ready(&fds[1]))
        };
        if log {
            logs.on_ready(npm);
        }
        Ok(signal)
    }

    /// Gives regauth its own mask back (npm has exited).
    pub fn stop(self) {
        if let Some(witness) = self.witness {
            witness.stop();
        }
        let _ = self.given.thread_set_mask();
        let _ = self.watched;
    }
}

/// False once npm has exited (its status is left for the caller to reap); when npm is stopped,
/// regauth stops with the same signal first and reports running after it was continued.
fn npm_running(npm: Pid) -> io::Result<bool> {
    let peek = WaitPidFlag::WEXITED | WaitPidFlag::WSTOPPED | WaitPidFlag::WNOHANG;
    match waitid(Id::Pid(npm), peek | WaitPidFlag::WNOWAIT) {
        Ok(WaitStatus::StillAlive) => Ok(true),
        Ok(WaitStatus::Stopped(_, sig)) | Ok(WaitStatus::PtraceEvent(_, sig, _)) => {
            // Consume the stop report, then stop as npm did.
            let _ = waitid(Id::Pid(npm), WaitPidFlag::WSTOPPED | WaitPidFlag::WNOHANG);
            stop_like(sig);
            Ok(true)
        }
        Ok(WaitStatus::Continued(_)) => Ok(true),
        // Exited, killed (a realtime signal is an error to nix), or already gone.
        Ok(_) | Err(_) => Ok(false),
    }
}

/// Stops regauth with `sig` (SIGTSTP/SIGTTIN/SIGTTOU: the shell tells them apart from SIGSTOP);
/// returns when regauth is continued.
fn stop_like(sig: Signal) {
    let stop = match sig {
        Signal::SIGTSTP | Signal::SIGTTIN | Signal::SIGTTOU => sig,
        _ => Signal::SIGSTOP,
    };
    let only = SigSet::from(stop);
    let was_blocked = SigSet::thread_get_mask().is_ok_and(|mask| mask.contains(stop));
    // A blocked stop signal would only be pending: unblock it for the moment of the stop.
    let _ = only.thread_unblock();
    let _ = nix::sys::signal::raise(stop);
    if was_blocked {
        let _ = only.thread_block();
    }
}

fn pass_on(npm: Pid, sig: Signal) {
    let _ = kill(npm, sig);
}

/// True when `pid` has a handler for `sig` (the SigCgt mask of /proc/PID/status).
fn catches(pid: Pid, sig: Signal) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (sig as i32 - 1)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_caught_mask_of_a_process() {
        // This test binary's own: Rust's runtime catches nothing by default but SIGSEGV/SIGBUS.
        let me = Pid::this();
        assert!(catches(me, Signal::SIGSEGV));
        assert!(!catches(me, Signal::SIGUSR1));
    }
}
