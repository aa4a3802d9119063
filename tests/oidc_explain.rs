//! `regauth explain` offline (`--no-config --no-probe`, as for a CI log from elsewhere) of the
//! trusted-publishing and token-policy failures: the step that failed, which client really
//! published and whether it can do OIDC, placeholder tokens, npmjs's 2FA/bypass and recovery-code
//! refusals, and the expired-token notice that must not decide alone. Each transcript is built
//! from the clients' own texts (npm 10.9/11.19/12 error-message.js and oidc.js, changesets/action,
//! yarn 1's script environment, GitHub's step env block), never a secret.

mod support;

use serde_json::Value;

/// The JSON report of `regauth explain - --no-config --no-probe` for `transcript`, run in a
/// clean environment (its own HOME, no npm/CI variables).
fn explain(transcript: &str) -> Value {
    support::explain_offline(transcript, &[]).0
}

fn top_names(report: &Value, id: &str, words: &[&str]) {
    support::assert_top_names(report, id, words);
}

#[test]
fn a_quoted_exchange_refusal_with_no_error_line_is_an_oidc_failure() {
    // corpus n002's shape: the exchange line without `http fetch`, the message wrapped
    let report = explain(
        "POST 404 …/oidc/token/exchange/package/octo-widget\n\
         npm verbose oidc Failed token exchange request with body message:\n      \
         OIDC token exchange error - package not found\n",
    );
    top_names(
        &report,
        "oidc-exchange-failed",
        &[
            "package not found",
            "Trusted publishing",
            "workflow filename",
        ],
    );
    support::assert_decided_by(
        &report,
        &["npm's `oidc Failed token exchange request` line (output:2)"],
        &["semantic-release", "YN0033"],
    );
}

#[test]
fn setup_nodes_placeholder_in_the_step_env_is_token_env_unset_naming_the_variable() {
    let report = explain(
        "Run npm publish\n  npm publish\n  shell: /usr/bin/bash -e {0}\n  env:\n    \
         NODE_AUTH_TOKEN: XXXXX-XXXXX-XXXXX-XXXXX\n\
         npm error code E404\n\
         npm error 404 Not Found - PUT https://registry.npmjs.org/@octo%2fwidget - Not found\n",
    );
    top_names(
        &report,
        "token-env-unset",
        &[
            "NODE_AUTH_TOKEN",
            "placeholder",
            "secrets.NPM_TOKEN",
            "trusted publishing",
        ],
    );
}

#[test]
fn changesets_meant_oidc_and_an_npm_older_than_11_5_published() {
    let report = explain(
        "No NPM_TOKEN found, but OIDC is available - using npm trusted publishing\n\
         🦋  error an error occurred while publishing @octo/widget: E404 Not Found - PUT https://registry.npmjs.org/@octo%2fwidget - Not found\n\
         🦋  error '@octo/widget@1.0.0' is not in this registry.\n",
    );
    top_names(
        &report,
        "oidc-not-attempted",
        &[
            "changesets -> npm",
            "11.4 and older",
            "npm install -g npm@latest",
        ],
    );
}

#[test]
fn pnpm_10_publishes_through_the_npm_on_path() {
    let report = explain(
        "npm_config_user_agent: pnpm/10.34.9 npm/? node/v22.23.2 linux x64\n\
         npm: 10.9.8\n\
         npm notice Publishing to https://registry.npmjs.org/ with tag latest and public access\n\
         npm notice publish Signed provenance statement with source and build information from GitHub Actions\n\
         npm error code E404\n\
         npm error 404 Not Found - PUT https://registry.npmjs.org/octo-widget - Not found\n",
    );
    top_names(
        &report,
        "oidc-not-attempted",
        &[
            "pnpm 10.34.9 -> npm 10.9.8",
            "pnpm 10 runs `npm publish`",
            "11.5.1",
        ],
    );
}

#[test]
fn npm_publish_in_a_yarn_1_script_goes_to_registry_yarnpkg_com() {
    let report = explain(
        "yarn run v1.22.22\n\
         $ npm publish\n\
         npm_config_user_agent: yarn/1.22.22 npm/? node/v24.11.0 linux x64\n\
         npm_config_registry: https://registry.yarnpkg.com\n\
         npm error code ENEEDAUTH\n\
         npm error need auth This command requires you to be logged in to https://registry.yarnpkg.com/\n\
         npm error need auth You need to authorize this machine using `npm adduser`\n",
    );
    top_names(
        &report,
        "token-wrong-host",
        &[
            "yarn 1.22.22 -> npm",
            "npm_config_registry=https://registry.yarnpkg.com",
        ],
    );
}

