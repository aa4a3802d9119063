//! Client and registry messages that produced no cause before issue 14, each written as its
//! source prints it (the file named beside it), with the cause it must rank first and whether
//! the text decides it ("high") or only suggests it.

use regauth::diagnose::explain_text;
use regauth::report::Confidence;

/// (source, text, top cause, may it be high)
const FAMILIES: &[(&str, &str, &str, bool)] = &[
    (
        "yarnpkg/berry packages/plugin-npm/sources/npmHttpUtils.ts askForOtp",
        "➤ YN0000: package.json\n✖ One-time password: · ",
        "otp-required",
        true,
    ),
    (
        "yarnpkg/yarn src/registries/npm-registry.js + src/reporters/lang/en.js twoFactorAuthenticationEnabled",
        "yarn publish v1.22.22\ninfo Two factor authentication enabled.\nquestion npm one-time password: ",
        "otp-required",
        true,
    ),
    (
        "yarnpkg/yarn src/util/request-manager.js unauthorizedResponse",
        "error Received a 401 from GitHub.com. Bad credentials. If using GITHUB_TOKEN in your env, check that it is valid.",
        "token-invalid-or-expired",
        false,
    ),
    (
        "pnpm/pnpm pnpm11/config/reader/src/loadNpmrcFiles.ts INVALID_AUTH_SETTING",
        " ERR_PNPM_INVALID_AUTH_SETTING  pnpm_config__auth must be a JSON object",
        "npmrc-misconfig",
        true,
    ),
    (
        "pnpm/pnpm pnpm11/registry-access/commands/src/deprecation/common.ts FORBIDDEN",
        " ERR_PNPM_FORBIDDEN  You do not have permission to deprecate this package. {\"error\":\"forbidden\"}",
        "insufficient-permission",
        false,
    ),
    (
        "actions/setup-node src/authutil.ts placeholder, npmjs 404 on PUT",
        "NODE_AUTH_TOKEN: XXXXX-XXXXX-XXXXX-XXXXX\nE404 Not Found - PUT https://registry.npmjs.org/@me%2fpkg",
        "token-env-unset",
        true,
    ),
    (
        "Google Artifact Registry IAM denial",
        "npm error code E403\nnpm error 403 403 Forbidden - GET https://us-central1-npm.pkg.dev/p/npm/@g%2fk - Permission \"artifactregistry.repositories.downloadArtifacts\" denied.",
        "insufficient-permission",
        false,
    ),
    (
        "pnpm 11 dist/pnpm.mjs ConfigSetUnsupportedYamlConfigKeyError (auth keys live in .npmrc only)",
        "[ERR_PNPM_CONFIG_SET_UNSUPPORTED_YAML_CONFIG_KEY] The key \"npmAuthToken\" isn't supported by the global config.yaml file",
        "npmrc-misconfig",
        true,
    ),
    (
        "npmjs 400 body for an --otp value it refuses (npm/cli#9326), quoted alone",
        "child \"otp\" fails because [\"otp\" with value \"not-otp\" fails to match the required pattern]",
        "otp-required",
        true,
    ),
    (
        "npmjs 403 body on publishing a name too close to an existing one, with no command shown",
        "npm error 403 Package name too similar to existing package failproofai",
        "publish-not-allowed",
        true,
    ),
    (
        "a CI log with only npm's `http fetch GET 401` lines (npm-registry-fetch lib/check-response.js)",
        "2019-07-25T11:38:16Z npm http fetch GET 401 https://pkgs.dev.azure.com/o/_packaging/F/npm/registry/@p%2fa 47ms",
        "token-invalid-or-expired",
        false,
    ),
    (
        "yarnpkg/yarn src/util/request-manager.js verboseRequestFinish (`--verbose`)",
        "verbose 1.465 Request \"https://npm.example.com/lib\" finished with status code 401.",
        "token-invalid-or-expired",
        false,
    ),
    (
        "yarnpkg/yarn src/reporters/lang/en.js requestFailed, quoted without its URL",
        "Request failed \"401 Unauthorized\"",
        "token-invalid-or-expired",
        false,
    ),
    (
        "yarn 1's requestFailed cut off before the status, on GitHub Packages (a token for every install: GitHub docs, working-with-the-npm-registry)",
        "error An unexpected error occurred: \"https://npm.pkg.github.com/download/@o/p/1.0.0/abc123: Request failed \\",
        "token-missing",
        false,
    ),
    (
        "npmjs's exchange refusal body quoted alone (npm/cli lib/utils/oidc.js logs it; @semantic-release/npm token-exchange.js:26)",
        "404 OIDC token exchange error - package not found",
        "oidc-exchange-failed",
        true,
    ),
    (
        "semantic-release's ENONPMTOKEN quoted without @semantic-release/npm's details: the plugin's version (and so its trusted publishing) is unknown",
        "ENONPMTOKEN No npm token specified",
        "token-missing",
        false,
    ),
    (
        "a GitHub workflow command `::error::` with its newlines escaped as %0A (GitHub docs, workflow commands; @actions/core escapeData)",
        "::error::NpmCallError: Call to \"npm publish\" exited with non-zero exit code 1%0Anpm ERR! code ENEEDAUTH%0Anpm ERR! need auth This command requires you to be logged in to https://git.example.com/api/packages/u/npm/%0A",
        "token-env-unset",
        false,
    ),
    (
        "yarnpkg/yarn src/cli/commands/publish.js publishFail around the PUT, whose only question is the OTP prompt (src/registries/npm-registry.js); console-reporter.js question without a TTY",
        "error Couldn't publish package: \"Can't answer a question unless a user TTY\"",
        "otp-required",
        true,
    ),
    (
        "npm ENEEDAUTH naming the registry yarn 1 gives its scripts (yarnpkg/yarn src/util/execute-lifecycle-script.js makeEnv)",
        "npm error code ENEEDAUTH\nnpm error need auth This command requires you to be logged in to https://registry.yarnpkg.com",
        "npmrc-misconfig",
        false,
    ),
    (
        "npm-registry-client's `publish Failed PUT 401` (npm <= 5 checks for a credential first, lib/publish.js) with npmjs's body",
        "npm ERR! publish Failed PUT 401\nnpm ERR! code E401\nnpm ERR! You must be logged in to publish packages. : my-lib",
        "token-invalid-or-expired",
        false,
    ),
    (
        "npmjs 403 on its dist-tag API route (npm/cli lib/commands/dist-tag.js), not a package read",
        "npm ERR! code E403\nnpm ERR! 403 403 Forbidden - GET https://registry.npmjs.org/-/package/@o%2fp/dist-tags",
        "insufficient-permission",
        false,
    ),
    (
        "pnpm/pnpm pnpm11/releasing/commands/src/publish/publishPackedPkg.ts `Skipped OIDC:` with oidc/authToken.ts AUTH_TOKEN_EXCHANGE",
        "[WARN] Skipped OIDC: ERR_PNPM_AUTH_TOKEN_EXCHANGE  Failed token exchange request with body message: OIDC token exchange error - package not found (status code 404)\n[E404] 404 Not Found - PUT https://registry.npmjs.org/wave-sdk",
        "oidc-exchange-failed",
        true,
    ),
    (
        "pnpm/pnpm pnpm11/releasing/commands/src/publish/oidc/idToken.ts ID_TOKEN_GITHUB_WORKFLOW_INCORRECT_PERMISSIONS",
        "[WARN] Skipped OIDC: ERR_PNPM_ID_TOKEN_GITHUB_WORKFLOW_INCORRECT_PERMISSIONS: Incorrect permissions for idToken within GitHub Workflows\n[E404] 404 Not Found - PUT https://registry.npmjs.org/docula - Not found",
        "oidc-not-attempted",
        true,
    ),
    (
        "pnpm/pnpm pnpm11/network/auth-header/src/index.ts: credentials looked up by host:port (without the port only since pnpm/pnpm#7337), on a bare 401",
        " ERR_PNPM_FETCH_401  GET https://artifactory.example.com:443/artifactory/api/npm/npm/@s/p/-/p-6.36.0.tgz: Unauthorized - 401",
        "token-wrong-host",
        false,
    ),
    (
        "npmjs 403 body to a trusted-publishing token (reports: gtrabanco/agentic-workflow#39, webarkit/jsartoolkitNFT#620)",
        "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/@o%2fp - OIDC permission denied for this action",
        "oidc-exchange-failed",
        true,
    ),
];

