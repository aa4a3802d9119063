//! npmjs's 404s told apart live: a publish PUT and a private GET that npmjs answers with 404
//! whatever went wrong, driven with the real npm against the loopback `NpmjsLike` registry
//! (declared npmjs-kind through `.regauth.toml`). regauth's read-only probes (`npm whoami
//! --registry`, `npm view`, the anonymous view and `npm access get status`) decide between "bad
//! or missing token", "token lacks write", "2FA / bypass-2FA required" and "no such package (a
//! first publish)"; the `npm notice Access token expired or revoked` line alone does not.

mod live_common;
mod support;

use live_common::{nerf_dart, write_package_json, Expect, Explained, Scenario};
use support::{
    NpmEnv, NpmjsLike, BAD_TOKEN, NO_BYPASS_TOKEN, PRIVATE_PACKAGE, PUBLIC_PACKAGE,
    READ_ONLY_TOKEN, TWO_FACTOR_REQUIRED,
};

/// npm with `token` (if any) for the fixture, and the fixture declared an npmjs-kind registry.
fn scenario(fixture: &NpmjsLike, token: Option<&str>, args: &[&str]) -> Scenario {
    publish_scenario(fixture, token, args, "octo-widget", "1.0.0")
}

/// `npm publish` of `PUBLIC_PACKAGE`'s next version (1.0.1) with `token`.
fn next_public_version(fixture: &NpmjsLike, token: &str) -> Scenario {
    publish_scenario(fixture, Some(token), &["publish"], PUBLIC_PACKAGE, "1.0.1")
}

/// The same, for a package.json naming `package` at `version`.
fn publish_scenario(
    fixture: &NpmjsLike,
    token: Option<&str>,
    args: &[&str],
    package: &str,
    version: &str,
) -> Scenario {
    let registry = fixture.registry();
    let mut lines = vec![format!("registry={registry}")];
    if let Some(token) = token {
        lines.push(format!("{}:_authToken={token}", nerf_dart(&registry)));
    }
    let mut env = NpmEnv::new();
    env.write_userconfig(&(lines.join("\n") + "\n"));
    for var in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"] {
        env.remove_env(var);
    }
    // the probes decide here: a budget generous enough for a loaded machine
    env.set_env("REGAUTH_PROBE_TIMEOUT", "60");
    std::fs::write(
        env.project().join(".regauth.toml"),
        format!(
            "[[registry]]\nmatch = \"{registry}\"\nname = \"npmjs (fixture)\"\nkind = \"npmjs\"\n"
        ),
    )
    .unwrap();
    write_package_json(&env, package, version);
    Scenario::new(env, args)
        .secret(BAD_TOKEN)
        .secret(READ_ONLY_TOKEN)
        .secret(NO_BYPASS_TOKEN)
}

/// The top cause's evidence has a probe line containing `text`, from a probe command that
/// starts with `command`.
fn probe_evidence(explained: &Explained, command: &str, text: &str) {
    let found = explained.top()["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|e| {
            e["kind"] == "probe"
                && e["source"].as_str().is_some_and(|s| s.starts_with(command))
                && e["text"].as_str().is_some_and(|t| t.contains(text))
        });
    assert!(
        found,
        "PRODUCT: no probe evidence `{command} ...: ...{text}...` in the top cause:\n{}",
        explained.report_text
    );
}

/// The anonymous view sent no credential at all; every other request was the user's.
fn anonymous_view_sent_nothing(fixture: &NpmjsLike, package: &str) {
    let reads: Vec<_> = fixture
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path.trim_start_matches('/') == package)
        .collect();
    assert!(
        reads.iter().any(|r| r.header("authorization").is_none()),
        "PRODUCT: no anonymous read of {package} among {} reads",
        reads.len()
    );
}

const PUT_404: Expect = Expect {
    exit: 1,
    code: Some("E404"),
    stderr_has: "404 Not Found - PUT",
};

#[test]
fn a_404_put_with_a_token_whoami_refuses_is_a_bad_token() {
    let fixture = NpmjsLike::start();
    let explained = scenario(&fixture, Some(BAD_TOKEN), &["publish"]).explain(&PUT_404);
    explained
        .top_is("token-invalid-or-expired", "high")
        .names("npm whoami --registry")
        .names("2025-12-09")
        .fix_names("trusted publishing");
}

