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
//! descriptor table, it holds no file beyond regauth's own, and closes nothing. It has no thread
//! of its own (no TLS of its own, regauth's thread pointer): it makes raw system calls only, not
//! through libc (no errno, no cancellation state, no allocation, no lock, nothing of Rust's
//! runtime), and dies with regauth (PR_SET_PDEATHSIG); regauth also kills and reaps it.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use nix::sys::mman::{mmap_anonymous, MapFlags, ProtFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::{pipe2, read, write, Pid};

use super::raw_syscall::call4;

/// The witness's own stack. It lives in regauth's memory, so it is never unmapped (the witness
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
        let top = stack_top()?;
        let fds = pack(ask_theirs.as_raw_fd(), answer_theirs.as_raw_fd());
        let flags = libc::CLONE_VM | libc::CLONE_FILES | libc::SIGCHLD;
        // SAFETY: `serve` runs on its own leaked stack, reads only its argument (two fd numbers
        // packed in the pointer value), makes system calls without libc (no errno, no TLS:
        // it has this thread's thread pointer) and never returns into Rust code of regauth's
        // (glibc's clone ends it with a bare exit call); the memory it shares is never touched
        // by it.
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
        self.take(sig);
        true
    }

    /// Has the witness take `sig` off its pending set, and waits until it has.
    fn take(&self, sig: Signal) {
        let mut byte = [0u8; 1];
        if write(&self.ask, &[sig as i32 as u8]).is_ok() {
            let _ = read(&self.answer, &mut byte);
        }
    }

    /// Ends and reaps the witness (a clone that sends SIGCHLD is waited for like a child).
    pub fn stop(self) {
        let _ = kill(self.pid, Signal::SIGKILL);
        let _ = waitpid(self.pid, Some(WaitPidFlag::__WALL));
        drop(self.theirs);
    }
}

/// The top of a fresh stack mapping. Mapped, not allocated: a zeroed heap buffer costs a page
/// fault per page on every run (16 of regauth's ~130), the mapping only the pages the witness
/// touches (one or two).
fn stack_top() -> io::Result<*mut u8> {
    let length = std::num::NonZeroUsize::new(STACK_BYTES).expect("a non-zero stack size");
    let prot = ProtFlags::PROT_READ | ProtFlags::PROT_WRITE;
    let flags = MapFlags::MAP_PRIVATE | MapFlags::MAP_STACK | MapFlags::MAP_NORESERVE;
    // SAFETY: a new private anonymous mapping, at an address the kernel picks: it aliases nothing.
    let base = unsafe { mmap_anonymous(None, length, prot, flags) }?;
    // page-aligned, so the end is 16-byte aligned as the ABI wants
    Ok(base.as_ptr().cast::<u8>().wrapping_add(STACK_BYTES))
}

fn pack(ask: RawFd, answer: RawFd) -> usize {
    (ask as usize) << 32 | answer as usize
}

/// The witness's life: each request answered; gone with regauth. Raw system calls only
/// (`raw_syscall`): it runs with regauth's thread pointer, so a libc call would write the
/// thread's errno (on any failure, such as the EAGAIN of an empty signalfd) and read or set its
/// cancellation state while that thread runs on.
extern "C" fn serve(fds: *mut libc::c_void) -> libc::c_int {
    let (ask, answer) = ((fds as usize >> 32) as RawFd, fds as usize as u32 as RawFd);
    // SAFETY (all calls below): system calls on descriptors and buffers of this stack.
    let parent = unsafe { call4(libc::SYS_getppid, 0, 0, 0, 0) };
    let deathsig = (libc::PR_SET_PDEATHSIG as usize, libc::SIGKILL as usize);
    unsafe { call4(libc::SYS_prctl, deathsig.0, deathsig.1, 0, 0) };
    if unsafe { call4(libc::SYS_getppid, 0, 0, 0, 0) } != parent {
        return 0;
    }
    let mut request = 0u8;
    loop {
        let buf = &mut request as *mut u8 as usize;
        if unsafe { call4(libc::SYS_read, ask as usize, buf, 1, 0) } != 1 {
            return 0;
        }
        take_pending_raw(request);
        let done = 1u8;
        let buf = &done as *const u8 as usize;
        unsafe { call4(libc::SYS_write, answer as usize, buf, 1, 0) };
    }
}

/// Consumes the pending `signo` in the witness, through a signalfd it opens and closes.
fn take_pending_raw(signo: u8) {
    if !(1..=64).contains(&signo) {
        return;
    }
    // the kernel's sigset: 64 bits, signal n at bit n-1
    let set: u64 = 1 << (signo - 1);
    let flags = (libc::SFD_NONBLOCK | libc::SFD_CLOEXEC) as usize;
    let set_ptr = &set as *const u64 as usize;
    // SAFETY: signalfd4 reads 8 bytes at `set`; read writes at most `info`'s size into it;
    // close acts on the descriptor made here.
    unsafe {
        let fd = call4(libc::SYS_signalfd4, usize::MAX, set_ptr, 8, flags);
        if fd >= 0 {
            let mut info = std::mem::MaybeUninit::<libc::signalfd_siginfo>::uninit();
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            call4(
                libc::SYS_read,
                fd as usize,
                info.as_mut_ptr() as usize,
                size,
                0,
            );
            call4(libc::SYS_close, fd as usize, 0, 0, 0);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The witness runs with this thread's thread pointer: a failing libc call in it would
    /// write this thread's errno (and read its cancellation state) while it runs on.
    #[test]
    fn the_witness_leaves_this_threads_errno_alone() {
        let witness = Witness::start().unwrap();
        for _ in 0..3 {
            // SAFETY: this thread's own errno.
            unsafe { *libc::__errno_location() = 0 };
            // nothing pending: the witness's read of its signalfd fails with EAGAIN
            witness.take(Signal::SIGUSR2);
            let errno = unsafe { *libc::__errno_location() };
            assert_eq!(errno, 0, "the witness set this thread's errno");
        }
        witness.stop();
    }
}
