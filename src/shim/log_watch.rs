//! Which debug log is this run's, known while npm runs: regauth watches npm's logs directory,
//! and when a log file appears there, the one npm itself holds open is this run's (a concurrent
//! npm's log, or a nested npm's, is not open in ours). regauth opens it again through
//! `/proc/PID/fd`, so it can still read it after npm exits even if another npm's log cleaning
//! has deleted it meanwhile (npm keeps `logs-max` files and deletes older ones at its start).
//!
//! Cheap: one inotify watch before the spawn, one look at npm's open files per new log file
//! (npm's descendants, a /proc scan, listed once per burst of events); only until a new file is
//! told apart are the directory's writes watched too (npm's open() has returned by its first
//! write, so a file not among npm's files then is another run's).
//! The watch is removed as soon as this run's first log file is held: closing an inotify
//! instance that still has a watch waits for the kernel's mark reaper (an SRCU grace period,
//! measured 8-12 ms here), which would delay regauth's exit on every npm call. Removed early,
//! the reaper finishes while npm still runs and the close at the end costs nothing. Later
//! parts (`-debug-1.log`, ...) are read by name after the exit.

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
    /// The watch on the directory itself, until this run's first log file is held.
    on_dir: Option<WatchDescriptor>,
    /// New log files not yet told apart (the directory's writes are watched until they are).
    undecided: BTreeSet<OsString>,
    /// New log files npm did not hold open: another run's (or a nested npm's).
    others: BTreeSet<OsString>,
    /// This run's first log file (`-debug-0.log`, or `-debug.log` before npm 8.5), open.
    ours: Option<(PathBuf, File)>,
}

/// What the watch saw by the time npm exited.
pub(crate) struct Seen {
    /// This run's first log file, open (readable even if deleted since).
    pub ours: Option<(PathBuf, File)>,
    /// How many other log files appeared in the directory meanwhile (not told apart included).
    pub others: usize,
    pub dir: PathBuf,
}

