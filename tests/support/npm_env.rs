//! `NpmEnv`: a temporary HOME, PREFIX and project directory, and commands (npm, regauth, any
//! program) that run there with an environment stripped of everything that steers npm from outside.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// An isolated place to run npm: nothing of this machine's npm configuration applies.
pub struct NpmEnv {
    dir: TempDir,
    /// Applied in order after the isolated base environment; `None` removes the variable.
    overrides: Vec<(OsString, Option<OsString>)>,
}

impl NpmEnv {
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("regauth-npmenv-")
            .tempdir()
            .expect("create NpmEnv temp dir");
        let env = NpmEnv {
            dir,
            overrides: Vec::new(),
        };
        env.create_layout();
        env
    }

    fn create_layout(&self) {
        for dir in [self.home(), self.prefix().join("etc"), self.project()] {
            fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
        }
        write(
            &self.project().join("package.json"),
            "{\"name\":\"proj\",\"version\":\"1.0.0\"}\n",
        );
        // npm checks for updates at most weekly, keyed on this file's mtime. A fresh file keeps it
        // from asking the configured registry (a fixture server or Verdaccio) for `npm@latest`.
        let npm_dir = self.home().join(".npm");
        fs::create_dir_all(&npm_dir).expect("create home/.npm");
        write(&npm_dir.join("_update-notifier-last-checked"), "");
    }

    /// The temp dir holding home/, prefix/ and project/.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn home(&self) -> PathBuf {
        self.root().join("home")
    }

    pub fn prefix(&self) -> PathBuf {
        self.root().join("prefix")
    }

    /// The working directory of every command; has a package.json.
    pub fn project(&self) -> PathBuf {
        self.root().join("project")
    }

    /// npm's user config: `home/.npmrc`.
    pub fn userconfig(&self) -> PathBuf {
        self.home().join(".npmrc")
    }

    /// npm's global config: `prefix/etc/npmrc`.
    pub fn globalconfig(&self) -> PathBuf {
        self.prefix().join("etc").join("npmrc")
    }

    /// npm's cache (`npm config get cache`): `home/.npm`.
    pub fn cache(&self) -> PathBuf {
        self.home().join(".npm")
    }

    /// Where npm writes its debug logs: `home/.npm/_logs`.
    pub fn logs_dir(&self) -> PathBuf {
        self.cache().join("_logs")
    }

    pub fn write_userconfig(&self, text: &str) {
        write(&self.userconfig(), text);
    }

    pub fn write_globalconfig(&self, text: &str) {
        write(&self.globalconfig(), text);
    }

    pub fn write_project_npmrc(&self, text: &str) {
        write(&self.project().join(".npmrc"), text);
    }

    /// Sets a variable for every command built afterwards.
    pub fn set_env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        let entry = (key.as_ref().into(), Some(value.as_ref().into()));
        self.overrides.push(entry);
        self
    }

    /// Removes a variable from every command built afterwards.
    pub fn remove_env(&mut self, key: impl AsRef<OsStr>) -> &mut Self {
        self.overrides.push((key.as_ref().into(), None));
        self
    }

    /// The real npm from PATH.
    pub fn npm(&self) -> Command {
        self.command("npm")
    }

    /// The regauth binary built by cargo for this test run.
    pub fn regauth(&self) -> Command {
        self.command(env!("CARGO_BIN_EXE_regauth"))
    }

    /// Any program, with cwd = project and the isolated environment.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(self.project())
            .env_clear()
            .envs(self.environment());
        command
    }

    /// The full environment every command gets.
    pub fn environment(&self) -> Vec<(OsString, OsString)> {
        let mut vars = isolated_base_env(std::env::vars_os());
        set_var(&mut vars, "HOME".into(), self.home().into());
        set_var(&mut vars, "PREFIX".into(), self.prefix().into());
        if let Some(dir) = npm_under_test() {
            // the live scenarios again with another npm (and its node) first on PATH
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut joined = dir.into_os_string();
            joined.push(":");
            joined.push(path);
            set_var(&mut vars, "PATH".into(), joined);
        }
        for (key, value) in &self.overrides {
            vars.retain(|(k, _)| k != key);
            if let Some(value) = value {
                vars.push((key.clone(), value.clone()));
            }
        }
        vars
    }

    /// The same environment as text (lossy), the form `regauth::config::LoadContext` takes.
    pub fn environment_text(&self) -> Vec<(String, String)> {
        self.environment()
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect()
    }
}

impl Default for NpmEnv {
    fn default() -> Self {
        Self::new()
    }
}

/// `TEST_NPM_DIR` (e.g. tests/clients/bin/npm12, relative to the crate): a directory holding the
/// `npm` (and `node`) the tests run instead of the ones on PATH; scripts/test.sh sets it for its
/// npm 12 pass.
pub fn npm_under_test() -> Option<PathBuf> {
    let dir = std::env::var_os("TEST_NPM_DIR").filter(|d| !d.is_empty())?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    assert!(
        dir.join("npm").exists(),
        "TEST_NPM_DIR: no npm in {}",
        dir.display()
    );
    Some(dir)
}

/// `vars` without anything that configures npm (or regauth) from outside a test.
pub fn isolated_base_env(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> Vec<(OsString, OsString)> {
    vars.into_iter()
        .filter(|(key, _)| !is_stripped_var(&key.to_string_lossy()))
        .collect()
}

/// Whether a variable inherited from the test runner must not reach npm.
pub fn is_stripped_var(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    const PREFIXES: [&str; 8] = [
        "npm_config_",
        // pnpm 11+ reads pnpm_config_*; yarn 1 and berry read YARN_*; corepack COREPACK_*.
        "pnpm_config_",
        "yarn_",
        "corepack_",
        "npm_lifecycle_",
        "npm_package_",
        "regauth",
        // XDG dirs then default to $HOME/..., which is the temp home (pnpm, yarn).
        "xdg_",
    ];
    const NAMES: [&str; 15] = [
        // npm (ci-info) changes behaviour under CI: no spinner, no update check, OIDC. CI runs
        // with CI=true; tests must behave the same there as on a developer's machine.
        "ci",
        "continuous_integration",
        "build_number",
        "run_id",
        "github_actions",
        "gitlab_ci",
        "buildkite",
        "circleci",
        "npm_command",
        "npm_execpath",
        "npm_node_execpath",
        "init_cwd",
        "prefix",
        // Tests that use `${NPM_TOKEN}` must decide themselves whether it is set.
        "npm_token",
        "node_auth_token",
    ];
    PREFIXES.iter().any(|p| lower.starts_with(p)) || NAMES.contains(&lower.as_str())
}

fn set_var(vars: &mut Vec<(OsString, OsString)>, key: OsString, value: OsString) {
    vars.retain(|(k, _)| *k != key);
    vars.push((key, value));
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
