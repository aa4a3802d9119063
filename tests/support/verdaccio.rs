//! `Verdaccio`: a real Verdaccio (tests/verdaccio) on 127.0.0.1 with users alice and bob and three
//! published packages, either shared by a test binary or owned by one test.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use nix::fcntl::{Flock, FlockArg};
use serde_json::json;
use tempfile::TempDir;

use super::http::{http_request, http_request_within};
use super::npm_env::isolated_base_env;
use super::spawner::spawn_tied_to_process;

/// The users every instance has; each one's password is `pass-<name>`.
pub const USERS: [&str; 2] = ["alice", "bob"];

/// Who may do what; the `packages:` section of the generated config (lab-notes.md).
const DEFAULT_PACKAGES_YAML: &str = "\
'@priv/*': { access: $authenticated, publish: alice, unpublish: alice }
'@team/*': { access: bob, publish: bob, unpublish: bob }
'**': { access: $all, publish: $authenticated, unpublish: $authenticated }
";

/// (publisher, name, version) published on every instance unless the builder says otherwise.
const FIXTURE_PACKAGES: [(&str, &str, &str); 3] = [
    ("alice", "pub-pkg", "1.0.0"),
    ("alice", "@priv/lib", "1.0.0"),
    ("bob", "@team/secret", "1.0.0"),
];

/// In each instance's temp dir: the test process that owns it.
const OWNER_FILE: &str = "owner.pid";
const DIR_PREFIX: &str = "regauth-verdaccio-";

/// Generous: with six helpers building at once, a Verdaccio start has taken over 20 s.
const READY_TIMEOUT: Duration = Duration::from_secs(90);
const START_ATTEMPTS: usize = 5;

/// A running Verdaccio. Instances from `start()`/`builder()` are killed on Drop; the shared one
/// (and any other, should the test binary be killed) dies with the test process.
pub struct Verdaccio {
    dir: TempDir,
    port: u16,
    child: Mutex<Child>,
    tokens: HashMap<String, String>,
}

/// Options for a dedicated instance: `Verdaccio::builder().packages_yaml(..).start()`.
pub struct VerdaccioBuilder {
    packages_yaml: String,
    publish_fixtures: bool,
}

impl VerdaccioBuilder {
    /// Replaces the `packages:` section. Give its entries unindented, one per line, e.g.
    /// `"'**': { access: $authenticated, publish: $authenticated }\n"`.
    pub fn packages_yaml(mut self, yaml: &str) -> Self {
        self.packages_yaml = yaml.to_string();
        self
    }

    /// Whether pub-pkg, @priv/lib and @team/secret are published (default true).
    pub fn publish_fixtures(mut self, publish: bool) -> Self {
        self.publish_fixtures = publish;
        self
    }

    /// Starts the instance, creates the users and publishes the fixtures; panics on any failure.
    pub fn start(self) -> Verdaccio {
        let verdaccio_bin = ensure_installed();
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir()
            .expect("create Verdaccio temp dir");
        fs::write(dir.path().join(OWNER_FILE), std::process::id().to_string())
            .expect("write Verdaccio owner pid");
        let config = dir.path().join("config.yaml");
        write_config(&config, dir.path(), &self.packages_yaml);
        let (port, child) = launch(&verdaccio_bin, &config, dir.path());
        let mut verdaccio = Verdaccio {
            dir,
            port,
            child: Mutex::new(child),
            tokens: HashMap::new(),
        };
        for user in USERS {
            let token = verdaccio.create_user(user);
            verdaccio.tokens.insert(user.to_string(), token);
        }
        if self.publish_fixtures {
            for (user, name, version) in FIXTURE_PACKAGES {
                verdaccio.publish(user, name, version);
            }
        }
        verdaccio
    }
}

