//! `regauth doctor` end to end (the built binary in an isolated npm environment) and the
//! problems it reports, checked where possible against what the real npm does.

mod support;

use std::collections::BTreeSet;

use regauth::config::{Config, LoadContext};
use regauth::diagnose::problem_text::message;
use serde_json::Value as Json;
use support::NpmEnv;

const TOKEN: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";

fn load(env: &NpmEnv) -> Config {
    let ctx = LoadContext {
        cwd: env.project(),
        env: env.environment_text(),
        npm_args: vec![],
        npm_path: None,
        node_path: None,
    };
    Config::load(&ctx)
}

fn doctor(env: &NpmEnv, args: &[&str]) -> (i32, String, String) {
    let out = env.regauth().arg("doctor").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn keys(v: &Json) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn set(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn sample_env() -> NpmEnv {
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!(
        "//127.0.0.1:4873/:_authToken={TOKEN}\n//127.0.0.1:4874/:_authToken=${{NPM_TOKEN}}\n"
    ));
    env.write_project_npmrc(
        "@priv:registry=http://127.0.0.1:4873/\n@team:registry=http://127.0.0.1:4874/\n",
    );
    env.set_env("NO_COLOR", "1");
    env
}

#[test]
fn json_follows_the_taxonomy_schema() {
    let env = sample_env();
    let (code, out, err) = doctor(
        &env,
        &["@priv/lib", "@team/secret", "lodash", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let json: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        keys(&json),
        set(&[
            "schema",
            "registry",
            "scopes",
            "credentials",
            "problems",
            "routes",
            "organisation"
        ])
    );
    assert_eq!(json["schema"], 1);
    // no `-- NPM_ARGS`: no npm_args; no .regauth.toml: an organisation section with nothing read
    assert_eq!(
        json["organisation"],
        serde_json::json!({"files": [], "registries": [], "fixes": []})
    );
    assert_eq!(
        json["registry"],
        serde_json::json!({"url": "https://registry.npmjs.org/", "source": "default"})
    );
    let scopes = json["scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 2);
    assert_eq!(keys(&scopes[0]), set(&["scope", "registry", "source"]));
    assert_eq!(
        scopes[0]["source"],
        format!("{}:1", env.project().join(".npmrc").display())
    );
    let creds = json["credentials"].as_array().unwrap();
    assert_eq!(
        keys(&creds[0]),
        set(&["key", "kind", "redacted", "source", "variables"])
    );
    assert_eq!(creds[0]["kind"], "npm-token");
    assert_eq!(creds[0]["redacted"], "npm_****0001");
    assert_eq!(
        creds[0]["source"],
        format!("{}:1", env.userconfig().display())
    );
    assert_eq!(
        creds[1]["variables"],
        serde_json::json!([{"name": "NPM_TOKEN", "state": "unset"}])
    );
    let problems = json["problems"].as_array().unwrap();
    assert!(problems
        .iter()
        .all(|p| keys(p) == set(&["id", "message", "source"])));
    let ids: Vec<&str> = problems.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(
        ids.iter()
            .all(|id| regauth::diagnose::CAUSE_IDS.contains(id)),
        "{ids:?}"
    );
    assert!(ids.contains(&"token-env-unset"));
    let routes = json["routes"].as_array().unwrap();
    assert_eq!(
        keys(&routes[0]),
        set(&["package", "registry", "credential", "reason"])
    );
    assert_eq!(routes[0]["credential"], "//127.0.0.1:4873/:_authToken");
    assert_eq!(routes[1]["credential"], "//127.0.0.1:4874/:_authToken");
    assert_eq!(routes[2]["registry"], "https://registry.npmjs.org/");
    assert!(routes[2]["credential"].is_null());
    assert!(!out.contains("CANARY"));
}

#[test]
fn human_output_fits_80_columns_without_colour_or_secrets() {
    let env = sample_env();
    let (code, out, _) = doctor(
        &env,
        &["@priv/lib", "@team/a-package-with-a-rather-long-name"],
    );
    assert_eq!(code, 0);
    for line in out.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    assert!(!out.contains('\u{1b}'), "colour despite NO_COLOR");
    assert!(!out.contains("CANARY"));
    assert!(out.contains("npm_****0001"));
    assert!(out.contains("~/.npmrc:1"));
    assert!(out.contains("token-env-unset"));
}

#[test]
fn bad_package_argument_is_a_one_line_error() {
    let env = NpmEnv::new();
    let (code, out, err) = doctor(&env, &["@only-a-scope"]);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("not a package name"));
    let (code, _, _) = doctor(&env, &["--format", "yaml"]);
    assert_ne!(code, 0);
}

/// npm's ERR_INVALID_AUTH, checked against the real npm: regauth must flag exactly the keys npm
/// refuses, with npm's suggested rename.
#[test]
fn legacy_top_level_auth_matches_npm() {
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry=http://127.0.0.1:9/\n_authToken={TOKEN}\nalways-auth=true\n"
    ));
    let out = env.npm().args(["view", "pkg", "version"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ERR_INVALID_AUTH"), "{err}");
    assert!(
        err.contains("`_authToken` must be renamed to `//127.0.0.1:9/:_authToken` in user config")
    );
    let problems = load(&env).problems();
    let legacy: Vec<_> = problems
        .iter()
        .filter(|p| message(p).contains("ERR_INVALID_AUTH"))
        .collect();
    assert_eq!(legacy.len(), 1, "{problems:?}");
    assert!(message(legacy[0])
        .contains("`_authToken` must be renamed to `//127.0.0.1:9/:_authToken` in user config"));
    assert_eq!(
        legacy[0].source.as_ref().unwrap().to_string(),
        format!("{}:2", env.userconfig().display())
    );
    assert!(problems
        .iter()
        .any(|p| message(p).contains("`always-auth` is not read")));
}

#[test]
fn near_miss_keys_are_named() {
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry=http://127.0.0.1:4873/\n@a:registry=http://localhost:5000/npm/\n//127.0.0.1:4874/:_authToken={TOKEN}\n//127.0.0.1:5000/npm/:_authToken={TOKEN}\n"
    ));
    let problems = load(&env).problems();
    let wrong: Vec<String> = problems
        .iter()
        .filter(|p| p.id() == "token-wrong-host")
        .map(message)
        .collect();
    assert!(
        wrong.iter().any(|m| m.contains("another port")),
        "{wrong:?}"
    );
    assert!(
        wrong.iter().any(|m| m.contains("different keys")),
        "{wrong:?}"
    );
}

