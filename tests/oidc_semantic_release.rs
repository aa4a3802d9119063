//! `regauth explain` offline of semantic-release's own authentication errors, with the exact
//! texts of @semantic-release/npm (lib/definitions/errors.js, lib/trusted-publishing/
//! token-exchange.js at v13.1.5-80-g1e3495c) as semantic-release 25 prints them (index.js:238:
//! `${error.code} ${error.message}`, then the details): ENONPMTOKEN after a refused exchange,
//! after a job without `id-token: write`, and alone; EINVALIDNPMTOKEN with and without npm's
//! whoami output; and look-alikes that must stay silent.

use serde_json::Value;

mod support;

/// The JSON report of `regauth explain - --no-config --no-probe` for `transcript`.
fn explain(transcript: &str) -> Value {
    support::explain_offline(transcript, &[]).0
}

/// The top cause is `id`; its text names each of `words`; its fix names each of `fix_words`.
fn top_is(report: &Value, id: &str, words: &[&str], fix_words: &[&str]) {
    support::assert_top_names(report, id, words);
    let top = &report["causes"][0];
    let fix = top["fix"].to_string();
    for word in fix_words {
        assert!(
            fix.contains(word),
            "PRODUCT: the fix does not name {word:?}:\n{report:#}"
        );
    }
}

const HEAD: &str = "[12:01:02 PM] [semantic-release] › ℹ  Running semantic-release version 25.0.9\n\
[12:01:02 PM] [semantic-release] › ✔  Loaded plugin \"verifyConditions\" from \"@semantic-release/npm\"\n";

/// errors.js:37-46 as printed, 13.x wording.
const ENONPMTOKEN_13: &str = "[12:01:03 PM] [semantic-release] › ✘  Failed step \"verifyConditions\" of plugin \"@semantic-release/npm\"\n\
[12:01:03 PM] [semantic-release] › ✘  ENONPMTOKEN No npm token specified.\n\
When not publishing through trusted publishing (https://docs.npmjs.com/trusted-publishers), an npm token (https://github.com/semantic-release/npm/blob/master/README.md#npm-registry-authentication) must be created and set in the NPM_TOKEN environment variable on your CI environment.\n\
\n\
Please make sure to create an npm token (https://docs.npmjs.com/getting-started/working_with_tokens#how-to-create-new-tokens) and set it in the NPM_TOKEN environment variable on your CI environment. The token must allow publishing to the registry https://registry.npmjs.org/.\n\
\n\
AggregateError: \n    SemanticReleaseError: No npm token specified.\n        at default (file:///home/runner/work/app/app/node_modules/@semantic-release/npm/lib/set-npmrc-auth.js:36:11)\n";

#[test]
fn enonpmtoken_after_a_refused_exchange_is_the_trusted_publisher() {
    let log = format!(
        "{HEAD}[12:01:02 PM] [semantic-release] [@semantic-release/npm] › ℹ  Verifying OIDC context for publishing from GitHub Actions\n\
         [12:01:03 PM] [semantic-release] [@semantic-release/npm] › ℹ  OIDC token exchange with the npm registry failed: 404 OIDC token exchange error - package not found\n\
         [12:01:03 PM] [semantic-release] [@semantic-release/npm] › ℹ  Verify authentication for registry https://registry.npmjs.org/\n{ENONPMTOKEN_13}"
    );
    let report = explain(&log);
    top_is(
        &report,
        "oidc-exchange-failed",
        &[
            "package not found",
            "semantic-release",
            "ENONPMTOKEN",
            "OIDC token exchange with the npm registry failed",
        ],
        &["Trusted publishing"],
    );
    // the line this log shows, not npm's `verbose oidc` line (semantic-release logs none)
    support::assert_decided_by(
        &report,
        &[
            "@semantic-release/npm's `OIDC token exchange with the npm registry failed` line (output:4)",
        ],
        &["verbose oidc", "debug log"],
    );
    assert_eq!(report["failure"]["code"], "ENONPMTOKEN", "{report:#}");
}

#[test]
fn enonpmtoken_in_a_job_without_id_token_permission_names_the_permission() {
    let log = format!(
        "{HEAD}[12:01:02 PM] [semantic-release] [@semantic-release/npm] › ℹ  Verifying OIDC context for publishing from GitHub Actions\n\
         [12:01:02 PM] [semantic-release] [@semantic-release/npm] › ℹ  Retrieval of GitHub Actions OIDC token failed: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable\n\
         [12:01:02 PM] [semantic-release] [@semantic-release/npm] › ℹ  Have you granted the `id-token: write` permission to this workflow?\n{ENONPMTOKEN_13}"
    );
    top_is(
        &explain(&log),
        "oidc-not-attempted",
        &["Retrieval of GitHub Actions OIDC token failed"],
        &["id-token: write"],
    );
}

