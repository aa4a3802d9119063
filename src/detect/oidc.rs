//! npm's trusted publishing (OIDC) as its log tells it: which step ran, which failed, and the
//! registry's words, from the `oidc` lines and the exchange request (docs/oidc.md).
//!
//! Every text matched here is npm 11.19.1's own, from `lib/utils/oidc.js` (cited per pattern).

use std::sync::LazyLock;

use regex::Regex;

use super::line::Level;
use crate::secret::scrub_text as scrub;

/// The step of npm's `oidc()` that decided how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidcStep {
    /// oidc.js: `log.silly('oidc', 'Skipped because incorrect permissions for id-token within
    /// GitHub workflow')`: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN unset (no `id-token: write`).
    NoIdTokenPermission,
    /// oidc.js: `log.silly('oidc', 'Skipped because no id_token available')` (GitLab/CircleCI
    /// without NPM_ID_TOKEN).
    NoIdToken,
    /// oidc.js: `Failed to fetch id_token from GitHub: received an invalid response` / `: missing
    /// value`; the text after the colon.
    IdTokenFetchFailed { reason: String },
    /// oidc.js: `Failed token exchange request with body message: <body.message|Unknown error>`;
    /// `message` is the registry's (None for npm's own "Unknown error").
    ExchangeRefused { message: Option<String> },
    /// oidc.js: `Failed because token exchange was missing the token in the response body`.
    ExchangeWithoutToken,
    /// oidc.js: `Failure with message: <error.message>` (anything thrown inside `oidc()`).
    Crashed { message: String },
    /// oidc.js: `Successfully retrieved and set token`.
    Succeeded,
}

impl OidcStep {
    /// True for the steps after which npm carried on without an OIDC token.
    pub fn failed(&self) -> bool {
        !matches!(self, OidcStep::Succeeded)
    }

    /// True for the failures of a flow that really ran (an ID token was asked for or used):
    /// the job was set up for trusted publishing, so the publish failed for want of its token.
    /// The two `Skipped` steps are logged on every CI publish without OIDC and are not.
    pub fn attempted_and_failed(&self) -> bool {
        matches!(
            self,
            OidcStep::IdTokenFetchFailed { .. }
                | OidcStep::ExchangeRefused { .. }
                | OidcStep::ExchangeWithoutToken
                | OidcStep::Crashed { .. }
        )
    }

    /// True when the exchange with the registry was reached (and refused).
    pub fn reached_exchange(&self) -> bool {
        matches!(
            self,
            OidcStep::ExchangeRefused { .. } | OidcStep::ExchangeWithoutToken | OidcStep::Succeeded
        )
    }
}

/// A request of the OIDC flow: the ID-token GET or the exchange POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcRequest {
    pub status: u16,
    pub url: String,
}

/// What the text shows of npm's OIDC flow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OidcFacts {
    /// The last `oidc` line's step (npm runs `oidc()` once per publish).
    pub step: Option<OidcStep>,
    /// 1-based line of that step in the text.
    pub step_line: Option<usize>,
    /// `http fetch GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=npm%3A<host> <status>` (oidc.js
    /// logs the URL before the status).
    pub id_token_request: Option<OidcRequest>,
    /// `http fetch POST <status> <registry>/-/npm/v1/oidc/token/exchange/package/<name>`
    /// (npm-registry-fetch's check-response.js).
    pub exchange: Option<OidcRequest>,
    /// The package named in the exchange URL (`@scope%2fname` decoded).
    pub exchange_package: Option<String>,
    /// The last step line ended at "body message:": the registry's message follows on the
    /// next (wrapped) line, as pasted CI output shows it.
    awaiting_message: bool,
}

impl OidcFacts {
    /// True when any line showed npm's OIDC code at work.
    pub fn seen(&self) -> bool {
        self.step.is_some() || self.exchange.is_some() || self.id_token_request.is_some()
    }

    /// The failed step, when npm's OIDC ran and did not produce a token.
    pub fn failed_step(&self) -> Option<&OidcStep> {
        self.step.as_ref().filter(|s| s.failed())
    }

    /// True when npm's trusted publishing ran and failed (see `OidcStep::attempted_and_failed`).
    pub fn attempt_failed(&self) -> bool {
        self.failed_step()
            .is_some_and(OidcStep::attempted_and_failed)
    }
}

/// The body npmjs's exchange endpoint gives a refusal (`OIDC token exchange error - package not
/// found`), which npm logs as "Failed token exchange request with body message: <it>" (npm/cli
/// lib/utils/oidc.js) and @semantic-release/npm as "...failed: <status> <it>"
/// (lib/trusted-publishing/token-exchange.js:26); reports: npm/cli#9923, n002, n283.
const EXCHANGE_ERROR: &str = "OIDC token exchange error";

