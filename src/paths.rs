//! Finding a real client binary: its override variable (`REGAUTH_NPM`) first, else the PATH
//! search, skipping every candidate that is regauth itself (a symlink, hard link or the binary)
//! or a script from `shims/` (it carries `SHIM_MARKER`), so a shim first on PATH cannot find
//! itself. Low in the graph: the shim and the configuration reader both use it.

use std::ffi::OsString;
use std::fmt;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The marker line every script in `shims/` carries; the PATH search skips files holding it.
pub const SHIM_MARKER: &str = "regauth-shim: this file runs regauth";

/// How far into a candidate the marker is looked for: shims are tiny, npm is not a shim.
const MARKER_WINDOW: u64 = 2048;

/// Why no real binary was found; Display is the one line regauth prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocateError {
    /// Nothing usable on PATH (or PATH unset).
    NotFound {
        name: &'static str,
        path: Option<OsString>,
        skipped: Vec<PathBuf>,
    },
    /// The override variable names something that does not run.
    OverrideMissing { var: String, value: OsString },
    /// The override variable names regauth or one of its shims.
    OverrideIsRegauth { var: String, value: OsString },
}

impl fmt::Display for LocateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocateError::NotFound {
                name,
                path,
                skipped,
            } => {
                let path = match path {
                    Some(p) => format!("PATH={}", p.to_string_lossy()),
                    None => "PATH (unset)".to_owned(),
                };
                write!(f, "regauth: no {name} found: searched {path}")?;
                if !skipped.is_empty() {
                    let list: Vec<String> =
                        skipped.iter().map(|p| p.display().to_string()).collect();
                    write!(f, " (skipped regauth itself: {})", list.join(", "))?;
                }
                Ok(())
            }
            LocateError::OverrideMissing { var, value } => {
                write!(
                    f,
                    "regauth: {var}={} is not an executable file",
                    value.to_string_lossy()
                )
            }
            LocateError::OverrideIsRegauth { var, value } => write!(
                f,
                "regauth: {var}={} is regauth itself (or its shim), not the real {}",
                value.to_string_lossy(),
                var.trim_start_matches("REGAUTH_").to_lowercase()
            ),
        }
    }
}

/// The running regauth binary, as a canonical path and a file identity (catches hard links).
#[derive(Debug, Clone, Default)]
pub struct SelfIdentity {
    canonical: Option<PathBuf>,
    file_id: Option<(u64, u64)>,
}

impl SelfIdentity {
    pub fn current() -> SelfIdentity {
        let canonical = std::env::current_exe()
            .ok()
            .and_then(|p| p.canonicalize().ok());
        let file_id = canonical.as_deref().and_then(file_id);
        SelfIdentity { canonical, file_id }
    }

    /// True when `candidate` would run regauth again.
    pub fn is_regauth(&self, candidate: &Path) -> bool {
        self.is_self(candidate) || is_marked_shim(candidate)
    }

    /// True when `candidate` is this very binary (a link to it included).
    pub fn is_self(&self, candidate: &Path) -> bool {
        let canonical = candidate.canonicalize().ok();
        if canonical.is_some() && canonical == self.canonical {
            return true;
        }
        self.file_id.is_some() && file_id(candidate) == self.file_id
    }
}

/// The real `name` binary from the process environment: `override_var` if set, else PATH.
pub fn locate(name: &'static str, override_var: &str) -> Result<PathBuf, LocateError> {
    let me = SelfIdentity::current();
    match std::env::var_os(override_var).filter(|v| !v.is_empty()) {
        Some(value) => locate_override(override_var, value, &me),
        None => search_path(name, std::env::var_os("PATH"), &me),
    }
}

/// An outer regauth took this copy of regauth for `name`: the first `name` on PATH after this
/// binary's own entry that is not regauth (all of PATH when this binary is not on it).
pub fn locate_after_self(name: &'static str, me: &SelfIdentity) -> Result<PathBuf, LocateError> {
    let path = std::env::var_os("PATH");
    let mut all = candidates(name, path.as_ref());
    if let Some(own) = all.iter().position(|c| me.is_self(c)) {
        all.drain(..own);
    }
    first_not_regauth(name, path, me, all)
}

