//! Which debug log is this run's, known while npm runs: regauth watches npm's logs directory,
//! and when a log file appears there, the one npm itself holds open is this run's (a concurrent
//! npm's log, or a nested npm's, is not open in ours). regauth opens it again through
//! `/proc/PID/fd`, so it can still read it after npm exits even if another npm's log cleaning
//! has deleted it meanwhile (npm keeps `logs-max` files and deletes older ones at its start).
//!
//! Cheap: one inotify watch before the spawn, one look at npm's open files per new log file;
//! only until a new file is told apart are the directory's writes watched too (npm's open()
//! has returned by its first write, so a file not among npm's files then is another run's).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, WatchDescriptor};
use nix::unistd::Pid;

use crate::types::DebugLog;

/// Each log file is read up to this (npm starts a new file after 50,000 lines anyway).
const MAX_LOG_BYTES: u64 = 32 << 20;

/// The logs directory being watched, and what was found there so far.
pub(crate) struct LogWatch {
    inotify: Inotify,
    dir: PathBuf,
    /// While the directory does not exist yet (npm makes it on its first run): the watch on
    /// its parent, until it appears.
    awaiting_dir: Option<WatchDescriptor>,
    /// New log files not yet told apart (the directory's writes are watched until they are).
    undecided: BTreeSet<OsString>,
    /// New log files npm did not hold open: another run's (or a nested npm's).
    others: BTreeSet<OsString>,
    /// This run's log files (`-debug-0.log`, `-debug-1.log`, ...), open, in the order found.
    ours: Vec<(PathBuf, File)>,
}

/// What the watch saw by the time npm exited.
pub(crate) struct Seen {
    /// This run's log files, open (readable even if deleted since).
    pub ours: Vec<(PathBuf, File)>,
    /// How many other log files appeared in the directory meanwhile (not told apart included).
    pub others: usize,
    pub dir: PathBuf,
}

impl LogWatch {
    /// Watches `dir`, or its parent until npm makes it; `None` when it cannot (no inotify,
    /// neither exists).
    pub(crate) fn new(dir: &Path) -> Option<LogWatch> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok()?;
        let awaiting_dir = match inotify.add_watch(dir, AddWatchFlags::IN_CREATE) {
            Ok(_) => None,
            Err(Errno::ENOENT) => Some(
                inotify
                    .add_watch(
                        dir.parent()?,
                        AddWatchFlags::IN_CREATE | AddWatchFlags::IN_ONLYDIR,
                    )
                    .ok()?,
            ),
            Err(_) => return None,
        };
        Some(LogWatch {
            inotify,
            dir: dir.to_path_buf(),
            awaiting_dir,
            undecided: BTreeSet::new(),
            others: BTreeSet::new(),
            ours: Vec::new(),
        })
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }

    /// Reads what happened in the directory and looks at npm's (`npm`) open files for each new
    /// log file.
    pub(crate) fn on_ready(&mut self, npm: Pid) {
        let Ok(events) = self.inotify.read_events() else {
            return;
        };
        let watching_writes = !self.undecided.is_empty();
        for event in events {
            if Some(event.wd) == self.awaiting_dir {
                if event.name.as_deref() == self.dir.file_name() {
                    self.dir_appeared(npm);
                }
                continue;
            }
            let Some(name) = event.name.filter(is_log_name) else {
                continue;
            };
            let created = event.mask.contains(AddWatchFlags::IN_CREATE);
            if created || self.undecided.contains(&name) {
                self.decide(npm, name, created);
            }
        }
        if watching_writes == self.undecided.is_empty() {
            let mask = match self.undecided.is_empty() {
                true => AddWatchFlags::IN_CREATE,
                false => AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MODIFY,
            };
            let _ = self.inotify.add_watch(&self.dir, mask);
        }
    }

    /// npm made the logs directory: watch it, and decide on the logs already in it (made
    /// before the watch was in place).
    fn dir_appeared(&mut self, npm: Pid) {
        if let Some(parent) = self.awaiting_dir.take() {
            let _ = self.inotify.rm_watch(parent);
        }
        if self
            .inotify
            .add_watch(&self.dir, AddWatchFlags::IN_CREATE)
            .is_err()
        {
            return;
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for name in entries.flatten().map(|e| e.file_name()) {
            if is_log_name(&name) {
                self.decide(npm, name, true);
            }
        }
    }

    /// Ours when npm holds it open; just created and not (yet) held: decided at its first write.
    fn decide(&mut self, npm: Pid, name: OsString, created: bool) {
        self.undecided.remove(&name);
        match self.open_in(npm, &name) {
            Some(file) => self.ours.push((self.dir.join(&name), file)),
            None if created => {
                self.undecided.insert(name);
            }
            None => {
                self.others.insert(name);
            }
        }
    }

    /// `name` in the logs directory, opened again when `npm` holds it open.
    fn open_in(&self, npm: Pid, name: &OsString) -> Option<File> {
        let target = self.dir.join(name);
        std::fs::read_dir(format!("/proc/{npm}/fd"))
            .ok()?
            .flatten()
            .find(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == target))
            .and_then(|fd| File::open(fd.path()).ok())
    }

    /// What was seen (after npm exited: its files can no longer be looked at).
    pub(crate) fn into_seen(self) -> Seen {
        let pending = self.inotify.read_events().map_or(0, |events| {
            let names = events.into_iter().filter_map(|e| e.name);
            names.filter(is_log_name).count()
        });
        Seen {
            others: self.others.len() + self.undecided.len() + pending,
            ours: self.ours,
            dir: self.dir,
        }
    }
}