impl LogWatch {
    /// Watches `dir`, or its parent until npm makes it; `None` when it cannot (no inotify,
    /// neither exists).
    pub(crate) fn new(dir: &Path) -> Option<LogWatch> {
        let inotify = Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).ok()?;
        let (on_dir, awaiting_dir) = match inotify.add_watch(dir, AddWatchFlags::IN_CREATE) {
            Ok(wd) => (Some(wd), None),
            Err(Errno::ENOENT) => {
                let parent = AddWatchFlags::IN_CREATE | AddWatchFlags::IN_ONLYDIR;
                (None, Some(inotify.add_watch(dir.parent()?, parent).ok()?))
            }
            Err(_) => return None,
        };
        Some(LogWatch {
            inotify,
            dir: dir.to_path_buf(),
            awaiting_dir,
            on_dir,
            undecided: BTreeSet::new(),
            others: BTreeSet::new(),
            ours: None,
        })
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }

    /// Reads what happened in the directory and looks at npm's (`npm`) open files for each new
    /// log file: its descendants are listed once for the whole burst of events.
    pub(crate) fn on_ready(&mut self, npm: Pid) {
        let mut holders = Holders::of(npm);
        let watching_writes = !self.undecided.is_empty();
        self.look_at_events(&mut holders);
        self.watch_writes(&mut holders, watching_writes);
    }

    /// Decides on each new log file the events name.
    fn look_at_events(&mut self, holders: &mut Holders) {
        let Ok(events) = self.inotify.read_events() else {
            return;
        };
        for event in events {
            if Some(event.wd) == self.awaiting_dir {
                if event.name.as_deref() == self.dir.file_name() {
                    self.dir_appeared(holders);
                }
                continue;
            }
            let Some(name) = event.name.filter(is_log_name) else {
                continue;
            };
            let created = event.mask.contains(AddWatchFlags::IN_CREATE);
            if created || self.undecided.contains(&name) {
                self.decide(holders, name, created);
            }
        }
    }

    /// Ends the watch once ours is held; else watches the directory's writes while a file is
    /// undecided (and only then). A file's first write can come between the look that missed
    /// its holder and this watch: so the undecided are looked at once more with the watch in
    /// place (a write before it means the holder's open() had returned).
    fn watch_writes(&mut self, holders: &mut Holders, watching_writes: bool) {
        if self.ours.is_some() {
            self.stop_watching();
            return;
        }
        if watching_writes == self.undecided.is_empty() {
            let mask = match self.undecided.is_empty() {
                true => AddWatchFlags::IN_CREATE,
                false => AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MODIFY,
            };
            let _ = self.inotify.add_watch(&self.dir, mask);
            if !watching_writes {
                for name in std::mem::take(&mut self.undecided) {
                    self.decide(holders, name, true);
                }
                if self.ours.is_some() {
                    self.stop_watching();
                }
            }
        }
    }

    /// This run's log is held: nothing more to learn, and an early removal keeps the final
    /// close free (see the module doc).
    fn stop_watching(&mut self) {
        for wd in [self.on_dir.take(), self.awaiting_dir.take()]
            .into_iter()
            .flatten()
        {
            let _ = self.inotify.rm_watch(wd);
        }
    }

    /// npm made the logs directory: watch it, and decide on the logs already in it (made
    /// before the watch was in place).
    fn dir_appeared(&mut self, holders: &mut Holders) {
        if let Some(parent) = self.awaiting_dir.take() {
            let _ = self.inotify.rm_watch(parent);
        }
        match self.inotify.add_watch(&self.dir, AddWatchFlags::IN_CREATE) {
            Ok(wd) => self.on_dir = Some(wd),
            Err(_) => return,
        }
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for name in entries.flatten().map(|e| e.file_name()) {
            if is_log_name(&name) {
                self.decide(holders, name, true);
            }
        }
    }

    /// Ours when npm holds it open; just created and not (yet) held: decided at its first write.
    /// Only a run's first file counts (later parts are read by name).
    fn decide(&mut self, holders: &mut Holders, name: OsString, created: bool) {
        self.undecided.remove(&name);
        if !is_first_part(&name) {
            return;
        }
        if self.ours.is_some() {
            // npm writes one first file per run: a new one now is another run's
            self.others.insert(name);
            return;
        }
        match holders.open(&self.dir.join(&name)) {
            Some(file) => self.ours = Some((self.dir.join(&name), file)),
            None if created => {
                self.undecided.insert(name);
            }
            None => {
                self.others.insert(name);
            }
        }
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

/// npm and, listed once per burst of events (a full /proc scan), its descendants.
struct Holders {
    npm: Pid,
    family: Option<Vec<Pid>>,
}

impl Holders {
    fn of(npm: Pid) -> Holders {
        Holders { npm, family: None }
    }

    /// `target` opened again when npm or one of its descendants holds it open (a wrapper
    /// script or a version manager's shim runs node as its child).
    fn open(&mut self, target: &Path) -> Option<File> {
        if let Some(file) = open_held(self.npm, target) {
            return Some(file);
        }
        let npm = self.npm;
        let family = self.family.get_or_insert_with(|| descendants(npm));
        family.iter().find_map(|pid| open_held(*pid, target))
    }
}

/// `target` opened again through `pid`'s descriptor for it, when `pid` holds it open.
fn open_held(pid: Pid, target: &Path) -> Option<File> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .ok()?
        .flatten()
        .find(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| names(&p, target)))
        .and_then(|fd| File::open(fd.path()).ok())
}

/// A descriptor's link names `target`, also once the file was deleted (another run's log
/// cleaning): the kernel then shows it as `<path> (deleted)`.
fn names(link: &Path, target: &Path) -> bool {
    let link = link.as_os_str().as_encoded_bytes();
    let target = target.as_os_str().as_encoded_bytes();
    link.strip_prefix(target)
        .is_some_and(|rest| rest.is_empty() || rest == b" (deleted)")
}

/// Every process below `root` (children, their children, ...), from the parent PIDs in
/// /proc/PID/stat (this kernel has no /proc/PID/task/TID/children).
fn descendants(root: Pid) -> Vec<Pid> {
    #[cfg(test)]
    SCANS.with(|n| n.set(n.get() + 1));
    let parents: Vec<(Pid, Pid)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| Some((Pid::from_raw(pid), parent_of(pid)?)))
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while let Some(&parent) = found.get(next) {
        let children = parents.iter().filter(|(_, p)| *p == parent);
        found.extend(children.map(|(child, _)| *child));
        next += 1;
    }
    found.split_off(1)
}

