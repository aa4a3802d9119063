//! The live scenario matrix against real Verdaccio (issue 5): each scenario first proves with
//! plain npm that the setup fails as the scenario means (exit status, npm's error code and
//! message), then runs the same command through `regauth npm` and checks the schema-1 report:
//! top cause id, confidence, and that the explanation names the right file:line, variable, scope
//! or host. The setups live in tests/live_common/scenarios.rs (instance A is
//! `Verdaccio::shared()`; instance B, `locked()`, needs a login for every package).

mod live_common;
mod support;

use live_common::scenarios::{self, locked, published_dist, shared, Setup};
use live_common::{host_port, nerf_dart, Explained};

/// Proves the setup with plain npm, then runs it through regauth (`Scenario::explain`). The
/// setup stays the caller's: its temp dir must outlive the checks.
fn explain(setup: &Setup) -> Explained {
    setup.scenario.explain(&setup.expect)
}

// --- token-missing -------------------------------------------------------------------------

#[test]
fn token_missing_scope_mapped_without_any_credential() {
    explain(&scenarios::token_missing_view())
        .failure_is(Some(401), "/@priv%2flib")
        .top_is("token-missing", "high")
        .fix_names(&host_port(&shared().url()));
}

#[test]
fn token_missing_on_publish_is_eneedauth_before_any_request() {
    explain(&scenarios::token_missing_publish())
        .top_is("token-missing", "high")
        .fix_names(&host_port(&shared().url()));
}

// --- token-env-unset -----------------------------------------------------------------------

/// The variable is named by the fix, and line 2 of ~/.npmrc by the explanation.
fn env_unset_scenario(variable: &str, value: Option<&str>, args: &[&str]) {
    let setup = scenarios::env_unset(variable, value, args);
    let userconfig = setup.scenario.env.userconfig();
    explain(&setup)
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
    let mut setup = scenarios::env_unset("NPM_TOKEN", None, &["view", "@priv/lib", "version"]);
    setup.scenario.env.set_env("REGAUTH_PROBE", "off");
    setup.scenario = setup.scenario.json();
    let userconfig = setup.scenario.env.userconfig();
    let explained = explain(&setup);
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
    let setup = scenarios::token_invalid_garbage();
    let userconfig = setup.scenario.env.userconfig();
    // Verdaccio treats an unknown token as anonymous: 401 here, and whoami answers 200 {} (npm:
    // ENEEDAUTH after a request was sent), which is the probe's proof that the token is not accepted.
    explain(&setup)
        .top_is("token-invalid-or-expired", "high")
        .names_line(&userconfig, 2)
        .fix_names(&host_port(&shared().url()));
}

#[test]
fn token_expired_jwt() {
    let setup = scenarios::token_expired_jwt();
    let userconfig = setup.scenario.env.userconfig();
    let explained = explain(&setup);
    explained
        .top_is("token-invalid-or-expired", "high")
        .names_line(&userconfig, 2)
        .fix_names(&host_port(&shared().url()));
    assert!(
        explained.top_text().to_lowercase().contains("expire"),
        "PRODUCT: the expiry is not mentioned:\n{}",
        explained.report_text
    );
}

// --- token-wrong-host ----------------------------------------------------------------------

/// Alice's valid token on line 2 under `key`, while @priv goes to A at 127.0.0.1.
fn wrong_host_scenario(key: &str) {
    let setup = scenarios::wrong_host(key);
    let userconfig = setup.scenario.env.userconfig();
    explain(&setup)
        .top_is("token-wrong-host", "high")
        .names_line(&userconfig, 2)
        .fix_names(&nerf_dart(&shared().url()));
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
    explain(&scenarios::scope_not_mapped_401())
        .npm_logged(&format!("GET 401 {}@priv%2flib", locked().url()))
        .failure_is(Some(401), "/@priv%2flib")
        .top_is("scope-not-mapped", "high")
        .fix_names("@priv:registry")
        .fix_names(&host_port(&shared().url()));
}

#[test]
fn scope_not_mapped_default_registry_answers_404() {
    // @corp/widget lives on B (token in ~/.npmrc); the default registry A has no such package.
    explain(&scenarios::scope_not_mapped_404())
        .failure_is(Some(404), "/@corp%2fwidget")
        .top_is("scope-not-mapped", "high")
        .fix_names("@corp:registry")
        .fix_names(&host_port(&locked().url()));
}

#[test]
fn npmrc_misconfig_project_npmrc_shadows_the_user_credential() {
    // ~/.npmrc line 1 holds alice's valid token; the project's .npmrc (line 1, a higher layer)
    // has a stale one for the same key, and npm sends the project's. The registry rejects it.
    // Both readings are fair as the top cause: the stale token (token-invalid-or-expired,
    // whoami with it fails) or the shadowing (npmrc-misconfig). Either way the explanation must
    // name the line npm used (the project's), and some cause the shadowed one in ~/.npmrc.
    let setup = scenarios::project_npmrc_shadows();
    let project_npmrc = setup.scenario.env.project().join(".npmrc");
    let userconfig = setup.scenario.env.userconfig();
    let explained = explain(&setup);
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
    // whoami answers alice: the token is fine, the permission is missing.
    explain(&scenarios::insufficient_permission())
        .failure_is(Some(403), "/@team%2fsecret")
        .top_is("insufficient-permission", "high")
        .names("alice")
        .names("@team/secret");
}

/// `user` publishes `package`@1.0.0 into a scope whose `publish:` rule excludes them: a 403 on
/// the PUT while whoami answers `user` (never accepted, so nothing changes on the instance).
fn publish_not_allowed(user: &str, package: &str) {
    explain(&scenarios::publish_not_allowed(user, package))
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
    // npm checks this before any PUT and prints no `npm error code` line.
    explain(&scenarios::version_exists())
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
    let b = locked();
    let (tarball, _) = published_dist(b, "pub-pkg");
    let setup = scenarios::lockfile_mismatch();
    let lockfile = setup.scenario.env.project().join("package-lock.json");
    let explained = explain(&setup);
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

// --- npmrc-misconfig -----------------------------------------------------------------------

#[test]
fn npmrc_misconfig_top_level_auth_token() {
    let setup = scenarios::npmrc_top_level_token();
    let userconfig = setup.scenario.env.userconfig();
    explain(&setup)
        .top_is("npmrc-misconfig", "high")
        .names_line(&userconfig, 2)
        .fix_names("npm config fix");
}

#[test]
fn npmrc_misconfig_userconfig_variable_points_elsewhere() {
    // The credential is in ~/.npmrc (line 1), but NPM_CONFIG_USERCONFIG makes npm read another
    // file, which maps the scope and has no credential.
    let setup = scenarios::npmrc_userconfig_elsewhere();
    let home_npmrc = setup.scenario.env.userconfig();
    explain(&setup)
        .top_is("npmrc-misconfig", "high")
        .names("NPM_CONFIG_USERCONFIG")
        .names_line(&home_npmrc, 1);
}

#[test]
fn npmrc_misconfig_env_registry_overrides_the_file() {
    // ~/.npmrc says registry=A (line 1) with alice's token for A; npm_config_registry in the
    // environment sends everything to B, which wants a login.
    let setup = scenarios::npmrc_env_registry();
    let userconfig = setup.scenario.env.userconfig();
    explain(&setup)
        .npm_logged(&format!("GET 401 {}@priv%2flib", locked().url()))
        .failure_is(Some(401), "/@priv%2flib")
        .top_is("npmrc-misconfig", "high")
        .names("npm_config_registry")
        .names_line(&userconfig, 1);
}
