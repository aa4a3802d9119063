//! Registry hosts that lockfiles pin: `resolved` URLs in `package-lock.json` /
//! `npm-shrinkwrap.json` (lockfileVersion 1 to 3) and `yarn.lock` (v1 `resolved "..."`), counted
//! per origin, with the line of the first occurrence. npm fetches those URLs as written (unless
//! `replace-registry-host` says otherwise), so a host without a credential fails with E401.
//!
//! Both formats are streamed (`json_scan`, `for_each_line`): memory stays bounded by the number
//! of distinct origins, whatever the file's size (a 200 MB lockfile is read in 64 KiB chunks).

use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::lockfile_json::{self, Section};

/// One origin (`scheme://host[:port]`) used by a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostCount {
    pub origin: String,
    /// A full URL from the file with that origin, to route like npm would.
    pub sample_url: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lockfile {
    pub path: PathBuf,
    /// `package-lock.json v3`, `npm-shrinkwrap.json v1`, `yarn.lock`.
    pub format: String,
    pub hosts: Vec<HostCount>,
}

/// Distinct origins kept per lockfile; more are counted as nothing (memory stays bounded).
const MAX_ORIGINS: usize = 10_000;
/// Longest yarn.lock line looked at; the rest of a longer line is skipped unread.
const MAX_LINE: usize = 64 * 1024;

/// Scans the lockfiles in `dir` (missing or unreadable files are left out).
pub fn scan(dir: &Path) -> Vec<Lockfile> {
    let mut out = Vec::new();
    for name in ["npm-shrinkwrap.json", "package-lock.json"] {
        let path = dir.join(name);
        if let Some(lock) = std::fs::File::open(&path)
            .ok()
            .and_then(|f| scan_npm_reader(&path, name, f))
        {
            out.push(lock);
        }
    }
    let yarn = dir.join("yarn.lock");
    if let Ok(file) = std::fs::File::open(&yarn) {
        out.push(Lockfile {
            hosts: scan_yarn_reader(file),
            path: yarn,
            format: "yarn.lock".into(),
        });
    }
    out
}

/// An npm lockfile from any reader, streamed; `None` when it is not well-formed JSON.
pub fn scan_npm_reader(path: &Path, name: &str, reader: impl Read) -> Option<Lockfile> {
    let mut packages = Counter::default();
    let mut dependencies = Counter::default();
    let summary = lockfile_json::scan(reader, |section, url| match section {
        Section::Packages => packages.add(url),
        Section::Dependencies => dependencies.add(url),
    })?;
    // v2 carries both `packages` and the v1 `dependencies` tree; count each package once.
    let hosts = if summary.has_packages {
        packages
    } else {
        dependencies
    };
    Some(Lockfile {
        path: path.to_path_buf(),
        format: format!("{name} v{}", summary.version.unwrap_or(1)),
        hosts: hosts.into_sorted(),
    })
}

/// The `  resolved "https://..."` lines of a yarn v1 lockfile, streamed line by line.
pub fn scan_yarn_reader(reader: impl Read) -> Vec<HostCount> {
    let mut counter = Counter::default();
    for_each_line(std::io::BufReader::new(reader), MAX_LINE, |line| {
        let text = String::from_utf8_lossy(line);
        if let Some(rest) = text.trim_start().strip_prefix("resolved ") {
            counter.add(rest.trim().trim_matches('"'));
        }
        true
    });
    counter.into_sorted()
}

/// Calls `f` with each line (without its `\n`), cut to `cap` bytes, until `f` returns false;
/// never holds more than `cap` bytes of a line in memory.
pub(crate) fn for_each_line(
    mut reader: impl BufRead,
    cap: usize,
    mut f: impl FnMut(&[u8]) -> bool,
) {
    let mut line: Vec<u8> = Vec::new();
    loop {
        let chunk = match reader.fill_buf() {
            Ok([]) => break,
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        let (used, ended) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (at + 1, Some(at)),
            None => (chunk.len(), None),
        };
        let part = &chunk[..ended.unwrap_or(used)];
        let room = cap.saturating_sub(line.len());
        line.extend_from_slice(&part[..part.len().min(room)]);
        reader.consume(used);
        if ended.is_some() {
            if !f(&line) {
                return;
            }
            line.clear();
        }
    }
    if !line.is_empty() {
        f(&line);
    }
}

/// Whether the yarn.lock at `path` is berry's (it has a top-level `__metadata:` key, near its
/// start) rather than yarn 1's; `None` when it cannot be read. Streamed, stopping at the key:
/// a yarn 1 lockfile of any size is read once in bounded memory.
pub fn yarn_lock_is_berry(path: &Path) -> Option<bool> {
    let file = std::fs::File::open(path).ok()?;
    Some(is_berry_lock(file))
}

