//! The few npm settings the shim itself needs (`logs-max`, `logs-dir`, `cache`), looked up
//! cheaply in npm's order: command line > `npm_config_*` env > project, user, global and builtin
//! `.npmrc`. Deliberately small and isolated: `crate::config` holds the full model and can
//! replace this file without touching the rest of the shim.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Everything the lookup reads, gathered once (so tests can build one by hand).
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `key -> value` from the command line (`--key=value`, `--key value`), up to `--`.
    pub cli: HashMap<String, String>,
    /// `key -> value` from `npm_config_*` variables (any case), keys normalised to `a-b`.
    pub env: HashMap<String, String>,
    /// All environment variables, for `${VAR}` expansion.
    pub vars: HashMap<String, String>,
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
    /// The real npm binary (locates the builtin `npmrc`).
    pub program: Option<PathBuf>,
    /// The `.npmrc` texts in priority order, each read at most once, on first need.
    npmrc_texts: std::cell::OnceCell<Vec<String>>,
}

impl Sources {
    /// Reads argv and this process's environment; touches no file.
    pub fn gather(args: &[OsString], program: &Path) -> Sources {
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Sources {
            cli: cli_settings(args),
            env: env_settings(&vars),
            home: vars
                .get("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from),
            vars,
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            program: Some(program.to_path_buf()),
            npmrc_texts: Default::default(),
        }
    }

    /// The value npm would use for `key`, from the highest layer that sets it.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some(v) = self.cli.get(key).or_else(|| self.env.get(key)) {
            return Some(v.clone());
        }
        let texts = self.npmrc_texts.get_or_init(|| {
            let files = self.npmrc_files();
            files
                .iter()
                .filter_map(|f| std::fs::read_to_string(f).ok())
                .collect()
        });
        texts.iter().find_map(|text| parse_npmrc_value(text, key))
    }

    /// A path-typed setting: `${VAR}` expanded, `~/` is HOME, relative to the cwd.
    pub fn get_path(&self, key: &str) -> Option<PathBuf> {
        let raw = self.get(key)?;
        let value = expand_vars(&raw, &self.vars);
        if value.is_empty() {
            return None;
        }
        Some(match (value.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => self.cwd.join(value),
        })
    }

    /// The `.npmrc` files in npm's priority order: project, user, global, builtin.
    pub fn npmrc_files(&self) -> Vec<PathBuf> {
        let user = self
            .path_setting_early("userconfig")
            .or_else(|| self.home.as_ref().map(|h| h.join(".npmrc")));
        let project = project_root(&self.cwd).join(".npmrc");
        let mut files = Vec::with_capacity(4);
        if Some(&project) != user.as_ref() {
            files.push(project);
        }
        files.extend(user);
        files.extend(
            self.path_setting_early("globalconfig")
                .or_else(|| Some(self.global_prefix()?.join("etc/npmrc"))),
        );
        files.extend(self.builtin_npmrc());
        files
    }

    /// Settings that choose files come only from the command line and the environment.
    fn path_setting_early(&self, key: &str) -> Option<PathBuf> {
        let raw = self.cli.get(key).or_else(|| self.env.get(key))?;
        let value = expand_vars(raw, &self.vars);
        Some(match (value.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => self.cwd.join(value),
        })
    }

    /// `--prefix` / `npm_config_prefix`, else `$PREFIX`, else the directory above node's `bin`.
    fn global_prefix(&self) -> Option<PathBuf> {
        if let Some(prefix) = self.path_setting_early("prefix") {
            return Some(prefix);
        }
        if let Some(prefix) = self.vars.get("PREFIX").filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(prefix));
        }
        let node = which::which("node").ok()?.canonicalize().ok()?;
        Some(node.parent()?.parent()?.to_path_buf())
    }

    /// `<npm package>/npmrc`, next to npm's `bin/` directory.
    fn builtin_npmrc(&self) -> Option<PathBuf> {
        let real = self.program.as_ref()?.canonicalize().ok()?;
        Some(real.parent()?.parent()?.join("npmrc"))
    }
}

/// True when npm will write no debug log: `logs-max` is 0 in the winning layer.
pub fn logs_disabled(sources: &Sources) -> bool {
    sources
        .get("logs-max")
        .is_some_and(|v| is_zero(&expand_vars(&v, &sources.vars)))
}

