//! Trusted publishing (OIDC) driven for real: npm 11 publishes under a simulated GitHub Actions
//! job against the loopback `OidcFixture` (ID-token endpoint + token exchange + PUT), once per
//! answer the exchange can get. Each case checks what npm itself did (its debug log and the
//! requests the fixture saw) and what regauth says about it, and that no ID token, request token
//! or exchanged token appears in anything regauth prints or writes.

mod live_common;
mod support;

use live_common::{nerf_dart, run, write_package_json, Expect, Explained, Scenario};
use support::{oidc_secrets, ExchangeReply, IdTokenReply, NpmEnv, OidcFixture};

const PACKAGE: &str = "octo-widget";

/// A publish of `octo-widget` from a GitHub Actions job on the fixture; `userconfig` lines follow
/// the registry line.
fn publish(fixture: &OidcFixture, id_token_write: bool, userconfig: &[String]) -> Scenario {
    let mut env = NpmEnv::new();
    let mut lines = vec![format!("registry={}", fixture.registry())];
    lines.extend(userconfig.iter().cloned());
    env.write_userconfig(&(lines.join("\n") + "\n"));
    for var in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"] {
        env.remove_env(var);
    }
    fixture.github_job(&mut env, id_token_write);
    write_package_json(&env, PACKAGE, "1.0.0");
    let mut scenario = Scenario::new(env, &["publish"]);
    for secret in oidc_secrets() {
        scenario = scenario.secret(secret);
    }
    scenario
}

/// npm fails with ENEEDAUTH (no credential besides OIDC); returns regauth's report.
fn need_auth(fixture: &OidcFixture, id_token_write: bool) -> Explained {
    publish(fixture, id_token_write, &[])
        .json()
        .explain(&Expect {
            exit: 1,
            code: Some("ENEEDAUTH"),
            stderr_has: "This command requires you to be logged in",
        })
}

/// The exchange was attempted once, with the ID token as its bearer, and nothing was PUT.
fn exchanged_once_without_put(fixture: &OidcFixture) {
    let exchanges = fixture.exchanges();
    assert!(
        !exchanges.is_empty(),
        "SETUP: npm never asked for the exchange"
    );
    assert!(
        exchanges
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("Bearer {}", oidc_secrets()[1]))),
        "SETUP: the exchange did not carry the ID token"
    );
    assert!(fixture.puts().is_empty(), "SETUP: npm published anyway");
}

#[test]
fn a_matching_trusted_publisher_publishes_and_regauth_stays_silent() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::Token);
    let scenario = publish(&fixture, true, &[]);
    let ran = scenario.through_regauth();
    assert_eq!(
        ran.status,
        Some(0),
        "SETUP: publish failed:\n{}",
        ran.stderr
    );
    let puts = fixture.puts();
    assert_eq!(puts.len(), 1, "SETUP: one PUT expected");
    assert_eq!(
        puts[0].header("authorization"),
        Some(format!("Bearer {}", oidc_secrets()[2]).as_str()),
        "SETUP: the PUT should carry the exchanged token"
    );
    assert!(
        !ran.stderr.contains("regauth"),
        "PRODUCT: regauth spoke on a successful publish:\n{}",
        ran.stderr
    );
    for secret in oidc_secrets() {
        assert!(!ran.stderr.contains(secret), "PRODUCT: {secret} leaked");
    }
}

/// The exchange answered `reply`: npm logs `logged`, carries on without a token, and fails with
/// ENEEDAUTH; returns regauth's report.
fn exchange_fails(reply: ExchangeReply, logged: &str) -> Explained {
    let fixture = OidcFixture::start(IdTokenReply::Token, reply);
    let explained = need_auth(&fixture, true);
    explained.npm_logged(logged);
    exchanged_once_without_put(&fixture);
    explained
}

