//! The signal state a conformance run is given (SIGPWR blocked, SIGURG ignored, all else
//! default, no core files), set between fork and exec, so that npm directly and through regauth
//! start from the same known state whatever the test runner left behind.

use std::os::unix::process::CommandExt;
use std::process::Command;

use nix::sys::signal::{signal, SigHandler, SigSet, Signal};

/// The signal state every run here is given: SIGPWR blocked, SIGURG ignored, all else default,
/// no core files. A shim must hand exactly this to npm.
pub fn given_signal_state(command: &mut Command) -> &mut Command {
    // SAFETY: between fork and exec the closure only makes async-signal-safe syscalls
    // (sigaction, sigprocmask, setrlimit) and allocates nothing.
    unsafe {
        command.pre_exec(|| {
            for sig in Signal::iterator() {
                if !matches!(sig, Signal::SIGKILL | Signal::SIGSTOP) {
                    let _ = signal(sig, SigHandler::SigDfl);
                }
            }
            reset_glibc_internal_signals();
            signal(Signal::SIGURG, SigHandler::SigIgn)?;
            let mut mask = SigSet::empty();
            mask.add(Signal::SIGPWR);
            mask.thread_set_mask()?;
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_CORE, &no_core) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// glibc refuses to touch signals 32 and 33; a parent that spawned this test with Rust's
/// posix_spawn left them ignored. Set them to default with the raw system call.
fn reset_glibc_internal_signals() {
    #[repr(C)]
    struct KernelSigaction {
        handler: usize,
        flags: u64,
        restorer: usize,
        mask: u64,
    }
    let default = KernelSigaction {
        handler: 0,
        flags: 0,
        restorer: 0,
        mask: 0,
    };
    for sig in [32, 33] {
        // SAFETY: rt_sigaction with a valid struct and the kernel's sigset size (8 bytes).
        unsafe {
            libc::syscall(
                libc::SYS_rt_sigaction,
                sig,
                &default,
                std::ptr::null_mut::<KernelSigaction>(),
                8,
            );
        }
    }
}
