//! The live scenario matrix against real Verdaccio (issue 5): each scenario first proves with
//! plain npm that the setup fails as the scenario means (exit status, npm's error code and
//! message), then runs the same command through `regauth npm` and checks the schema-1 report:
//! top cause id, confidence, and that the explanation names the right file:line, variable, scope
//! or host. Instance A is `Verdaccio::shared()`; instance B (`locked()`) needs a login for every
//! package (`'**': { access: $authenticated }`), the "other registry" of several scenarios.

mod live_common;
mod support;

use std::sync::OnceLock;

use live_common::{host_port, nerf_dart, write_package_json, Expect, Scenario, CANARY};
use support::{http_request, NpmEnv, Verdaccio};

/// Instance B: every read needs a login; has pub-pkg and @corp/widget (published by alice).
fn locked() -> &'static Verdaccio {
    static LOCKED: OnceLock<Verdaccio> = OnceLock::new();
    LOCKED.get_or_init(|| {
        let b = Verdaccio::builder()
            .packages_yaml("'**': { access: $authenticated, publish: $authenticated, unpublish: $authenticated }\n")
            .publish_fixtures(false)
            .start();
        b.publish("alice", "pub-pkg", "1.0.0");
        b.publish("alice", "@corp/widget", "1.0.0");
        b
    })
}

fn shared() -> &'static Verdaccio {
    Verdaccio::shared()
}

/// npm's E401 text, the same for five causes (lab-notes.md).
const E401_TEXT: &str = "Unable to authenticate";

fn e401() -> Expect<'static> {
    Expect {
        exit: 1,
        code: Some("E401"),
        stderr_has: E401_TEXT,
    }
}

/// An env whose userconfig is `lines` joined; the line numbers in the tests count from 1.
fn env_with_userconfig(lines: &[String]) -> NpmEnv {
    let env = NpmEnv::new();
    env.write_userconfig(&(lines.join("\n") + "\n"));
    env
}

fn view_priv_lib(env: NpmEnv) -> Scenario {
    Scenario::new(env, &["view", "@priv/lib", "version"])
}

// --- token-missing -------------------------------------------------------------------------

#[test]
fn token_missing_scope_mapped_without_any_credential() {
    let a = shared();
    let env = env_with_userconfig(&[format!("@priv:registry={}", a.url())]);
    let explained = view_priv_lib(env).explain(&e401());
    explained
        .failure_is(Some(401), "/@priv%2flib")
        .top_is("token-missing", "high")
        .fix_names(&host_port(&a.url()));
}

#[test]
fn token_missing_on_publish_is_eneedauth_before_any_request() {
    let a = shared();
    let env = env_with_userconfig(&[format!("registry={}", a.url())]);
    write_package_json(&env, "needs-login-pkg", "1.0.0");
    let explained = Scenario::new(env, &["publish"]).json().explain(&Expect {
        exit: 1,
        code: Some("ENEEDAUTH"),
        stderr_has: "This command requires you to be logged in",
    });
    explained
        .top_is("token-missing", "high")
        .fix_names(&host_port(&a.url()));
}

// --- token-env-unset -----------------------------------------------------------------------

/// `${VAR}` on line 2 of ~/.npmrc; VAR unset (npm sends the literal text) or empty (npm sends
/// no header). Both are E401 with npm saying nothing about the variable.
fn env_unset_scenario(variable: &str, value: Option<&str>, args: &[&str]) {
    let a = shared();
    let mut env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken=${{{variable}}}", nerf_dart(&a.url())),
    ]);
    match value {
        Some(value) => env.set_env(variable, value),
        None => env.remove_env(variable),
    };
    let userconfig = env.userconfig();
    let explained = Scenario::new(env, args).explain(&e401());
    explained
        .top_is("token-env-unset", "high")
        .fix_names(variable)
        .names_line(&userconfig, 2);
}

#[test]
fn token_env_unset_variable_unset() {
    // The CI case: `npm install` of a private package with the secret not passed to the job.
    env_unset_scenario("NPM_TOKEN", None, &["install", "@priv/lib"]);
}

#[test]
fn token_env_unset_variable_empty() {
    env_unset_scenario(
        "NODE_AUTH_TOKEN",
        Some(""),
        &["view", "@priv/lib", "version"],
    );
}

