//! npm's `scope` setting on the live path (tests/config_differential.rs checks the same
//! situations against the real npm for `regauth doctor`): `scope=s` sends an unscoped name to
//! `@s:registry`, so the explanation of its 401 names that registry, the credential line for it
//! and the `${VAR}` it uses, not the default registry's (src/live/config_facts.rs's unit tests
//! cover an `npm_config_@s:registry` hiding the file's).

mod live_common;
mod support;

use live_common::scenarios::{e401, env_with_userconfig, locked};
use live_common::{nerf_dart, Scenario};

/// B needs a login for every read; the default registry is a dead port.
fn scope_setting_lines() -> Vec<String> {
    let b = locked();
    vec![
        "registry=http://127.0.0.1:9/".to_owned(),
        "scope=s".to_owned(),
        format!("@s:registry={}", b.url()),
        format!("{}:_authToken=${{NPM_TOKEN}}", nerf_dart(&b.url())),
    ]
}

#[test]
fn an_unscoped_name_under_the_scope_setting_is_explained_on_the_scopes_registry() {
    let b = locked();
    let mut env = env_with_userconfig(&scope_setting_lines());
    env.remove_env("NPM_TOKEN");
    let userconfig = env.userconfig();
    let explained = Scenario::new(env, &["view", "pub-pkg", "version"]).explain(&e401());
    explained
        .failure_is(Some(401), &format!("127.0.0.1:{}/pub-pkg", b.port()))
        .top_is("token-env-unset", "high")
        .names("NPM_TOKEN")
        .names_line(&userconfig, 4);
    assert_eq!(
        explained.report["failure"]["registry"],
        b.url(),
        "PRODUCT: the registry of an unscoped name under scope=s:\n{}",
        explained.report_text
    );
}
