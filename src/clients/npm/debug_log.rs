//! Finding npm's debug log for this run after it exits: in `logs-dir` or `<cache>/_logs`, the
//! oldest `<runId>-debug-0.log` (npm 8.5+; `-debug.log` before) whose name timestamp is at or
//! after the spawn, confirmed by the arguments in its `verbose argv` (npm 7+) or `verbose cli`
//! (npm 6) line. The oldest, not the newest: an `npm run` script that calls npm again writes a
//! later log of its own into the same directory.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::types::DebugLog;

/// A log larger than this is read only up to it (npm splits logs at 50,000 lines anyway).
const MAX_LOG_BYTES: u64 = 32 << 20;
/// npm writes at most 5 files per run (`-debug-0` .. `-debug-4`).
const MAX_PARTS: usize = 5;
/// The argv line is among the first lines of the log.
const HEAD_LINES: usize = 40;

/// The debug log of the run that started at `started` with `args`, if one is in `dir`.
pub fn find(dir: &Path, started: SystemTime, args: &[OsString]) -> Option<DebugLog> {
    let floor = run_id(started);
    let mut candidates: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            // Only regular files: a FIFO or device with a log's name must not block regauth.
            if !entry.file_type().ok()?.is_file() {
                return None;
            }
            let name = entry.file_name().into_string().ok()?;
            let id = first_part_run_id(&name)?.to_owned();
            (id.as_str() >= floor.as_str()).then(|| (id, entry.path()))
        })
        .collect();
    candidates.sort();
    candidates.into_iter().find_map(|(id, path)| {
        let text = read_capped(&path)?;
        confirms(&text, args).then(|| DebugLog {
            text: with_later_parts(dir, &id, text),
            path,
        })
    })
}

/// The run id of a log's first file: `2026-11-28T02_11_58_167Z-debug-0.log` -> the timestamp.
fn first_part_run_id(name: &str) -> Option<&str> {
    let id = name
        .strip_suffix("-debug-0.log")
        .or_else(|| name.strip_suffix("-debug.log"))?;
    (id.len() == 24 && id.ends_with('Z')).then_some(id)
}

/// npm's run id for an instant: `new Date().toISOString().replace(/[.:]/g, '_')`.
pub fn run_id(at: SystemTime) -> String {
    let ms = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = crate::civil::civil_from_days(days);
    let (h, min, s, milli) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}_{min:02}_{s:02}_{milli:03}Z")
}

fn read_capped(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_LOG_BYTES)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Appends `-debug-1.log` .. of the same run: the error lines are in the last part.
fn with_later_parts(dir: &Path, id: &str, mut text: String) -> String {
    for n in 1..MAX_PARTS {
        match read_capped(&dir.join(format!("{id}-debug-{n}.log"))) {
            Some(part) => text.push_str(&part),
            None => break,
        }
    }
    text
}

/// True when the log's argv line holds every positional argument the user gave.
///
/// npm logs its "cooked" argv (`--a=b` split, shorthands expanded, secrets masked), so flags are
/// not compared; positional arguments come through unchanged.
pub fn confirms(text: &str, args: &[OsString]) -> bool {
    let Some(argv_line) = text.lines().take(HEAD_LINES).find(|l| is_argv_line(l)) else {
        return false;
    };
    positionals(args).all(|arg| {
        let json = serde_json::to_string(arg).unwrap_or_default();
        argv_line.contains(&json) || argv_line.contains(&format!("'{arg}'"))
    })
}

fn is_argv_line(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(_, rest)| {
        rest.starts_with("verbose argv ") || rest.starts_with("verbose cli [")
    })
}

/// The user's positional arguments before `--`, as text (non-UTF-8 ones cannot be compared).
fn positionals(args: &[OsString]) -> impl Iterator<Item = &str> {
    args.iter()
        .map_while(|a| a.to_str().filter(|a| *a != "--"))
        .filter(|a| !a.starts_with('-') && !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const LOG: &str = "0 verbose cli /usr/bin/node /usr/bin/npm\n1 info using npm@11.19.1\n7 verbose title npm view @priv/lib\n8 verbose argv \"view\" \"@priv/lib\" \"--loglevel\" \"silent\"\n13 http fetch GET 401 http://127.0.0.1:4873/@priv%2flib 5ms\n17 error code E401\n";

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn run_id_matches_npm_format() {
        let at = UNIX_EPOCH + Duration::from_millis(1_795_831_918_167);
        assert_eq!(run_id(at), "2026-11-28T02_11_58_167Z");
        assert_eq!(run_id(UNIX_EPOCH), "1970-01-01T00_00_00_000Z");
    }

    #[test]
    fn confirms_positionals_only() {
        assert!(confirms(
            LOG,
            &args(&["view", "@priv/lib", "--loglevel=silent"])
        ));
        assert!(!confirms(LOG, &args(&["view", "@other/lib"])));
        assert!(!confirms("no argv line here\n", &args(&[])));
    }

    #[test]
    fn picks_the_oldest_confirmed_log_after_the_spawn() {
        let dir = tempfile::tempdir().unwrap();
        let started = UNIX_EPOCH + Duration::from_millis(1_795_831_918_167);
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("2026-11-28T02_11_58_100Z-debug-0.log", LOG); // before the spawn
        write(
            "2026-11-28T02_11_58_170Z-debug-0.log",
            &LOG.replace("@priv/lib", "@x/other"),
        );
        write("2026-11-28T02_11_58_200Z-debug-0.log", LOG);
        write(
            "2026-11-28T02_11_58_200Z-debug-1.log",
            "99 error part two\n",
        );
        write("2026-11-28T02_11_59_000Z-debug-0.log", LOG); // a nested npm, later
        let log = find(dir.path(), started, &args(&["view", "@priv/lib"])).unwrap();
        assert!(log.path.ends_with("2026-11-28T02_11_58_200Z-debug-0.log"));
        assert!(log.text.ends_with("99 error part two\n"));
    }

    #[test]
    fn npm6_log_names_and_cli_line() {
        let dir = tempfile::tempdir().unwrap();
        let text = "0 info it worked if it ends with ok\n1 verbose cli [ '/usr/bin/node', '/usr/bin/npm', 'view', 'x' ]\n";
        std::fs::write(dir.path().join("2026-11-28T02_11_58_200Z-debug.log"), text).unwrap();
        let started = UNIX_EPOCH + Duration::from_millis(1_795_831_918_167);
        assert!(find(dir.path(), started, &args(&["view", "x"])).is_some());
    }
}
