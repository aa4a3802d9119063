//! A throw-away npm layout for tests that load the configuration model in-process (no npm is
//! run): `home/`, `prefix/etc/`, `project/` with a package.json, and the `LoadContext` that
//! points HOME and PREFIX there.

use std::path::Path;

use regauth::config::LoadContext;

/// A temp dir holding `home/`, `prefix/etc/` and `project/package.json`.
pub fn config_dirs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for d in ["home", "prefix/etc", "project"] {
        std::fs::create_dir_all(dir.path().join(d)).unwrap();
    }
    std::fs::write(dir.path().join("project/package.json"), "{}").unwrap();
    dir
}

/// A load from `dir`'s project with `env` plus HOME and PREFIX in `dir`, and `npm_args`; no
/// npm or node binary is named (set `npm_path`/`node_path` on the result if needed).
pub fn config_context(
    dir: &Path,
    env: Vec<(String, String)>,
    npm_args: Vec<String>,
) -> LoadContext {
    let mut env = env;
    env.push(("HOME".into(), dir.join("home").display().to_string()));
    env.push(("PREFIX".into(), dir.join("prefix").display().to_string()));
    LoadContext {
        cwd: dir.join("project"),
        env,
        npm_args,
        npm_path: None,
        node_path: None,
    }
}
