//! semantic-release's ENONPMTOKEN and EINVALIDNPMTOKEN (detect/semantic_release.rs): the rules
//! that turn them into token-missing / token-invalid-or-expired (or leave them to the OIDC
//! causes when @semantic-release/npm logged its trusted-publishing step), and the fix lines that
//! name `NPM_TOKEN` and the trusted publisher.

use super::context::Context;
use super::evidence::line;
use super::score::Scores;
use crate::detect::semantic_release::ReleaseAuthError;

/// The error semantic-release printed, if any.
pub(crate) fn error(cx: &Context) -> Option<ReleaseAuthError> {
    cx.failure.publisher.semantic_release.error
}

/// ENONPMTOKEN: no token for the registry in any `.npmrc` and `NPM_TOKEN` unset. When
/// @semantic-release/npm logged an OIDC step first, that step is the cause (the OIDC units' rules
/// read it); without one, trusted publishing was not tried (@semantic-release/npm before 13.1.0,
/// a CI other than GitHub Actions or GitLab, a registry other than registry.npmjs.org) and the
/// missing `NPM_TOKEN` is what stopped it.
pub(crate) fn no_npm_token(cx: &Context, s: &mut Scores) {
    if error(cx) != Some(ReleaseAuthError::NoNpmToken) {
        return;
    }
    let ev = line(cx, &["ENONPMTOKEN"]);
    if cx.failure.oidc.attempt_failed() {
        s.add("token-missing", 2, ev);
        return;
    }
    let sr = &cx.failure.publisher.semantic_release;
    if sr.plugin_before_oidc || !sr.plugin_with_oidc && cx.failure.oidc.step.is_none() {
        // the plugin predates trusted publishing, or its version is unknown (the error line
        // quoted alone; detect/semantic_release.rs): a job meant for trusted publishing and one
        // that lost its NPM_TOKEN secret print the same error, so a candidate each
        s.add("token-missing", 7, ev.clone());
        s.add("oidc-not-attempted", 5, ev);
        return;
    }
    s.add("token-missing", 10, ev);
    if cx.in_ci() && cx.failure.oidc.step.is_none() {
        s.add("oidc-not-attempted", 4, None);
    }
}

/// EINVALIDNPMTOKEN: the `npm whoami` semantic-release ran with its token failed.
pub(crate) fn invalid_npm_token(cx: &Context, s: &mut Scores) {
    if error(cx) != Some(ReleaseAuthError::InvalidNpmToken) {
        return;
    }
    s.add(
        "token-invalid-or-expired",
        10,
        line(cx, &["EINVALIDNPMTOKEN"]),
    );
    s.add("token-missing", -4, None);
}

/// The publish's registry as semantic-release named it, else the failure's.
fn registry(cx: &Context) -> String {
    cx.failure
        .publisher
        .semantic_release
        .registry
        .clone()
        .unwrap_or_else(|| cx.registry_or_placeholder())
}

/// The fix for ENONPMTOKEN, before token-missing's general steps.
pub(crate) fn no_token_fix(cx: &Context) -> Vec<String> {
    if error(cx) != Some(ReleaseAuthError::NoNpmToken) {
        return Vec::new();
    }
    vec![
        format!("give the release step a token: `env: NPM_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}` in its workflow step, with a granular token that may publish to {} (npmjs: read-write, \"Bypass 2FA\", at most 90 days)", registry(cx)),
        TRUSTED_PUBLISHING.to_owned(),
    ]
}

/// The fix for EINVALIDNPMTOKEN, before token-invalid-or-expired's general steps.
pub(crate) fn invalid_token_fix(cx: &Context) -> Vec<String> {
    if error(cx) != Some(ReleaseAuthError::InvalidNpmToken) {
        return Vec::new();
    }
    vec![
        format!("replace the NPM_TOKEN secret: `npm whoami --registry {}` refused the token semantic-release was given (expired, revoked, or a classic token: npmjs revoked those on 2025-12-09)", registry(cx)),
        TRUSTED_PUBLISHING.to_owned(),
    ]
}

/// @semantic-release/npm 13.1.0+ (semantic-release 25) exchanges an OIDC token itself, for
/// registry.npmjs.org only (lib/trusted-publishing/oidc-context.js:5), and then skips NPM_TOKEN.
const TRUSTED_PUBLISHING: &str = "or drop the token: trusted publishing with @semantic-release/npm >= 13.1.0 (semantic-release 25) from GitHub Actions (`permissions: id-token: write`) or GitLab (`id_tokens: NPM_ID_TOKEN: aud: npm:registry.npmjs.org`), with a trusted publisher for the package on npmjs.com";

#[cfg(test)]
mod tests {
    use crate::diagnose::explain_text;

    fn top(text: &str) -> (String, Vec<String>) {
        let d = explain_text(text);
        let c = d.report.causes.first().expect("a cause");
        (c.id.clone(), c.fix.clone())
    }

    #[test]
    fn enonpmtoken_without_an_oidc_step_is_a_missing_npm_token() {
        let (id, fix) = top("[semantic-release] › ✘  ENONPMTOKEN No npm token specified.\n");
        assert_eq!(id, "token-missing");
        assert!(fix[0].contains("NPM_TOKEN"), "{fix:?}");
    }

    #[test]
    fn einvalidnpmtoken_is_the_token_refused_by_whoami() {
        let (id, fix) = top("[semantic-release] › ✘  EINVALIDNPMTOKEN Invalid npm token.\n");
        assert_eq!(id, "token-invalid-or-expired");
        assert!(fix[0].contains("replace the NPM_TOKEN secret"), "{fix:?}");
    }
}
