//! semantic-release's own authentication errors and its trusted-publishing log lines, which come
//! before (or instead of) any npm error: `ENONPMTOKEN No npm token specified.`, `EINVALIDNPMTOKEN
//! Invalid npm token.`, and @semantic-release/npm's OIDC steps, mapped onto npm's `OidcStep`s.
//!
//! Texts from semantic-release/npm at v13.1.5-80-g1e3495c (cited per pattern) and
//! semantic-release 25.0.9 index.js:238, which prints an error as `${error.code} ${error.message}`.

use std::sync::LazyLock;

use regex::Regex;

use super::oidc::OidcStep;
use super::{Failure, Operation};
use crate::secret::scrub_text as scrub;

/// An error @semantic-release/npm raises in its `verifyConditions` step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReleaseAuthError {
    /// lib/definitions/errors.js:37-46 `ENONPMTOKEN` "No npm token specified.", raised by
    /// lib/set-npmrc-auth.js:36 when no `.npmrc` has a token for the registry and `NPM_TOKEN` is
    /// unset, after trusted publishing did not give a token (lib/verify-auth.js:86-90).
    NoNpmToken,
    /// lib/definitions/errors.js:59-68 `EINVALIDNPMTOKEN` "Invalid npm token.", raised by
    /// lib/verify-auth.js:35 when `npm whoami --userconfig <its npmrc> --registry <registry>`
    /// fails; it runs only for the default registry (verify-auth.js:78) and not after a
    /// successful OIDC exchange (verify-auth.js:86-88).
    InvalidNpmToken,
}

impl ReleaseAuthError {
    /// The code semantic-release prints.
    pub fn code(self) -> &'static str {
        match self {
            ReleaseAuthError::NoNpmToken => "ENONPMTOKEN",
            ReleaseAuthError::InvalidNpmToken => "EINVALIDNPMTOKEN",
        }
    }

    /// Its message, exactly (errors.js:39, :61).
    pub fn message(self) -> &'static str {
        match self {
            ReleaseAuthError::NoNpmToken => "No npm token specified.",
            ReleaseAuthError::InvalidNpmToken => "Invalid npm token.",
        }
    }
}

/// What semantic-release's own lines said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SemanticReleaseFacts {
    pub error: Option<ReleaseAuthError>,
    /// 1-based line of the error.
    pub error_line: Option<usize>,
    /// lib/set-npmrc-auth.js:11 `Verify authentication for registry %s`, or the error details'
    /// "publishing to the registry `<url>`" (errors.js:44, :64).
    pub registry: Option<String>,
    /// ENONPMTOKEN's details in the wording of @semantic-release/npm before 13.1.0, the release
    /// that added trusted publishing: `An [npm token](...) must be created and set in the
    /// \`NPM_TOKEN\` environment variable` (lib/definitions/errors.js:40 at v13.0.0); from 13.1.0
    /// it begins "When not publishing through [trusted publishing](...)". Such a plugin never
    /// tries OIDC, so a job set up for trusted publishing fails the same way as a missing secret.
    pub plugin_before_oidc: bool,
    /// The same details in the wording of 13.1.0 and later ("When not publishing through
    /// [trusted publishing](...), an npm token ...", errors.js:40 at v13.1.0): the plugin tried
    /// trusted publishing first. Without either wording the plugin's version is unknown.
    pub plugin_with_oidc: bool,
}

/// `<code> <message>` as index.js:238 prints it, code and message together (a changelog line
/// naming the code alone is not the error).
static ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s✘])(ENONPMTOKEN No npm token specified\.?|EINVALIDNPMTOKEN Invalid npm token\.?)(?:$|\s)",
    )
    .unwrap()
});
static REGISTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:Verify authentication for registry|(?:publishing|publish) to the registry) `?(https?://[^\s`]+?)`?\.?$")
        .unwrap()
});

/// Reads one line; true when it was one of semantic-release's auth lines.
pub fn match_line(facts: &mut SemanticReleaseFacts, body: &str, line_no: usize) -> bool {
    if let Some(c) = ERROR.captures(body) {
        let error = if c[1].starts_with("ENONPMTOKEN") {
            ReleaseAuthError::NoNpmToken
        } else {
            ReleaseAuthError::InvalidNpmToken
        };
        facts.error = Some(error);
        facts.error_line = Some(line_no);
        return true;
    }
    let details = body.trim_start();
    if details.starts_with("When not publishing through trusted publishing")
        || details.starts_with("When not publishing through [trusted publishing]")
    {
        facts.plugin_with_oidc = true;
        return true;
    }
    if (details.starts_with("An npm token") || details.starts_with("An [npm token]"))
        && details.contains("must be created and set in the")
    {
        facts.plugin_before_oidc = true;
        return true;
    }
    if let Some(c) = REGISTRY.captures(body.trim_end()) {
        facts.registry = Some(scrub(&c[1]).into_owned());
        return true;
    }
    false
}

/// Fills what the text left open from semantic-release's error: a failure of a publish (its
/// `verifyConditions` step), its code and message when no client printed one, and the registry.
/// With EINVALIDNPMTOKEN and no npm lines, the failing request is the `npm whoami` it ran.
pub(crate) fn complete(f: &mut Failure) {
    let sr = &f.publisher.semantic_release;
    let Some(error) = sr.error else {
        return;
    };
    let registry = sr.registry.clone();
    f.signals.has_error = true;
    f.signals.operation = Operation::Publish;
    if f.signals.publish_registry.is_none() {
        f.signals.publish_registry = registry.clone();
    }
    if f.code.is_some() {
        return; // npm's own error (whoami's E401) is the failing request
    }
    f.code = Some(error.code().to_owned());
    f.message = Some(error.message().to_owned());
    if let (ReleaseAuthError::InvalidNpmToken, Some(registry)) = (error, registry) {
        f.method = Some("GET".to_owned());
        f.url = Some(format!("{}/-/whoami", registry.trim_end_matches('/')));
    }
}

/// lib/trusted-publishing/token-exchange.js:26: `OIDC token exchange with the npm registry
/// failed: ${response.status} ${responseBody.message}`.
static EXCHANGE_FAILED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"OIDC token exchange with the npm registry failed: (\d{3})\s*(.*)$").unwrap()
});
/// token-exchange.js:39: `Retrieval of GitHub Actions OIDC token failed: ${e.message}`.
const ID_TOKEN_FAILED: &str = "Retrieval of GitHub Actions OIDC token failed:";
/// @actions/core's getIDToken when the job has no `id-token: write` (its request URL is unset).
const NO_REQUEST_URL: &str = "Unable to get ACTIONS_ID_TOKEN_REQUEST_URL";
/// token-exchange.js:21.
const EXCHANGE_SUCCEEDED: &str = "OIDC token exchange with the npm registry succeeded";

