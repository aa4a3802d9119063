//! The fallback when npm will write no debug log (`logs-max=0`): npm's stderr goes through
//! regauth, which copies every byte on at once and keeps a bounded tail for detection.
//! stdin and stdout stay npm's own. When regauth's stderr is a terminal, npm gets a pty for
//! stderr (so `isTTY`, colours and the spinner stay), with window size changes passed on;
//! otherwise a pipe. After npm exits the copy is drained for at most `DRAIN` and never waits
//! for EOF: a background process started by a script may hold the other end for hours.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Stdio;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How much of the end of npm's stderr is kept for detection.
pub const TAIL_BYTES: usize = 64 * 1024;
/// How long to keep copying after npm has exited.
pub const DRAIN: Duration = Duration::from_millis(100);
/// The copy buffer: large enough that a bulk writer costs few syscalls.
const CHUNK: usize = 128 * 1024;

/// The pty master, for the SIGWINCH handler (-1 when there is none).
static PTY_MASTER: AtomicI32 = AtomicI32::new(-1);

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

/// A tee being set up: the end npm writes to, and the end regauth reads.
pub struct Tee {
    child_end: OwnedFd,
    our_end: OwnedFd,
    is_pty: bool,
}

/// A running copy loop.
pub struct Copying {
    tail: Arc<Mutex<Tail>>,
    done: mpsc::Receiver<()>,
    is_pty: bool,
}

impl Tee {
    /// A pty when fd 2 is a terminal, a pipe otherwise.
    pub fn new() -> io::Result<Tee> {
        // SAFETY: isatty on a fixed fd.
        if unsafe { libc::isatty(2) } == 1 {
            pty()
        } else {
            pipe()
        }
    }

    /// The child's stderr. Consumes the child end: dropping the Command closes our copy.
    pub fn child_stderr(&mut self) -> io::Result<Stdio> {
        Ok(Stdio::from(self.child_end.try_clone()?))
    }

    /// Starts copying. Call after the spawn, once the Command holding the child end is dropped.
    pub fn start(self) -> Copying {
        let Tee {
            child_end,
            our_end,
            is_pty,
        } = self;
        drop(child_end);
        if is_pty {
            PTY_MASTER.store(our_end.as_raw_fd(), Ordering::SeqCst);
            install_winch_handler();
        }
        let tail = Arc::new(Mutex::new(Tail::default()));
        let (tx, done) = mpsc::channel();
        let thread_tail = Arc::clone(&tail);
        std::thread::spawn(move || {
            copy_to_stderr(our_end, &thread_tail);
            let _ = tx.send(());
        });
        Copying { tail, done, is_pty }
    }
}

impl Copying {
    /// npm has exited: wait at most `DRAIN` for the copy to finish, then return the tail
    /// (terminal escape sequences removed).
    pub fn finish(self) -> String {
        let _ = self.done.recv_timeout(DRAIN);
        if self.is_pty {
            PTY_MASTER.store(-1, Ordering::SeqCst);
        }
        let text = self.tail.lock().map(|t| t.text()).unwrap_or_default();
        strip_escapes(&text)
    }
}

/// Copies until EOF (pipe) or EIO (pty, all writers gone). If regauth's stderr goes away it
/// stops reading, so npm sees a broken pipe as it would have without regauth.
fn copy_to_stderr(source: OwnedFd, tail: &Mutex<Tail>) {
    let mut source = std::fs::File::from(source);
    let mut stderr = io::stderr();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        if stderr.write_all(&buf[..n]).is_err() {
            return;
        }
        if let Ok(mut tail) = tail.lock() {
            tail.push(&buf[..n]);
        }
    }
}

fn pipe() -> io::Result<Tee> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two fds, owned right after.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both fds were just created and are owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // A bigger pipe means fewer wake-ups for bulk output; failure is harmless.
    // SAFETY: fcntl on an owned fd.
    unsafe { libc::fcntl(write.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
    Ok(Tee {
        child_end: write,
        our_end: read,
        is_pty: false,
    })
}

/// A pty whose slave looks like regauth's stderr terminal (same settings and size), except that
/// output processing is off so bytes arrive unchanged and the real terminal does its own.
fn pty() -> io::Result<Tee> {
    let size = window_size(2);
    let termios =
        nix::sys::termios::tcgetattr(unsafe { std::os::fd::BorrowedFd::borrow_raw(2) }).ok();
    let termios = termios.map(|mut t| {
        t.output_flags.remove(nix::sys::termios::OutputFlags::OPOST);
        t
    });
    let pty = nix::pty::openpty(size.as_ref(), termios.as_ref()).map_err(io::Error::from)?;
    set_cloexec(&pty.master)?;
    set_cloexec(&pty.slave)?;
    Ok(Tee {
        child_end: pty.slave,
        our_end: pty.master,
        is_pty: true,
    })
}

fn set_cloexec(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: fcntl on an owned fd.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn window_size(fd: libc::c_int) -> Option<nix::pty::Winsize> {
    // SAFETY: TIOCGWINSZ writes a winsize into the zeroed struct.
    unsafe {
        let mut size: libc::winsize = std::mem::zeroed();
        (libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) == 0).then_some(size)
    }
}

fn install_winch_handler() {
    // SAFETY: a plain handler that only does ioctls (async-signal-safe).
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_winch as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGWINCH, &action, std::ptr::null_mut());
    }
}

/// The terminal was resized: give the pty the same size (npm re-reads it on its own SIGWINCH).
extern "C" fn on_winch(_sig: libc::c_int) {
    let master = PTY_MASTER.load(Ordering::SeqCst);
    if master < 0 {
        return;
    }
    // SAFETY: ioctls on fd 2 and on our pty master.
    unsafe {
        let mut size: libc::winsize = std::mem::zeroed();
        if libc::ioctl(2, libc::TIOCGWINSZ, &mut size) == 0 {
            libc::ioctl(master, libc::TIOCSWINSZ, &size);
        }
    }
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
    fn strips_colour_and_spinner() {
        let coloured = "\u{1b}[1mnpm\u{1b}[22m \u{1b}[31merror\u{1b}[39m \u{1b}[94mcode\u{1b}[39m E401\r\n⠙\u{1b}[1G\u{1b}[0K";
        assert_eq!(strip_escapes(coloured), "npm error code E401\n⠙");
        assert_eq!(strip_escapes("a\u{1b}]0;title\u{7}b"), "ab");
    }
}
