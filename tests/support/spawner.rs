//! Spawns server processes that die with the test binary, even when it is killed.
//!
//! PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, and cargo's test threads
//! exit after each test, so every spawn happens on one long-lived thread that never returns.

use std::io;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, OnceLock};
use std::thread;

use nix::sys::signal::Signal;

type SpawnRequest = (Command, Sender<io::Result<Child>>);

/// Spawns `command` so that it gets SIGKILL when this test process ends.
pub fn spawn_tied_to_process(mut command: Command) -> io::Result<Child> {
    // SAFETY: the closure only makes one async-signal-safe syscall (prctl) between fork and exec.
    unsafe {
        command
            .pre_exec(|| nix::sys::prctl::set_pdeathsig(Signal::SIGKILL).map_err(io::Error::from));
    }
    let (reply_to, reply) = channel();
    spawner()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .send((command, reply_to))
        .expect("spawner thread is gone");
    reply.recv().expect("spawner thread dropped a request")
}

fn spawner() -> &'static Mutex<Sender<SpawnRequest>> {
    static SPAWNER: OnceLock<Mutex<Sender<SpawnRequest>>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (requests_to, requests) = channel::<SpawnRequest>();
        thread::Builder::new()
            .name("support-spawner".into())
            .spawn(move || {
                // Lives as long as the process: the Sender sits in a static and is never dropped.
                for (mut command, reply_to) in requests {
                    let _ = reply_to.send(command.spawn());
                }
            })
            .expect("start spawner thread");
        Mutex::new(requests_to)
    })
}