/// npmjs's 403 body when the token trusted publishing gave may not publish this package
/// (`403 Forbidden - PUT https://registry.npmjs.org/<pkg> - OIDC permission denied for this
/// action`); reports: gtrabanco/agentic-workflow#39, webarkit/jsartoolkitNFT#620 (the trusted
/// publisher or the package's publishing access had to be fixed on npmjs.com).
const OIDC_DENIED: &str = "OIDC permission denied";

/// The exchange endpoint (oidc.js: `/-/npm/v1/oidc/token/exchange/package/${escapedPackageName}`).
pub const EXCHANGE_PATH: &str = "/-/npm/v1/oidc/token/exchange/package/";

static OIDC_LINE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^oidc\s+(.*)$").unwrap());
static ID_TOKEN_GET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:http\s+)?fetch\s+GET\s+(\S*audience=npm(?::|%3A)\S*)\s+(\d{3})\b").unwrap()
});
static EXCHANGE_POST: LazyLock<Regex> = LazyLock::new(|| {
    // also as people quote it: without `http fetch`, the host elided (`POST 404 …/oidc/...`)
    Regex::new(
        r"^(?:http\s+)?(?:fetch\s+)?POST\s+(\d{3})\s+(\S*/oidc/token/exchange/package/(\S+))",
    )
    .unwrap()
});

/// pnpm 11's warning when its own trusted publishing gives up and it publishes with whatever
/// static credential it has: `Skipped OIDC: <ERR_PNPM_code>: <message>` (pnpm/pnpm
/// pnpm11/releasing/commands/src/publish/publishPackedPkg.ts fetchTokenAndProvenanceByOidc;
/// pnpm/crates/publish/src/publish_options.rs for pnpm 12).
static PNPM_SKIPPED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Skipped OIDC:\s*(?:ERR_PNPM_)?([A-Z_]+)\b:?\s*(.*)$").unwrap());

/// The step a pnpm `Skipped OIDC` code names (the error classes of pnpm/pnpm
/// pnpm11/releasing/commands/src/publish/oidc/idToken.ts and authToken.ts).
fn pnpm_step(code: &str, rest: &str) -> Option<OidcStep> {
    let rest = scrub(rest.trim()).into_owned();
    Some(match code {
        "ID_TOKEN_GITHUB_WORKFLOW_INCORRECT_PERMISSIONS" => OidcStep::NoIdTokenPermission,
        "ID_TOKEN_GITHUB_INVALID_RESPONSE"
        | "ID_TOKEN_GITHUB_JSON_INTERRUPTED_ERROR"
        | "ID_TOKEN_GITHUB_JSON_INVALID_VALUE" => OidcStep::IdTokenFetchFailed { reason: rest },
        // `Failed token exchange request with body message: <message> (status code <n>)`
        "AUTH_TOKEN_EXCHANGE" => OidcStep::ExchangeRefused {
            message: rest
                .split_once("body message:")
                .map(|(_, m)| m.trim().to_owned())
                .filter(|m| !m.is_empty() && !m.starts_with("...")),
        },
        "AUTH_TOKEN_FETCH" | "AUTH_TOKEN_JSON_INTERRUPTED" | "AUTH_TOKEN_MALFORMED_JSON" => {
            OidcStep::Crashed { message: rest }
        }
        _ => return None,
    })
}