#[test]
fn a_404_put_with_a_token_whoami_accepts_is_a_token_without_write() {
    let fixture = NpmjsLike::start();
    let explained = scenario(&fixture, Some(READ_ONLY_TOKEN), &["publish"]).explain(&PUT_404);
    explained
        .top_is_at_least_medium("insufficient-permission")
        .names("octo-reader");
    assert!(
        explained
            .causes()
            .iter()
            .all(|c| c["id"] != "token-invalid-or-expired" || c["confidence"] != "high"),
        "PRODUCT: a token whoami accepts is not the bad one:\n{}",
        explained.report_text
    );
}

#[test]
fn a_404_put_with_no_token_at_all_is_a_missing_token() {
    let fixture = NpmjsLike::start();
    // npm refuses before any request (ENEEDAUTH): no credential for the registry
    let explained = scenario(&fixture, None, &["publish"]).explain(&Expect {
        exit: 1,
        code: Some("ENEEDAUTH"),
        stderr_has: "This command requires you to be logged in",
    });
    explained.top_is_at_least_medium("token-missing");
    assert!(
        fixture.requests().iter().all(|r| r.method != "PUT"),
        "SETUP: npm published without a token"
    );
}

#[test]
fn a_private_get_404_with_a_bad_token_is_the_token_not_the_package() {
    let fixture = NpmjsLike::start();
    let explained =
        scenario(&fixture, Some(BAD_TOKEN), &["install", "@octo/secret"]).explain(&Expect {
            exit: 1,
            code: Some("E404"),
            stderr_has: "404 Not Found - GET",
        });
    explained
        .top_is("token-invalid-or-expired", "high")
        .names("npm whoami --registry");
}

#[test]
fn a_404_put_of_a_package_that_does_not_exist_is_a_first_publish_the_token_may_not_make() {
    let fixture = NpmjsLike::start();
    let explained = scenario(&fixture, Some(READ_ONLY_TOKEN), &["publish"]).explain(&PUT_404);
    explained.top_is_at_least_medium("insufficient-permission");
    probe_evidence(
        &explained,
        "npm view octo-widget version --registry",
        "no package octo-widget on the registry",
    );
    explained.fix_names("does not exist yet");
    anonymous_view_sent_nothing(&fixture, "octo-widget");
    assert!(
        fixture
            .requests()
            .iter()
            .any(|r| r.path == "/-/package/octo-widget/visibility"),
        "SETUP: npm access get status asked nothing"
    );
}

#[test]
fn a_404_put_of_a_public_package_its_user_maintains_is_a_token_without_write() {
    let fixture = NpmjsLike::start();
    let explained = next_public_version(&fixture, READ_ONLY_TOKEN).explain(&PUT_404);
    explained.top_is("insufficient-permission", "high");
    probe_evidence(
        &explained,
        "npm owner ls octo-public",
        "octo-reader (the token's user) maintains octo-public",
    );
    probe_evidence(
        &explained,
        "npm view octo-public version --registry",
        "octo-public exists and is public",
    );
    explained.fix_names("cannot write it");
    anonymous_view_sent_nothing(&fixture, PUBLIC_PACKAGE);
}

#[test]
fn a_403_put_with_npmjs_2fa_text_to_a_maintainer_is_2fa_or_bypass_not_access() {
    let fixture = NpmjsLike::start();
    let explained = next_public_version(&fixture, NO_BYPASS_TOKEN).explain(&Expect {
        exit: 1,
        code: Some("E403"),
        stderr_has: TWO_FACTOR_REQUIRED,
    });
    explained.top_is("otp-required", "high");
    probe_evidence(
        &explained,
        "npm owner ls octo-public",
        "octo-owner (the token's user) maintains octo-public",
    );
    explained.fix_names("Bypass two-factor authentication");
    for other in ["publish-not-allowed", "insufficient-permission"] {
        assert!(
            explained
                .causes()
                .iter()
                .all(|c| c["id"] != other || c["confidence"] != "high"),
            "PRODUCT: {other} high for a maintainer refused for 2FA:\n{}",
            explained.report_text
        );
    }
}

#[test]
fn a_404_put_of_a_private_package_is_not_called_a_first_publish() {
    let fixture = NpmjsLike::start();
    let explained = publish_scenario(
        &fixture,
        Some(READ_ONLY_TOKEN),
        &["publish"],
        PRIVATE_PACKAGE,
        "1.0.0",
    )
    .explain(&PUT_404);
    explained.top_is_at_least_medium("insufficient-permission");
    probe_evidence(
        &explained,
        "npm access get status @octo/secret",
        "@octo/secret exists and is private",
    );
    assert!(
        !explained.report_text.contains("does not exist yet"),
        "PRODUCT: a private package called absent:\n{}",
        explained.report_text
    );
}
