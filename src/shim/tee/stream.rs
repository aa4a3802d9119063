//! One teed stream (the client's stdout or stderr): the end the client writes to (a pty slave
//! when regauth's own fd is a terminal, else a pipe), and the copy loop that passes every byte
//! on to regauth's same fd at once, keeping a tail. After the client exits, what it left is
//! copied out however slow the reader, and regauth never waits for EOF: a background process
//! started by a script may hold the other end for hours, so `cat` takes over copying that. A
//! full non-blocking output is waited for with poll, never spun on.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use super::pty;
use super::text::Tail;

/// After the client exits, at most this much more is copied before the rest goes to `cat`.
const DRAIN_BYTES: usize = 4 << 20;
/// The copy buffer: large enough that a bulk writer costs few syscalls.
const CHUNK: usize = 128 * 1024;

/// regauth's own fd a stream is copied to (the same number the client writes to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Stdout,
    Stderr,
}

impl Target {
    /// Runs `f` with this fd borrowed (std's handles are only borrowed, never written through:
    /// their buffers would hold bytes back).
    pub(super) fn with_fd<T>(self, f: impl FnOnce(BorrowedFd) -> T) -> T {
        match self {
            Target::Stdout => f(io::stdout().as_fd()),
            Target::Stderr => f(io::stderr().as_fd()),
        }
    }

    pub(super) fn is_terminal(self) -> bool {
        self.with_fd(|fd| nix::unistd::isatty(fd).unwrap_or(false))
    }
}

/// A stream being set up (before the spawn, so nothing can fail after it).
pub(super) struct Stream {
    pub(super) target: Target,
    child_end: OwnedFd,
    our_end: OwnedFd,
    /// A duplicate of the pty master, for window size changes.
    pub(super) pty_master: Option<OwnedFd>,
}

/// A running copy loop of one stream.
pub(super) struct Copying {
    tail: Arc<Mutex<Tail>>,
    thread: JoinHandle<Option<std::fs::File>>,
    pub(super) target: Target,
}

impl Stream {
    /// A pty modelled on `target`'s terminal when it is one, a pipe otherwise.
    pub(super) fn new(target: Target) -> io::Result<Stream> {
        if target.is_terminal() {
            let (slave, master) = target.with_fd(pty::open)?;
            return Ok(Stream {
                target,
                child_end: slave,
                pty_master: Some(master.try_clone()?),
                our_end: master,
            });
        }
        let (read, write) = cloexec_pipe()?;
        // A bigger pipe means fewer wake-ups for bulk output; failure is harmless.
        let _ = fcntl(&write, FcntlArg::F_SETPIPE_SZ(1 << 20));
        Ok(Stream {
            target,
            child_end: write,
            our_end: read,
            pty_master: None,
        })
    }

    /// A duplicate of the child end for the spawn. `start` closes the original, and the spawn
    /// drops the duplicate, so only the client holds it.
    pub(super) fn child_end(&self) -> io::Result<OwnedFd> {
        self.child_end.try_clone()
    }

    /// Starts copying; `exited` becomes readable once the client has exited.
    pub(super) fn start(self, exited: OwnedFd) -> Copying {
        let Stream {
            target,
            child_end,
            our_end,
            pty_master: _,
        } = self;
        drop(child_end);
        let tail = Arc::new(Mutex::new(Tail::default()));
        let thread_tail = Arc::clone(&tail);
        let thread = std::thread::spawn(move || {
            copy_out(std::fs::File::from(our_end), &exited, &thread_tail, target)
        });
        Copying {
            tail,
            thread,
            target,
        }
    }
}

impl Copying {
    /// Waits until the copy has drained (the client has exited and the exit note was written),
    /// hands a still-open source to `cat`, and returns the tail.
    pub(super) fn finish(self) -> String {
        if let Ok(Some(still_open)) = self.thread.join() {
            hand_over(still_open, self.target);
        }
        self.tail.lock().map(|t| t.text()).unwrap_or_default()
    }
}