#[test]
fn env_variables_overrides_and_moved_userconfig() {
    let mut env = NpmEnv::new();
    env.write_userconfig("//h.example/:_authToken=${EMPTY_TOKEN}\n//u.example/:_authToken=${NOPE}\nregistry=http://user.example/\n");
    env.write_project_npmrc("registry=http://project.example/\n");
    env.set_env("EMPTY_TOKEN", "");
    let problems = load(&env).problems();
    let text = format!("{problems:?}");
    assert!(
        problems
            .iter()
            .any(|p| p.id() == "token-env-unset" && message(p).contains("set but empty")),
        "{text}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.id() == "token-env-unset" && message(p).contains("literal text `${NOPE}`")),
        "{text}"
    );
    let overridden = problems
        .iter()
        .find(|p| message(p).contains("`registry` here is overridden"))
        .expect(&text);
    assert_eq!(
        overridden.source.as_ref().unwrap().to_string(),
        format!("{}:3", env.userconfig().display())
    );

    let alt = env.root().join("ci-npmrc");
    std::fs::write(&alt, "registry=http://ci.example/\n").unwrap();
    env.set_env("NPM_CONFIG_USERCONFIG", &alt);
    let problems = load(&env).problems();
    assert!(
        problems
            .iter()
            .any(|p| message(p).contains("not used")
                && message(p).contains("env:NPM_CONFIG_USERCONFIG")),
        "{problems:?}"
    );
}

#[test]
fn lockfile_hosts_without_credentials_are_reported() {
    let env = NpmEnv::new();
    env.write_userconfig("registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=x\n");
    let lock = r#"{"lockfileVersion":3,"packages":{"":{},
        "node_modules/a":{"resolved":"http://127.0.0.1:4873/a/-/a-1.tgz"},
        "node_modules/b":{"resolved":"http://10.0.0.1:8081/repository/npm/b/-/b-1.tgz"},
        "node_modules/c":{"resolved":"https://registry.npmjs.org/c/-/c-1.tgz"}}}"#;
    std::fs::write(env.project().join("package-lock.json"), lock).unwrap();
    let config = load(&env);
    let locks = regauth::config::lockfile::scan(config.local_prefix());
    let problems = config.lockfile_problems(&locks);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].id(), "lockfile-registry-mismatch");
    assert!(message(&problems[0]).contains("http://10.0.0.1:8081"));
    assert!(message(&problems[0]).contains("no credential"));
}

#[test]
fn expired_jwt_and_sections() {
    use base64::Engine;
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let jwt = format!(
        "{}.{}.CANARYsig",
        e(r#"{"alg":"RS256"}"#),
        e(r#"{"exp":1600000000,"iss":"ci"}"#)
    );
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "//h.example/:_authToken={jwt}\n[old]\n//k.example/:_authToken={TOKEN}\n"
    ));
    let config = load(&env);
    let problems = config.problems();
    assert!(problems
        .iter()
        .any(|p| p.id() == "token-invalid-or-expired" && message(p).contains("2020-09-13")));
    assert!(problems
        .iter()
        .any(|p| message(p).contains("inside the `[old]` section")));
    assert_eq!(config.credentials().len(), 1);
    assert_eq!(config.credentials()[0].kind.as_str(), "jwt");
}

#[test]
fn project_credentials_ignored_in_global_mode() {
    let env = NpmEnv::new();
    env.write_project_npmrc(&format!("//127.0.0.1:4873/:_authToken={TOKEN}\n"));
    let ctx = LoadContext {
        cwd: env.project(),
        env: env.environment_text(),
        npm_args: vec!["install".into(), "-g".into(), "pkg".into()],
        npm_path: None,
        node_path: None,
    };
    let config = Config::load(&ctx);
    assert!(config.global_mode());
    assert!(config.credentials().is_empty());
    let problems = config.problems();
    assert!(
        problems
            .iter()
            .any(|p| message(p).contains("global mode enabled, ignored")),
        "{problems:?}"
    );
}

#[test]
fn json_echoes_the_npm_arguments_and_routes_by_them() {
    let env = sample_env();
    let (code, out, err) = doctor(
        &env,
        &[
            "@priv/lib",
            "--format",
            "json",
            "--",
            "install",
            "--@priv:registry=http://127.0.0.1:4874/",
            "--registry=http://me:s3cretPW@127.0.0.1:4999/",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json["npm_args"],
        serde_json::json!([
            "install",
            "--@priv:registry=http://127.0.0.1:4874/",
            "--registry=http://me:***@127.0.0.1:4999/"
        ]),
        "{out}"
    );
    assert_eq!(
        json["routes"][0]["registry"], "http://127.0.0.1:4874/",
        "{out}"
    );
    assert!(!out.contains("s3cretPW"), "{out}");
}
