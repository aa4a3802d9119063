//! The fallback when npm will write no debug log (`logs-max=0`): npm's stderr goes through
//! regauth, which copies every byte on at once and keeps a bounded tail for detection.
//! stdin and stdout stay npm's own. When regauth's stderr is a terminal, npm gets a pty for
//! stderr (so `isTTY`, colours and the spinner stay), with window size changes passed on;
//! otherwise a pipe. After npm exits, what it left is copied out however slow the reader, and
//! regauth never waits for EOF: a background process started by a script may hold the other
//! end for hours, so `cat` takes over copying that. A full non-blocking stderr is waited for
//! with poll, never spun on.

mod pty;

use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// How much of the end of npm's stderr is kept for detection.
pub const TAIL_BYTES: usize = 64 * 1024;
/// After npm exits, at most this much more is copied before the rest is handed to `cat`.
const DRAIN_BYTES: usize = 4 << 20;
/// The copy buffer: large enough that a bulk writer costs few syscalls.
const CHUNK: usize = 128 * 1024;

/// The last `TAIL_BYTES` bytes seen.
#[derive(Debug, Default)]
pub struct Tail(Vec<u8>);

impl Tail {
    pub fn push(&mut self, bytes: &[u8]) {
        if bytes.len() >= TAIL_BYTES {
            self.0.clear();
            self.0.extend_from_slice(&bytes[bytes.len() - TAIL_BYTES..]);
            return;
        }
        self.0.extend_from_slice(bytes);
        if self.0.len() > 2 * TAIL_BYTES {
            self.0.drain(..self.0.len() - TAIL_BYTES);
        }
    }

    pub fn text(&self) -> String {
        let start = self.0.len().saturating_sub(TAIL_BYTES);
        String::from_utf8_lossy(&self.0[start..]).into_owned()
    }
}

/// A tee being set up: the end npm writes to, the end regauth reads, and the note that npm
/// has exited (all made before the spawn, so nothing can fail after it).
pub struct Tee {
    child_end: OwnedFd,
    our_end: OwnedFd,
    pty_master: Option<OwnedFd>,
    exited: (OwnedFd, OwnedFd),
}

/// A running copy loop.
pub struct Copying {
    tail: Arc<Mutex<Tail>>,
    /// Written once when npm has exited: the copy then drains and ends.
    npm_exited: OwnedFd,
    thread: JoinHandle<Option<std::fs::File>>,
    /// The pty master (a duplicate), for window size changes.
    pty_master: Option<OwnedFd>,
    /// The size last given to the pty (`pty::packed`).
    pty_size: AtomicU32,
}

impl Tee {
    /// A pty when fd 2 is a terminal, a pipe otherwise.
    pub fn new() -> io::Result<Tee> {
        let (child_end, our_end, is_pty) = if io::stderr().is_terminal() {
            let (slave, master) = pty::open()?;
            (slave, master, true)
        } else {
            let (read, write) = cloexec_pipe()?;
            // A bigger pipe means fewer wake-ups for bulk output; failure is harmless.
            let _ = fcntl(&write, FcntlArg::F_SETPIPE_SZ(1 << 20));
            (write, read, false)
        };
        let pty_master = if is_pty {
            Some(our_end.try_clone()?)
        } else {
            None
        };
        Ok(Tee {
            child_end,
            our_end,
            pty_master,
            exited: cloexec_pipe()?,
        })
    }

    pub fn is_pty(&self) -> bool {
        self.pty_master.is_some()
    }

    /// The child's stderr: a duplicate of the child end for the Command. `start` closes the
    /// original, and dropping the Command closes the duplicate, so only npm holds it.
    pub fn child_stderr(&mut self) -> io::Result<Stdio> {
        Ok(Stdio::from(self.child_end.try_clone()?))
    }

    /// Starts copying. Call after the spawn, once the Command holding the child end is dropped.
    pub fn start(self) -> Copying {
        let Tee {
            child_end,
            our_end,
            pty_master,
            exited: (exited_read, npm_exited),
        } = self;
        drop(child_end);
        let size = pty::window_size(io::stderr().as_fd()).map_or(0, pty::packed);
        let tail = Arc::new(Mutex::new(Tail::default()));
        let thread_tail = Arc::clone(&tail);
        let thread = std::thread::spawn(move || {
            copy_to_stderr(std::fs::File::from(our_end), &exited_read, &thread_tail)
        });
        Copying {
            tail,
            npm_exited,
            thread,
            pty_master,
            pty_size: AtomicU32::new(size),
        }
    }
}

impl Copying {
    /// npm has exited: copy what it left in the pipe (however slow the reader of regauth's
    /// stderr), hand anything still being written (a script's background process) to `cat`,
    /// and return npm's own last error block from the tail (terminal escapes removed).
    pub fn finish(self) -> String {
        let _ = nix::unistd::write(&self.npm_exited, b"x");
        if let Ok(Some(still_open)) = self.thread.join() {
            hand_over(still_open);
        }
        let text = self.tail.lock().map(|t| t.text()).unwrap_or_default();
        npm_last_error(&strip_escapes(&text)).to_owned()
    }

    /// The terminal was resized (SIGWINCH): give the pty the same size. The kernel has already
    /// sent SIGWINCH to the terminal's foreground group, and npm may have read the pty's size
    /// before this ran; so once the size has changed, that group gets SIGWINCH again (programs
    /// simply re-read their size). The repeat finds the size unchanged and stops there.
    pub fn on_winch(&self) {
        let Some(master) = self.pty_master.as_ref() else {
            return;
        };
        let stderr = io::stderr();
        let Some(size) = pty::window_size(stderr.as_fd()) else {
            return;
        };
        if self.pty_size.swap(pty::packed(size), Ordering::SeqCst) == pty::packed(size) {
            return;
        }
        pty::set_window_size(master.as_fd(), &size);
        if let Ok(group) = nix::unistd::tcgetpgrp(stderr.as_fd()) {
            let group = nix::unistd::Pid::from_raw(-group.as_raw());
            let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGWINCH);
        }
    }
}