#[test]
fn token_env_unset_is_proven_by_config_alone_with_probes_off() {
    // REGAUTH_PROBE=off: no probe runs, and the config still proves the cause.
    let a = shared();
    let mut env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken=${{NPM_TOKEN}}", nerf_dart(&a.url())),
    ]);
    env.remove_env("NPM_TOKEN").set_env("REGAUTH_PROBE", "off");
    let userconfig = env.userconfig();
    let explained = view_priv_lib(env).json().explain(&e401());
    explained
        .top_is("token-env-unset", "high")
        .names("NPM_TOKEN")
        .names_line(&userconfig, 2);
    assert_eq!(
        explained.report["probes"],
        serde_json::json!([]),
        "PRODUCT: probes ran with REGAUTH_PROBE=off:\n{}",
        explained.report_text
    );
}

// --- token-invalid-or-expired --------------------------------------------------------------

#[test]
fn token_invalid_garbage_token() {
    let a = shared();
    let env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken={CANARY}", nerf_dart(&a.url())),
    ]);
    let userconfig = env.userconfig();
    // Verdaccio treats an unknown token as anonymous: 401 here, and whoami answers 200 {} (npm:
    // ENEEDAUTH after a request was sent), which is the probe's proof that the token is not accepted.
    let explained = view_priv_lib(env).json().explain(&e401());
    explained
        .top_is("token-invalid-or-expired", "high")
        .names_line(&userconfig, 2)
        .fix_names(&host_port(&a.url()));
}

/// An unsigned JWT `{"alg":"none"}.{"sub":"canary-user","exp":1600000000}.<CANARY signature>`:
/// expired on 2020-09-13, which regauth can read without any request.
fn expired_jwt() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"canary-user","exp":1600000000}"#);
    format!("{header}.{payload}.CANARYsignatureCANARY")
}

#[test]
fn token_expired_jwt() {
    let a = shared();
    let jwt = expired_jwt();
    let env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken={jwt}", nerf_dart(&a.url())),
    ]);
    let userconfig = env.userconfig();
    let explained = view_priv_lib(env).secret(&jwt).explain(&e401());
    explained
        .top_is("token-invalid-or-expired", "high")
        .names_line(&userconfig, 2)
        .fix_names(&host_port(&a.url()));
    assert!(
        explained.top_text().to_lowercase().contains("expire"),
        "PRODUCT: the expiry is not mentioned:\n{}",
        explained.report_text
    );
}

// --- token-wrong-host ----------------------------------------------------------------------

/// Alice's valid token on line 2 under `key`, while @priv goes to A at 127.0.0.1.
fn wrong_host_scenario(key: &str) {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{key}:_authToken={token}"),
    ]);
    let userconfig = env.userconfig();
    let explained = view_priv_lib(env).secret(&token).explain(&e401());
    explained
        .top_is("token-wrong-host", "high")
        .names_line(&userconfig, 2)
        .fix_names(&nerf_dart(&a.url()));
}

#[test]
fn token_wrong_host_other_port() {
    let other_port = format!("//127.0.0.1:{}/", locked().port());
    wrong_host_scenario(&other_port);
}

#[test]
fn token_wrong_host_localhost_vs_loopback_ip() {
    wrong_host_scenario(&format!("//localhost:{}/", shared().port()));
}

#[test]
fn token_wrong_host_scheme_in_the_key() {
    wrong_host_scenario(&format!("http://127.0.0.1:{}/", shared().port()));
}

// --- scope-not-mapped ----------------------------------------------------------------------

#[test]
fn scope_not_mapped_default_registry_answers_401() {
    // The default registry (B) wants a login for everything; @priv/lib lives on A, for which
    // ~/.npmrc holds alice's token, but no `@priv:registry` line sends it there.
    let a = shared();
    let b = locked();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", b.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    let explained = view_priv_lib(env).secret(&token).explain(&e401());
    explained
        .npm_logged(&format!("GET 401 {}@priv%2flib", b.url()))
        .failure_is(Some(401), "/@priv%2flib")
        .top_is("scope-not-mapped", "high")
        .fix_names("@priv:registry")
        .fix_names(&host_port(&a.url()));
}

#[test]
fn scope_not_mapped_default_registry_answers_404() {
    // @corp/widget lives on B (token in ~/.npmrc); the default registry A has no such package.
    let a = shared();
    let b = locked();
    let token = b.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&b.url())),
    ]);
    let explained = Scenario::new(env, &["view", "@corp/widget", "version"])
        .secret(&token)
        .json()
        .explain(&Expect {
            exit: 1,
            code: Some("E404"),
            stderr_has: "/@corp%2fwidget",
        });
    explained
        .failure_is(Some(404), "/@corp%2fwidget")
        .top_is("scope-not-mapped", "high")
        .fix_names("@corp:registry")
        .fix_names(&host_port(&b.url()));
}

