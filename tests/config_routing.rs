//! Credential routing against ground truth: loopback fixture registries record the
//! `Authorization` header the real npm sends for a package's metadata and its tarball
//! (`npm cache add`), and regauth's prediction (which key, which header, or nothing) must equal
//! it exactly. Raw headers are compared inside the test only; failure messages name keys and
//! header kinds, never values.

mod support;

use std::path::Path;
use std::sync::{Arc, Mutex};

use base64::Engine;
use regauth::config::{Config, HeaderKind, LoadContext};
use support::{FixtureServer, NpmEnv, Request, Response};

const T1: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";
const T2: &str = "npm_CANARYcanaryCANARYcanaryCANARY0002";
const T3: &str = "npm_CANARYcanaryCANARYcanaryCANARY0003";

/// A registry that serves one package whose tarball URL the test decides.
struct Registry {
    server: FixtureServer,
    tarball_url: Arc<Mutex<String>>,
}

fn tarball_bytes() -> Vec<u8> {
    static TGZ: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TGZ.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("package");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(
            pkg.join("package.json"),
            "{\"name\":\"x\",\"version\":\"1.0.0\"}\n",
        )
        .unwrap();
        let out = dir.path().join("x.tgz");
        let status = std::process::Command::new("tar")
            .args([
                "-czf",
                out.to_str().unwrap(),
                "-C",
                dir.path().to_str().unwrap(),
                "package",
            ])
            .status()
            .unwrap();
        assert!(status.success());
        std::fs::read(out).unwrap()
    })
    .clone()
}

impl Registry {
    fn start() -> Registry {
        let tarball_url = Arc::new(Mutex::new(String::new()));
        let url = tarball_url.clone();
        let tgz = tarball_bytes();
        let server = FixtureServer::start(move |req: &Request| {
            if req.path.ends_with(".tgz") {
                return Response::new(200)
                    .header("content-type", "application/octet-stream")
                    .body(&tgz);
            }
            let name = req
                .path
                .rsplit('/')
                .next()
                .unwrap_or("")
                .replace("%2f", "/")
                .replace("%2F", "/");
            let tarball = url.lock().unwrap().clone();
            Response::new(200).json(serde_json::json!({
                "name": name,
                "dist-tags": {"latest": "1.0.0"},
                "versions": {"1.0.0": {"name": name, "version": "1.0.0", "dist": {"tarball": tarball}}}
            }))
        });
        Registry {
            server,
            tarball_url,
        }
    }

    fn base(&self) -> String {
        self.server.url()
    }
}

/// One situation: the .npmrc text (with `{A}`/`{B}` for the two registries' `host:port`),
/// the package, the tarball URL (relative to A or B), environment variables.
struct Case {
    name: &'static str,
    npmrc: &'static str,
    package: &'static str,
    tarball: &'static str,
    env: &'static [(&'static str, &'static str)],
}