#[test]
fn yarn_4_before_4_10_has_no_trusted_publishing() {
    let report = explain(
        "$ yarn npm publish\n\
         2026-03-01T10:00:00.0000000Z ➤ YN0000: · Yarn 4.9.1\n\
         2026-03-01T10:00:01.0000000Z ➤ YN0033: No authentication configured for request\n\
         2026-03-01T10:00:01.0000000Z ➤ YN0000: · Failed with errors in 0s 12ms\n",
    );
    let causes: Vec<&str> = report["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        causes.contains(&"oidc-not-attempted"),
        "PRODUCT: yarn 4.9 publishing in CI without a token: {report:#}"
    );
    let oidc = report["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "oidc-not-attempted")
        .unwrap()
        .to_string();
    assert!(
        oidc.contains("yarn 4.9.1") && oidc.contains("4.10.0"),
        "PRODUCT: {oidc}"
    );
}

#[test]
fn npmjs_wants_2fa_or_a_bypass_2fa_token() {
    let report = explain(
        "npm notice Publishing to https://registry.npmjs.org/ with tag latest and public access\n\
         npm error code E403\n\
         npm error 403 403 Forbidden - PUT https://registry.npmjs.org/octo-widget - Two-factor authentication or granular access token with bypass 2fa enabled is required to publish packages.\n",
    );
    top_names(
        &report,
        "otp-required",
        &[
            "Bypass two-factor authentication",
            "trusted publishing",
            "npm/cli#9268",
        ],
    );
}

#[test]
fn a_recovery_code_as_otp_is_refused_with_400_and_never_printed() {
    let code = "63a1ae13e3023820";
    let report = explain(&format!(
        "npm error code E400\n\
         npm error 400 Bad Request - PUT https://registry.npmjs.org/octo-widget - child \"otp\" fails because [\"otp\" with value \"{code}\" fails to match the required pattern: /^\\d+$/, \"otp\" length must be 64 characters long]\n"
    ));
    top_names(&report, "otp-required", &["recovery code", "npm/cli#9326"]);
    assert!(
        !report.to_string().contains(code),
        "PRODUCT: the recovery code leaked:\n{report:#}"
    );
}

#[test]
fn the_expired_token_notice_does_not_outweigh_a_failed_exchange() {
    let report = explain(
        "npm notice Access token expired or revoked. Please try logging in again.\n\
         npm http fetch POST 404 https://registry.npmjs.org/-/npm/v1/oidc/token/exchange/package/octo-widget 61ms\n\
         npm verbose oidc Failed token exchange request with body message: OIDC token exchange error - package not found\n\
         npm error code E404\n\
         npm error 404 Not Found - PUT https://registry.npmjs.org/octo-widget - Not found\n",
    );
    top_names(&report, "oidc-exchange-failed", &["package not found"]);
}

#[test]
fn an_expired_token_on_npmjs_gets_the_token_policy() {
    let report = explain(
        "npm notice Access token expired or revoked. Please try logging in again.\n\
         npm error code E404\n\
         npm error 404 Not Found - PUT https://registry.npmjs.org/octo-widget - Not found\n",
    );
    top_names(
        &report,
        "token-invalid-or-expired",
        &["2025-12-09", "2 hours", "90 days", "trusted publishing"],
    );
}

/// npmjs's 403 on a publish carries its words; one without any (npm's generic paragraph only,
/// no body message, or just "Forbidden") is decided by the wording rules alone: the top cause is
/// publish-not-allowed, and neither it nor any other candidate is "high" while no probe decided.
#[test]
fn a_wordless_npmjs_403_on_publish_is_never_high_without_probes() {
    const PARAGRAPH: &str = "403 In most cases, you or one of your dependencies are requesting\n\
        {p} 403 a package version that is forbidden by your security policy, or\n\
        {p} 403 on a server you do not have access to.\n";
    let npm11 = format!(
        "npm notice Publishing to https://registry.npmjs.org/ with tag latest and default access\n\
         npm error code E403\n\
         npm error 403 403 Forbidden - PUT https://registry.npmjs.org/octo-widget\n\
         npm error {}",
        PARAGRAPH.replace("{p}", "npm error")
    );
    let npm10 = format!(
        "npm ERR! code E403\n\
         npm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/@octo%2fwidget - Forbidden\n\
         npm ERR! {}",
        PARAGRAPH.replace("{p}", "npm ERR!")
    );
    for (text, package) in [(npm11, "octo-widget"), (npm10, "@octo/widget")] {
        let report = explain(&text);
        assert_eq!(report["failure"]["method"], "PUT", "{report:#}");
        assert_eq!(report["failure"]["package"], package, "{report:#}");
        top_names(&report, "publish-not-allowed", &[package, "npm owner ls"]);
        for cause in report["causes"].as_array().unwrap() {
            assert_ne!(
                cause["confidence"], "high",
                "PRODUCT: no probe decided {}:\n{report:#}",
                cause["id"]
            );
        }
        assert_eq!(report["probes"], serde_json::json!([]), "{report:#}");
    }
}
