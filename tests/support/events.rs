//! Synchronising tests on events instead of sleeps: a gate a fixture handler waits at until the
//! test opens it (or drops it), and a child's output with a deadline that kills an overrunning
//! child instead of hanging the test.

use std::process::{Child, Output};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Closed until `open` is called or the last `Gate` held by the test is dropped; waiters give up
/// after `limit` (so a failing test cannot leave a fixture thread blocked for good).
#[derive(Clone)]
pub struct Gate {
    state: Arc<(Mutex<bool>, Condvar)>,
    limit: Duration,
}

impl Gate {
    pub fn new(limit: Duration) -> Gate {
        Gate {
            state: Arc::default(),
            limit,
        }
    }

    /// Blocks until the gate is open (true) or the limit has passed (false).
    pub fn wait(&self) -> bool {
        let (open, changed) = &*self.state;
        let guard = open.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = changed
            .wait_timeout_while(guard, self.limit, |open| !*open)
            .unwrap_or_else(|p| p.into_inner());
        *guard
    }

    /// Closes it again: later waiters wait for the next `open`.
    pub fn close(&self) {
        *self.state.0.lock().unwrap_or_else(|p| p.into_inner()) = false;
    }

    pub fn open(&self) {
        let (open, changed) = &*self.state;
        *open.lock().unwrap_or_else(|p| p.into_inner()) = true;
        changed.notify_all();
    }

    /// A guard that opens the gate when dropped (at the end of the test, also on panic).
    pub fn opened_on_drop(&self) -> OpenOnDrop {
        OpenOnDrop(self.clone())
    }
}

pub struct OpenOnDrop(Gate);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

/// The child's output; a run still going after `limit` is killed and fails the test.
pub fn output_within(child: Child, limit: Duration) -> Output {
    let pid = child.id() as i32;
    let (done, finished) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let out = child.wait_with_output().unwrap();
        let _ = done.send(());
        out
    });
    let in_time = finished.recv_timeout(limit).is_ok();
    if !in_time {
        // SAFETY: kill(2) of this test's own child, which has not been reaped yet (its waiter
        // has not returned).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let out = waiter.join().unwrap();
    assert!(in_time, "still running after {limit:?}: {out:?}");
    out
}
