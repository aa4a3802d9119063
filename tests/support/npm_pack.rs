//! regauth's npm package for tests: the tarballs `scripts/npm-pack.sh` builds from the release
//! binary (once per test binary), published to a Verdaccio, and `npm install -g` from there.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use nix::fcntl::{Flock, FlockArg};

use super::npm_env::NpmEnv;
use super::verdaccio::Verdaccio;

/// The version in Cargo.toml, which every npm package carries.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The tarballs: `regauth-VERSION.tgz` and this machine's `regauth-<platform>-VERSION.tgz`.
pub struct Tarballs {
    pub main: PathBuf,
    pub platform: PathBuf,
}

/// Runs `scripts/npm-pack.sh` (which builds the release binary when it is stale) once per test
/// binary, into a directory of its own.
pub fn tarballs() -> &'static Tarballs {
    static PACKED: OnceLock<Tarballs> = OnceLock::new();
    PACKED.get_or_init(pack)
}

fn pack() -> Tarballs {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let exe = std::env::current_exe().expect("test binary path");
    let name = exe.file_name().expect("test binary name").to_string_lossy();
    let out = tmp.join(format!("npm-pack-{name}"));
    fs::create_dir_all(&out).expect("create npm-pack out dir");
    // Two test binaries packing at once would both run cargo build --release: one at a time.
    let lock = File::create(tmp.join("npm-pack.lock")).expect("create npm-pack lock");
    let _lock = Flock::lock(lock, FlockArg::LockExclusive)
        .map_err(|(_, e)| e)
        .expect("lock npm-pack.lock");
    let output = Command::new("bash")
        .arg(root.join("scripts/npm-pack.sh"))
        .arg("--out")
        .arg(&out)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run scripts/npm-pack.sh");
    assert!(
        output.status.success(),
        "scripts/npm-pack.sh failed ({}):\n{}",
        output.status,
        text(&output)
    );
    let files: Vec<PathBuf> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    let main = out.join(format!("regauth-{VERSION}.tgz"));
    assert!(files.contains(&main), "no {} in {files:?}", main.display());
    let platform = files
        .iter()
        .find(|f| **f != main)
        .unwrap_or_else(|| panic!("no platform tarball in {files:?}"))
        .clone();
    Tarballs { main, platform }
}

/// Publishes both tarballs to `verdaccio` as alice (once per Verdaccio is up to the caller).
pub fn publish(verdaccio: &Verdaccio) {
    let env = NpmEnv::new();
    let host = verdaccio.url().trim_start_matches("http:").to_owned();
    env.write_userconfig(&format!("{host}:_authToken={}\n", verdaccio.token("alice")));
    let packed = tarballs();
    for tarball in [&packed.platform, &packed.main] {
        let output = env
            .npm()
            .arg("publish")
            .arg(tarball)
            .args(["--registry", &verdaccio.url(), "--access", "public"])
            .output()
            .expect("run npm publish");
        assert!(
            output.status.success(),
            "npm publish {}: {}",
            tarball.display(),
            text(&output)
        );
    }
}

/// Verdaccio's shared instance with regauth's packages published on it.
pub fn shared_registry() -> &'static Verdaccio {
    static PUBLISHED: OnceLock<()> = OnceLock::new();
    let verdaccio = Verdaccio::shared();
    PUBLISHED.get_or_init(|| publish(verdaccio));
    verdaccio
}

/// `npm install -g regauth --prefix PREFIX` from `registry`, with extra npm arguments.
pub fn install_global(env: &NpmEnv, prefix: &Path, registry: &str, extra: &[&str]) -> Output {
    env.npm()
        .args(["install", "-g", "regauth", "--prefix"])
        .arg(prefix)
        .args(["--registry", registry, "--no-audit", "--no-fund"])
        .args(extra)
        .output()
        .expect("run npm install -g regauth")
}

/// stdout and stderr of a finished command, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
