//! `regauth explain --last`: the newest npm debug log of this machine, in npm's `logs-dir`
//! (default `<cache>/_logs`, cache `~/.npm`) as npm's configuration here resolves it.

use std::io::Read;
use std::path::{Path, PathBuf};

/// npm writes at most 5 files per run (`-debug-0` .. `-debug-4`).
const MAX_PARTS: usize = 5;

/// Where npm run here writes its debug logs (as npm's client module plans it for a run).
pub(crate) fn logs_dir() -> PathBuf {
    let npm = crate::clients::by_name("npm").expect("npm is a client");
    // the real npm locates the builtin npmrc; without one the other layers still apply
    let program = npm.locate().unwrap_or_else(|_| PathBuf::from("npm"));
    npm.recording(&[], &program)
        .logs_dir
        .unwrap_or_else(|| PathBuf::from(".npm/_logs"))
}

/// The first file of the newest run's log in `dir`: run ids are ISO timestamps, so the
/// greatest name is the newest run (npm 8.5+ `<id>-debug-0.log`, earlier `<id>-debug.log`).
pub(crate) fn newest(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            // Only regular files: a FIFO with a log's name must not block regauth.
            entry.file_type().ok()?.is_file().then_some(())?;
            let name = entry.file_name().into_string().ok()?;
            let id = run_id(&name)?.to_owned();
            Some((id, entry.path()))
        })
        .max()
        .map(|(_, path)| path)
}

/// The run id of a log's first file: `2026-11-28T02_11_58_167Z-debug-0.log` -> the timestamp.
fn run_id(name: &str) -> Option<&str> {
    let id = name
        .strip_suffix("-debug-0.log")
        .or_else(|| name.strip_suffix("-debug.log"))?;
    (id.len() == 24 && id.ends_with('Z')).then_some(id)
}

/// The whole log of the run whose first file is `first`: its later parts (`-debug-1.log` ...)
/// follow it, as npm wrote them.
pub(crate) fn open(first: &Path) -> std::io::Result<Box<dyn Read>> {
    let mut reader: Box<dyn Read> = Box::new(std::fs::File::open(first)?);
    let Some(stem) = first.to_str().and_then(|p| p.strip_suffix("-debug-0.log")) else {
        return Ok(reader);
    };
    for part in 1..MAX_PARTS {
        match std::fs::File::open(format!("{stem}-debug-{part}.log")) {
            Ok(file) => reader = Box::new(reader.chain(file)),
            Err(_) => break,
        }
    }
    Ok(reader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_run_wins_and_other_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "2026-11-28T02_11_58_167Z-debug-0.log",
            "2026-11-28T09_00_00_000Z-debug-0.log",
            "2026-11-28T09_00_00_000Z-debug-1.log",
            "2019-01-01T00_00_00_000Z-debug.log",
            "zzzz-notes.log",
        ] {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        std::fs::create_dir(dir.path().join("2027-01-01T00_00_00_000Z-debug-0.log")).unwrap();
        let newest = newest(dir.path()).unwrap();
        assert_eq!(
            newest.file_name().unwrap(),
            "2026-11-28T09_00_00_000Z-debug-0.log"
        );
        let mut text = String::new();
        open(&newest).unwrap().read_to_string(&mut text).unwrap();
        assert_eq!(
            text,
            "2026-11-28T09_00_00_000Z-debug-0.log2026-11-28T09_00_00_000Z-debug-1.log"
        );
    }

    #[test]
    fn no_directory_or_no_log_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(newest(dir.path()), None);
        assert_eq!(newest(&dir.path().join("missing")), None);
    }
}