/// Reads one normalised line; true when it was part of the OIDC flow (then no other matcher
/// should take it: the exchange's 404 is not the failing request).
pub fn match_line(facts: &mut OidcFacts, level: Level, body: &str, line_no: usize) -> bool {
    if let Some(step) = PNPM_SKIPPED
        .captures(body)
        .and_then(|c| pnpm_step(&c[1], &c[2]))
    {
        facts.step = Some(step);
        facts.step_line = Some(line_no);
        return true;
    }
    if std::mem::take(&mut facts.awaiting_message) && level == Level::None {
        if let Some(OidcStep::ExchangeRefused { message: None }) = facts.step {
            let message = body.trim();
            if !message.is_empty() && message != "Unknown error" {
                facts.step = Some(OidcStep::ExchangeRefused {
                    message: Some(scrub(message).into_owned()),
                });
                return true;
            }
        }
    }
    if let Some(at) = body.find(OIDC_DENIED).filter(|_| facts.step.is_none()) {
        // npmjs's 403 to a publish made with a trusted-publishing token it will not let act
        facts.step = Some(OidcStep::ExchangeRefused {
            message: Some(scrub(body[at..].trim()).into_owned()),
        });
        facts.step_line = Some(line_no);
        return true;
    }
    if let Some(at) = body.find(EXCHANGE_ERROR).filter(|_| facts.step.is_none()) {
        // npmjs's answer to a refused exchange, quoted without npm's `oidc` line around it
        facts.step = Some(OidcStep::ExchangeRefused {
            message: Some(scrub(body[at..].trim()).into_owned()),
        });
        facts.step_line = Some(line_no);
        return true;
    }
    if level == Level::None {
        if let Some((step, status)) = super::semantic_release::oidc_step(body) {
            // @semantic-release/npm's own exchange, always with registry.npmjs.org
            if let Some(status) = status {
                facts.exchange = Some(OidcRequest {
                    status,
                    url: format!("https://registry.npmjs.org{EXCHANGE_PATH}"),
                });
            }
            facts.step = Some(step);
            facts.step_line = Some(line_no);
            return true;
        }
    }
    match level {
        Level::Verbose | Level::Silly | Level::Info | Level::None => {
            if let Some(step) = OIDC_LINE.captures(body).and_then(|c| parse_step(&c[1])) {
                facts.awaiting_message = body.trim_end().ends_with("body message:");
                facts.step = Some(step);
                facts.step_line = Some(line_no);
                return true;
            }
            level == Level::None && match_request(facts, body)
        }
        Level::Http => match_request(facts, body),
        _ => false,
    }
}

fn match_request(facts: &mut OidcFacts, body: &str) -> bool {
    if let Some(c) = ID_TOKEN_GET.captures(body) {
        facts.id_token_request = Some(OidcRequest {
            status: c[2].parse().unwrap_or(0),
            url: scrub(&c[1]).into_owned(),
        });
        return true;
    }
    if let Some(c) = EXCHANGE_POST.captures(body) {
        facts.exchange = Some(OidcRequest {
            status: c[1].parse().unwrap_or(0),
            url: scrub(&c[2]).into_owned(),
        });
        facts.exchange_package =
            Some(scrub(&c[3].replace("%2f", "/").replace("%2F", "/")).into_owned());
        return true;
    }
    false
}

/// The step an `oidc` line's text names (texts of oidc.js, npm 11.19.1).
fn parse_step(text: &str) -> Option<OidcStep> {
    let text = text.trim();
    let step = if text.starts_with("Skipped because incorrect permissions for id-token") {
        OidcStep::NoIdTokenPermission
    } else if text.starts_with("Skipped because no id_token available") {
        OidcStep::NoIdToken
    } else if let Some(reason) = text.strip_prefix("Failed to fetch id_token from GitHub:") {
        OidcStep::IdTokenFetchFailed {
            reason: scrub(reason.trim()).into_owned(),
        }
    } else if let Some(message) =
        text.strip_prefix("Failed token exchange request with body message:")
    {
        let message = message.trim();
        // oidc.js: `error?.body?.message || 'Unknown error'`: npm's words, not the registry's
        OidcStep::ExchangeRefused {
            message: (message != "Unknown error" && !message.is_empty())
                .then(|| scrub(message).into_owned()),
        }
    } else if text.starts_with("Failed because token exchange was missing the token") {
        OidcStep::ExchangeWithoutToken
    } else if let Some(message) = text.strip_prefix("Failure with message:") {
        OidcStep::Crashed {
            message: scrub(message.trim()).into_owned(),
        }
    } else if text.starts_with("Successfully retrieved and set token") {
        OidcStep::Succeeded
    } else {
        // "Enabling provenance", "Failed to set provenance ...": after the token, not a step
        return None;
    };
    Some(step)
}

/// Whether an npm version has `lib/utils/oidc.js`: trusted publishing needs npm >= 11.5.1
/// (docs.npmjs.com/trusted-publishers: "Trusted publishing requires npm CLI version 11.5.1 or
/// later and Node version 22.14.0 or higher.").
pub fn npm_can_do_oidc(version: &str) -> Option<bool> {
    version_at_least(version, (11, 5, 1))
}

