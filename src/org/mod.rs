//! Organisation knowledge: what a team declares about its own registries (name, the kind it
//! behaves like, login command, where tokens are issued, who grants access, docs) and its own fix
//! lines per cause id, in TOML. Files, highest precedence first: the project's `.regauth.toml`
//! (the nearest one from the working directory up), then `REGAUTH_CONFIG` if set, else the user's
//! `<config dir>/regauth/config.toml` (`~/.config/regauth/config.toml` on Linux).

mod apply;
mod doctor;
mod file;

use std::path::{Path, PathBuf};

pub(crate) use apply::{apply, declare_kind};
pub(crate) use doctor::section as doctor_section;
pub(crate) use doctor::{section_json as doctor_section_json, SectionJson};
pub(crate) use file::{FileError, FixLines, OrgFile, Registry};

/// The project file's name.
pub(crate) const PROJECT_FILE: &str = ".regauth.toml";

/// The files that were read, highest precedence first.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Knowledge {
    pub files: Vec<OrgFile>,
}

impl Knowledge {
    /// Loads every file that exists for `cwd`; the first malformed one is the error.
    pub(crate) fn load(
        cwd: &Path,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Knowledge, FileError> {
        let mut files = Vec::new();
        for path in candidate_files(cwd, env) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            files.push(file::parse(
                &path,
                &text,
                &crate::diagnose::CAUSE_IDS,
                &known_kinds(),
            )?);
        }
        Ok(Knowledge { files })
    }

    /// Loads for this process (cwd and environment).
    pub(crate) fn from_process() -> Result<Knowledge, FileError> {
        let cwd = std::env::current_dir().unwrap_or_default();
        Self::load(&cwd, |k| std::env::var(k).ok())
    }

    /// The entry describing `url`: from the file of highest precedence that has one, its most
    /// specific (longest) matching pattern.
    pub(crate) fn registry_for(&self, url: &str) -> Option<&Registry> {
        self.files.iter().find_map(|f| {
            f.registries
                .iter()
                .filter(|r| pattern_matches(&r.pattern, url))
                .max_by_key(|r| r.pattern.len())
        })
    }

    /// The fix lines for `cause`: the matching registry's own, else the highest file's.
    pub(crate) fn fix_for<'a>(
        &'a self,
        registry: Option<&'a Registry>,
        cause: &str,
    ) -> Option<&'a FixLines> {
        registry
            .and_then(|r| r.fixes.get(cause))
            .or_else(|| self.files.iter().find_map(|f| f.fixes.get(cause)))
    }
}

/// The registry kind ids a `kind` may name.
fn known_kinds() -> Vec<&'static str> {
    let mut kinds: Vec<&str> = crate::diagnose::registry::ENTRIES
        .iter()
        .map(|e| e.id)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

fn candidate_files(cwd: &Path, env: impl Fn(&str) -> Option<String>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(project) = cwd
        .ancestors()
        .map(|d| d.join(PROJECT_FILE))
        .find(|p| p.is_file())
    {
        out.push(project);
    }
    match env("REGAUTH_CONFIG").filter(|v| !v.is_empty()) {
        Some(path) => out.push(PathBuf::from(path)),
        None => {
            let config_dir = env("XDG_CONFIG_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config")))
                .or_else(dirs::config_dir);
            if let Some(dir) = config_dir {
                out.push(dir.join("regauth").join("config.toml"));
            }
        }
    }
    out
}

/// Whether `pattern` covers `url`: `*` matches any characters, the pattern may stop anywhere
/// after the host, and a pattern without a scheme (`//host/` or `host/`) matches both schemes.
pub(crate) fn pattern_matches(pattern: &str, url: &str) -> bool {
    let pattern = pattern.trim();
    let url = url.trim();
    let (pattern, url) = match pattern.split_once("://") {
        Some(_) => (pattern.to_owned(), url.to_owned()),
        None => (
            pattern.trim_start_matches('/').to_owned(),
            url.split_once("://")
                .map_or(url, |(_, rest)| rest)
                .to_owned(),
        ),
    };
    // `https://npm.acme.example` must not cover `https://npm.acme.example.evil/`
    let pattern = if host_only(&pattern) {
        format!("{pattern}/")
    } else {
        pattern
    };
    let url = if host_only(&url) {
        format!("{url}/")
    } else {
        url
    };
    glob_prefix(pattern.as_bytes(), url.as_bytes())
}