impl Verdaccio {
    /// One instance per test binary, started on first use.
    pub fn shared() -> &'static Verdaccio {
        static SHARED: OnceLock<Verdaccio> = OnceLock::new();
        SHARED.get_or_init(|| {
            remove_dirs_of_dead_test_processes();
            Verdaccio::start()
        })
    }

    /// A fresh instance with the default config, owned by the caller.
    pub fn start() -> Verdaccio {
        Verdaccio::builder().start()
    }

    pub fn builder() -> VerdaccioBuilder {
        VerdaccioBuilder {
            packages_yaml: DEFAULT_PACKAGES_YAML.to_string(),
            publish_fixtures: true,
        }
    }

    /// "http://127.0.0.1:PORT/"
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pid(&self) -> u32 {
        self.child.lock().unwrap_or_else(|p| p.into_inner()).id()
    }

    /// The token Verdaccio issued when `user` was created (alice or bob).
    pub fn token(&self, user: &str) -> &str {
        self.tokens
            .get(user)
            .unwrap_or_else(|| panic!("no Verdaccio user {user:?}; there are {USERS:?}"))
    }

    /// `user`'s token keyed to this registry, as an `.npmrc` line (with its newline).
    pub fn token_line(&self, user: &str) -> String {
        format!(
            "//127.0.0.1:{}/:_authToken={}\n",
            self.port(),
            self.token(user)
        )
    }

    /// An `.npmrc` that makes this the default registry with `user`'s token for it.
    pub fn user_config(&self, user: &str) -> String {
        format!("registry={}\n{}", self.url(), self.token_line(user))
    }

    pub fn password(user: &str) -> String {
        format!("pass-{user}")
    }

    /// Everything Verdaccio printed so far (its log arrives up to a second late).
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.path().join("verdaccio.log")).unwrap_or_default()
    }

    /// Publishes a minimal package (package.json + index.js) as `user`; panics unless accepted.
    pub fn publish(&self, user: &str, name: &str, version: &str) {
        let tarball = build_tarball(name, version);
        let document = package_document(&self.url(), name, version, &tarball);
        let path = format!("{}{}", self.url(), name.replacen('/', "%2f", 1));
        let auth = format!("Bearer {}", self.token(user));
        let body = serde_json::to_vec(&document).expect("serialize package document");
        let headers = [
            ("content-type", "application/json"),
            ("authorization", auth.as_str()),
        ];
        let reply = http_request("PUT", &path, &headers, Some(&body))
            .unwrap_or_else(|e| panic!("publish {name}@{version}: {e}\n{}", self.log()));
        assert!(
            (200..300).contains(&reply.status),
            "Verdaccio refused publish of {name}@{version} by {user}: {} {}",
            reply.status,
            reply.text()
        );
    }

    fn create_user(&self, user: &str) -> String {
        let url = format!("{}-/user/org.couchdb.user:{user}", self.url());
        let body =
            json!({"name": user, "password": Self::password(user), "type": "user", "roles": []});
        let body = serde_json::to_vec(&body).expect("serialize user");
        let reply = http_request(
            "PUT",
            &url,
            &[("content-type", "application/json")],
            Some(&body),
        )
        .unwrap_or_else(|e| panic!("create Verdaccio user {user}: {e}\n{}", self.log()));
        assert_eq!(reply.status, 201, "create user {user}: {}", reply.text());
        reply.json()["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {}", reply.text()))
            .to_string()
    }
}

impl Drop for Verdaccio {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|p| p.into_inner());
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Shared instances never drop (statics), so their temp dirs outlive the test binary; the next
/// binary removes those whose owner is gone.
fn remove_dirs_of_dead_test_processes() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        let is_ours = entry.file_name().to_string_lossy().starts_with(DIR_PREFIX);
        let owner = fs::read_to_string(dir.join(OWNER_FILE)).unwrap_or_default();
        let owner_alive = Path::new("/proc").join(owner.trim()).exists();
        if is_ours && !owner.trim().is_empty() && !owner_alive {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

/// The verdaccio binary in tests/verdaccio, installed by scripts/test-deps.sh when missing.
fn ensure_installed() -> PathBuf {
    static INSTALLED: OnceLock<PathBuf> = OnceLock::new();
    INSTALLED.get_or_init(install_once).clone()
}

fn install_once() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = root.join("tests/verdaccio/node_modules/.bin/verdaccio");
    if bin.exists() {
        return bin;
    }
    // Several test binaries run at once; only one may install.
    let lock_dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    fs::create_dir_all(lock_dir).expect("create target tmp dir");
    let lock_file = File::create(lock_dir.join("test-deps.lock")).expect("create test-deps lock");
    let _lock = Flock::lock(lock_file, FlockArg::LockExclusive)
        .map_err(|(_, e)| e)
        .expect("lock test-deps.lock");
    if !bin.exists() {
        let output = Command::new("bash")
            .arg("scripts/test-deps.sh")
            .current_dir(root)
            .output()
            .expect("run bash scripts/test-deps.sh");
        assert!(
            output.status.success() && bin.exists(),
            "Verdaccio is not installed and `bash scripts/test-deps.sh` failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    bin
}

fn write_config(config: &Path, dir: &Path, packages_yaml: &str) {
    let quoted = |p: PathBuf| serde_json::to_string(&p).expect("path as YAML string");
    let packages: String = packages_yaml
        .lines()
        .map(|line| format!("  {line}\n"))
        .collect();
    // rounds: 4 keeps bcrypt cheap, so requests that carry a token cost ~1 ms instead of ~85 ms.
    let text = format!(
        "storage: {storage}\n\
         auth:\n  htpasswd:\n    file: {htpasswd}\n    max_users: 100\n    algorithm: bcrypt\n    rounds: 4\n\
         uplinks: {{}}\n\
         packages:\n{packages}\
         web:\n  enable: false\n\
         middlewares:\n  audit:\n    enabled: false\n\
         log: {{ type: stdout, format: pretty-timestamped, level: http }}\n",
        storage = quoted(dir.join("storage")),
        htpasswd = quoted(dir.join("htpasswd")),
    );
    fs::write(config, text).expect("write Verdaccio config");
}

/// Spawns Verdaccio on a free port and waits for /-/ping; retries when another process took the port.
fn launch(bin: &Path, config: &Path, dir: &Path) -> (u16, Child) {
    let log_path = dir.join("verdaccio.log");
    for attempt in 1..=START_ATTEMPTS {
        let port = free_port();
        let log = File::create(&log_path).expect("create Verdaccio log");
        let mut command = Command::new(bin);
        command
            .arg("--config")
            .arg(config)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .current_dir(dir)
            .env_clear()
            .envs(isolated_base_env(std::env::vars_os()))
            .env("HOME", dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log);
        let mut child = spawn_tied_to_process(command)
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let problem = match wait_ready(&mut child, port) {
            Ok(()) => return (port, child),
            Err(problem) => problem,
        };
        let _ = child.kill();
        let _ = child.wait();
        let output = fs::read_to_string(&log_path).unwrap_or_default();
        // An exit is most likely a lost race for the port (EADDRINUSE): try another one.
        if matches!(problem, NotReady::TimedOut) || attempt == START_ATTEMPTS {
            panic!("Verdaccio on 127.0.0.1:{port} {problem}. Its output:\n{output}");
        }
    }
    unreachable!("the last attempt returns or panics");
}

enum NotReady {
    Exited(String),
    TimedOut,
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotReady::Exited(how) => write!(f, "exited before it was ready ({how})"),
            NotReady::TimedOut => write!(
                f,
                "did not answer GET /-/ping with 200 within {READY_TIMEOUT:?}"
            ),
        }
    }
}

