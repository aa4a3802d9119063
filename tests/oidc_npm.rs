//! Trusted publishing (OIDC) driven for real: npm 11 publishes under a simulated GitHub Actions
//! job against the loopback `OidcFixture` (ID-token endpoint + token exchange + PUT), once per
//! answer the exchange can get. Each case checks what npm itself did (its debug log and the
//! requests the fixture saw) and what regauth says about it, and that no ID token, request token
//! or exchanged token appears in anything regauth prints or writes (stderr, the REGAUTH_REPORT
//! file, the JSON, the `::error` annotation and the GitHub job summary).
//!
//! scripts/test.sh runs this file again with `TEST_NPM_DIR=tests/clients/bin/npm12` (npm 12 on
//! Node 24); every case checks that its debug log was written by the npm under test.

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
    let summary = env.root().join("step-summary.md");
    env.set_env("GITHUB_STEP_SUMMARY", summary);
    write_package_json(&env, PACKAGE, "1.0.0");
    let mut scenario = Scenario::new(env, &["publish"]);
    for secret in oidc_secrets() {
        scenario = scenario.secret(secret);
    }
    scenario
}

/// A failing case: the scenario (its env holds npm's debug log) and regauth's report of it.
struct Case {
    scenario: Scenario,
    explained: Explained,
}

impl Case {
    /// regauth's top cause is `id` (high confidence) and its text names each of `words`.
    fn top_names(&self, id: &str, words: &[&str]) -> &Self {
        self.explained.top_is(id, "high");
        for word in words {
            self.explained.names(word);
        }
        self
    }

    /// Under GITHUB_ACTIONS=true regauth adds one `::error` annotation titled with the top cause
    /// and a section of the job summary naming it; neither holds a secret.
    fn github_outputs_name(&self, id: &str) -> &Self {
        let stderr = &self.explained.ran.stderr;
        let title = format!("::error title=regauth%3A {id}::");
        assert!(
            stderr.lines().filter(|l| l.starts_with("::error")).count() == 1
                && stderr.contains(&title),
            "PRODUCT: no single {title:?} annotation:\n{stderr}"
        );
        let path = self.scenario.env.root().join("step-summary.md");
        let summary = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("PRODUCT: no job summary at {} ({e})", path.display()));
        assert!(
            summary.contains(id),
            "PRODUCT: the job summary does not name {id}:\n{summary}"
        );
        for secret in oidc_secrets() {
            assert!(
                !summary.contains(secret),
                "PRODUCT: {secret} leaked into the job summary:\n{summary}"
            );
        }
        self
    }

    /// The same debug log explained offline (`regauth explain --no-config --no-probe`, as for a
    /// log from CI): the same top cause, no secret in the output.
    fn offline_top_is(&self, id: &str, words: &[&str]) -> &Self {
        let log = newest_debug_log(&self.scenario);
        let mut command = self.scenario.env.regauth();
        command.args([
            "explain",
            "--no-config",
            "--no-probe",
            "--format",
            "json",
            "-",
        ]);
        let out = run_with_stdin(&mut command, &log);
        for secret in oidc_secrets() {
            assert!(
                !out.contains(secret),
                "PRODUCT: {secret} leaked offline:\n{out}"
            );
        }
        let report: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("PRODUCT: explain JSON ({e}):\n{out}"));
        let top = &report["causes"][0];
        assert_eq!(top["id"], id, "PRODUCT: offline top cause:\n{out}");
        let text = live_common::cause_text(top);
        for word in words {
            assert!(
                text.contains(word),
                "PRODUCT: offline text lacks {word:?}:\n{out}"
            );
        }
        self
    }
}

fn newest_debug_log(scenario: &Scenario) -> String {
    let mut logs: Vec<_> = std::fs::read_dir(scenario.env.logs_dir())
        .expect("SETUP: npm wrote no debug log")
        .flatten()
        .map(|e| e.path())
        .collect();
    logs.sort();
    std::fs::read_to_string(logs.last().expect("SETUP: no debug log")).unwrap()
}

