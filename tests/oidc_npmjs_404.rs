//! npmjs's 404s told apart live: a publish PUT and a private GET that npmjs answers with 404
//! whatever went wrong, driven with the real npm against the loopback `NpmjsLike` registry
//! (declared npmjs-kind through `.regauth.toml`). regauth's read-only probes (`npm whoami
//! --registry`, `npm view`) decide between "bad or missing token", "token lacks write" and "no
//! such package"; the `npm notice Access token expired or revoked` line alone does not.

mod live_common;
mod support;

use live_common::{nerf_dart, write_package_json, Expect, Scenario};
use support::{NpmEnv, NpmjsLike, BAD_TOKEN, READ_ONLY_TOKEN};

/// npm with `token` (if any) for the fixture, and the fixture declared an npmjs-kind registry.
fn scenario(fixture: &NpmjsLike, token: Option<&str>, args: &[&str]) -> Scenario {
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
    write_package_json(&env, "octo-widget", "1.0.0");
    Scenario::new(env, args)
        .secret(BAD_TOKEN)
        .secret(READ_ONLY_TOKEN)
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
