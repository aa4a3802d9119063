//! Randomized differential test of regauth's npm configuration model against the real npm:
//! seeded situations (user, project and global `.npmrc` lines, `npm_config_*` variables, npm
//! command lines with shorthands and abbreviations) are built on disk, and for each package the
//! request npm makes (URL, credential key, header kind, or where npm stops: double-loading,
//! ERR_INVALID_URL, "Only HTTP(S)", ERR_INVALID_AUTH) is compared with what regauth says.
//!
//! npm's side comes from npm's own code: one node process loads the installed npm's
//! `@npmcli/config`, npm-registry-fetch and npm-package-arg for every situation
//! (tests/support/npm_config_oracle.js), so a few hundred situations cost seconds, not minutes.
//! `REGAUTH_DIFF_N` (default 300) and `REGAUTH_DIFF_SEED` choose the run;
//! `scripts/differential.sh N` runs thousands.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use regauth::config::{Config, HeaderKind, LoadContext, NpmStop};
use serde_json::{json, Value};

/// xorshift64*: small, seeded, the same sequence on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const REGISTRIES: &[&str] = &[
    "http://127.0.0.1:4873/",
    "http://h1.example/",
    "https://h2.example/api/npm/repo",
    "https://h2.example/api/npm/repo/",
    "http://carol:CANARYpw@h3.example/",
    "http://CANARYtok@h3.example/r/",
    "HTTP://H4.Example:8080/x",
    "",
    "${UNSET_REG}",
    "${SET_REG}",
    "${EMPTY_VAR}",
    "'\"http://quoted.example/\"'",
    "nonsense",
    "localhost:4873",
    "ftp://h1.example/",
    "null",
];

const KEY_HOSTS: &[&str] = &[
    "//127.0.0.1:4873/",
    "//h1.example/",
    "//h2.example/api/npm/repo/",
    "//h2.example/api/npm/",
    "//h3.example/",
    "//h4.example:8080/",
    "//h4.example:8080/x/",
    "//localhost:4873/",
];

const FIELDS: &[&str] = &[
    "_authToken=CANARYtoken1",
    "_authToken=${NPM_TOKEN}",
    "_authToken=",
    "_auth=Y2Fyb2w6Q0FOQVJZcHc=",
    "username=carol",
    "_password=Q0FOQVJZcHc=",
    "certfile=/nonexistent/cert",
];

const PACKAGES: &[&str] = &["lodash", "@a/x", "@b/y", "@c/z"];

/// One line of an `.npmrc`.
fn npmrc_line(rng: &mut Rng, files: &Files) -> String {
    match rng.below(12) {
        0..=2 => format!("registry={}", rng.pick(REGISTRIES)),
        3 | 4 => format!(
            "@{}:registry={}",
            rng.pick(&["a", "b"]),
            rng.pick(REGISTRIES)
        ),
        5..=8 => format!("{}:{}", rng.pick(KEY_HOSTS), rng.pick(FIELDS)),
        9 => format!("scope={}", rng.pick(&["@a", "b", "@c", ""])),
        10 if rng.chance(30) => format!("_authToken=CANARYtop{}", rng.below(9)),
        10 => "; a comment".to_owned(),
        _ => match rng.below(4) {
            0 => format!("globalconfig={}", files.user.display()),
            1 => format!("globalconfig={}", files.project.display()),
            2 => format!("userconfig={}", files.alt.display()),
            _ => "[section]".to_owned(),
        },
    }
}

fn npm_arg(rng: &mut Rng, files: &Files) -> Vec<String> {
    let reg = rng.pick(REGISTRIES).to_owned();
    let args: Vec<String> = match rng.below(11) {
        0 => vec![format!("--registry={reg}")],
        1 => vec!["--reg".into(), reg],
        2 => vec!["-reg".into(), reg],
        3 => vec![format!("--regis={reg}")],
        4 => vec![format!("--@{}:registry={reg}", rng.pick(&["a", "b"]))],
        5 => vec!["--userconfig".into(), files.alt.display().to_string()],
        6 => vec![format!("--globalc={}", files.user.display())],
        7 => vec!["-g".into()],
        8 => vec![format!("--scope={}", rng.pick(&["@b", "a"]))],
        9 => vec![format!("--{}:_authToken=CANARYcli", rng.pick(KEY_HOSTS))],
        _ => vec!["--no-global".into()],
    };
    args
}