/// Where npm writes its debug logs: `logs-dir`, else `<cache>/_logs`, cache defaulting to `~/.npm`.
pub fn logs_dir(sources: &Sources) -> Option<PathBuf> {
    if let Some(dir) = sources.get_path("logs-dir") {
        return Some(dir);
    }
    let cache = sources
        .get_path("cache")
        .or_else(|| sources.home.as_ref().map(|h| h.join(".npm")))?;
    Some(cache.join("_logs"))
}

/// What npm will do about its debug log, decided before the spawn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogPlan {
    /// False when npm writes no log (`logs-max=0`) or cannot (the directory is not writable):
    /// then regauth tees stderr instead.
    pub writes_log: bool,
    pub logs_dir: Option<PathBuf>,
}

/// Reads each `.npmrc` at most once for all the settings involved.
pub fn log_plan(sources: &Sources) -> LogPlan {
    let logs_dir = logs_dir(sources);
    let writable = logs_dir.as_deref().map_or(true, can_create);
    LogPlan {
        writes_log: writable && !logs_disabled(sources),
        logs_dir,
    }
}

/// True when `dir` exists and is writable, or its nearest existing ancestor is a writable
/// directory (npm runs `mkdir -p`).
fn can_create(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Some(existing) = dir.ancestors().find(|d| d.exists()) else {
        return true;
    };
    if !existing.is_dir() {
        return false;
    }
    let Ok(c_path) = std::ffi::CString::new(existing.as_os_str().as_bytes()) else {
        return true;
    };
    // SAFETY: access(2) with a valid NUL-terminated path.
    unsafe { libc::access(c_path.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

fn is_zero(value: &str) -> bool {
    value.trim().parse::<f64>().is_ok_and(|n| n == 0.0)
}

/// `--key=value` and `--key value` pairs before `--`, keys normalised (`logs_max` -> `logs-max`).
pub fn cli_settings(args: &[OsString]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let Some(arg) = arg.to_str() else { continue };
        if arg == "--" {
            break;
        }
        let Some(flag) = arg.strip_prefix("--") else {
            continue;
        };
        match flag.split_once('=') {
            Some((key, value)) => {
                out.insert(normalise_key(key), value.to_owned());
            }
            None if takes_value(flag) => {
                if let Some(value) = iter.next().and_then(|v| v.to_str()) {
                    out.insert(normalise_key(flag), value.to_owned());
                }
            }
            None => {}
        }
    }
    out
}

/// The value-taking settings this file reads (booleans must not swallow the next argument).
fn takes_value(flag: &str) -> bool {
    matches!(
        normalise_key(flag).as_str(),
        "logs-max" | "logs-dir" | "cache" | "userconfig" | "globalconfig" | "prefix"
    )
}

fn normalise_key(key: &str) -> String {
    key.to_ascii_lowercase().replace('_', "-")
}

/// `npm_config_logs_max=0` (any case) -> `logs-max = 0`. Empty values count as unset, as in npm.
pub fn env_settings(vars: &HashMap<String, String>) -> HashMap<String, String> {
    vars.iter()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, v)| {
            let lower = k.to_ascii_lowercase();
            let key = lower.strip_prefix("npm_config_")?;
            Some((normalise_key(key), v.clone()))
        })
        .collect()
}

/// npm's project root: the nearest directory up from `cwd` with a package.json or node_modules.
fn project_root(cwd: &Path) -> PathBuf {
    cwd.ancestors()
        .find(|dir| dir.join("package.json").exists() || dir.join("node_modules").is_dir())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Parses ini text the way npm's `ini` does for the keys we need; the last assignment wins.
pub fn parse_npmrc_value(text: &str, key: &str) -> Option<String> {
    let mut found = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            break;
        }
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if normalise_key(k.trim()) == key {
            found = Some(unquote(v.trim()));
        }
    }
    found
}

fn unquote(value: &str) -> String {
    let quoted = value.len() >= 2
        && ((value.starts_with('"') && value.ends_with('"'))
            || (value.starts_with('\'') && value.ends_with('\'')));
    if quoted {
        value[1..value.len() - 1].to_owned()
    } else {
        value.to_owned()
    }
}