/// GitHub's ID-token endpoint answered `reply`: npm logs `logged` and never asks for the exchange.
fn id_token_fails(reply: IdTokenReply, logged: &str) -> Explained {
    let fixture = OidcFixture::start(reply, ExchangeReply::Token);
    let explained = need_auth(&fixture, true);
    explained.npm_logged(logged);
    assert!(fixture.exchanges().is_empty(), "SETUP: exchanged anyway");
    explained
}

const REFUSED: &str = "verbose oidc Failed token exchange request with body message: ";

#[test]
fn exchange_refused_package_not_found() {
    let message = "OIDC token exchange error - package not found";
    let explained = exchange_fails(
        ExchangeReply::PackageNotFound,
        &format!("{REFUSED}{message}"),
    );
    explained.npm_logged("http fetch POST 404 ");
}

#[test]
fn exchange_refused_unauthorized() {
    exchange_fails(
        ExchangeReply::Unauthorized,
        &format!("{REFUSED}Unauthorized"),
    );
}

#[test]
fn exchange_server_error() {
    exchange_fails(
        ExchangeReply::ServerError,
        &format!("{REFUSED}Internal Server Error"),
    );
}

#[test]
fn exchange_answer_is_not_json() {
    exchange_fails(ExchangeReply::Garbage, &format!("{REFUSED}Unknown error"));
}

#[test]
fn exchange_answer_without_token() {
    exchange_fails(
        ExchangeReply::NoToken,
        "verbose oidc Failed because token exchange was missing the token in the response body",
    );
}

#[test]
fn id_token_request_fails() {
    id_token_fails(
        IdTokenReply::ServerError,
        "verbose oidc Failed to fetch id_token from GitHub: received an invalid response",
    );
}

#[test]
fn id_token_answer_without_value() {
    id_token_fails(
        IdTokenReply::NoValue,
        "verbose oidc Failed to fetch id_token from GitHub: missing value",
    );
}

#[test]
fn job_without_id_token_permission() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::Token);
    let explained = need_auth(&fixture, false);
    explained.npm_logged(
        "silly oidc Skipped because incorrect permissions for id-token within GitHub workflow",
    );
    assert!(
        fixture.requests().iter().all(|r| r.method != "POST"),
        "SETUP: OIDC ran"
    );
}

/// setup-node's `.npmrc` line with its dummy token: the exchange fails, npm sends the dummy, and
/// the registry answers the PUT with 404 as npmjs does.
#[test]
fn exchange_refused_then_the_placeholder_token_gets_a_404_put() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::PackageNotFound);
    let line = format!(
        "{}:_authToken=${{NODE_AUTH_TOKEN}}",
        nerf_dart(&fixture.registry())
    );
    let mut scenario = publish(&fixture, true, &[line]);
    scenario
        .env
        .set_env("NODE_AUTH_TOKEN", "XXXXX-XXXXX-XXXXX-XXXXX");
    let explained = scenario.json().explain(&Expect {
        exit: 1,
        code: Some("E404"),
        stderr_has: "404 Not Found - PUT",
    });
    explained.npm_logged("OIDC token exchange error - package not found");
    let puts = fixture.puts();
    assert!(
        puts.iter()
            .any(|p| p.header("authorization") == Some("Bearer XXXXX-XXXXX-XXXXX-XXXXX")),
        "SETUP: npm should have sent the placeholder"
    );
}

/// Outside CI npm never tries OIDC (ci-info sees no GitHub Actions).
#[test]
fn outside_ci_npm_makes_no_oidc_request() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::Token);
    let mut scenario = publish(&fixture, true, &[]);
    scenario.env.remove_env("GITHUB_ACTIONS");
    let ran = run(scenario.env.npm().args(&scenario.args));
    assert_eq!(ran.status, Some(1), "SETUP: {}", ran.stderr);
    assert!(fixture.requests().iter().all(|r| r.method != "POST"));
    assert!(!live_common::debug_logs(&scenario.env).contains(" oidc "));
}
