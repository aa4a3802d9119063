//! The other clients installed by scripts/test-deps.sh under tests/clients/bin/<dir>/, and an
//! `NpmEnv` with one of them first on PATH: no update checks, no telemetry, yarn 4 allowed to
//! use http on loopback.

use std::path::{Path, PathBuf};

use super::NpmEnv;

/// The base ~/.yarnrc.yml for yarn 4: http allowed on loopback, no package age gate.
pub const BERRY_HOME_RC: &str =
    "unsafeHttpWhitelist: [\"127.0.0.1\", \"localhost\"]\nnpmPreapprovedPackages: [\"**\"]\n";

/// tests/clients/bin/<dir>, checked to hold `program`.
pub fn client_bin(dir: &str, program: &str) -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients/bin")
        .join(dir);
    assert!(
        bin.join(program).exists(),
        "{} missing: run scripts/test-deps.sh",
        bin.display()
    );
    bin
}

/// An isolated env whose PATH starts with tests/clients/bin/<dir>.
pub fn client_env(dir: &str, program: &str) -> NpmEnv {
    let mut env = NpmEnv::new();
    let path = format!(
        "{}:{}",
        client_bin(dir, program).display(),
        std::env::var("PATH").unwrap()
    );
    env.set_env("PATH", path)
        .set_env("npm_config_update_notifier", "false")
        .set_env("pnpm_config_update_notifier", "false")
        .set_env("YARN_ENABLE_TELEMETRY", "0")
        .set_env("YARN_ENABLE_GLOBAL_CACHE", "0")
        .set_env("YARN_ENABLE_PROGRESS_BARS", "0");
    if dir == "yarn4" {
        write_file(&env.home().join(".yarnrc.yml"), BERRY_HOME_RC);
        write_file(&env.project().join("yarn.lock"), "");
    }
    env
}

/// Writes `text` to `path`, creating its directory.
pub fn write_file(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}