/// The run's log text: its files in order, each read from its start up to the bound.
pub(crate) fn read(ours: Vec<(PathBuf, File)>) -> Option<DebugLog> {
    let path = ours.first()?.0.clone();
    let mut bytes = Vec::new();
    for (_, mut file) in ours {
        if file.rewind().is_ok() {
            let _ = file.take(MAX_LOG_BYTES).read_to_end(&mut bytes);
        }
    }
    Some(DebugLog {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        path,
    })
}

/// `<runId>-debug-<N>.log` (npm 8.5+) or `<runId>-debug.log` (earlier).
fn is_log_name(name: &OsString) -> bool {
    name.to_str().is_some_and(|n| {
        n.ends_with("-debug.log")
            || n.strip_suffix(".log")
                .and_then(|n| n.rsplit_once("-debug-"))
                .is_some_and(|(_, part)| {
                    !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())
                })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        for name in [
            "2026-11-28T02_11_58_167Z-debug-0.log",
            "x-debug-12.log",
            "x-debug.log",
        ] {
            assert!(is_log_name(&name.into()), "{name}");
        }
        for name in ["x-debug-.log", "x-debug-0.log.tmp", "notes.log"] {
            assert!(!is_log_name(&name.into()), "{name}");
        }
    }

    #[test]
    fn a_file_this_process_holds_is_ours_and_one_it_does_not_is_another_s() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = LogWatch::new(dir.path()).unwrap();
        let _held = File::create(dir.path().join("a-debug-0.log")).unwrap();
        std::fs::write(dir.path().join("b-debug-0.log"), "written and closed").unwrap();
        watch.on_ready(Pid::this());
        let seen = watch.into_seen();
        let ours: Vec<_> = seen.ours.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(ours, [dir.path().join("a-debug-0.log")]);
        assert_eq!(seen.others, 1);
    }

    #[test]
    fn a_logs_directory_made_after_the_start_is_watched_once_it_appears() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("_logs");
        let mut watch = LogWatch::new(&dir).unwrap();
        std::fs::create_dir(&dir).unwrap();
        let _first = File::create(dir.join("a-debug-0.log")).unwrap();
        watch.on_ready(Pid::this());
        let _second = File::create(dir.join("a-debug-1.log")).unwrap();
        watch.on_ready(Pid::this());
        let seen = watch.into_seen();
        let ours: Vec<_> = seen.ours.iter().map(|(p, _)| p.clone()).collect();
        assert_eq!(ours, [dir.join("a-debug-0.log"), dir.join("a-debug-1.log")]);
        assert_eq!(seen.others, 0);
    }

    #[test]
    fn ours_stays_readable_after_it_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = LogWatch::new(dir.path()).unwrap();
        let path = dir.path().join("a-debug-0.log");
        let mut held = File::create(&path).unwrap();
        std::io::Write::write_all(&mut held, b"17 error code E401\n").unwrap();
        watch.on_ready(Pid::this());
        std::fs::remove_file(&path).unwrap();
        let log = read(watch.into_seen().ours).unwrap();
        assert_eq!(log.text, "17 error code E401\n");
        assert_eq!(log.path, path);
    }
}