/// `REGAUTH_NPM=/path` (or a bare name, looked up on PATH); it must not be regauth.
fn locate_override(var: &str, value: OsString, me: &SelfIdentity) -> Result<PathBuf, LocateError> {
    let found = which::which(&value).map_err(|_| LocateError::OverrideMissing {
        var: var.to_owned(),
        value: value.clone(),
    })?;
    if me.is_regauth(&found) {
        return Err(LocateError::OverrideIsRegauth {
            var: var.to_owned(),
            value,
        });
    }
    Ok(found)
}

/// The first `name` on `path` that is not regauth.
pub fn search_path(
    name: &'static str,
    path: Option<OsString>,
    me: &SelfIdentity,
) -> Result<PathBuf, LocateError> {
    let all = candidates(name, path.as_ref());
    first_not_regauth(name, path, me, all)
}

fn candidates(name: &str, path: Option<&OsString>) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    path.and_then(|p| which::which_in_all(name, Some(p), &cwd).ok())
        .map(Iterator::collect)
        .unwrap_or_default()
}

fn first_not_regauth(
    name: &'static str,
    path: Option<OsString>,
    me: &SelfIdentity,
    candidates: Vec<PathBuf>,
) -> Result<PathBuf, LocateError> {
    let mut skipped = Vec::new();
    for candidate in candidates {
        if me.is_regauth(&candidate) {
            skipped.push(candidate);
        } else {
            return Ok(candidate);
        }
    }
    Err(LocateError::NotFound {
        name,
        path,
        skipped,
    })
}

fn file_id(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// A script from `shims/`: starts with `#!` and holds the marker line near the top.
pub fn is_marked_shim(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(MARKER_WINDOW as usize);
    if file.take(MARKER_WINDOW).read_to_end(&mut head).is_err() || !head.starts_with(b"#!") {
        return false;
    }
    head.windows(SHIM_MARKER.len())
        .any(|w| w == SHIM_MARKER.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn executable(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn skips_marked_shims_and_finds_the_next_npm() {
        let tmp = tempfile::tempdir().unwrap();
        let (shims, real) = (tmp.path().join("shims"), tmp.path().join("real"));
        std::fs::create_dir_all(&shims).unwrap();
        std::fs::create_dir_all(&real).unwrap();
        let shim = executable(
            &shims,
            "npm",
            &format!("#!/bin/sh\n# {SHIM_MARKER}\nexec regauth npm \"$@\"\n"),
        );
        let npm = executable(&real, "npm", "#!/bin/sh\necho real\n");
        let path = std::env::join_paths([&shims, &real]).unwrap();
        let found = search_path("npm", Some(path), &SelfIdentity::default()).unwrap();
        assert_eq!(found, npm);
        assert!(is_marked_shim(&shim));
        assert!(!is_marked_shim(&npm));
    }

    #[test]
    fn not_found_names_what_was_searched_in_one_line() {
        let tmp = tempfile::tempdir().unwrap();
        let shim = executable(tmp.path(), "npm", &format!("#!/bin/sh\n# {SHIM_MARKER}\n"));
        let err =
            search_path("npm", Some(tmp.path().into()), &SelfIdentity::default()).unwrap_err();
        let line = err.to_string();
        assert!(
            line.starts_with("regauth: no npm found: searched PATH="),
            "{line}"
        );
        assert!(line.contains(&shim.display().to_string()), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn symlink_and_hard_link_to_self_are_regauth() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = executable(tmp.path(), "regauth", "#!/bin/sh\n");
        let me = SelfIdentity {
            canonical: bin.canonicalize().ok(),
            file_id: file_id(&bin),
        };
        let link = tmp.path().join("npm");
        std::os::unix::fs::symlink(&bin, &link).unwrap();
        let hard = tmp.path().join("npx");
        std::fs::hard_link(&bin, &hard).unwrap();
        assert!(me.is_regauth(&link));
        assert!(me.is_regauth(&hard));
        let other = executable(tmp.path(), "other", "#!/bin/sh\n");
        assert!(!me.is_regauth(&other));
    }
}
