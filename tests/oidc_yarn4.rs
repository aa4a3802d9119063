//! Trusted publishing with the real yarn 4 (`yarn npm publish`, OIDC since 4.10.0) against the
//! loopback OIDC fixture (GitHub's ID-token endpoint and the registry's exchange). yarn 4.18.1's
//! plugin-npm (bundled bin/yarn.js, `getAuthenticationHeader` -> the OIDC exchange) asks for an
//! ID token only under GITHUB_ACTIONS with both request variables set, swallows any exchange
//! failure, and then stops with YN0033 "No authentication configured for request", saying
//! nothing of OIDC. regauth names the step from the job's environment: no `id-token: write`, or
//! an exchange the registry refused; no canary may leak.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::{durations_masked, oidc_secrets, ExchangeReply, IdTokenReply, NpmEnv, OidcFixture};

/// tests/support/clients.rs's home `.yarnrc.yml` lines: loopback over http, no age gate.
const BERRY_HOME_RC: &str =
    "unsafeHttpWhitelist: [\"127.0.0.1\", \"localhost\"]\nnpmPreapprovedPackages: [\"**\"]\n";

fn run(command: &mut Command) -> Output {
    command.stdin(Stdio::null()).output().expect("spawn")
}

fn masked(bytes: &[u8]) -> String {
    durations_masked(bytes)
}

/// yarn 4 in a GitHub job publishing `octo-widget` to the fixture, with no token configured.
fn job(fixture: &OidcFixture, id_token_write: bool) -> NpmEnv {
    let mut env = support::client_env("yarn4", "yarn");
    support::write_file(
        &env.home().join(".yarnrc.yml"),
        &format!(
            "{BERRY_HOME_RC}npmRegistryServer: \"{}\"\n",
            fixture.registry()
        ),
    );
    support::write_file(
        &env.project().join("package.json"),
        "{\"name\":\"octo-widget\",\"version\":\"1.0.0\"}\n",
    );
    // berry publishes only a workspace its lockfile knows
    let install = run(&mut {
        let mut c = env.command("yarn");
        c.arg("install");
        c
    });
    assert!(install.status.success(), "SETUP: yarn install: {install:?}");
    // the job's variables after the install (with CI=true berry installs immutably)
    fixture.github_job(&mut env, id_token_write);
    env
}

/// `yarn npm publish` directly and through regauth; the report regauth wrote.
fn publish(env: &NpmEnv) -> (Output, Output, Value) {
    let direct = run(&mut {
        let mut c = env.command("yarn");
        c.args(["npm", "publish"]);
        c
    });
    let report = env.root().join("report.json");
    let shimmed = run(&mut {
        let mut c = env.regauth();
        c.args(["yarn", "npm", "publish"])
            .env("REGAUTH_REPORT", &report)
            .env("REGAUTH_PROBE_TIMEOUT", "120");
        c
    });
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| {
        panic!(
            "PRODUCT: no report ({e}); stdout: {}\nstderr: {}",
            String::from_utf8_lossy(&shimmed.stdout),
            String::from_utf8_lossy(&shimmed.stderr)
        )
    });
    for secret in oidc_secrets() {
        for (place, bytes) in [
            ("stderr", &shimmed.stderr),
            ("stdout", &shimmed.stdout),
            ("report", &text.as_bytes().to_vec()),
        ] {
            assert!(
                !String::from_utf8_lossy(bytes).contains(secret),
                "PRODUCT: {secret} leaked into {place}"
            );
        }
    }
    (
        direct,
        shimmed,
        serde_json::from_str(&text).expect("report JSON"),
    )
}

/// The client's exit status and stdout are untouched, and it failed with YN0033.
fn passthrough(direct: &Output, shimmed: &Output) {
    assert_ne!(direct.status.code(), Some(0), "SETUP: yarn must fail");
    assert_eq!(shimmed.status.code(), direct.status.code(), "PRODUCT: exit");
    assert_eq!(
        masked(&shimmed.stdout),
        masked(&direct.stdout),
        "PRODUCT: stdout"
    );
    assert!(
        String::from_utf8_lossy(&direct.stdout)
            .contains("No authentication configured for request"),
        "SETUP: yarn's YN0033: {}",
        String::from_utf8_lossy(&direct.stdout)
    );
}

fn top(report: &Value, id: &str, words: &[&str]) {
    let cause = &report["causes"][0];
    assert_eq!(cause["id"], id, "PRODUCT: top cause:\n{report:#}");
    let text = cause.to_string();
    for word in words {
        assert!(
            text.contains(word),
            "PRODUCT: {id} does not name {word:?}:\n{report:#}"
        );
    }
}

#[test]
fn exchange_refused_with_package_not_found() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::PackageNotFound);
    let env = job(&fixture, true);
    let (direct, shimmed, report) = publish(&env);
    assert!(
        !fixture.exchanges().is_empty(),
        "SETUP: yarn asked for no exchange"
    );
    passthrough(&direct, &shimmed);
    top(
        &report,
        "oidc-exchange-failed",
        &[
            "yarn",
            "did not exchange it",
            "Settings -> Trusted publishing",
            "owner `octo-org`, repository `octo-repo`, workflow filename `release.yml`",
        ],
    );
    // yarn logs nothing of the exchange: its YN0033 and the job's variables decide
    support::assert_decided_by(
        &report,
        &[
            "yarn's YN0033",
            "while the job had ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        ],
        &["verbose oidc", "semantic-release"],
    );
}

#[test]
fn exchange_refused_unauthorized_or_failing() {
    for reply in [ExchangeReply::Unauthorized, ExchangeReply::ServerError] {
        let fixture = OidcFixture::start(IdTokenReply::Token, reply);
        let env = job(&fixture, true);
        let (direct, shimmed, report) = publish(&env);
        assert!(
            !fixture.exchanges().is_empty(),
            "SETUP: {reply:?}: no exchange"
        );
        passthrough(&direct, &shimmed);
        top(
            &report,
            "oidc-exchange-failed",
            &["did not exchange it", "YN0033"],
        );
    }
}

#[test]
fn a_job_without_id_token_permission_is_named() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::Token);
    let env = job(&fixture, false);
    let (direct, shimmed, report) = publish(&env);
    assert!(
        fixture.requests().iter().all(|r| r.method != "POST"),
        "SETUP: yarn exchanged without an ID token"
    );
    passthrough(&direct, &shimmed);
    top(
        &report,
        "oidc-not-attempted",
        &["id-token: write", "yarn npm publish"],
    );
}