/// `version >= min` for `major.minor.patch` (a `v` prefix and pre-release tails ignored); None
/// when the version is unreadable.
pub fn version_at_least(version: &str, min: (u32, u32, u32)) -> Option<bool> {
    let mut parts = version
        .trim()
        .trim_start_matches('v')
        .split(['.', '-', '+']);
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let patch: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch) >= min)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(lines: &[(Level, &str)]) -> OidcFacts {
        let mut facts = OidcFacts::default();
        for (i, (level, body)) in lines.iter().enumerate() {
            match_line(&mut facts, *level, body, i + 1);
        }
        facts
    }

    #[test]
    fn each_step_of_oidc_js() {
        let cases = [
            (
                "oidc Skipped because incorrect permissions for id-token within GitHub workflow",
                OidcStep::NoIdTokenPermission,
            ),
            ("oidc Skipped because no id_token available", OidcStep::NoIdToken),
            (
                "oidc Failed to fetch id_token from GitHub: missing value",
                OidcStep::IdTokenFetchFailed {
                    reason: "missing value".into(),
                },
            ),
            (
                "oidc Failed token exchange request with body message: OIDC token exchange error - package not found",
                OidcStep::ExchangeRefused {
                    message: Some("OIDC token exchange error - package not found".into()),
                },
            ),
            (
                "oidc Failed token exchange request with body message: Unknown error",
                OidcStep::ExchangeRefused { message: None },
            ),
            (
                "oidc Failed because token exchange was missing the token in the response body",
                OidcStep::ExchangeWithoutToken,
            ),
            (
                "oidc Failure with message: Invalid URL",
                OidcStep::Crashed {
                    message: "Invalid URL".into(),
                },
            ),
            ("oidc Successfully retrieved and set token", OidcStep::Succeeded),
        ];
        for (body, step) in cases {
            let facts = facts_of(&[(Level::Verbose, body)]);
            assert_eq!(facts.step, Some(step), "{body}");
        }
    }

    #[test]
    fn provenance_lines_do_not_replace_the_step() {
        let facts = facts_of(&[
            (Level::Verbose, "oidc Successfully retrieved and set token"),
            (Level::Verbose, "oidc Enabling provenance"),
        ]);
        assert_eq!(facts.step, Some(OidcStep::Succeeded));
        assert_eq!(facts.step_line, Some(1));
    }

    #[test]
    fn the_two_requests_of_the_flow() {
        let facts = facts_of(&[
            (
                Level::Http,
                "fetch GET https://pipelines.actions.githubusercontent.com/x/idtoken?api-version=2.0&audience=npm%3Aregistry.npmjs.org 200 83ms",
            ),
            (
                Level::Http,
                "fetch POST 404 https://registry.npmjs.org/-/npm/v1/oidc/token/exchange/package/@octo%2fwidget 23ms",
            ),
        ]);
        assert_eq!(facts.id_token_request.as_ref().map(|r| r.status), Some(200));
        assert_eq!(facts.exchange.as_ref().map(|r| r.status), Some(404));
        assert_eq!(facts.exchange_package.as_deref(), Some("@octo/widget"));
        assert!(facts.seen() && facts.step.is_none());
    }

    #[test]
    fn a_quoted_exchange_with_its_message_on_the_next_line() {
        let facts = facts_of(&[
            (
                Level::None,
                "POST 404 …/oidc/token/exchange/package/react-native-cache-video",
            ),
            (
                Level::Verbose,
                "oidc Failed token exchange request with body message:",
            ),
            (
                Level::None,
                "      OIDC token exchange error - package not found",
            ),
        ]);
        assert_eq!(facts.exchange.as_ref().map(|r| r.status), Some(404));
        assert_eq!(
            facts.exchange_package.as_deref(),
            Some("react-native-cache-video")
        );
        assert_eq!(
            facts.step,
            Some(OidcStep::ExchangeRefused {
                message: Some("OIDC token exchange error - package not found".into())
            })
        );
        assert!(facts.attempt_failed());
    }

    #[test]
    fn skipped_steps_are_not_failed_attempts() {
        let facts = facts_of(&[(
            Level::Silly,
            "oidc Skipped because incorrect permissions for id-token within GitHub workflow",
        )]);
        assert!(facts.failed_step().is_some() && !facts.attempt_failed());
    }

    #[test]
    fn other_lines_are_not_oidc() {
        let facts = facts_of(&[
            (
                Level::Http,
                "fetch GET 404 https://registry.npmjs.org/widget 8ms",
            ),
            (
                Level::Verbose,
                "stack Error: This command requires you to be logged in",
            ),
            (Level::Error, "oidc Successfully retrieved and set token"),
        ]);
        assert!(!facts.seen());
    }

    #[test]
    fn versions_with_oidc() {
        for (version, can) in [
            ("10.9.2", false),
            ("11.5.0", false),
            ("11.5.1", true),
            ("11.19.1", true),
            ("12.0.0-pre.1", true),
        ] {
            assert_eq!(npm_can_do_oidc(version), Some(can), "{version}");
        }
        assert_eq!(npm_can_do_oidc("next"), None);
    }
}
