//! Whether npm will write a debug log for this call, decided before the spawn from npm's own
//! configuration (`crate::config`): `logs-max`, `logs-dir` and `cache`, with npm's layers,
//! `${VAR}` expansion and path resolution. When npm writes none, the shim tees stderr instead.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::clients::Recording;
use crate::config::value::Kind;
use crate::config::{Config, LoadContext};

/// npm's configuration for this call: the shim's argv, environment and cwd, and the real npm
/// (which locates the builtin `npmrc`). Subprocess-free; `which node` only without `$PREFIX`.
pub fn load(args: &[OsString], program: &Path) -> Config {
    let ctx = LoadContext {
        npm_args: args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        npm_path: Some(program.to_path_buf()),
        ..LoadContext::from_process(Vec::new())
    };
    Config::load(&ctx)
}

/// True when npm will write no debug log: npm writes one only when `logs-max > 0`.
pub fn logs_disabled(config: &Config) -> bool {
    // npm drops a value that is not a number (nopt validation), so a lower layer shows through.
    config
        .values("logs-max")
        .into_iter()
        .find_map(|v| match v.kind {
            Kind::Bool(b) => Some(f64::from(u8::from(b))),
            _ => js_number(v.expanded.expose()),
        })
        .is_some_and(|n| n <= 0.0)
}

/// Where npm writes its debug logs: `logs-dir`, else `<cache>/_logs`, cache defaulting to `~/.npm`.
pub fn logs_dir(config: &Config) -> PathBuf {
    let path = |key| config.get(key).and_then(|v| v.text()).map(PathBuf::from);
    path("logs-dir").unwrap_or_else(|| {
        path("cache")
            .unwrap_or_else(|| config.in_home(".npm"))
            .join("_logs")
    })
}

/// What npm will do about its debug log: it writes none with `logs-max=0` or when it cannot
/// create the directory. The configuration goes along for the failure path.
pub fn log_plan(config: Config) -> Recording {
    let logs_dir = logs_dir(&config);
    Recording {
        writes_log: can_create(&logs_dir) && !logs_disabled(&config),
        tee_stdout: false,
        logs_dir: Some(logs_dir),
        config: Some(config),
    }
}

/// True when `dir` exists and is writable, or its nearest existing ancestor is a writable
/// directory (npm runs `mkdir -p`).
fn can_create(dir: &Path) -> bool {
    use nix::unistd::{access, AccessFlags};
    let Some(existing) = dir.ancestors().find(|d| d.exists()) else {
        return true;
    };
    existing.is_dir() && access(existing, AccessFlags::W_OK | AccessFlags::X_OK).is_ok()
}

/// JavaScript's `Number(text)` (npm's `+f` for Number-typed settings): blank is 0, hex and
/// exponents are numbers, anything else is `None` (NaN).
fn js_number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return Some(0.0);
    }
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|n| n as f64);
    }
    let unsigned = t.trim_start_matches(['+', '-']);
    if unsigned == "Infinity" {
        return t.parse::<f64>().ok();
    }
    let plain = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    plain.then(|| t.parse::<f64>().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_in(tmp: &Path, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Config {
        let mut vars = vec![
            ("HOME".to_owned(), tmp.join("home").display().to_string()),
            (
                "PREFIX".to_owned(),
                tmp.join("prefix").display().to_string(),
            ),
        ];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Config::load(&LoadContext {
            cwd: cwd.to_path_buf(),
            env: vars,
            npm_args: args.iter().map(|a| a.to_string()).collect(),
            npm_path: None,
            node_path: Some(tmp.join("no/bin/node")),
        })
    }

    #[test]
    fn js_numbers() {
        assert_eq!(js_number("0"), Some(0.0));
        assert_eq!(js_number(" "), Some(0.0));
        assert_eq!(js_number("-1"), Some(-1.0));
        assert_eq!(js_number("0x10"), Some(16.0));
        assert_eq!(js_number("1e3"), Some(1000.0));
        assert_eq!(js_number("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(js_number("inf"), None);
        assert_eq!(js_number("ten"), None);
    }

    #[test]
    fn layers_in_npm_order() {
        let tmp = tempfile::tempdir().unwrap();
        let (home, project) = (tmp.path().join("home"), tmp.path().join("project"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(project.join("sub")).unwrap();
        std::fs::write(project.join("package.json"), "{}").unwrap();
        std::fs::write(home.join(".npmrc"), "logs-max=0\ncache=~/c\n").unwrap();
        let cwd = project.join("sub");
        let load = |args: &[&str], env: &[(&str, &str)]| config_in(tmp.path(), &cwd, args, env);
        assert!(logs_disabled(&load(&[], &[])));
        assert_eq!(logs_dir(&load(&[], &[])), home.join("c/_logs"));
        std::fs::write(project.join(".npmrc"), "logs-max=3\n").unwrap();
        assert!(!logs_disabled(&load(&[], &[])));
        assert!(logs_disabled(&load(&[], &[("npm_config_logs_max", "0")])));
        assert!(logs_disabled(&load(&["--logs-max", "-1"], &[])));
        // A non-ASCII variable name must not upset the lookup (this runs on every npm call).
        assert!(!logs_disabled(&load(&[], &[("npm_configé", "0")])));
        assert!(!logs_disabled(&load(&["--logs-max=ten"], &[])));
        let dir = load(&["--logs-dir=/l"], &[("NPM_CONFIG_LOGS_MAX", "0")]);
        assert_eq!(logs_dir(&dir), PathBuf::from("/l"));
        let after_dash = load(&["--", "--logs-dir=/no"], &[]);
        assert_eq!(logs_dir(&after_dash), home.join("c/_logs"));
    }

    #[test]
    fn npmrc_forms_and_variables() {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let rc = "; c\nlogs-max = 5\nlogs-max=\"0\"\ncache=${HOME}/c\n[sec]\nlogs-max=9\n";
        std::fs::write(home.join(".npmrc"), rc).unwrap();
        let config = config_in(tmp.path(), tmp.path(), &[], &[]);
        assert!(logs_disabled(&config));
        assert_eq!(logs_dir(&config), home.join("c/_logs"));
        std::fs::write(home.join(".npmrc"), "logs-dir=${NOPE?}/l\\${HOME}\n").unwrap();
        let config = config_in(tmp.path(), tmp.path(), &[], &[]);
        assert_eq!(logs_dir(&config), PathBuf::from("/l${HOME}"));
    }

    #[test]
    fn an_unwritable_logs_dir_means_no_log() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let locked = tmp.path().join("locked");
        std::fs::create_dir_all(&locked).unwrap();
        let plan = |dir: PathBuf| {
            let arg = format!("--logs-dir={}", dir.display());
            log_plan(config_in(tmp.path(), tmp.path(), &[&arg], &[]))
        };
        assert!(plan(locked.join("a/b")).writes_log);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        // (root may write anywhere; then npm can too and the plan rightly says so)
        let root = nix::unistd::geteuid().is_root();
        assert_eq!(plan(locked.join("a/b")).writes_log, root);
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::write(locked.join("file"), "").unwrap();
        assert!(!plan(locked.join("file/logs")).writes_log);
    }
}