/// The OIDC step one of @semantic-release/npm's lines names, with the exchange's status.
pub fn oidc_step(body: &str) -> Option<(OidcStep, Option<u16>)> {
    if let Some(c) = EXCHANGE_FAILED.captures(body.trim_end()) {
        let message = c[2].trim();
        // `responseBody.message` undefined: no words of the registry's
        let message =
            (!message.is_empty() && message != "undefined").then(|| scrub(message).into_owned());
        return Some((OidcStep::ExchangeRefused { message }, c[1].parse().ok()));
    }
    if let Some(i) = body.find(ID_TOKEN_FAILED) {
        let reason = body[i + ID_TOKEN_FAILED.len()..].trim();
        let step = match reason.contains(NO_REQUEST_URL) {
            true => OidcStep::NoIdTokenPermission,
            false => OidcStep::IdTokenFetchFailed {
                reason: scrub(reason).into_owned(),
            },
        };
        return Some((step, None));
    }
    body.contains(EXCHANGE_SUCCEEDED)
        .then_some((OidcStep::Succeeded, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_need_code_and_message_together() {
        let mut facts = SemanticReleaseFacts::default();
        assert!(match_line(
            &mut facts,
            "[12:01:03 PM] [semantic-release] › ✘  ENONPMTOKEN No npm token specified.",
            7
        ));
        assert_eq!(facts.error, Some(ReleaseAuthError::NoNpmToken));
        assert_eq!(facts.error_line, Some(7));
        let mut facts = SemanticReleaseFacts::default();
        assert!(match_line(
            &mut facts,
            "[semantic-release] › ✘  EINVALIDNPMTOKEN Invalid npm token.",
            1
        ));
        assert_eq!(facts.error, Some(ReleaseAuthError::InvalidNpmToken));
        for other in [
            "fix: explain ENONPMTOKEN better",
            "No npm token specified.",
            "XENONPMTOKEN No npm token specified.",
        ] {
            let mut facts = SemanticReleaseFacts::default();
            match_line(&mut facts, other, 1);
            assert_eq!(facts.error, None, "{other}");
        }
    }

    #[test]
    fn the_registry_from_the_verify_line_or_the_details() {
        for line in [
            "[semantic-release] [@semantic-release/npm] › ℹ  Verify authentication for registry https://registry.npmjs.org/",
            "Please make sure to ... The token must allow publishing to the registry https://registry.npmjs.org/.",
            "allowing to publish to the registry `https://registry.npmjs.org/`.",
        ] {
            let mut facts = SemanticReleaseFacts::default();
            assert!(match_line(&mut facts, line, 1), "{line}");
            assert_eq!(
                facts.registry.as_deref(),
                Some("https://registry.npmjs.org/"),
                "{line}"
            );
        }
    }

    #[test]
    fn oidc_steps_of_token_exchange_js() {
        assert_eq!(
            oidc_step("[semantic-release] [@semantic-release/npm] › ℹ  OIDC token exchange with the npm registry failed: 404 OIDC token exchange error - package not found"),
            Some((
                OidcStep::ExchangeRefused {
                    message: Some("OIDC token exchange error - package not found".into())
                },
                Some(404)
            ))
        );
        assert_eq!(
            oidc_step("OIDC token exchange with the npm registry failed: 500 undefined"),
            Some((OidcStep::ExchangeRefused { message: None }, Some(500)))
        );
        assert_eq!(
            oidc_step("› ℹ  Retrieval of GitHub Actions OIDC token failed: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"),
            Some((OidcStep::NoIdTokenPermission, None))
        );
        assert!(matches!(
            oidc_step("Retrieval of GitHub Actions OIDC token failed: Failed to get ID Token. Error Code : 500"),
            Some((OidcStep::IdTokenFetchFailed { .. }, None))
        ));
        assert_eq!(
            oidc_step("OIDC token exchange with the npm registry succeeded"),
            Some((OidcStep::Succeeded, None))
        );
        assert_eq!(
            oidc_step("Verifying OIDC context for publishing from GitHub Actions"),
            None
        );
    }
}
