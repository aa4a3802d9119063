//! The real npm 11 against a real Verdaccio and a loopback fixture server: each failure's
//! terminal output and debug log, explained by the built `regauth explain`.

mod support;

use std::path::PathBuf;

use support::{FixtureServer, NpmEnv, Response, Verdaccio};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0042";

/// Runs npm, returns (stderr, newest debug log path).
fn run_npm(env: &NpmEnv, args: &[&str]) -> (String, PathBuf) {
    let out = env
        .npm()
        .args(args)
        .args(["--fetch-retries=0", "--audit=false", "--fund=false"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "npm {args:?} was expected to fail");
    let mut logs: Vec<PathBuf> = std::fs::read_dir(env.logs_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    logs.sort();
    (
        String::from_utf8_lossy(&out.stderr).into_owned(),
        logs.pop().expect("npm wrote a debug log"),
    )
}

/// `regauth explain --format json` of `input` (a file path), parsed.
fn explain(env: &NpmEnv, input: &std::path::Path) -> serde_json::Value {
    let out = env
        .regauth()
        .args(["explain"])
        .arg(input)
        .args(["--format", "json", "--no-config", "--no-probe"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("CANARY"), "a secret leaked: {text}");
    serde_json::from_str(&text).unwrap()
}

fn ids(report: &serde_json::Value) -> Vec<String> {
    report["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn save(env: &NpmEnv, name: &str, text: &str) -> PathBuf {
    let path = env.root().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn verdaccio_scope_without_token_is_an_e401_whose_log_names_the_package() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!("@priv:registry={}\n", v.url()));
    let (stderr, log) = run_npm(&env, &["view", "@priv/lib", "version"]);
    let from_log = explain(&env, &log);
    assert_eq!(from_log["auth_failure"], true);
    assert_eq!(from_log["failure"]["http_status"], 401);
    assert!(from_log["failure"]["url"]
        .as_str()
        .unwrap()
        .ends_with("/@priv%2flib"));
    assert_eq!(from_log["failure"]["package"], "@priv/lib");
    assert!(
        ids(&from_log)[..3].contains(&"token-missing".to_owned()),
        "{:?}",
        ids(&from_log)
    );
    let from_output = explain(&env, &save(&env, "stderr.txt", &stderr));
    assert_eq!(from_output["failure"]["code"], "E401");
    assert!(ids(&from_output)[..3].contains(&"token-missing".to_owned()));
}

#[test]
fn verdaccio_authenticated_but_not_allowed_is_insufficient_permission() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    let host = v.url().trim_start_matches("http:").to_owned();
    env.write_userconfig(&format!(
        "@team:registry={}\n{host}:_authToken={}\n",
        v.url(),
        v.token("alice")
    ));
    let (stderr, log) = run_npm(&env, &["view", "@team/secret", "version"]);
    for input in [log, save(&env, "stderr.txt", &stderr)] {
        let r = explain(&env, &input);
        assert_eq!(ids(&r)[0], "insufficient-permission", "{r}");
        assert_eq!(r["causes"][0]["confidence"], "high");
        let text = r.to_string();
        assert!(!text.contains(v.token("alice")), "the token leaked");
    }
}

#[test]
fn fixture_expired_token_notice_on_publish() {
    let server = FixtureServer::start(|_| {
        Response::new(404)
            .header(
                "npm-notice",
                "Access token expired or revoked. Please try logging in again.",
            )
            .json(serde_json::json!({"error": "Not found"}))
    });
    let env = NpmEnv::new();
    let host = server
        .url()
        .trim_start_matches("http:")
        .trim_end_matches('/')
        .to_owned();
    env.write_userconfig(&format!(
        "registry={}/\n{host}/:_authToken={CANARY}\n",
        server.url().trim_end_matches('/')
    ));
    let (stderr, log) = run_npm(&env, &["publish"]);
    for input in [log, save(&env, "stderr.txt", &stderr)] {
        let r = explain(&env, &input);
        assert_eq!(ids(&r)[0], "token-invalid-or-expired", "{r}");
        assert_eq!(r["failure"]["method"], "PUT");
    }
}

#[test]
fn fixture_otp_challenge_on_publish() {
    let server = FixtureServer::start(|_| {
        Response::new(401)
            .header("www-authenticate", "OTP")
            .json(serde_json::json!({"error": "OTP required"}))
    });
    let env = NpmEnv::new();
    let host = server
        .url()
        .trim_start_matches("http:")
        .trim_end_matches('/')
        .to_owned();
    env.write_userconfig(&format!(
        "registry={}/\n{host}/:_authToken={CANARY}\n",
        server.url().trim_end_matches('/')
    ));
    let (_, log) = run_npm(&env, &["publish"]);
    let r = explain(&env, &log);
    assert_eq!(ids(&r)[0], "otp-required", "{r}");
    assert_eq!(r["failure"]["code"], "EOTP");
}

#[test]
fn fixture_server_error_mentioning_401_stays_silent() {
    let server = FixtureServer::start(|_| {
        Response::new(500).json(serde_json::json!({"error": "KV GET failed: 401 Unauthorized"}))
    });
    let env = NpmEnv::new();
    env.write_userconfig(&format!("registry={}\n", server.url()));
    let (stderr, log) = run_npm(&env, &["view", "left-pad", "version"]);
    for input in [log, save(&env, "stderr.txt", &stderr)] {
        let r = explain(&env, &input);
        assert_eq!(r["auth_failure"], false, "{r}");
        assert!(ids(&r).is_empty());
    }
}
