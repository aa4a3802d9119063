//! The live path end to end: the real npm through `regauth npm ...` against a real Verdaccio on
//! 127.0.0.1, with `REGAUTH_REPORT` (schema-1 JSON) checked for the top cause, its confidence
//! and the file:line / variable / host it names. The full scenario matrix is in tests/live_*.rs.

mod support;

use std::process::Output;

use support::{NpmEnv, Verdaccio};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0077";

/// Runs `regauth npm args...` and returns (output, the report written to REGAUTH_REPORT).
fn live(env: &NpmEnv, args: &[&str]) -> (Output, serde_json::Value) {
    let report = env
        .root()
        .join(format!("report-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&report);
    let out = env
        .regauth()
        .arg("npm")
        .args(args)
        .args(["--fetch-retries=0"])
        .env("REGAUTH_REPORT", &report)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        panic!(
            "no report ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    for all in [
        &text,
        &*String::from_utf8_lossy(&out.stderr),
        &*String::from_utf8_lossy(&out.stdout),
    ] {
        assert!(!all.contains("CANARY"), "a secret leaked: {all}");
    }
    (out, serde_json::from_str(&text).unwrap())
}

/// Asserts the report's top cause is `(id, confidence)`; returns that cause as text for the
/// further checks (npm's stderr goes into the failure message).
fn expect_top(report: &serde_json::Value, out: &Output, want: (&str, &str)) -> String {
    let cause = &report["causes"][0];
    let all = cause.to_string();
    let got = (
        cause["id"].as_str().unwrap_or(""),
        cause["confidence"].as_str().unwrap_or(""),
    );
    assert_eq!(got, want, "{all}\n{}", stderr(out));
    all
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn no_credential_is_token_missing() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!("registry={}\n", v.url()));
    let (out, report) = live(&env, &["view", "@priv/lib"]);
    assert_eq!(out.status.code(), Some(1));
    let all = expect_top(&report, &out, ("token-missing", "high"));
    assert!(
        all.contains(&format!("//127.0.0.1:{}/:_authToken", v.port())),
        "{all}"
    );
}

#[test]
fn unset_variable_is_named_with_its_line() {
    let v = Verdaccio::shared();
    for empty in [false, true] {
        let mut env = NpmEnv::new();
        if empty {
            env.set_env("MY_TOKEN", "");
        }
        env.write_userconfig(&format!(
            "registry={}\n//127.0.0.1:{}/:_authToken=${{MY_TOKEN}}\n",
            v.url(),
            v.port()
        ));
        let (out, report) = live(&env, &["view", "@priv/lib"]);
        let all = expect_top(&report, &out, ("token-env-unset", "high"));
        assert!(all.contains("MY_TOKEN"), "{all}");
        assert!(
            all.contains(&format!("{}:2", env.userconfig().display())),
            "{all}"
        );
    }
}

#[test]
fn garbage_token_is_invalid() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry={}\n//127.0.0.1:{}/:_authToken={CANARY}\n",
        v.url(),
        v.port()
    ));
    let (out, report) = live(&env, &["view", "@priv/lib"]);
    expect_top(&report, &out, ("token-invalid-or-expired", "high"));
    assert!(report["probes"].as_array().is_some_and(|p| !p.is_empty()));
}

#[test]
fn token_on_another_port_is_wrong_host() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry={}\n//127.0.0.1:1/:_authToken={}\n",
        v.url(),
        v.token("alice")
    ));
    let (out, report) = live(&env, &["view", "@priv/lib"]);
    let all = expect_top(&report, &out, ("token-wrong-host", "high"));
    assert!(
        all.contains(&format!("{}:2", env.userconfig().display())),
        "{all}"
    );
}

#[test]
fn token_keyed_to_localhost_is_wrong_host_even_for_an_unmapped_scope() {
    // the probe reads @priv/lib through http://localhost:PORT/ (the same Verdaccio): that proves
    // the credential works under the other name, not that the scope lives elsewhere
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry={}\n//localhost:{}/:_authToken={}\n",
        v.url(),
        v.port(),
        v.token("alice")
    ));
    let (out, report) = live(&env, &["install", "@priv/lib"]);
    let all = expect_top(&report, &out, ("token-wrong-host", "high"));
    assert!(
        all.contains(&format!("//localhost:{}/:_authToken", v.port())),
        "{all}"
    );
    assert!(
        all.contains(&format!("{}:2", env.userconfig().display())),
        "{all}"
    );
}

#[test]
fn valid_token_refused_is_permission() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&v.user_config("alice"));
    let (out, report) = live(&env, &["view", "@team/secret"]);
    let all = expect_top(&report, &out, ("insufficient-permission", "high"));
    assert!(all.contains("alice"), "{all}");
}

#[test]
fn env_registry_overriding_the_file_is_misconfig() {
    let v = Verdaccio::shared();
    let other = Verdaccio::start();
    let mut env = NpmEnv::new();
    env.set_env("npm_config_registry", other.url());
    env.write_userconfig(&v.user_config("alice"));
    let (out, report) = live(&env, &["view", "@priv/lib"]);
    let all = expect_top(&report, &out, ("npmrc-misconfig", "high"));
    assert!(all.contains("npm_config_registry"), "{all}");
}

#[test]
fn non_auth_failure_is_silent_and_json_goes_to_stderr() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = format!("--registry={}", v.url());
    let out = env
        .regauth()
        .args(["npm", "view", "no-such-pkg-xyz", &registry])
        .env("REGAUTH_FORMAT", "json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("regauth:") && !stderr(&out).contains("\"schema\""));
    let out = env
        .regauth()
        .args(["npm", "view", "@priv/lib", &registry])
        .env("REGAUTH_FORMAT", "json")
        .env("REGAUTH_PROBE", "off")
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = stderr(&out);
    let start = err.find("\n{\n").expect("a JSON document on stderr") + 1;
    let end = err.rfind("\n}\n").unwrap() + 2;
    let doc: serde_json::Value = serde_json::from_str(&err[start..end]).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["probes"], serde_json::json!([]));
    assert_eq!(err.matches("::error title=regauth").count(), 1, "{err}");
}

#[test]
fn unwritable_report_is_one_line() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = format!("--registry={}", v.url());
    let out = env
        .regauth()
        .args(["npm", "view", "@priv/lib", &registry])
        .env("REGAUTH_REPORT", env.root().join("no/such/dir/r.json"))
        .env("REGAUTH_PROBE", "off")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out)
            .matches("regauth: cannot write the report")
            .count(),
        1
    );
}