#[test]
fn enonpmtoken_with_no_oidc_step_is_a_missing_npm_token() {
    // @semantic-release/npm 12 (no trusted publishing), errors.js wording of that release: the
    // plugin never tries OIDC, so a job meant for trusted publishing prints the same error (dev
    // case n181): token-missing first, not "high", with oidc-not-attempted next
    let log = "[10:00:00 AM] [semantic-release] › ✘  ENONPMTOKEN No npm token specified.\n\
        An npm token (https://github.com/semantic-release/npm/blob/master/README.md#npm-registry-authentication) must be created and set in the NPM_TOKEN environment variable on your CI environment.\n\
        \n\
        Please make sure to create an npm token (https://docs.npmjs.com/getting-started/working_with_tokens#how-to-create-new-tokens) and to set it in the NPM_TOKEN environment variable on your CI environment. The token must allow to publish to the registry https://registry.npmjs.org/.\n";
    let report = explain(log);
    top_is(
        &report,
        "token-missing",
        &["ENONPMTOKEN No npm token specified."],
        &["NPM_TOKEN: ${{ secrets.NPM_TOKEN }}", "trusted publishing"],
    );
    assert_eq!(report["causes"][0]["confidence"], "medium", "{report:#}");
    assert_eq!(
        report["causes"][1]["id"], "oidc-not-attempted",
        "{report:#}"
    );
    assert_eq!(
        report["failure"]["registry"], "https://registry.npmjs.org/",
        "{report:#}"
    );
}

#[test]
fn einvalidnpmtoken_is_the_npm_token_secret_refused_by_whoami() {
    // verify-auth.js pipes npm whoami's stderr, then raises EINVALIDNPMTOKEN
    let with_npm = format!(
        "{HEAD}[12:01:03 PM] [semantic-release] [@semantic-release/npm] › ℹ  Verify authentication for registry https://registry.npmjs.org/\n\
         [12:01:03 PM] [semantic-release] [@semantic-release/npm] › ℹ  Wrote NPM_TOKEN to /tmp/8f1c/.npmrc\n\
         npm error code E401\n\
         npm error 401 Unauthorized - GET https://registry.npmjs.org/-/whoami\n\
         [12:01:04 PM] [semantic-release] › ✘  Failed step \"verifyConditions\" of plugin \"@semantic-release/npm\"\n\
         [12:01:04 PM] [semantic-release] › ✘  EINVALIDNPMTOKEN Invalid npm token.\n\
         The npm token (https://github.com/semantic-release/npm/blob/master/README.md#npm-registry-authentication) configured in the NPM_TOKEN environment variable must be a valid token (https://docs.npmjs.com/getting-started/working_with_tokens) allowing to publish to the registry https://registry.npmjs.org/.\n"
    );
    let bare = "[semantic-release] › ✘  EINVALIDNPMTOKEN Invalid npm token.\n\
        The npm token configured in the NPM_TOKEN environment variable must be a valid token allowing to publish to the registry https://registry.npmjs.org/.\n";
    for log in [with_npm.as_str(), bare] {
        let report = explain(log);
        top_is(
            &report,
            "token-invalid-or-expired",
            &["EINVALIDNPMTOKEN Invalid npm token."],
            &["replace the NPM_TOKEN secret", "2025-12-09"],
        );
        assert!(
            report["failure"]["url"]
                .as_str()
                .is_some_and(|u| u.ends_with("registry.npmjs.org/-/whoami")),
            "PRODUCT: the failing request is semantic-release's npm whoami:\n{report:#}"
        );
    }
}

#[test]
fn look_alikes_stay_silent() {
    // a successful trusted-publishing release whose notes mention the codes
    let release = format!(
        "{HEAD}[12:01:02 PM] [semantic-release] [@semantic-release/npm] › ℹ  Verifying OIDC context for publishing from GitHub Actions\n\
         [12:01:03 PM] [semantic-release] [@semantic-release/npm] › ℹ  OIDC token exchange with the npm registry succeeded\n\
         [12:01:05 PM] [semantic-release] › ℹ  Release note for version 2.1.0:\n\
         * explain ENONPMTOKEN and EINVALIDNPMTOKEN better (#41)\n\
         * No npm token specified. is now a warning in the docs\n\
         [12:01:06 PM] [semantic-release] › ✔  Published release 2.1.0 on default channel\n"
    );
    let report = explain(&release);
    assert_eq!(report["auth_failure"], false, "PRODUCT: alarm:\n{report:#}");
    assert!(
        report["causes"].as_array().map_or(true, |c| c.is_empty()),
        "PRODUCT: causes for a release that worked:\n{report:#}"
    );
}
