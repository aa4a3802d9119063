//! Telling a signal sent to regauth alone from one sent to its whole process group.
//!
//! npm runs in regauth's process group (so the terminal's Ctrl-C and Ctrl-Z reach it), and so a
//! `kill -TERM -PGID` reaches npm by itself: passing it on as well would give npm the signal
//! twice. The siginfo of the two is the same (`SI_USER`, the sender's PID), so regauth keeps a
//! witness: a forked copy of itself in the same group that blocks the watched signals, holds no
//! file of regauth's, and only answers regauth. A signal sent to the group stays pending in the
//! witness; one sent to regauth alone does not. The kernel signals a group's processes within
//! one kill(), so by the time regauth reads its own copy the witness's is already pending.
//! After each look regauth has the witness take the signal off its pending set (one round trip),
//! so the next one shows again.
//!
//! The witness ends on EOF from regauth, however regauth ends; regauth also kills and reaps it.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, pipe2, read, write, ForkResult, Pid};

/// A process in regauth's group that keeps group-directed signals pending.
pub struct Witness {
    pid: Pid,
    /// Signal numbers to take off its pending set; EOF ends it.
    ask: OwnedFd,
    /// One byte back per request, once it is done.
    answer: OwnedFd,
}

impl Witness {
    /// Forks the witness. Call it with the watched signals blocked (it inherits the mask), while
    /// regauth is single-threaded, before npm is spawned.
    pub fn start() -> io::Result<Witness> {
        let (ask_theirs, ask_ours) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        let (answer_ours, answer_theirs) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        // SAFETY: regauth is single-threaded here (the tee's threads start after the spawn), so
        // the child may call anything; it never returns into the parent's code (see `serve`).
        match unsafe { fork() }? {
            ForkResult::Child => serve(ask_theirs, answer_theirs),
            ForkResult::Parent { child } => Ok(Witness {
                pid: child,
                ask: ask_ours,
                answer: answer_ours,
            }),
        }
    }

    /// True when `sig` was pending in the witness (it was sent to regauth's whole group, or
    /// came from the terminal); it is then taken off, so the next one shows again.
    pub fn saw(&self, sig: Signal) -> bool {
        if !pending(self.pid, sig) {
            return false;
        }
        let mut byte = [0u8; 1];
        if write(&self.ask, &[sig as i32 as u8]).is_ok() {
            let _ = read(&self.answer, &mut byte);
        }
        true
    }

    /// Ends and reaps the witness.
    pub fn stop(self) {
        let _ = kill(self.pid, Signal::SIGKILL);
        let _ = waitpid(self.pid, None);
    }
}

/// The witness's life: no file of regauth's kept open, each request answered, gone on EOF.
fn serve(ask: OwnedFd, answer: OwnedFd) -> ! {
    let keep = [ask.as_raw_fd(), answer.as_raw_fd()];
    let highest = keep.iter().copied().max().unwrap_or(2);
    for fd in (0..highest).filter(|fd| !keep.contains(fd)) {
        let _ = nix::unistd::close(fd);
    }
    close_from(highest + 1);
    let mut request = [0u8; 1];
    loop {
        match read(&ask, &mut request) {
            Ok(1) => {
                take_pending(request[0]);
                let _ = write(&answer, &[1]);
            }
            Err(nix::errno::Errno::EINTR) => {}
            _ => break,
        }
    }
    // SAFETY: _exit(2) ends the forked child without running regauth's exit handlers or
    // flushing buffers it shares with regauth.
    unsafe { libc::_exit(0) }
}

/// Closes every descriptor from `first` up: close_range(2) (no safe wrapper exists), or one by
/// one on a kernel older than 5.9.
fn close_from(first: i32) {
    // SAFETY: close_range only closes descriptors of this (forked, single-threaded) process.
    let closed = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            libc::c_uint::MAX,
            0,
        )
    };
    if closed != 0 {
        for fd in first..4096 {
            let _ = nix::unistd::close(fd);
        }
    }
}

/// Consumes the pending `signo`, if it is.
fn take_pending(signo: u8) {
    if let Ok(sig) = Signal::try_from(i32::from(signo)) {
        if let Ok(fd) = SignalFd::with_flags(&SigSet::from(sig), SfdFlags::SFD_NONBLOCK) {
            let _ = fd.read_signal();
        }
    }
}

/// True when `sig` is pending in `pid` (the SigPnd and ShdPnd masks of /proc/PID/status).
fn pending(pid: Pid, sig: Signal) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let bit = 1u64 << (sig as i32 - 1);
    status
        .lines()
        .filter_map(|l| {
            l.strip_prefix("SigPnd:")
                .or_else(|| l.strip_prefix("ShdPnd:"))
        })
        .filter_map(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        .any(|mask| mask & bit != 0)
}
