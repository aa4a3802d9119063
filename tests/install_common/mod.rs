//! Shared by the tests/install*.rs binaries: a throwaway HOME, running install.sh in a bare
//! environment (`env -i` semantics), and snapshots of every file under a directory.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::hash::{DefaultHasher, Hasher};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The checkout the tests run from (install.sh, shims/, devcontainer/ live here).
pub fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn install_sh() -> PathBuf {
    checkout().join("install.sh")
}

/// The regauth binary cargo built for these tests.
pub fn regauth_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_regauth"))
}

/// The PATH of a bare login: where this machine keeps node, npm, bash, zsh and fish.
pub const BARE_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// A throwaway home directory plus a scratch area next to it.
pub struct Home {
    pub dir: tempfile::TempDir,
    name: String,
}

impl Home {
    pub fn new() -> Home {
        Home::named("home")
    }

    /// A home directory with this file name (e.g. one with a space in it).
    pub fn named(name: &str) -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join(name)).unwrap();
        fs::create_dir(dir.path().join("scratch")).unwrap();
        Home {
            dir,
            name: name.to_owned(),
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join(&self.name)
    }

    pub fn scratch(&self) -> PathBuf {
        self.dir.path().join("scratch")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.home().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// A command with nothing inherited (`env -i`) but HOME, a bare PATH and an npm isolated in
    /// this home: the global npmrc goes to scratch/prefix, not this machine's /usr/etc/npmrc.
    pub fn bare(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .env("PATH", BARE_PATH)
            .env("TERM", "dumb")
            .env("PREFIX", self.scratch().join("prefix"))
            .current_dir(self.scratch());
        cmd
    }

    /// `sh install.sh ARGS --binary <the test build>` in the bare environment.
    pub fn install(&self, args: &[&str]) -> Output {
        let mut cmd = self.bare("sh");
        cmd.arg(install_sh()).args(args);
        if !args
            .iter()
            .any(|a| a.starts_with("--binary") || *a == "--uninstall")
        {
            cmd.arg("--binary").arg(regauth_bin());
        }
        cmd.output().expect("run install.sh")
    }

    /// Like `install`, asserting success; returns stdout.
    pub fn install_ok(&self, args: &[&str]) -> String {
        let out = self.install(args);
        assert_success(&out, &format!("install.sh {args:?}"));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed: {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What a snapshot records of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir { mode: u32 },
    File { mode: u32, len: u64, hash: u64 },
    Symlink { target: PathBuf },
}

/// Every entry under `root` (relative paths), with content hashes and modes.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Like `snapshot`, plus each file's modification time: proves that nothing was even rewritten.
pub fn snapshot_with_mtimes(root: &Path) -> BTreeMap<PathBuf, (Entry, i64, i64)> {
    snapshot(root)
        .into_iter()
        .map(|(rel, entry)| {
            let meta = fs::symlink_metadata(root.join(&rel)).unwrap();
            (rel, (entry, meta.mtime(), meta.mtime_nsec()))
        })
        .collect()
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Entry>) {
    for item in fs::read_dir(dir).unwrap() {
        let path = item.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().to_path_buf();
        let meta = fs::symlink_metadata(&path).unwrap();
        let mode = meta.permissions().mode();
        if meta.file_type().is_symlink() {
            out.insert(
                rel,
                Entry::Symlink {
                    target: fs::read_link(&path).unwrap(),
                },
            );
        } else if meta.is_dir() {
            out.insert(rel, Entry::Dir { mode });
            walk(root, &path, out);
        } else {
            let bytes = fs::read(&path).unwrap();
            let mut hasher = DefaultHasher::new();
            hasher.write(&bytes);
            out.insert(
                rel,
                Entry::File {
                    mode,
                    len: bytes.len() as u64,
                    hash: hasher.finish(),
                },
            );
        }
    }
}

/// The version the real npm prints, asked directly (not through any shim).
pub fn real_npm_version() -> String {
    let out = Command::new("/usr/bin/npm")
        .arg("--version")
        .env_clear()
        .env("PATH", BARE_PATH)
        .output()
        .unwrap();
    assert_success(&out, "npm --version");
    stdout(&out).trim().to_owned()
}

/// Writes an executable sh script.
pub fn write_script(path: &Path, body: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, body).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// A stand-in for "the real npm" that counts its runs in `count_file`, then runs /usr/bin/npm.
pub fn write_counting_npm(path: &Path, count_file: &Path) {
    write_script(
        path,
        &format!(
            "#!/bin/sh\necho run >> '{}'\nexec /usr/bin/npm \"$@\"\n",
            count_file.display()
        ),
    );
}

pub fn count_runs(count_file: &Path) -> usize {
    fs::read_to_string(count_file)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}
