//! CPU time of a finished child, read while it is a zombie (after it exited, before it is
//! reaped): its own user+system time and that of the children it waited for, in clock ticks.

use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use nix::sys::wait::{waitid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

/// Clock ticks (1/100 s on Linux) spent by a process itself and by its waited-for children.
#[derive(Debug, Clone, Copy)]
pub struct CpuTicks {
    pub own: u64,
    pub children: u64,
}

/// Waits (for `limit` at most, then kills it and fails) until `child` has exited, reads its
/// CPU times from /proc while it is a zombie, then reaps it.
pub fn finish_with_cpu(mut child: Child, limit: Duration) -> (ExitStatus, CpuTicks) {
    let pid = Pid::from_raw(child.id() as i32);
    let deadline = Instant::now() + limit;
    let peek = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT | WaitPidFlag::WNOHANG;
    while matches!(waitid(Id::Pid(pid), peek), Ok(WaitStatus::StillAlive)) {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let ticks = cpu_ticks(pid).expect("the zombie's /proc/PID/stat");
    (child.wait().expect("reap"), ticks)
}

/// utime+stime and cutime+cstime of `pid` (fields 14-17 of /proc/PID/stat).
pub fn cpu_ticks(pid: Pid) -> Option<CpuTicks> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<u64> = after_comm
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    // after_comm starts at field 3 (state): field N is at index N - 3
    let field = |n: usize| fields.get(n - 3).copied();
    Some(CpuTicks {
        own: field(14)? + field(15)?,
        children: field(16)? + field(17)?,
    })
}
