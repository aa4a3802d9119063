//! The fallback when the client writes no debug log (npm with `logs-max=0`, pnpm, yarn): its
//! stderr, and for the clients that print their error report on stdout (pnpm 10/11, yarn berry)
//! its stdout too, go through regauth, which copies every byte on to the same fd at once and
//! keeps a bounded tail for detection. stdin stays the client's own. Each teed fd that is a
//! terminal gets a pty modelled on it (so `isTTY`, colours and the spinner stay), with window
//! size changes passed on; otherwise a pipe. stdout and stderr on the same terminal share one
//! pty, so their interleaving stays the client's. Nothing of regauth's own goes to stdout:
//! only the client's bytes. One file per part: `stream` (one fd's copy loop), `pty`, `text`.

mod pty;
mod stream;
mod text;

pub use stream::write_all_waiting;
pub use text::{npm_last_error, strip_escapes};

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};

use stream::{Stream, Target};

/// A tee being set up: the streams, and the note that the client has exited (all made before
/// the spawn, so nothing can fail after it).
pub struct Tee {
    streams: Vec<Stream>,
    /// One stream takes both stdout and stderr (the same terminal).
    shared: bool,
    exited: (OwnedFd, OwnedFd),
}

/// Running copy loops.
pub struct Copying {
    streams: Vec<stream::Copying>,
    /// Written once when the client has exited: every copy then drains and ends.
    exited: OwnedFd,
    /// Each pty master (a duplicate) with its terminal and the size last given to it
    /// (`pty::packed`).
    ptys: Vec<(Target, OwnedFd, AtomicU32)>,
}

impl Tee {
    /// stderr, and with `with_stdout` stdout too (the client prints its error report there).
    pub fn of(with_stdout: bool) -> io::Result<Tee> {
        let shared = with_stdout && same_terminal();
        let streams = if !with_stdout || shared {
            vec![Stream::new(Target::Stderr)?]
        } else {
            vec![Stream::new(Target::Stdout)?, Stream::new(Target::Stderr)?]
        };
        Ok(Tee {
            streams,
            shared,
            exited: stream::cloexec_pipe()?,
        })
    }

    pub fn is_pty(&self) -> bool {
        self.streams.iter().any(|s| s.pty_master.is_some())
    }

    /// The client's teed fds (1, 2) and what to put there: duplicates of the child ends.
    /// `start` closes the originals, and the spawn drops the duplicates, so only the client
    /// holds them.
    pub fn child_fds(&self) -> io::Result<Vec<(i32, OwnedFd)>> {
        let mut fds = Vec::new();
        for stream in &self.streams {
            if self.shared || stream.target == Target::Stdout {
                fds.push((1, stream.child_end()?));
            }
            if self.shared || stream.target == Target::Stderr {
                fds.push((2, stream.child_end()?));
            }
        }
        Ok(fds)
    }

    /// Starts copying. Call after the spawn, once the duplicates of the child ends are dropped.
    pub fn start(self) -> Copying {
        let (exited_read, exited) = self.exited;
        let mut ptys = Vec::new();
        let mut streams = Vec::new();
        for mut stream in self.streams {
            if let Some(master) = stream.pty_master.take() {
                let size = stream
                    .target
                    .with_fd(pty::window_size)
                    .map_or(0, pty::packed);
                ptys.push((stream.target, master, AtomicU32::new(size)));
            }
            // every loop waits on its own duplicate of the note's read end
            let Ok(note) = exited_read.try_clone() else {
                continue;
            };
            streams.push(stream.start(note));
        }
        Copying {
            streams,
            exited,
            ptys,
        }
    }
}

impl Copying {
    /// The client has exited: copy what it left (however slow the reader), hand anything still
    /// being written (a script's background process) to `cat`, and return the client's last
    /// error block from the tails, stdout's first (terminal escapes removed).
    pub fn finish(self) -> String {
        let _ = nix::unistd::write(&self.exited, b"x");
        let text: String = self.streams.into_iter().map(|s| s.finish()).collect();
        npm_last_error(&strip_escapes(&text)).to_owned()
    }

    /// The terminal was resized (SIGWINCH): give each pty the same size as its terminal. The
    /// kernel has already sent SIGWINCH to the terminal's foreground group, and the client may
    /// have read the pty's size before this ran; so once a size has changed, that group gets
    /// SIGWINCH again (programs simply re-read their size). The repeat finds the sizes
    /// unchanged and stops there.
    pub fn on_winch(&self) {
        let mut changed = None;
        for (target, master, last) in &self.ptys {
            let Some(size) = target.with_fd(pty::window_size) else {
                continue;
            };
            if last.swap(pty::packed(size), Ordering::SeqCst) != pty::packed(size) {
                pty::set_window_size(master.as_fd(), &size);
                changed = Some(*target);
            }
        }
        let Some(terminal) = changed else {
            return;
        };
        if let Ok(group) = terminal.with_fd(|fd| nix::unistd::tcgetpgrp(fd)) {
            let group = nix::unistd::Pid::from_raw(-group.as_raw());
            let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGWINCH);
        }
    }
}

/// stdout and stderr are one terminal (the usual interactive case): one pty for both.
fn same_terminal() -> bool {
    let id = |target: Target| {
        target.with_fd(|fd| {
            let st = nix::sys::stat::fstat(fd).ok()?;
            nix::unistd::isatty(fd)
                .unwrap_or(false)
                .then_some(st.st_rdev)
        })
    };
    matches!((id(Target::Stdout), id(Target::Stderr)), (Some(a), Some(b)) if a == b)
}