fn cases() -> Vec<Case> {
    let c = |name, npmrc, package, tarball| Case {
        name,
        npmrc,
        package,
        tarball,
        env: &[],
    };
    vec![
        c("plain key", "registry=http://{A}/\n//{A}/:_authToken=T1\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("key without trailing slash", "registry=http://{A}/\n//{A}:_authToken=T1\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("key on another port", "registry=http://{A}/\n//{B}/:_authToken=T1\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("localhost key for 127.0.0.1", "registry=http://{A}/\n//{A_LOCALHOST}/:_authToken=T1\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("scheme in key", "registry=http://{A}/\nhttp://{A}/:_authToken=T1\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("key above the registry path", "registry=http://{A}/npm/repo/\n//{A}/npm/:_authToken=T1\n", "pkg", "http://{A}/npm/repo/pkg/-/pkg-1.0.0.tgz"),
        c("key below the registry path", "registry=http://{A}/npm/\n//{A}/npm/deeper/:_authToken=T1\n", "pkg", "http://{A}/npm/pkg/-/pkg-1.0.0.tgz"),
        c("longest key wins", "registry=http://{A}/npm/\n//{A}/:_authToken=T1\n//{A}/npm/:_authToken=T2\n", "pkg", "http://{A}/npm/pkg/-/pkg-1.0.0.tgz"),
        c("token before _auth", "registry=http://{A}/\n//{A}/:_auth=AUTH\n//{A}/:_authToken=T1\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("_auth", "registry=http://{A}/\n//{A}/:_auth=AUTH\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("username and _password", "registry=http://{A}/\n//{A}/:username=alice\n//{A}/:_password=PASS\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("username alone", "registry=http://{A}/\n//{A}/:username=alice\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("certfile and keyfile only", "registry=http://{A}/\n//{A}/:certfile=/nonexistent/c.pem\n//{A}/:keyfile=/nonexistent/k.pem\n", "pkg", "http://{A}/pkg/-/pkg-1.0.0.tgz"),
        c("tarball on another host without key", "registry=http://{A}/\n//{A}/:_authToken=T1\n", "pkg", "http://{B}/pkg-1.0.0.tgz"),
        c("tarball on another host with its key", "registry=http://{A}/\n//{A}/:_authToken=T1\n//{B}/:_authToken=T2\n", "pkg", "http://{B}/pkg-1.0.0.tgz"),
        c("tarball on the same host, other path", "registry=http://{A}/npm/\n//{A}/npm/:_authToken=T1\n", "pkg", "http://{A}/files/pkg-1.0.0.tgz"),
        c("scoped registry", "registry=http://{B}/\n@s:registry=http://{A}/\n//{A}/:_authToken=T1\n//{B}/:_authToken=T2\n", "@s/pkg", "http://{A}/@s/pkg/-/pkg-1.0.0.tgz"),
        c("scoped registry, tarball elsewhere without key", "registry=http://{B}/\n@s:registry=http://{A}/npm/\n//{A}/npm/:_authToken=T1\n", "@s/pkg", "http://{B}/files/pkg-1.0.0.tgz"),
        c("scoped registry, tarball on its host other path", "registry=http://{B}/\n@s:registry=http://{A}/npm/\n//{A}/npm/:_authToken=T1\n", "@s/pkg", "http://{A}/files/pkg-1.0.0.tgz"),
        c("scope not mapped", "registry=http://{B}/\n//{A}/:_authToken=T1\n", "@s/pkg", "http://{B}/pkg-1.0.0.tgz"),
        Case { name: "${VAR} unset: literal text", npmrc: "registry=http://{A}/\n//{A}/:_authToken=${NPM_TOKEN}\n", package: "pkg", tarball: "http://{A}/pkg/-/pkg-1.0.0.tgz", env: &[] },
        Case { name: "${VAR} empty", npmrc: "registry=http://{A}/\n//{A}/:_authToken=${NPM_TOKEN}\n", package: "pkg", tarball: "http://{A}/pkg/-/pkg-1.0.0.tgz", env: &[("NPM_TOKEN", "")] },
        Case { name: "${VAR?} unset", npmrc: "registry=http://{A}/\n//{A}/:_authToken=${NPM_TOKEN?}\n", package: "pkg", tarball: "http://{A}/pkg/-/pkg-1.0.0.tgz", env: &[] },
        Case { name: "${VAR} set", npmrc: "registry=http://{A}/\n//{A}/:_authToken=${NPM_TOKEN}\n", package: "pkg", tarball: "http://{A}/pkg/-/pkg-1.0.0.tgz", env: &[("NPM_TOKEN", T3)] },
        Case { name: "key from the environment", npmrc: "registry=http://{A}/\n", package: "pkg", tarball: "http://{A}/pkg/-/pkg-1.0.0.tgz", env: &[("npm_config_//{A}/:_authToken", T2)] },
        Case { name: "environment overrides the file", npmrc: "registry=http://{A}/\n//{A}/:_authToken=T1\n", package: "pkg", tarball: "http://{A}/pkg/-/pkg-1.0.0.tgz", env: &[("NPM_CONFIG_//{A}/:_authToken", T2)] },
    ]
}

fn fill(text: &str, a: &Registry, b: &Registry) -> String {
    let host = |r: &Registry| {
        r.base()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned()
    };
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:CANARYpass0001");
    let password = base64::engine::general_purpose::STANDARD.encode("CANARYpass0002");
    text.replace("{A_LOCALHOST}", &format!("localhost:{}", a.server.port()))
        .replace("{A}", &host(a))
        .replace("{B}", &host(b))
        .replace("T1", T1)
        .replace("T2", T2)
        .replace("AUTH", &auth)
        .replace("PASS", &password)
}

fn load(env: &NpmEnv, args: &[&str]) -> Config {
    let ctx = LoadContext {
        cwd: env.project(),
        env: env.environment_text(),
        npm_args: args.iter().map(|s| s.to_string()).collect(),
        npm_path: None,
        node_path: None,
    };
    Config::load(&ctx)
}

/// The exact header npm would send given regauth's route, computed from the config values.
fn expected_header(config: &Config, key: Option<&str>, header: HeaderKind) -> Option<String> {
    let key = key?;
    let reg = key.rsplit_once(':').unwrap().0;
    let value = |field: &str| {
        config
            .get(&format!("{reg}:{field}"))
            .map(|v| v.expanded.expose().to_owned())
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    match header {
        HeaderKind::None => None,
        HeaderKind::Bearer => Some(format!("Bearer {}", value("_authToken")?)),
        HeaderKind::Basic if key.ends_with(":_auth") => Some(format!("Basic {}", value("_auth")?)),
        HeaderKind::Basic => {
            let password = String::from_utf8(b64.decode(value("_password")?).ok()?).ok()?;
            Some(format!(
                "Basic {}",
                b64.encode(format!("{}:{password}", value("username")?))
            ))
        }
    }
}

fn kind_of(header: Option<&str>) -> &'static str {
    match header {
        None => "none",
        Some(h) if h.starts_with("Bearer ") => "Bearer",
        Some(h) if h.starts_with("Basic ") => "Basic",
        Some(_) => "other",
    }
}

fn run_case(case: &Case) -> Vec<String> {
    let (a, b) = (Registry::start(), Registry::start());
    let mut env = NpmEnv::new();
    let tarball = fill(case.tarball, &a, &b);
    *a.tarball_url.lock().unwrap() = tarball.clone();
    *b.tarball_url.lock().unwrap() = tarball.clone();
    env.write_userconfig(&fill(case.npmrc, &a, &b));
    for (k, v) in case.env {
        env.set_env(fill(k, &a, &b), v);
    }
    let args = ["cache", "add", case.package];
    let out = env.npm().args(args).output().expect("run npm");
    let mut failures = Vec::new();
    let requests: Vec<Request> = a
        .server
        .requests()
        .into_iter()
        .chain(b.server.requests())
        .collect();
    let packument = requests.iter().find(|r| !r.path.ends_with(".tgz"));
    let tgz = requests.iter().find(|r| r.path.ends_with(".tgz"));
    let (Some(packument), Some(tgz)) = (packument, tgz) else {
        return vec![format!(
            "{}: npm did not fetch both packument and tarball (exit {:?}): {}",
            case.name,
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .take(3)
                .collect::<Vec<_>>()
                .join(" | ")
        )];
    };
    let config = load(&env, &args);
    let route = config.route_package(case.package);
    let r = &route.routed.route;
    compare(&mut failures, case.name, "packument", &config, r, packument);
    let tar_route = config.route_tarball(&tarball).route;
    compare(
        &mut failures,
        case.name,
        "tarball",
        &config,
        &tar_route,
        tgz,
    );
    failures
}

fn compare(
    failures: &mut Vec<String>,
    case: &str,
    what: &str,
    config: &Config,
    route: &regauth::config::Route,
    request: &Request,
) {
    let sent = request.header("authorization");
    let predicted = expected_header(config, route.key.as_deref(), route.header);
    if sent != predicted.as_deref() {
        failures.push(format!(
            "{case} ({what} {}): npm sent {}, regauth predicted {} via {:?}",
            request.path,
            kind_of(sent),
            kind_of(predicted.as_deref()),
            route.key
        ));
    }
}

#[test]
fn regauth_predicts_the_authorization_npm_sends() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        failures.extend(run_case(case));
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The literal `${NPM_TOKEN}` case is the one npm hides: make sure it really is sent as text.
#[test]
fn unset_variable_is_sent_literally_and_predicted() {
    let a = Registry::start();
    let env = NpmEnv::new();
    *a.tarball_url.lock().unwrap() = format!("{}pkg/-/pkg-1.0.0.tgz", a.base());
    env.write_userconfig(&fill(
        "registry=http://{A}/\n//{A}/:_authToken=${NPM_TOKEN}\n",
        &a,
        &a,
    ));
    let _ = env.npm().args(["cache", "add", "pkg"]).output().unwrap();
    let sent = a
        .server
        .requests()
        .first()
        .and_then(|r| r.header("authorization").map(str::to_owned));
    assert_eq!(sent.as_deref(), Some("Bearer ${NPM_TOKEN}"));
    let config = load(&env, &["cache", "add", "pkg"]);
    let c = config
        .route_package("pkg")
        .routed
        .credential
        .cloned()
        .expect("a credential");
    assert_eq!(c.kind.as_str(), "unexpanded-variable");
    assert!(config
        .problems()
        .iter()
        .any(|p| p.id() == "token-env-unset"));
    assert!(Path::new(&env.userconfig()).exists());
}