/// Whether a yarn.lock read from `reader` has berry's top-level `__metadata:` key.
pub fn is_berry_lock(reader: impl Read) -> bool {
    let mut berry = false;
    for_each_line(std::io::BufReader::new(reader), MAX_LINE, |line| {
        berry = line.starts_with(b"__metadata:");
        !berry
    });
    berry
}

/// http(s) URLs counted per origin; other specs (git, file) are not registry traffic.
#[derive(Default)]
struct Counter {
    by_origin: BTreeMap<String, HostCount>,
}

impl Counter {
    fn add(&mut self, raw: &str) {
        let Ok(url) = url::Url::parse(raw) else {
            return;
        };
        if !matches!(url.scheme(), "http" | "https") {
            return;
        }
        let origin = url.origin().ascii_serialization();
        if let Some(known) = self.by_origin.get_mut(&origin) {
            known.count += 1;
        } else if self.by_origin.len() < MAX_ORIGINS {
            let host = HostCount {
                origin: origin.clone(),
                sample_url: raw.to_owned(),
                count: 1,
            };
            self.by_origin.insert(origin, host);
        }
    }

    fn into_sorted(self) -> Vec<HostCount> {
        let mut hosts: Vec<HostCount> = self.by_origin.into_values().collect();
        hosts.sort_by(|a, b| b.count.cmp(&a.count).then(a.origin.cmp(&b.origin)));
        hosts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_v3_and_yarn() {
        let dir = tempfile::tempdir().unwrap();
        let v3 = r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"resolved":"http://127.0.0.1:4873/a/-/a-1.0.0.tgz"},
            "node_modules/b":{"resolved":"https://registry.npmjs.org/b/-/b-1.tgz"},"node_modules/c":{"resolved":"http://127.0.0.1:4873/c/-/c-1.tgz"}},
            "dependencies":{"a":{"resolved":"http://127.0.0.1:4873/a/-/a-1.0.0.tgz"}}}"#;
        std::fs::write(dir.path().join("package-lock.json"), v3).unwrap();
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"resolved":"https://x.example/a.tgz","dependencies":{"b":{"resolved":"https://x.example/b.tgz"}}}}}"#;
        std::fs::write(dir.path().join("npm-shrinkwrap.json"), v1).unwrap();
        std::fs::write(
            dir.path().join("yarn.lock"),
            "a@^1:\n  version \"1\"\n  resolved \"https://registry.yarnpkg.com/a/-/a-1.tgz#abc\"\n",
        )
        .unwrap();
        let got = scan(dir.path());
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].format, "npm-shrinkwrap.json v1");
        assert_eq!(got[0].hosts[0].count, 2);
        assert_eq!(got[1].format, "package-lock.json v3");
        assert_eq!(got[1].hosts[0].origin, "http://127.0.0.1:4873");
        assert_eq!(got[1].hosts[0].count, 2);
        assert_eq!(got[1].hosts[1].count, 1);
        assert_eq!(got[2].hosts[0].origin, "https://registry.yarnpkg.com");
    }

    #[test]
    fn malformed_json_is_no_lockfile() {
        for text in [
            "",
            "{",
            "{\"packages\":{]}",
            "[1,2",
            "{\"a\":\"unterminated}",
        ] {
            assert!(
                scan_npm_reader(Path::new("p"), "package-lock.json", text.as_bytes()).is_none(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn lines_are_capped_not_lost() {
        let text = format!("{}\nresolved \"http://h/x\"\nlast", "x".repeat(100));
        let mut seen = Vec::new();
        for_each_line(text.as_bytes(), 10, |l| {
            seen.push(l.len());
            true
        });
        assert_eq!(seen, vec![10, 10, 4]);
    }

    #[test]
    fn berry_and_yarn_1_lockfiles_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("yarn.lock");
        assert_eq!(yarn_lock_is_berry(&path), None);
        let berry =
            "# This file is generated by running \"yarn install\"\n\n__metadata:\n  version: 8\n";
        std::fs::write(&path, berry).unwrap();
        assert_eq!(yarn_lock_is_berry(&path), Some(true));
        let yarn1 = "# yarn lockfile v1\n\na@^1:\n  version \"1\"\n  # __metadata: in a comment\n";
        std::fs::write(&path, yarn1).unwrap();
        assert_eq!(yarn_lock_is_berry(&path), Some(false));
    }
}