/// An npm older than 10.6 (`npm ERR!`) cannot make the trusted-publishing exchange (npm >=
/// 11.5.1), so its failure is no candidate for that npm's publish 404.
#[test]
fn an_old_npm_publish_404_does_not_blame_the_exchange() {
    let d = explain_text("npm ERR! code E404\nnpm ERR! 404 Not Found - PUT https://registry.npmjs.org/@a%2fb - Not found");
    let ids: Vec<&str> = d.report.causes.iter().map(|c| c.id.as_str()).collect();
    assert!(!ids.contains(&"oidc-exchange-failed"), "{ids:?}");
    let new = explain_text("npm error code E404\nnpm error 404 Not Found - PUT https://registry.npmjs.org/@a%2fb - Not found");
    assert_eq!(new.report.causes[0].id, "oidc-exchange-failed");
    // nor is trusted publishing not attempted the first guess for that npm's ENEEDAUTH
    let d = explain_text("npm notice total files:   18\nnpm ERR! code ENEEDAUTH\nnpm ERR! need auth This command requires you to be logged in to https://registry.npmjs.org/");
    assert_eq!(d.report.causes[0].id, "token-missing");
}

/// A 401 on a GitHub Packages `/download/` URL: npm reads the packument on the same host with
/// the same credential first, so the URL most often came from a lockfile's `resolved`.
#[test]
fn a_github_download_401_names_the_lockfile_among_the_candidates() {
    let d = explain_text("npm error code E401\nnpm error 401 Unauthorized - GET https://npm.pkg.github.com/download/@o/p/1.1.3/0a1b2c - authentication token not provided");
    let ids: Vec<&str> = d.report.causes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids[0], "token-missing", "{ids:?}");
    assert!(ids[..3].contains(&"lockfile-registry-mismatch"), "{ids:?}");
}