/// Copies until EOF (pipe) or EIO (pty, all writers gone), or, once npm has exited, until
/// nothing more is waiting; returns the source when writers may remain. If regauth's stderr
/// goes away it stops reading, so npm sees a broken pipe as it would have without regauth.
fn copy_to_stderr(
    mut source: std::fs::File,
    npm_exited: &OwnedFd,
    tail: &Mutex<Tail>,
) -> Option<std::fs::File> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let (data, exited) = {
            let mut fds = [
                PollFd::new(source.as_fd(), PollFlags::POLLIN),
                PollFd::new(npm_exited.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => (ready(&fds[0]), ready(&fds[1])),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return None,
            }
        };
        if data {
            match copy_once(&mut source, &mut buf, tail) {
                Step::Copied => continue,
                Step::End => return None,
                Step::Empty => {}
            }
        }
        if exited {
            return drain(source, &mut buf, tail);
        }
    }
}

fn ready(fd: &PollFd) -> bool {
    fd.revents().is_some_and(|r| !r.is_empty())
}

enum Step {
    Copied,
    /// Would block: nothing waiting.
    Empty,
    /// EOF, EIO (the pty's writers are gone), or regauth's stderr is gone.
    End,
}

fn copy_once(source: &mut std::fs::File, buf: &mut [u8], tail: &Mutex<Tail>) -> Step {
    let n = match source.read(buf) {
        Ok(0) => return Step::End,
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Step::Copied,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Step::Empty,
        Err(_) => return Step::End,
    };
    if write_all_to_stderr(&buf[..n]).is_err() {
        return Step::End;
    }
    if let Ok(mut tail) = tail.lock() {
        tail.push(&buf[..n]);
    }
    Step::Copied
}

/// npm has exited: copy what is waiting now (bounded), then stop; the source comes back when
/// something may still hold its other end.
fn drain(mut source: std::fs::File, buf: &mut [u8], tail: &Mutex<Tail>) -> Option<std::fs::File> {
    let _ = fcntl(&source, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    let mut drained = 0;
    while drained < DRAIN_BYTES {
        match copy_once(&mut source, buf, tail) {
            Step::Copied => drained += CHUNK,
            Step::Empty => break,
            Step::End => return None,
        }
    }
    let _ = fcntl(&source, FcntlArg::F_SETFL(OFlag::empty()));
    Some(source)
}

/// Writes all of `bytes` to fd 2, waiting (not spinning) while a non-blocking stderr is full.
fn write_all_to_stderr(mut bytes: &[u8]) -> io::Result<()> {
    let mut stderr = io::stderr();
    while !bytes.is_empty() {
        match stderr.write(bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let mut fds = [PollFd::new(stderr.as_fd(), PollFlags::POLLOUT)];
                let _ = poll(&mut fds, PollTimeout::NONE);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A script's background process still writes to npm's stderr after npm exited: `cat` goes on
/// copying it to regauth's stderr after regauth is gone, as if it had written there directly
/// (no SIGPIPE, no EIO). In its own process group, so a Ctrl-C meant for the next command
/// does not end it.
fn hand_over(source: std::fs::File) {
    let Ok(stderr) = io::stderr().as_fd().try_clone_to_owned() else {
        return;
    };
    let _ = Command::new("cat")
        .stdin(Stdio::from(OwnedFd::from(source)))
        .stdout(Stdio::from(stderr))
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

/// npm's own last error block (`npm error code ...` to the end) when the tail has one: lines a
/// run-script printed earlier, `npm error code E401` included, are not npm's failure.
pub fn npm_last_error(text: &str) -> &str {
    let is_code_line =
        |l: &str| l.starts_with("npm error code ") || l.starts_with("npm ERR! code ");
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_code_line(line) {
            start = Some(offset);
        }
        offset += line.len();
    }
    start.map_or(text, |s| &text[s..])
}

/// A pipe whose ends do not leak into npm (std dups the child's end onto fd 2 itself).
fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(nix::unistd::pipe2(OFlag::O_CLOEXEC)?)
}

/// Removes CSI (`ESC [ ... final`) and OSC (`ESC ] ... BEL/ST`) sequences and carriage
/// returns, so `npm error code E401` in colour reads as plain text.
pub fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end() {
        let mut tail = Tail::default();
        for _ in 0..10 {
            tail.push(&[b'a'; 30_000]);
        }
        tail.push(b"npm error code E401\n");
        let text = tail.text();
        assert_eq!(text.len(), TAIL_BYTES);
        assert!(text.ends_with("npm error code E401\n"));
    }

    #[test]
    fn a_scripts_e401_line_is_not_npms_last_error() {
        let tail = "npm error code E401\nfrom the script\nnpm error code 1\nnpm error path /p\n";
        assert_eq!(
            npm_last_error(tail),
            "npm error code 1\nnpm error path /p\n"
        );
        assert_eq!(npm_last_error("no code\n"), "no code\n");
    }

    #[test]
    fn strips_colour_and_spinner() {
        let coloured = "\u{1b}[1mnpm\u{1b}[22m \u{1b}[31merror\u{1b}[39m \u{1b}[94mcode\u{1b}[39m E401\r\n⠙\u{1b}[1G\u{1b}[0K";
        assert_eq!(strip_escapes(coloured), "npm error code E401\n⠙");
        assert_eq!(strip_escapes("a\u{1b}]0;title\u{7}b"), "ab");
    }
}
