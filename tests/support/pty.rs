//! `Pty`: a command on a real pseudo-terminal (its controlling terminal), with what it writes
//! collected, for tests of what a person at a terminal sees.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A command running as the session leader of a fresh pty (its controlling terminal), like a
/// terminal emulator running a shell's foreground job.
pub struct Pty {
    master: std::fs::File,
    child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

pub fn winsize(cols: u16, rows: u16) -> libc::winsize {
    libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    }
}

impl Pty {
    /// `command` on an 80x24 terminal.
    pub fn spawn(command: Command) -> Pty {
        Pty::spawn_sized(command, 80, 24)
    }

    /// `command` on a `cols` x `rows` terminal.
    pub fn spawn_sized(mut command: Command, cols: u16, rows: u16) -> Pty {
        let pty = nix::pty::openpty(Some(&winsize(cols, rows)), None).expect("openpty");
        let slave: OwnedFd = pty.slave;
        command
            .stdin(slave.try_clone().unwrap())
            .stdout(slave.try_clone().unwrap())
            .stderr(slave.try_clone().unwrap());
        // SAFETY: setsid and ioctl are async-signal-safe; nothing else runs in the child.
        unsafe {
            command.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("spawn in pty");
        drop(command);
        drop(slave);
        let master = std::fs::File::from(pty.master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let (mut source, sink) = (master.try_clone().unwrap(), Arc::clone(&output));
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = source.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            master,
            child,
            output,
            reader: Some(reader),
        }
    }

    /// The started process's PID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        self.wait_for_after("", needle, timeout);
    }

    /// Waits until `needle` appears after the last `anchor` (the start, when empty) in the
    /// output.
    pub fn wait_for_after(&self, anchor: &str, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let output = self.output.lock().unwrap();
            let from = match anchor.is_empty() {
                true => 0,
                false => (0..=output.len().saturating_sub(anchor.len()))
                    .rev()
                    .find(|&i| output[i..].starts_with(anchor.as_bytes()))
                    .map_or(0, |i| i + anchor.len()),
            };
            if contains(&output[from..], needle.as_bytes()) {
                return;
            }
            drop(output);
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "{needle:?} never appeared in: {}",
            String::from_utf8_lossy(&self.output.lock().unwrap())
        );
    }

    pub fn type_in(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).unwrap();
    }

    pub fn resize(&self, cols: u16, rows: u16) {
        // SAFETY: TIOCSWINSZ on our master fd; the kernel sends SIGWINCH to the foreground group.
        unsafe {
            libc::ioctl(
                self.master.as_raw_fd(),
                libc::TIOCSWINSZ,
                &winsize(cols, rows),
            )
        };
    }

    /// Waits for the child (60 s at most) and returns its status and everything it wrote.
    pub fn finish(mut self) -> (ExitStatus, Vec<u8>) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!(
                    "timed out; output: {}",
                    String::from_utf8_lossy(&self.output.lock().unwrap())
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        // The reader ends with EIO once nothing holds the slave; don't wait for stragglers.
        let reader = self.reader.take().unwrap();
        let until = Instant::now() + Duration::from_secs(2);
        while !reader.is_finished() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        let output = self.output.lock().unwrap().clone();
        (status, output)
    }
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