#[test]
fn each_family_names_its_cause_with_honest_confidence() {
    for (source, text, id, may_be_high) in FAMILIES {
        let d = explain_text(text);
        assert!(d.report.auth_failure, "{source}: not an auth failure");
        let top = &d.report.causes[0];
        assert_eq!(
            top.id,
            *id,
            "{source}\n{:?}",
            d.report.causes.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        if !may_be_high {
            assert_ne!(
                top.confidence,
                Confidence::High,
                "{source}: inferred, yet high"
            );
        }
    }
}

/// Structural evidence keeps look-alikes quiet: a 404 for a URL the command or package.json
/// names, a tarball URL npmjs never serves, a 403 on a public npmjs tarball, a bare scoped npmjs
/// 404, and 2FA wording beside a 404 (npm raises EOTP only on a 401). Their auth twins stay
/// explained.
#[test]
fn look_alikes_stay_silent() {
    for text in [
        "$ pnpm i https://pkg.example.dev/@o/p@422\n ERR_PNPM_FETCH_404  GET https://pkg.example.dev/@o/p@422: Not Found - 404\n\nNo authorization header was set for the request.",
        "$ npm install https://cdn.example.dev/p-1.0.0.tgz\nnpm error code E404\nnpm error 404 Not Found - GET https://cdn.example.dev/p-1.0.0.tgz",
        // a URL dependency from package.json names its version in the path: no registry route
        " ERR_PNPM_FETCH_404  GET https://pkg.example.dev/o/r/@o/core@f07e1a3: Not Found - 404\n\nNo authorization header was set for the request.",
        // npmjs tarballs are `<name>/-/<name>-<version>.tgz`: another file name is a broken URL
        "error An unexpected error occurred: \"https://registry.yarnpkg.com/@o/widget-links/-/wigdet-links-1.0.1.tgz: Request failed \\\"404 Not Found\\\"\".",
        // unscoped npmjs packages are public: a 403 on their tarball came from the network
        "npm error code E403\nnpm error 403 403 Forbidden - GET https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
        // a bare scoped 404 from npmjs: a name nobody published and a private package look the
        // same, and nothing speaks of a credential, so the text alone cannot tell (issue 14)
        // yarn 1's verbose line for a request that went through
        "verbose 1.465 Request \"https://registry.yarnpkg.com/lib\" finished with status code 200.",
        // Verdaccio's route validation refuses a name it never serves (validation.ts)
        "npm ERR! 403 403 Forbidden - GET https://npm.example.com/@o%2f-build - invalid package",
        // pnpm 11 refusing a key that is no auth setting
        "[ERR_PNPM_CONFIG_SET_UNSUPPORTED_YAML_CONFIG_KEY] The key \"nodeLinker\" isn't supported by the global config.yaml file",
        " ERR_PNPM_FETCH_404  GET https://registry.npmjs.org/@o%2fcore: Not Found - 404\n\nNo authorization header was set for the request.",
        "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@o%2fcore - Not found\nnpm error 404  The requested resource '@o/core@*' could not be found or you do not have permission to access it.",
        // a file on github.com itself (yarn 4's plugin download), not GitHub's npm registry
        "➤ YN0035: The remote server failed to provide the requested resource\n➤ YN0035:   Response Code: 404 (Not Found)\n➤ YN0035:   Request Method: GET\n➤ YN0035:   Request URL: https://github.com/yarnpkg/berry/raw/@yarnpkg/cli/4.0.0/packages/plugin-x/bin/%40yarnpkg/plugin-x.js",
    ] {
        assert!(!explain_text(text).report.auth_failure, "{text}");
    }
    let d = explain_text("Two-factor authentication is required for this operation\n\nnpm error code E404\nnpm error 404 Not Found - POST https://registry.npmjs.org/-/package/@o%2fp/trust");
    assert!(d.report.causes.iter().all(|c| c.id != "otp-required"));
}

/// The same shapes with what makes them auth: a scoped registry tarball with its own name, a
/// refused packument read (an egress policy blocks by name), a scoped npmjs tarball, a scoped
/// 404 with a credential's trace or from another registry.
#[test]
fn auth_twins_of_the_look_alikes_are_explained() {
    for text in [
        "error An unexpected error occurred: \"https://registry.yarnpkg.com/@o/widget-links/-/widget-links-1.0.1.tgz: Request failed \\\"404 Not Found\\\"\".",
        "npm error 403 403 Forbidden - GET https://registry.npmjs.org/left-pad",
        "npm error code E403\nnpm error 403 403 Forbidden - GET https://registry.npmjs.org/@o/p/-/p-1.3.0.tgz",
        // the same scoped 404 with a credential's trace: a token was sent, or one was expired
        " ERR_PNPM_FETCH_404  GET https://registry.npmjs.org/@o%2fcore: Not Found - 404\n\nAn authorization header was used: Bearer npm_[hidden]",
        "npm notice Access token expired or revoked. Please try logging in again.\nnpm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@o%2fcore - Not found",
        // a scoped 404 from another registry than npmjs, and through registry.yarnpkg.com
        "npm error code E404\nnpm error 404 Not Found - GET https://npm.example.com/@o%2fcore - Not found",
        "error An unexpected error occurred: \"https://registry.yarnpkg.com/@o%2fcore: Not found\".",
    ] {
        assert!(explain_text(text).report.auth_failure, "{text}");
    }
}

/// A bare ENEEDAUTH from npmjs on a publish and a bare npmjs 404 on a PUT cannot say whether a
/// token or trusted publishing failed: both OIDC causes are among the first three candidates,
/// none of them "high", and the token causes stay listed.
#[test]
fn bare_npmjs_publish_refusals_rank_trusted_publishing_among_the_candidates() {
    let cases: [(&str, &[&str]); 2] = [
        (
            "npm error code ENEEDAUTH\nnpm error need auth This command requires you to be logged in to https://registry.npmjs.org/",
            &["oidc-not-attempted", "token-missing", "token-env-unset"],
        ),
        (
            // npm >= 10.6 by its `npm error` heading: the exchange a point above the token
            "npm error code E404\nnpm error 404 Not Found - PUT https://registry.npmjs.org/some-pkg - Not found",
            &["oidc-exchange-failed", "token-invalid-or-expired", "oidc-not-attempted"],
        ),
    ];
    for (text, top3) in cases {
        let d = explain_text(text);
        let ids: Vec<&str> = d.report.causes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(&ids[..3], top3, "{text}");
        assert!(
            d.report
                .causes
                .iter()
                .all(|c| c.confidence != Confidence::High),
            "{text}"
        );
    }
    // read failures are no publish: an install's 401 from npmjs gets no OIDC candidate
    let d = explain_text(
        "npm error code E401\nnpm error 401 Unauthorized - GET https://registry.npmjs.org/@o%2fp",
    );
    assert!(d.report.causes.iter().all(|c| !c.id.starts_with("oidc-")));
}
