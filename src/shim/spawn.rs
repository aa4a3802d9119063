//! Running the real binary: inherited stdin and stdout (and stderr unless teed), the same
//! process group and session, the recursion guard in its environment, the signal mask and
//! dispositions regauth was given, and signal forwarding from before it exists until it has
//! been waited for. Returns only after npm has exited.
//!
//! npm is started with posix_spawn (glibc: clone with CLONE_VM|CLONE_VFORK, then exec): no
//! copy of regauth's page tables and no copy-on-write faults afterwards, which std's fork path
//! (the one that allows a `pre_exec`) pays on every call. The attributes hand over the mask
//! regauth was given, and reset to default exactly what exec alone would not: SIGPIPE (which
//! Rust's runtime ignores in regauth) and glibc's two internal signals (which its posix_spawn
//! would otherwise leave ignored in the child).

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus};

use nix::spawn::{posix_spawn, PosixSpawnAttr, PosixSpawnFileActions, PosixSpawnFlags};
use nix::sys::signal::{SigSet, Signal};
use nix::unistd::Pid;

use super::log_watch::{LogWatch, Seen};
use super::{recursion, signals, tee};

/// What to start and how.
pub struct Launch<'a> {
    pub program: &'a Path,
    /// argv[0] as npm would have got it from a shell (`npm`).
    pub arg0: &'a OsStr,
    pub args: &'a [OsString],
    /// The recursion guard value for the child.
    pub guard: OsString,
}

/// npm's exit status, the teed stderr tail when there was a tee, and what the logs watch saw
/// (when there was one).
pub struct Finished {
    pub status: ExitStatus,
    pub stderr_tail: Option<String>,
    pub logs: Option<Seen>,
}

impl Launch<'_> {
    /// The variables regauth sets for npm: the guard, and `_`, which a shell sets to the path
    /// of the command it runs (npm alone would see its own path there).
    fn env_changes(&self) -> Vec<(&OsStr, &OsStr)> {
        let mut changes = vec![(OsStr::new(recursion::ENV_VAR), self.guard.as_os_str())];
        if std::env::var_os("_").is_some() {
            changes.push((OsStr::new("_"), self.program.as_os_str()));
        }
        changes
    }

    /// regauth's environment with `env_changes` applied in place (a new variable goes last),
    /// so npm sees the order it would have seen alone.
    fn envp(&self) -> io::Result<Vec<CString>> {
        let changes = self.env_changes();
        let mut pending: Vec<_> = changes.iter().map(|(k, _)| *k).collect();
        let mut envp = Vec::new();
        for (key, value) in std::env::vars_os() {
            match changes.iter().find(|(k, _)| *k == key) {
                Some((k, v)) => {
                    pending.retain(|p| p != k);
                    envp.push(env_entry(k, v)?);
                }
                None => envp.push(env_entry(&key, &value)?),
            }
        }
        for (k, v) in changes.iter().filter(|(k, _)| pending.contains(k)) {
            envp.push(env_entry(k, v)?);
        }
        Ok(envp)
    }

    fn argv(&self) -> io::Result<Vec<CString>> {
        std::iter::once(self.arg0)
            .chain(self.args.iter().map(OsString::as_os_str))
            .map(c_string)
            .collect()
    }
}

fn env_entry(key: &OsStr, value: &OsStr) -> io::Result<CString> {
    let mut entry = key.to_os_string();
    entry.push("=");
    entry.push(value);
    c_string(&entry)
}

fn c_string(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "an argument or variable holds a NUL byte",
        )
    })
}

/// The spawn attributes: npm starts with `mask` blocked, and SIGPIPE plus glibc's internal
/// signals at their default; every other disposition as exec leaves it (ignored stays ignored).
fn attributes(mask: &SigSet) -> io::Result<PosixSpawnAttr> {
    let mut attr = PosixSpawnAttr::init()?;
    attr.set_sigmask(mask)?;
    attr.set_sigdefault(&reset_to_default())?;
    attr.set_flags(
        PosixSpawnFlags::POSIX_SPAWN_SETSIGMASK | PosixSpawnFlags::POSIX_SPAWN_SETSIGDEF,
    )?;
    Ok(attr)
}