/// Copies until EOF (pipe) or EIO (pty, all writers gone), or, once the client has exited,
/// until nothing more is waiting; returns the source when writers may remain. If regauth's own
/// fd goes away it stops reading, so the client sees a broken pipe as it would without regauth.
fn copy_out(
    mut source: std::fs::File,
    exited: &OwnedFd,
    tail: &Mutex<Tail>,
    target: Target,
) -> Option<std::fs::File> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let (data, has_exited) = {
            let mut fds = [
                PollFd::new(source.as_fd(), PollFlags::POLLIN),
                PollFd::new(exited.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => (ready(&fds[0]), ready(&fds[1])),
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return None,
            }
        };
        if data {
            match copy_once(&mut source, &mut buf, tail, target) {
                Step::Copied => continue,
                Step::End => return None,
                Step::Empty => {}
            }
        }
        if has_exited {
            return drain(source, &mut buf, tail, target);
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
    /// EOF, EIO (the pty's writers are gone), or regauth's own fd is gone.
    End,
}

fn copy_once(
    source: &mut std::fs::File,
    buf: &mut [u8],
    tail: &Mutex<Tail>,
    target: Target,
) -> Step {
    use std::io::Read;
    let n = match source.read(buf) {
        Ok(0) => return Step::End,
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::Interrupted => return Step::Copied,
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Step::Empty,
        Err(_) => return Step::End,
    };
    if target
        .with_fd(|fd| write_all_waiting(fd, &buf[..n]))
        .is_err()
    {
        return Step::End;
    }
    if let Ok(mut tail) = tail.lock() {
        tail.push(&buf[..n]);
    }
    Step::Copied
}

/// The client has exited: copy what is waiting now (bounded), then stop; the source comes back
/// when something may still hold its other end.
fn drain(
    mut source: std::fs::File,
    buf: &mut [u8],
    tail: &Mutex<Tail>,
    target: Target,
) -> Option<std::fs::File> {
    let _ = fcntl(&source, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
    let mut drained = 0;
    while drained < DRAIN_BYTES {
        match copy_once(&mut source, buf, tail, target) {
            Step::Copied => drained += CHUNK,
            Step::Empty => break,
            Step::End => return None,
        }
    }
    let _ = fcntl(&source, FcntlArg::F_SETFL(OFlag::empty()));
    Some(source)
}

/// Writes all of `bytes` to `fd` unbuffered, waiting (not spinning) while a non-blocking
/// output is full: the client (node) sets O_NONBLOCK on the pipe it shares with regauth, so a
/// slow reader makes any later write of regauth's see EAGAIN.
pub fn write_all_waiting(fd: BorrowedFd, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match nix::unistd::write(fd, bytes) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => bytes = &bytes[n..],
            Err(nix::errno::Errno::EINTR) => {}
            Err(nix::errno::Errno::EAGAIN) => {
                let mut fds = [PollFd::new(fd, PollFlags::POLLOUT)];
                let _ = poll(&mut fds, PollTimeout::NONE);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A script's background process still writes to the client's stream after it exited: `cat`
/// goes on copying it to regauth's same fd after regauth is gone, as if it had written there
/// directly (no SIGPIPE, no EIO). In its own process group, so a Ctrl-C meant for the next
/// command does not end it.
fn hand_over(source: std::fs::File, target: Target) {
    let Ok(out) = target.with_fd(|fd| fd.try_clone_to_owned()) else {
        return;
    };
    let _ = Command::new("cat")
        .stdin(Stdio::from(OwnedFd::from(source)))
        .stdout(Stdio::from(out))
        .stderr(Stdio::null())
        .process_group(0)
        .spawn();
}

/// A pipe whose ends do not leak into the client (std dups the child's end onto its fd).
pub(super) fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(nix::unistd::pipe2(OFlag::O_CLOEXEC)?)
}