#[test]
fn npmrc_misconfig_project_npmrc_shadows_the_user_credential() {
    // ~/.npmrc line 1 holds alice's valid token; the project's .npmrc (line 1, a higher layer)
    // has a stale one for the same key, and npm sends the project's. The registry rejects it.
    // Both readings are fair as the top cause: the stale token (token-invalid-or-expired,
    // whoami with it fails) or the shadowing (npmrc-misconfig). Either way the explanation must
    // name the line npm used (the project's), and some cause the shadowed one in ~/.npmrc.
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
        format!("@priv:registry={}", a.url()),
    ]);
    env.write_project_npmrc(&format!("{}:_authToken={CANARY}\n", nerf_dart(&a.url())));
    let project_npmrc = env.project().join(".npmrc");
    let userconfig = env.userconfig();
    let explained = view_priv_lib(env).secret(&token).explain(&e401());
    assert!(
        matches!(
            explained.top_id(),
            "npmrc-misconfig" | "token-invalid-or-expired"
        ),
        "PRODUCT: top cause; report:\n{}",
        explained.report_text
    );
    explained.names_line(&project_npmrc, 1);
    let home = userconfig.parent().unwrap();
    let shadowed = live_common::file_line_forms(&userconfig, 1, home);
    assert!(
        explained
            .causes()
            .iter()
            .map(live_common::cause_text)
            .any(|text| shadowed.iter().any(|form| text.contains(form.as_str()))),
        "PRODUCT: no cause names the shadowed credential {shadowed:?}; report:\n{}",
        explained.report_text
    );
}

// --- insufficient-permission, publish-not-allowed, version-exists -------------------------