/// SIGPIPE, and the two realtime signals below SIGRTMIN that glibc keeps for itself (neither
/// nix nor glibc's sigaddset will name them, so their bits are set directly).
fn reset_to_default() -> SigSet {
    let mut raw: libc::sigset_t = *SigSet::from(Signal::SIGPIPE).as_ref();
    let internal = (libc::SIGSYS + 1..libc::SIGRTMIN()).map(|signo| 1u64 << (signo - 1));
    let bits = internal.fold(0, |bits, bit| bits | bit);
    // SAFETY: a Linux sigset_t starts with the mask of signals 1-64 as one 64-bit word.
    unsafe { *(&mut raw as *mut libc::sigset_t).cast::<u64>() |= bits };
    // SAFETY: `raw` was initialised by nix (sigemptyset) and only had bits set.
    unsafe { SigSet::from_sigset_t_unchecked(raw) }
}

/// Starts npm; `teed` puts the tee's child ends on fds 1/2 (they are dropped on return).
fn start(launch: &Launch, mask: &SigSet, teed: Vec<(i32, OwnedFd)>) -> io::Result<Pid> {
    let mut actions = PosixSpawnFileActions::init()?;
    for (target, fd) in &teed {
        actions.add_dup2(fd.as_raw_fd(), *target)?;
    }
    let attr = attributes(mask)?;
    let pid = posix_spawn(
        launch.program,
        &actions,
        &attr,
        &launch.argv()?,
        &launch.envp()?,
    )?;
    Ok(pid)
}

/// Waits for npm's end and returns it as std's `ExitStatus` (its raw wait status). Not nix's
/// waitpid: it cannot name a death by a realtime signal.
fn reap(pid: Pid) -> io::Result<ExitStatus> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid(2) writes only the status integer it is given.
        if unsafe { libc::waitpid(pid.as_raw(), &mut status, 0) } == pid.as_raw() {
            return Ok(ExitStatus::from_raw(status));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Spawns, forwards signals, waits. `tee` (if any) takes npm's stderr; `logs` (if any) sees
/// which debug log npm writes.
pub fn run(launch: &Launch, tee: Option<tee::Tee>, logs: Option<LogWatch>) -> io::Result<Finished> {
    let watch = signals::watch(tee.as_ref().is_some_and(tee::Tee::is_pty))?;
    let finished = spawn_and_wait(launch, tee, logs, &watch);
    watch.stop();
    finished
}

fn spawn_and_wait(
    launch: &Launch,
    tee: Option<tee::Tee>,
    mut logs: Option<LogWatch>,
    watch: &signals::Watch,
) -> io::Result<Finished> {
    let teed = match tee.as_ref() {
        Some(t) => t.child_fds()?,
        None => Vec::new(),
    };
    // `teed` is dropped here: only npm holds the child ends, so the tee can see EOF
    let pid = start(launch, &watch.given_mask(), teed)?;
    // Started while the watched signals are blocked: they stay with the signalfd.
    let copying = tee.map(tee::Tee::start);
    // A failing signalfd leaves only the plain wait: npm still runs and is waited for.
    let _ = watch.until_exit(pid.as_raw() as u32, logs.as_mut(), || {
        if let Some(copying) = copying.as_ref() {
            copying.on_winch();
        }
    });
    let status = reap(pid)?;
    let stderr_tail = copying.map(tee::Copying::finish);
    Ok(Finished {
        status,
        stderr_tail,
        logs: logs.map(LogWatch::into_seen),
    })
}

/// `REGAUTH=off`: become npm (exec), with the guard still set. Returns only on failure.
pub fn exec(launch: &Launch) -> io::Error {
    let mut command = Command::new(launch.program);
    command.arg0(launch.arg0).args(launch.args);
    for (key, value) in launch.env_changes() {
        command.env(key, value);
    }
    command.exec()
}