/// The parent PID in /proc/PID/stat: the field after the state, behind the `(comm)` that may
/// itself hold spaces and parentheses.
fn parent_of(pid: i32) -> Option<Pid> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_comm = &stat[stat.rfind(')')? + 1..];
    let ppid = after_comm.split_whitespace().nth(1)?.parse().ok()?;
    Some(Pid::from_raw(ppid))
}

/// Whether a log's entries come from more than one npm run. npm names its log by the run's
/// start time in milliseconds (npm/cli lib/npm.js: `#runId = new Date().toISOString()...`) and
/// appends to it (lib/utils/log-file.js: `WriteStreamSync(f, { flags: 'a' })`), so two runs that
/// start in the same millisecond write one file. Within one run the entry counter that starts
/// each line never goes down, and `info using npm@` is logged once (lib/cli/entry.js).
pub(crate) fn holds_other_runs(text: &str) -> bool {
    let mut highest = 0;
    let mut versions = 0;
    for (counter, rest) in text.lines().filter_map(entry) {
        versions += usize::from(rest.starts_with("info using npm@"));
        if counter < highest || versions > 1 {
            return true;
        }
        highest = counter;
    }
    false
}

/// `12 http fetch ...` -> (12, "http fetch ...").
fn entry(line: &str) -> Option<(u64, &str)> {
    let (counter, rest) = line.split_once(' ')?;
    Some((counter.parse().ok()?, rest))
}

/// The run's log text: its first file through the held descriptor, then its later parts
/// (`<runId>-debug-1.log` .. `-debug-4.log`, npm's most) by name, each up to the bound.
pub(crate) fn read(ours: (PathBuf, File)) -> Option<DebugLog> {
    let (path, mut first) = ours;
    let mut bytes = Vec::new();
    first.rewind().ok()?;
    let _ = first.take(MAX_LOG_BYTES).read_to_end(&mut bytes);
    let later = later_parts(&path).map_while(|part| File::open(part).ok());
    for file in later {
        let _ = file.take(MAX_LOG_BYTES).read_to_end(&mut bytes);
    }
    Some(DebugLog {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        path,
    })
}

/// The names npm gives a run's later log files, after `first` (`-debug-0.log`).
fn later_parts(first: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    let stem = first
        .to_str()
        .and_then(|p| p.strip_suffix("-debug-0.log"))
        .map(str::to_owned);
    (1..5).filter_map(move |n| {
        stem.as_ref()
            .map(|s| PathBuf::from(format!("{s}-debug-{n}.log")))
    })
}