#[test]
fn insufficient_permission_alice_reads_team_secret() {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("@team:registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    let explained = Scenario::new(env, &["view", "@team/secret", "version"])
        .secret(&token)
        .explain(&Expect {
            exit: 1,
            code: Some("E403"),
            stderr_has: "user alice is not allowed to access package @team/secret",
        });
    // whoami answers alice: the token is fine, the permission is missing.
    explained
        .failure_is(Some(403), "/@team%2fsecret")
        .top_is("insufficient-permission", "high")
        .names("alice")
        .names("@team/secret");
}

/// `user` publishes `package`@1.0.0 into a scope whose `publish:` rule excludes them: a 403 on
/// the PUT while whoami answers `user` (never accepted, so nothing changes on the instance).
fn publish_not_allowed(user: &str, package: &str) {
    let a = shared();
    let token = a.token(user).to_owned();
    let scope = package.split('/').next().unwrap();
    let env = env_with_userconfig(&[
        format!("{scope}:registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    write_package_json(&env, package, "1.0.0");
    let refusal = format!("user {user} is not allowed to publish package {package}");
    let explained = Scenario::new(env, &["publish"])
        .secret(&token)
        .json()
        .explain(&Expect {
            exit: 1,
            code: Some("E403"),
            stderr_has: &refusal,
        });
    explained
        .failure_is(Some(403), &package.replacen('/', "%2f", 1))
        .top_is("publish-not-allowed", "high")
        .names(package);
}

#[test]
fn publish_not_allowed_bob_into_priv_scope() {
    publish_not_allowed("bob", "@priv/bobs-attempt");
}

#[test]
fn publish_not_allowed_alice_into_team_scope() {
    publish_not_allowed("alice", "@team/alices-attempt");
}

#[test]
fn version_exists_publishing_pub_pkg_1_0_0_again() {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    write_package_json(&env, "pub-pkg", "1.0.0");
    // npm checks this before any PUT and prints no `npm error code` line.
    let explained = Scenario::new(env, &["publish"])
        .secret(&token)
        .explain(&Expect {
            exit: 1,
            code: None,
            stderr_has: "You cannot publish over the previously published versions: 1.0.0",
        });
    explained
        .top_is("version-exists", "high")
        .names("1.0.0")
        .names("pub-pkg");
}

// --- lockfile-registry-mismatch ------------------------------------------------------------

#[test]
fn lockfile_resolved_on_a_host_without_credential() {
    // The lockfile was made against B; the config now points at A (alice's token for A only).
    // npm fetches tarballs from the `resolved` URL as written (replace-registry-host defaults to
    // npmjs only), so the tarball GET goes to B without a credential: E401.
    let a = shared();
    let b = locked();
    let (tarball, integrity) = published_dist(b, "pub-pkg");
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    write_locked_project(&env, &tarball, &integrity);
    let lockfile = env.project().join("package-lock.json");
    let scenario = Scenario::new(env, &["ci"]).secret(&token).json();
    let explained = scenario.explain(&e401());
    explained
        .npm_logged(&format!("GET 401 {tarball}"))
        .failure_is(Some(401), "/pub-pkg-1.0.0.tgz")
        .top_is("lockfile-registry-mismatch", "high")
        .names(&host_port(&b.url()))
        .names("package-lock.json")
        .fix_names("--replace-registry-host=always");
    assert!(
        lockfile.exists(),
        "regauth must not touch the project's lockfile"
    );
}

/// (tarball URL, integrity) of `name@1.0.0` on `registry`, as alice sees it.
fn published_dist(registry: &Verdaccio, name: &str) -> (String, String) {
    let auth = format!("Bearer {}", registry.token("alice"));
    let reply = http_request(
        "GET",
        &format!("{}{name}", registry.url()),
        &[("authorization", &auth)],
        None,
    )
    .expect("GET the packument");
    let dist = &reply.json()["versions"]["1.0.0"]["dist"];
    (
        dist["tarball"].as_str().unwrap().to_owned(),
        dist["integrity"].as_str().unwrap().to_owned(),
    )
}

fn write_locked_project(env: &NpmEnv, tarball: &str, integrity: &str) {
    let manifest = serde_json::json!({
        "name": "proj", "version": "1.0.0", "dependencies": { "pub-pkg": "^1.0.0" }
    });
    let lock = serde_json::json!({
        "name": "proj", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "proj", "version": "1.0.0", "dependencies": { "pub-pkg": "^1.0.0" } },
            "node_modules/pub-pkg": { "version": "1.0.0", "resolved": tarball, "integrity": integrity }
        }
    });
    let write = |name: &str, value: serde_json::Value| {
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        std::fs::write(env.project().join(name), text).unwrap();
    };
    write("package.json", manifest);
    write("package-lock.json", lock);
}

// --- npmrc-misconfig -----------------------------------------------------------------------

#[test]
fn npmrc_misconfig_top_level_auth_token() {
    let a = shared();
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("_authToken={CANARY}"),
    ]);
    let userconfig = env.userconfig();
    let explained = Scenario::new(env, &["view", "pub-pkg", "version"]).explain(&Expect {
        exit: 1,
        code: Some("ERR_INVALID_AUTH"),
        stderr_has: "npm config fix",
    });
    explained
        .top_is("npmrc-misconfig", "high")
        .names_line(&userconfig, 2)
        .fix_names("npm config fix");
}

#[test]
fn npmrc_misconfig_userconfig_variable_points_elsewhere() {
    // The credential is in ~/.npmrc (line 1), but NPM_CONFIG_USERCONFIG makes npm read another
    // file, which maps the scope and has no credential.
    let a = shared();
    let token = a.token("alice").to_owned();
    let mut env = env_with_userconfig(&[format!("{}:_authToken={token}", nerf_dart(&a.url()))]);
    let other = env.root().join("ci.npmrc");
    std::fs::write(&other, format!("@priv:registry={}\n", a.url())).unwrap();
    env.set_env("NPM_CONFIG_USERCONFIG", &other);
    let home_npmrc = env.userconfig();
    let explained = view_priv_lib(env).secret(&token).json().explain(&e401());
    explained
        .top_is("npmrc-misconfig", "high")
        .names("NPM_CONFIG_USERCONFIG")
        .names_line(&home_npmrc, 1);
}

#[test]
fn npmrc_misconfig_env_registry_overrides_the_file() {
    // ~/.npmrc says registry=A (line 1) with alice's token for A; npm_config_registry in the
    // environment sends everything to B, which wants a login.
    let a = shared();
    let b = locked();
    let token = a.token("alice").to_owned();
    let mut env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    env.set_env("npm_config_registry", b.url());
    let userconfig = env.userconfig();
    let explained = view_priv_lib(env).secret(&token).explain(&e401());
    explained
        .npm_logged(&format!("GET 401 {}@priv%2flib", b.url()))
        .failure_is(Some(401), "/@priv%2flib")
        .top_is("npmrc-misconfig", "high")
        .names("npm_config_registry")
        .names_line(&userconfig, 1);
}