/// npm's `${VAR}` / `${VAR?}` expansion; `\${` stays literal; unknown variables stay as written.
pub fn expand_vars(value: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let escaped = rest[..start].ends_with('\\');
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + len];
        let name_plain = name.strip_suffix('?').unwrap_or(name);
        out.push_str(&rest[..start - usize::from(escaped)]);
        match vars.get(name_plain) {
            _ if escaped => out.push_str(&rest[start..=start + len]),
            Some(v) => out.push_str(v),
            None if name.ends_with('?') => {}
            None => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn cli_forms_and_the_double_dash() {
        let cli = cli_settings(&args(&[
            "view",
            "--logs-max=0",
            "--cache",
            "/c",
            "--json",
            "x",
            "--",
            "--logs-dir=/no",
        ]));
        assert_eq!(cli.get("logs-max").map(String::as_str), Some("0"));
        assert_eq!(cli.get("cache").map(String::as_str), Some("/c"));
        assert!(!cli.contains_key("logs-dir"));
    }

    #[test]
    fn env_keys_any_case() {
        let vars = HashMap::from([("NPM_CONFIG_LOGS_MAX".to_owned(), "0".to_owned())]);
        assert_eq!(
            env_settings(&vars).get("logs-max").map(String::as_str),
            Some("0")
        );
    }

    #[test]
    fn npmrc_last_assignment_wins_and_sections_stop() {
        let text = "; c\nlogs-max = 5\nlogs-max=\"0\"\n[sec]\nlogs-max=9\n";
        assert_eq!(parse_npmrc_value(text, "logs-max").as_deref(), Some("0"));
    }

    #[test]
    fn expands_variables_like_npm() {
        let vars = HashMap::from([("HOME".to_owned(), "/h".to_owned())]);
        assert_eq!(expand_vars("${HOME}/c", &vars), "/h/c");
        assert_eq!(expand_vars("${NOPE}/c", &vars), "${NOPE}/c");
        assert_eq!(expand_vars("${NOPE?}/c", &vars), "/c");
        assert_eq!(expand_vars("\\${HOME}", &vars), "${HOME}");
    }

    #[test]
    fn layers_in_npm_order() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let project = tmp.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(project.join("sub")).unwrap();
        std::fs::write(project.join("package.json"), "{}").unwrap();
        std::fs::write(home.join(".npmrc"), "logs-max=0\ncache=~/c\n").unwrap();
        let sources = Sources {
            home: Some(home.clone()),
            cwd: project.join("sub"),
            vars: HashMap::from([(
                "PREFIX".to_owned(),
                tmp.path().join("prefix").display().to_string(),
            )]),
            ..Sources::default()
        };
        assert!(logs_disabled(&sources));
        assert_eq!(logs_dir(&sources), Some(home.join("c/_logs")));
        std::fs::write(project.join(".npmrc"), "logs-max=3\n").unwrap();
        let mut sources = Sources {
            npmrc_texts: Default::default(),
            ..sources
        };
        assert!(!logs_disabled(&sources));
        sources.env.insert("logs-max".into(), "0".into());
        assert!(logs_disabled(&sources));
        sources.cli.insert("logs-dir".into(), "/l".into());
        assert_eq!(logs_dir(&sources), Some(PathBuf::from("/l")));
    }

    #[test]
    fn an_unwritable_logs_dir_means_no_log() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let locked = tmp.path().join("locked");
        std::fs::create_dir_all(&locked).unwrap();
        let mut sources = Sources {
            home: Some(tmp.path().into()),
            cwd: tmp.path().into(),
            ..Sources::default()
        };
        sources
            .cli
            .insert("logs-dir".into(), locked.join("a/b").display().to_string());
        assert!(log_plan(&sources).writes_log);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        // (root may write anywhere; then npm can too and the plan rightly says so)
        let root = unsafe { libc::geteuid() } == 0;
        assert_eq!(log_plan(&sources).writes_log, root);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::write(locked.join("file"), "").unwrap();
        sources.cli.insert(
            "logs-dir".into(),
            locked.join("file/logs").display().to_string(),
        );
        assert!(!log_plan(&sources).writes_log);
    }
}