struct Files {
    root: PathBuf,
    user: PathBuf,
    project: PathBuf,
    global: PathBuf,
    alt: PathBuf,
}

impl Files {
    fn at(root: PathBuf) -> Files {
        Files {
            user: root.join("home/.npmrc"),
            project: root.join("project/.npmrc"),
            global: root.join("prefix/etc/npmrc"),
            alt: root.join("alt/npmrc"),
            root,
        }
    }
}

/// A situation written to disk: its files, environment and npm arguments.
struct Situation {
    id: usize,
    cwd: PathBuf,
    env: Vec<(String, String)>,
    args: Vec<String>,
}

fn build(id: usize, rng: &mut Rng, dir: &Path) -> Situation {
    let files = Files::at(dir.join(format!("s{id}")));
    for d in ["home", "prefix/etc", "project", "alt"] {
        std::fs::create_dir_all(files.root.join(d)).unwrap();
    }
    std::fs::write(files.root.join("project/package.json"), "{}\n").unwrap();
    for path in [&files.user, &files.project, &files.global, &files.alt] {
        if rng.chance(70) {
            let lines: Vec<String> = (0..1 + rng.below(5))
                .map(|_| npmrc_line(rng, &files))
                .collect();
            std::fs::write(path, lines.join("\n") + "\n").unwrap();
        }
    }
    let mut env = vec![
        (
            "HOME".to_owned(),
            files.root.join("home").display().to_string(),
        ),
        (
            "PREFIX".to_owned(),
            files.root.join("prefix").display().to_string(),
        ),
        ("SET_REG".to_owned(), "http://set-reg.example/".to_owned()),
        ("EMPTY_VAR".to_owned(), String::new()),
    ];
    if rng.chance(50) {
        env.push(("NPM_TOKEN".into(), "CANARYenvTOKEN".into()));
    }
    if rng.chance(20) {
        let value = rng.pick(REGISTRIES).replace("'", "");
        env.push(("npm_config_registry".into(), value));
    }
    if rng.chance(10) {
        env.push(("NPM_CONFIG_@B:REGISTRY".into(), rng.pick(REGISTRIES).into()));
    }
    let mut args = vec!["install".to_owned()];
    for _ in 0..rng.below(3) {
        args.extend(npm_arg(rng, &files));
    }
    Situation {
        id,
        cwd: files.root.join("project"),
        env,
        args,
    }
}

fn npm_dir() -> PathBuf {
    let npm = which("npm");
    let real = std::fs::canonicalize(npm).unwrap();
    // <dir>/bin/npm-cli.js
    real.parent().unwrap().parent().unwrap().to_path_buf()
}

fn which(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("SETUP: no {name} on PATH"))
}

/// npm's answer for every situation, from one node process.
fn oracle(situations: &[Situation]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/npm_config_oracle.js");
    let mut child = Command::new(which("node"))
        .arg(script)
        .arg(npm_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .spawn()
        .expect("SETUP: run node");
    let mut input = String::new();
    for s in situations {
        let env: serde_json::Map<String, Value> =
            s.env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let line =
            json!({"id": s.id, "cwd": s.cwd, "env": env, "args": s.args, "packages": PACKAGES});
        input.push_str(&format!("{line}\n"));
    }
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("SETUP: node output");
    writer.join().unwrap().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("SETUP: oracle JSON"))
        .collect()
}