fn run_with_stdin(command: &mut std::process::Command, input: &str) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn regauth explain");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "PRODUCT: explain failed: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in oidc_secrets() {
        assert!(
            !stderr.contains(secret),
            "PRODUCT: {secret} leaked offline:\n{stderr}"
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// npm fails with ENEEDAUTH (no credential besides OIDC). `json`: REGAUTH_FORMAT=json (else
/// the human text, checked for secrets too; the report file is written either way).
fn need_auth(fixture: &OidcFixture, id_token_write: bool, json: bool) -> Case {
    let mut scenario = publish(fixture, id_token_write, &[]);
    if json {
        scenario = scenario.json();
    }
    let explained = scenario.explain(&Expect {
        exit: 1,
        code: Some("ENEEDAUTH"),
        stderr_has: "This command requires you to be logged in",
    });
    explained.npm_logged(&npm_under_test_banner());
    Case {
        scenario,
        explained,
    }
}

/// npm's `verbose npm  v<major>.` banner line of the npm under test: 12 in scripts/test.sh's
/// npm 12 pass (`TEST_NPM_DIR=tests/clients/bin/npm12`), else the npm on PATH (11).
fn npm_under_test_banner() -> String {
    let npm12 = std::env::var("TEST_NPM_DIR").is_ok_and(|d| d.contains("npm12"));
    format!("verbose npm  v{}.", if npm12 { 12 } else { 11 })
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
fn exchange_fails(reply: ExchangeReply, logged: &str) -> Case {
    let fixture = OidcFixture::start(IdTokenReply::Token, reply);
    let case = need_auth(&fixture, true, false);
    case.explained.npm_logged(logged);
    exchanged_once_without_put(&fixture);
    case.top_names(
        "oidc-exchange-failed",
        &["refused the token exchange", "ENEEDAUTH"],
    )
    .github_outputs_name("oidc-exchange-failed");
    case
}

/// GitHub's ID-token endpoint answered `reply`: npm logs `logged` and never asks for the exchange.
fn id_token_fails(reply: IdTokenReply, logged: &str) -> Case {
    let fixture = OidcFixture::start(reply, ExchangeReply::Token);
    let case = need_auth(&fixture, true, true);
    case.explained.npm_logged(logged);
    assert!(fixture.exchanges().is_empty(), "SETUP: exchanged anyway");
    case.top_names("oidc-exchange-failed", &["ID token could not be fetched"])
        .github_outputs_name("oidc-exchange-failed")
        .offline_top_is("oidc-exchange-failed", &["ID token could not be fetched"]);
    case
}

const REFUSED: &str = "verbose oidc Failed token exchange request with body message: ";

#[test]
fn exchange_refused_package_not_found() {
    let message = "OIDC token exchange error - package not found";
    let case = exchange_fails(
        ExchangeReply::PackageNotFound,
        &format!("{REFUSED}{message}"),
    );
    case.explained.npm_logged("http fetch POST 404 ");
    // the trusted-publisher fields of this run, from the job's variables
    case.top_names("oidc-exchange-failed", &[message, "with 404"]);
    for field in ["`octo-org`", "`octo-repo`", "`release.yml`"] {
        case.explained.fix_names(field);
    }
    case.offline_top_is("oidc-exchange-failed", &[message, "workflow filename"]);
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
    let case = need_auth(&fixture, false, true);
    case.explained.npm_logged(
        "silly oidc Skipped because incorrect permissions for id-token within GitHub workflow",
    );
    case.top_names("oidc-not-attempted", &["id-token: write"])
        .github_outputs_name("oidc-not-attempted")
        .offline_top_is("oidc-not-attempted", &["id-token: write"]);
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
    // the presence probes decide the first-publish line: a budget for a loaded machine
    scenario.env.set_env("REGAUTH_PROBE_TIMEOUT", "60");
    let explained = scenario.explain(&Expect {
        exit: 1,
        code: Some("E404"),
        stderr_has: "404 Not Found - PUT",
    });
    explained
        .npm_logged("OIDC token exchange error - package not found")
        .npm_logged(&npm_under_test_banner());
    let puts = fixture.puts();
    assert!(
        puts.iter()
            .any(|p| p.header("authorization") == Some("Bearer XXXXX-XXXXX-XXXXX-XXXXX")),
        "SETUP: npm should have sent the placeholder"
    );
    // the exchange is what failed; the placeholder the 404 answered comes next, named
    explained.top_is("oidc-exchange-failed", "high");
    // the package is on no registry yet (anonymous view and access status: 404): a first
    // publish, which trusted publishing cannot make
    explained.fix_names("does not exist on");
    let placeholder = explained
        .causes()
        .iter()
        .find(|c| c["id"] == "token-env-unset")
        .unwrap_or_else(|| panic!("PRODUCT: no token-env-unset:\n{}", explained.report_text));
    assert!(
        live_common::cause_text(placeholder).contains("NODE_AUTH_TOKEN"),
        "PRODUCT: the placeholder's variable is not named:\n{}",
        explained.report_text
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

/// PATH with npm 10.9 (installed by scripts/test-deps.sh into tests/npm10) first.
fn path_with_npm10() -> String {
    let bin =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/npm10/node_modules/.bin");
    assert!(
        bin.join("npm").exists(),
        "SETUP: {} missing: run scripts/test-deps.sh",
        bin.display()
    );
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// npm 10.9 (what Node 22 bundles) has no trusted publishing: the job may request ID tokens,
/// npm never asks for one.
#[test]
fn npm_10_never_attempts_the_exchange() {
    let fixture = OidcFixture::start(IdTokenReply::Token, ExchangeReply::Token);
    let mut scenario = publish(&fixture, true, &[]);
    scenario.env.set_env("PATH", path_with_npm10());
    let explained = scenario.json().explain(&Expect {
        exit: 1,
        code: Some("ENEEDAUTH"),
        stderr_has: "This command requires you to be logged in",
    });
    explained.npm_logged("verbose npm  v10.9.");
    // (regauth's read-only probes do ask the fixture, never for an ID token or an exchange)
    assert!(
        fixture
            .requests()
            .iter()
            .all(|r| r.method != "POST" && !r.path.contains("audience")),
        "SETUP: npm 10 tried OIDC"
    );
    explained
        .top_is("oidc-not-attempted", "high")
        .names("11.5.1")
        .fix_names("npm install -g npm@latest");
}
