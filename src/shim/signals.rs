//! Signal forwarding while npm runs (the rules in shim-notes.md):
//! stay in npm's process group; catch SIGINT, SIGQUIT, SIGTERM and SIGHUP with an `SA_SIGINFO`
//! handler installed only after the spawn (never `SIG_IGN` before it: that is inherited across
//! exec); forward only signals sent with kill() (`SI_USER`, `SI_QUEUE`) and only to npm's PID.
//! A Ctrl-C from the terminal already reached npm through the process group, so it is not sent
//! again. A signal the user's shell set to ignore is still forwarded when sent with kill():
//! npm inherited the same ignored disposition at exec, so the signal meets exactly what it would
//! have met had it been sent to npm directly (node may have installed its own handler since).

use std::sync::atomic::{AtomicI32, Ordering};

/// The signals a wrapper must pass on (SIGWINCH is the pty tee's business, see `tee`).
pub const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP];

/// npm's PID while it runs, 0 otherwise (read by the handler, so an atomic).
static CHILD_PID: AtomicI32 = AtomicI32::new(0);

/// The signal mask before `block`, restored by `unblock`.
pub struct Blocked(libc::sigset_t);

/// Blocks the forwarded signals so none is lost or fatal between the spawn and the handlers.
/// The child starts with an empty mask anyway (std clears it before exec).
pub fn block() -> Blocked {
    // SAFETY: plain libc calls on stack-local, initialised sigset_t values.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in FORWARDED {
            libc::sigaddset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
        Blocked(old)
    }
}

impl Blocked {
    /// Restores the mask; signals that arrived meanwhile are delivered (and forwarded) now.
    pub fn unblock(self) {
        // SAFETY: restores a mask obtained from pthread_sigmask.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.0, std::ptr::null_mut());
        }
    }
}

/// The dispositions before `forward_to`, put back by `stop`.
pub struct Forwarding(Vec<(libc::c_int, libc::sigaction)>);

/// Installs the forwarding handlers for npm's `pid`. Call after the spawn.
pub fn forward_to(pid: u32) -> Forwarding {
    CHILD_PID.store(pid as i32, Ordering::SeqCst);
    let mut previous = Vec::with_capacity(FORWARDED.len());
    for sig in FORWARDED {
        // SAFETY: sigaction with a zeroed struct, a valid handler address and SA_SIGINFO.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(sig, std::ptr::null(), &mut old);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
            previous.push((sig, old));
        }
    }
    Forwarding(previous)
}

impl Forwarding {
    /// npm has exited: forward nothing more and give the signals their old meaning back.
    pub fn stop(self) {
        CHILD_PID.store(0, Ordering::SeqCst);
        for (sig, old) in self.0 {
            // SAFETY: restores a disposition read with sigaction.
            unsafe {
                libc::sigaction(sig, &old, std::ptr::null_mut());
            }
        }
    }
}

/// Async-signal-safe: reads two integers and calls kill(2).
extern "C" fn on_signal(sig: libc::c_int, info: *mut libc::siginfo_t, _context: *mut libc::c_void) {
    if info.is_null() {
        return;
    }
    // SAFETY: the kernel passes a valid siginfo_t for SA_SIGINFO handlers.
    let code = unsafe { (*info).si_code };
    let pid = CHILD_PID.load(Ordering::SeqCst);
    if pid > 0 && (code == libc::SI_USER || code == libc::SI_QUEUE) {
        // SAFETY: kill(2) is async-signal-safe.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}