/// What npm does for one package, in the oracle's words.
fn npm_outcome(answer: &Value, package: &str) -> String {
    match answer["error"].as_str() {
        Some("DOUBLE_LOADING") => return "stop double-loading".into(),
        Some("ERR_INVALID_URL") => return "stop ERR_INVALID_URL".into(),
        Some("ERR_INVALID_AUTH") => return "stop ERR_INVALID_AUTH".into(),
        Some(other) => return format!("oracle error {other}"),
        None => {}
    }
    let route = answer["routes"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["package"] == package))
        .cloned()
        .unwrap_or_default();
    match route["error"].as_str() {
        Some("ERR_INVALID_URL") => "request ERR_INVALID_URL".into(),
        Some("NOT_HTTP") => "request Only HTTP(S)".into(),
        _ => format!(
            "GET {} key {} header {}",
            route["url"].as_str().unwrap_or("?"),
            route["key"].as_str().unwrap_or("-"),
            route["header"].as_str().unwrap_or("?")
        ),
    }
}

fn regauth_outcome(config: &Config, package: &str) -> String {
    match config.npm_stop() {
        Some(NpmStop::DoubleLoading) => return "stop double-loading".into(),
        Some(NpmStop::InvalidUrl) => return "stop ERR_INVALID_URL".into(),
        Some(NpmStop::InvalidAuth) => return "stop ERR_INVALID_AUTH".into(),
        None => {}
    }
    let route = config.route_package(package);
    match regauth::config::problems::unusable(&route.registry.url) {
        Some(regauth::config::problems::UnusableWhy::InvalidUrl) => {
            return "request ERR_INVALID_URL".into()
        }
        Some(_) => return "request Only HTTP(S)".into(),
        None => {}
    }
    let r = &route.routed.route;
    let header = match (r.header, r.auth_key) {
        (HeaderKind::Basic, Some(regauth::config::AuthKey::UrlUserinfo)) => "basic-url",
        (HeaderKind::Bearer, _) => "bearer",
        (HeaderKind::Basic, _) => "basic",
        (HeaderKind::None, _) => "none",
    };
    let url = url::Url::parse(&r.url)
        .map(|u| u.to_string())
        .unwrap_or_default();
    format!(
        "GET {url} key {} header {header}",
        r.key.as_deref().unwrap_or("-")
    )
}

fn regauth_config(s: &Situation) -> Config {
    Config::load(&LoadContext {
        cwd: s.cwd.clone(),
        env: s.env.clone(),
        npm_args: s.args.clone(),
        npm_path: Some(which("npm")),
        node_path: Some(which("node")),
    })
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_config_model_agrees_with_npm_on_random_situations() {
    let count = env_number("REGAUTH_DIFF_N", 300) as usize;
    let seed = env_number("REGAUTH_DIFF_SEED", 0x5eed_1234);
    let mut rng = Rng(seed | 1);
    let dir = tempfile::tempdir().unwrap();
    let situations: Vec<Situation> = (0..count).map(|i| build(i, &mut rng, dir.path())).collect();
    let answers = oracle(&situations);
    assert_eq!(
        answers.len(),
        count,
        "SETUP: the oracle answered every situation"
    );
    let mut failures = Vec::new();
    for (s, answer) in situations.iter().zip(&answers) {
        let config = regauth_config(s);
        for package in PACKAGES {
            let (npm, ours) = (
                npm_outcome(answer, package),
                regauth_outcome(&config, package),
            );
            if npm != ours {
                let files: Vec<String> = [
                    "home/.npmrc",
                    "project/.npmrc",
                    "prefix/etc/npmrc",
                    "alt/npmrc",
                ]
                .iter()
                .filter_map(|f| {
                    let text = std::fs::read_to_string(s.cwd.parent()?.join(f)).ok()?;
                    Some(format!("  {f}: {:?}", text))
                })
                .collect();
                failures.push(format!(
                    "situation {} ({package}): npm: {npm}\n  regauth: {ours}\n  args {:?}\n  env {:?}\n{}",
                    s.id,
                    s.args,
                    &s.env[4..],
                    files.join("\n")
                ));
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "PRODUCT: {} of {count} situations differ (seed {seed:#x}):\n{}",
        failures.len(),
        failures
            .iter()
            .take(12)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
