//! Telling a signal sent to regauth alone from one sent to its whole process group.
//!
//! npm runs in regauth's process group (so the terminal's Ctrl-C and Ctrl-Z reach it), and so a
//! `kill -TERM -PGID` reaches npm by itself: passing it on as well would give npm the signal
//! twice. The siginfo of the two is the same (`SI_USER`, the sender's PID), so regauth keeps a
//! witness: a second process in the same group that blocks the watched signals and only
//! answers regauth. A signal sent to the group stays pending in the
//! witness; one sent to regauth alone does not. The kernel signals a group's processes within
//! one kill(), so by the time regauth reads its own copy the witness's is already pending.
//! After each look regauth has the witness take the signal off its pending set (one round trip),
//! so the next one shows again.
//!
//! The witness shares regauth's memory and descriptor table (clone with CLONE_VM and
//! CLONE_FILES, on a stack of its own): nothing is copied, so starting it costs a few
//! microseconds where a fork cost a page-table copy, copy-on-write faults in regauth afterwards,
//! and the teardown of that copy (about half of regauth's fixed cost, measured). Sharing the
//! descriptor table, it holds no file beyond regauth's own, and closes nothing. It makes raw
//! system calls only (no allocation, no lock, nothing of Rust's runtime), and dies with
//! regauth (PR_SET_PDEATHSIG); regauth also kills and reaps it.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::{pipe2, read, write, Pid};

/// The witness's own stack. It lives in regauth's memory, so it is never freed (the witness
/// could still be running on it): one per process, leaked.
const STACK_BYTES: usize = 64 << 10;

/// A process in regauth's group that keeps group-directed signals pending.
pub struct Witness {
    pid: Pid,
    /// Signal numbers to take off its pending set.
    ask: OwnedFd,
    /// One byte back per request, once it is done.
    answer: OwnedFd,
    /// The witness's ends, in the shared table: closed only once it is gone.
    theirs: (OwnedFd, OwnedFd),
}

impl Witness {
    /// Starts the witness. Call it with the watched signals blocked (it inherits the mask),
    /// before npm is spawned.
    pub fn start() -> io::Result<Witness> {
        let (ask_theirs, ask) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        let (answer, answer_theirs) = pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        let stack: &'static mut [u8] = Box::leak(vec![0u8; STACK_BYTES].into_boxed_slice());
        let top = stack.as_mut_ptr_range().end;
        let top = top.wrapping_sub(top as usize % 16);
        let fds = pack(ask_theirs.as_raw_fd(), answer_theirs.as_raw_fd());
        let flags = libc::CLONE_VM | libc::CLONE_FILES | libc::SIGCHLD;
        // SAFETY: `serve` runs on its own leaked stack, reads only its argument (two fd numbers
        // packed in the pointer value), makes raw system calls and never returns into Rust
        // code of regauth's; the memory it shares is never touched by it.
        let pid = unsafe { libc::clone(serve, top.cast(), flags, fds as *mut libc::c_void) };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Witness {
            pid: Pid::from_raw(pid),
            ask,
            answer,
            theirs: (ask_theirs, answer_theirs),
        })
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

    /// Ends and reaps the witness (a clone that sends SIGCHLD is waited for like a child).
    pub fn stop(self) {
        let _ = kill(self.pid, Signal::SIGKILL);
        let _ = waitpid(self.pid, Some(WaitPidFlag::__WALL));
        drop(self.theirs);
    }
}

fn pack(ask: RawFd, answer: RawFd) -> usize {
    (ask as usize) << 32 | answer as usize
}

/// The witness's life: each request answered; gone with regauth. Raw calls only: it runs in
/// regauth's memory with regauth's thread pointer.
extern "C" fn serve(fds: *mut libc::c_void) -> libc::c_int {
    let (ask, answer) = ((fds as usize >> 32) as RawFd, fds as usize as u32 as RawFd);
    let parent = unsafe { libc::getppid() };
    // SAFETY (all calls below): plain system calls on descriptors and a local buffer.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    if unsafe { libc::getppid() } != parent {
        return 0;
    }
    let mut request = 0u8;
    loop {
        let got = unsafe { libc::read(ask, (&mut request as *mut u8).cast(), 1) };
        if got != 1 {
            return 0;
        }
        take_pending_raw(request);
        let done = 1u8;
        unsafe { libc::write(answer, (&done as *const u8).cast(), 1) };
    }
}

/// Consumes the pending `signo` in the witness, through a signalfd it opens and closes.
fn take_pending_raw(signo: u8) {
    // SAFETY: sigset_t and signalfd_siginfo are plain data on this stack; signalfd, read and
    // close act on a descriptor made here.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::c_int::from(signo));
        let fd = libc::signalfd(-1, &set, libc::SFD_NONBLOCK | libc::SFD_CLOEXEC);
        if fd >= 0 {
            let mut info: libc::signalfd_siginfo = std::mem::zeroed();
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            libc::read(fd, (&mut info as *mut libc::signalfd_siginfo).cast(), size);
            libc::close(fd);
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