/// A run's first log file: `-debug-0.log` (npm 8.5+) or `-debug.log` (earlier).
fn is_first_part(name: &OsString) -> bool {
    name.to_str()
        .is_some_and(|n| n.ends_with("-debug-0.log") || n.ends_with("-debug.log"))
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
thread_local! {
    /// Full /proc scans made on this thread.
    static SCANS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_new_files_scans_proc_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = LogWatch::new(dir.path()).unwrap();
        for name in ["a-debug-0.log", "b-debug-0.log", "c-debug-0.log"] {
            File::create(dir.path().join(name)).unwrap();
        }
        let before = SCANS.with(|n| n.get());
        watch.on_ready(Pid::this());
        assert_eq!(SCANS.with(|n| n.get()) - before, 1);
        assert_eq!(watch.into_seen().others, 3);
    }

    #[test]
    fn a_first_write_before_the_write_watch_still_tells_ours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a-debug-0.log");
        let mut watch = LogWatch::new(dir.path()).unwrap();
        // npm's open() made the file but had not returned when regauth looked
        drop(File::create(&path).unwrap());
        let mut holders = Holders::of(Pid::this());
        watch.look_at_events(&mut holders);
        assert_eq!(watch.undecided.len(), 1);
        // then it returned and npm wrote, before the write watch was in place (no event)
        let mut held = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        std::io::Write::write_all(&mut held, b"0 verbose cli\n").unwrap();
        watch.watch_writes(&mut holders, false);
        assert_eq!(watch.into_seen().ours.map(|(p, _)| p), Some(path));
    }

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
        let ours = seen.ours.as_ref().map(|(p, _)| p.clone());
        assert_eq!(ours, Some(dir.path().join("a-debug-0.log")));
        assert_eq!(seen.others, 1);
    }

    #[test]
    fn a_logs_directory_made_after_the_start_is_watched_once_it_appears() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("_logs");
        let mut watch = LogWatch::new(&dir).unwrap();
        std::fs::create_dir(&dir).unwrap();
        let mut first = File::create(dir.join("a-debug-0.log")).unwrap();
        std::io::Write::write_all(&mut first, b"1 part one\n").unwrap();
        watch.on_ready(Pid::this());
        std::fs::write(dir.join("a-debug-1.log"), "2 part two\n").unwrap();
        watch.on_ready(Pid::this());
        let seen = watch.into_seen();
        assert_eq!(seen.others, 0);
        let ours = seen.ours.unwrap();
        assert_eq!(ours.0, dir.join("a-debug-0.log"));
        assert_eq!(read(ours).unwrap().text, "1 part one\n2 part two\n");
    }

    #[test]
    fn the_watch_ends_once_this_runs_log_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = LogWatch::new(dir.path()).unwrap();
        let _held = File::create(dir.path().join("a-debug-0.log")).unwrap();
        watch.on_ready(Pid::this());
        assert!(watch.on_dir.is_none() && watch.awaiting_dir.is_none());
        std::fs::write(dir.path().join("b-debug-0.log"), "another run's").unwrap();
        // no watch left: the other run's file makes no event, and ours stays the one held
        let events = watch.inotify.read_events().unwrap_or_default();
        assert!(events.iter().all(|e| e.name.is_none()), "{events:?}");
        let seen = watch.into_seen();
        assert_eq!(
            seen.ours.map(|(p, _)| p),
            Some(dir.path().join("a-debug-0.log"))
        );
    }

    #[test]
    fn a_log_held_by_a_child_of_npm_is_ours() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = LogWatch::new(dir.path()).unwrap();
        let log = dir.path().join("a-debug-0.log");
        // "npm" is a shell that runs the log's writer as its child (a wrapper script)
        let script = format!("exec 3>'{}'; echo ready; read _", log.display());
        let mut wrapper = std::process::Command::new("sh")
            .args(["-c", &format!("sh -c \"{script}\"; :")])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut ready = [0u8; 6];
        std::io::Read::read_exact(wrapper.stdout.as_mut().unwrap(), &mut ready).unwrap();
        watch.on_ready(Pid::from_raw(wrapper.id() as i32));
        drop(wrapper.stdin.take());
        let _ = wrapper.wait();
        assert_eq!(watch.into_seen().ours.map(|(p, _)| p), Some(log));
    }

    #[test]
    fn a_held_log_deleted_before_the_look_is_still_ours() {
        let dir = tempfile::tempdir().unwrap();
        let mut watch = LogWatch::new(dir.path()).unwrap();
        let path = dir.path().join("a-debug-0.log");
        let mut held = File::create(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::io::Write::write_all(&mut held, b"17 error code E401\n").unwrap();
        watch.on_ready(Pid::this());
        let seen = watch.into_seen();
        assert_eq!(seen.others, 0);
        assert_eq!(
            read(seen.ours.unwrap()).unwrap().text,
            "17 error code E401\n"
        );
    }

    #[test]
    fn a_log_two_runs_appended_to_is_told_from_one_run_s_log() {
        let one = "0 verbose cli /usr/bin/node /usr/bin/npm\n1 info using npm@11.19.1\n\
                   15 verbose stack Error: x\n15 verbose stack     at y\n16 error code E401\n";
        assert!(!holds_other_runs(one));
        let two = "0 verbose cli /usr/bin/node /usr/bin/npm\n0 verbose cli /usr/bin/node \
                   /usr/bin/npm\n1 info using npm@11.19.1\n1 info using npm@11.19.1\n";
        assert!(holds_other_runs(two));
        let after = format!("{one}0 verbose cli /usr/bin/node /usr/bin/npm\n");
        assert!(holds_other_runs(&after));
    }

    #[test]
    fn descendants_are_found_through_parent_pids() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let found = descendants(Pid::this());
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            found.contains(&Pid::from_raw(child.id() as i32)),
            "{found:?}"
        );
        assert!(!found.contains(&Pid::this()));
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
        let log = read(watch.into_seen().ours.unwrap()).unwrap();
        assert_eq!(log.text, "17 error code E401\n");
        assert_eq!(log.path, path);
    }
}