fn wait_ready(child: &mut Child, port: u16) -> Result<(), NotReady> {
    let started = Instant::now();
    let ping = format!("http://127.0.0.1:{port}/-/ping");
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(NotReady::Exited(status.to_string()));
        }
        let reply = http_request_within(Duration::from_secs(1), "GET", &ping, &[], None);
        if reply.is_ok_and(|reply| reply.status == 200) {
            // A Verdaccio that lost the port race exits; make sure the answer came from ours.
            thread::sleep(Duration::from_millis(20));
            return match child.try_wait() {
                Ok(None) => Ok(()),
                _ => Err(NotReady::Exited(
                    "something else answered on its port".into(),
                )),
            };
        }
        if started.elapsed() > READY_TIMEOUT {
            return Err(NotReady::TimedOut);
        }
        thread::sleep(Duration::from_millis(25));
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// A valid npm tarball: package/package.json and package/index.js, gzipped by `tar`.
fn build_tarball(name: &str, version: &str) -> Vec<u8> {
    let staging = tempfile::tempdir().expect("tarball staging dir");
    let package = staging.path().join("package");
    fs::create_dir(&package).expect("create package dir");
    let manifest = json!({"name": name, "version": version, "main": "index.js"});
    fs::write(package.join("package.json"), manifest.to_string()).expect("write package.json");
    fs::write(
        package.join("index.js"),
        format!("module.exports = {version:?};\n"),
    )
    .expect("write index.js");
    // the same bytes for the same name@version on every instance, as on a registry and its
    // mirrors (a lockfile's integrity then holds on either): fixed times, owners and order
    let output = Command::new("tar")
        .args([
            "--mtime=@1700000000",
            "--owner=0",
            "--group=0",
            "--numeric-owner",
            "--sort=name",
            "-czf",
            "-",
            "-C",
        ])
        .arg(staging.path())
        .arg("package")
        .output()
        .expect("run tar");
    assert!(
        output.status.success(),
        "tar failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The document `npm publish` PUTs (libnpmpublish), with the tarball attached.
fn package_document(
    registry: &str,
    name: &str,
    version: &str,
    tarball: &[u8],
) -> serde_json::Value {
    let file_name = format!("{name}-{version}.tgz");
    let integrity = format!("sha512-{}", BASE64.encode(digest("sha512sum", tarball)));
    let shasum = hex(&digest("sha1sum", tarball));
    json!({
        "_id": name,
        "name": name,
        "description": "",
        "dist-tags": { "latest": version },
        "versions": { version: {
            "_id": format!("{name}@{version}"),
            "name": name,
            "version": version,
            "main": "index.js",
            "dist": {
                "integrity": integrity,
                "shasum": shasum,
                "tarball": format!("{registry}{name}/-/{file_name}"),
            },
        }},
        "_attachments": { file_name: {
            "content_type": "application/octet-stream",
            "data": BASE64.encode(tarball),
            "length": tarball.len(),
        }},
    })
}

/// The raw digest from coreutils' `sha1sum`/`sha512sum` (no hashing crate in the tree).
fn digest(tool: &str, data: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {tool}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(data)
        .expect("feed digest tool");
    let output = child.wait_with_output().expect("wait for digest tool");
    let text = String::from_utf8_lossy(&output.stdout);
    let hex_digest = text.split_whitespace().next().unwrap_or("");
    (0..hex_digest.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex_digest[i..i + 2], 16).expect("hex digest"))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