fn host_only(s: &str) -> bool {
    let rest = s.split_once("://").map_or(s, |(_, r)| r);
    !rest.contains('/') && !rest.ends_with('*')
}

/// `pattern` (with `*`) matches a prefix of `text`; ASCII case-insensitive.
fn glob_prefix(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => true,
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob_prefix(rest, &text[i..])),
        Some((c, rest)) => text
            .split_first()
            .is_some_and(|(t, tail)| c.eq_ignore_ascii_case(t) && glob_prefix(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        let cases = [
            (
                "https://npm.acme.example/",
                "https://npm.acme.example/@acme%2flib",
                true,
            ),
            (
                "https://npm.acme.example",
                "https://npm.acme.example/",
                true,
            ),
            (
                "https://npm.acme.example",
                "https://npm.acme.example.evil/",
                false,
            ),
            (
                "https://npm.acme.example/",
                "http://npm.acme.example/",
                false,
            ),
            ("//npm.acme.example/", "http://npm.acme.example/x", true),
            ("npm.acme.example", "https://NPM.acme.example/x", true),
            (
                "https://*.acme.example/api/npm/",
                "https://art.acme.example/api/npm/virtual/",
                true,
            ),
            (
                "https://*.acme.example/api/npm/",
                "https://art.acme.example/api/pypi/",
                false,
            ),
            (
                "http://127.0.0.1:4873/",
                "http://127.0.0.1:4873/@priv%2flib",
                true,
            ),
            ("http://127.0.0.1:4873/", "http://127.0.0.1:48731/", false),
        ];
        for (pattern, url, want) in cases {
            assert_eq!(pattern_matches(pattern, url), want, "{pattern} vs {url}");
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_project_file_outranks_the_user_file() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        write(&home, ".config/regauth/config.toml", "[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"user\"\n[[registry]]\nmatch = \"https://other.example/\"\nname = \"user other\"\n[fix.token-missing]\nadd = [\"user fix\"]\n");
        let project = tmp.path().join("repo");
        write(
            &project,
            PROJECT_FILE,
            "[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"project\"\n",
        );
        let cwd = project.join("packages/app");
        std::fs::create_dir_all(&cwd).unwrap();
        let home_s = home.to_string_lossy().into_owned();
        let k = Knowledge::load(&cwd, |v| (v == "HOME").then(|| home_s.clone())).unwrap();
        assert_eq!(k.files.len(), 2);
        let acme = k
            .registry_for("https://npm.acme.example/@acme%2flib")
            .unwrap();
        assert_eq!(acme.name.as_deref(), Some("project"));
        let other = k.registry_for("https://other.example/x").unwrap();
        assert_eq!(other.name.as_deref(), Some("user other"));
        assert_eq!(
            k.fix_for(Some(acme), "token-missing").unwrap().add,
            vec!["user fix"]
        );

        // REGAUTH_CONFIG replaces the user file
        let custom = write(
            tmp.path(),
            "custom.toml",
            "[[registry]]\nmatch = \"https://other.example/\"\nname = \"custom\"\n",
        );
        let custom_s = custom.to_string_lossy().into_owned();
        let k = Knowledge::load(&cwd, |v| match v {
            "HOME" => Some(home_s.clone()),
            "REGAUTH_CONFIG" => Some(custom_s.clone()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            k.registry_for("https://other.example/")
                .unwrap()
                .name
                .as_deref(),
            Some("custom")
        );
        assert!(k.fix_for(None, "token-missing").is_none());
    }

    #[test]
    fn no_file_is_no_knowledge_and_a_bad_file_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().to_string_lossy().into_owned();
        let env = |v: &str| (v == "HOME").then(|| home.clone());
        assert_eq!(
            Knowledge::load(tmp.path(), env).unwrap(),
            Knowledge::default()
        );
        write(tmp.path(), PROJECT_FILE, "[[registry]\n");
        let e = Knowledge::load(tmp.path(), env).unwrap_err();
        assert_eq!(
            (e.line, e.path.file_name().unwrap().to_str()),
            (1, Some(PROJECT_FILE))
        );
    }
}
