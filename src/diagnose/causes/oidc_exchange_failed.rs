//! `oidc-exchange-failed`: npm's trusted publishing (OIDC) ran and did not get a publish token:
//! GitHub gave no ID token, or the registry refused the exchange. Its rules (from npm's `oidc`
//! debug-log lines, detect/oidc.rs), its fix text with this run's trusted-publisher fields, and
//! what decides it.

use crate::detect::oidc::OidcStep;
use crate::diagnose::advice::Advice;
use crate::diagnose::ci_job::{CiJob, CiSystem};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line};
use crate::diagnose::package_presence::{presence, Presence};
use crate::diagnose::publish_chain::{berry_oidc_silent, chain, YARNPKG_REGISTRY_STEP};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::specific_signal;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "oidc-exchange-failed",
    rules: &[
        rule!(37, exchange_refused),
        rule!(38, id_token_failed),
        rule!(60, npmjs_publish_404),
        rule!(69, first_publish),
        rule!(70, berry_exchange_refused),
    ],
    advice,
    live_fix,
};

/// The step lines of npm 11.19.1's lib/utils/oidc.js that end in "no token".
const REFUSED_LINES: [&str; 3] = [
    // oidc.js: `Failed token exchange request with body message: ${error?.body?.message || 'Unknown error'}`
    "oidc Failed token exchange request",
    // oidc.js: 'Failed because token exchange was missing the token in the response body'
    "oidc Failed because token exchange was missing the token",
    // @semantic-release/npm token-exchange.js:26
    "OIDC token exchange with the npm registry failed",
];
const ID_TOKEN_LINES: [&str; 3] = [
    // oidc.js: `Failed to fetch id_token from GitHub: received an invalid response` / `: missing value`
    "oidc Failed to fetch id_token",
    // oidc.js: `Failure with message: ${error?.message || 'Unknown error'}`
    "oidc Failure with message",
    // @semantic-release/npm token-exchange.js:39
    "Retrieval of GitHub Actions OIDC token failed",
];

fn exchange_refused(cx: &Context, s: &mut Scores) {
    if matches!(
        cx.failure.oidc.failed_step(),
        Some(OidcStep::ExchangeRefused { .. } | OidcStep::ExchangeWithoutToken)
    ) {
        // npm then publishes with no token (ENEEDAUTH) or another one (a 404 PUT): the exchange
        // is the step that failed, whatever the later error says
        s.add("oidc-exchange-failed", 18, line(cx, &REFUSED_LINES));
        demote_consequences(s);
    }
}

fn id_token_failed(cx: &Context, s: &mut Scores) {
    if matches!(
        cx.failure.oidc.failed_step(),
        Some(OidcStep::IdTokenFetchFailed { .. } | OidcStep::Crashed { .. })
    ) {
        s.add("oidc-exchange-failed", 16, line(cx, &ID_TOKEN_LINES));
        demote_consequences(s);
    }
}

/// npmjs's 404 on a publish with no `oidc` line in the text: when the job could get an ID token
/// (npm signed provenance from GitHub Actions, changesets said "OIDC is available") and the
/// client can do OIDC, the exchange is what failed (npm then publishes without a token, and
/// npmjs answers the PUT with 404). Without such a sign only a candidate: the debug log decides.
fn npmjs_publish_404(cx: &Context, s: &mut Scores) {
    if !cx.is_publish()
        || !has_status(cx, &[404])
        || cx.kind() != Kind::Npmjs
        || cx.failure.oidc.seen()
        || specific_signal(cx)
    {
        return;
    }
    if chain(cx).is_some_and(|c| c.can_oidc == Some(false)) {
        return; // oidc-not-attempted's rule
    }
    let p = &cx.failure.publisher;
    if p.provenance_signed || p.oidc_intended {
        let ev = line(cx, &["provenance statement", "OIDC is available"]);
        s.add("oidc-exchange-failed", 9, ev);
        s.add("token-invalid-or-expired", -2, None);
    } else if p.npm_11_5_or_later || cx.in_ci() {
        s.add("oidc-exchange-failed", 4, None);
    } else if p.npm_error_heading && !p.npm_err_heading {
        // an npm of 10.6 or later (its `npm error` heading), the npm of the trusted-publishing
        // years: a failed exchange ranks a point above an expired token; the debug log decides
        s.add("oidc-exchange-failed", 2, None);
    }
}

/// yarn 4 had an ID token (the job's variables) and still no token to publish with (YN0033): the
/// registry refused the exchange, whose answer yarn does not print.
fn berry_exchange_refused(cx: &Context, s: &mut Scores) {
    if berry_oidc_silent(cx) == Some(true) {
        s.add("oidc-exchange-failed", 12, line(cx, &["YN0033"]));
        s.add("npmrc-misconfig", -6, None);
        demote_consequences(s);
    }
}

/// The presence probes found no such package: a first publish, which trusted publishing cannot
/// make (a trusted publisher is set on an existing package's settings page).
fn first_publish(cx: &Context, s: &mut Scores) {
    if !cx.failure.oidc.attempt_failed() {
        return;
    }
    if let Some((Presence::Absent, shown)) = presence(cx.facts) {
        s.add("oidc-exchange-failed", 2, Some(shown));
    }
}

/// ENEEDAUTH or the 404 PUT that follow a failed exchange argue for the token causes; the OIDC
/// line explains them.
pub(super) fn demote_consequences(s: &mut Scores) {
    s.add("token-env-unset", -6, None);
    s.add("token-missing", -4, None);
    s.add("token-invalid-or-expired", -4, None);
}

/// The step that failed, in words (the summary names it).
fn step_words(cx: &Context) -> String {
    let host = cx.host_or_registry_word();
    let status = cx.failure.oidc.exchange.as_ref().map(|r| r.status);
    match cx.failure.oidc.failed_step() {
        Some(OidcStep::ExchangeRefused { message: Some(m) }) => {
            let status = status.map(|s| format!(" with {s}")).unwrap_or_default();
            format!(
                "the ID token was fetched, but {host} refused the token exchange{status}: \"{m}\""
            )
        }
        Some(OidcStep::ExchangeRefused { message: None }) => {
            let status = status.map(|s| format!(" ({s})")).unwrap_or_default();
            format!("the ID token was fetched, but {host} refused the token exchange{status} without a message")
        }
        Some(OidcStep::ExchangeWithoutToken) => {
            format!("the ID token was fetched, but {host} refused the token exchange: its answer held no token")
        }
        Some(OidcStep::IdTokenFetchFailed { reason }) => {
            format!("the ID token could not be fetched from the CI ({reason}), so no exchange was tried")
        }
        Some(OidcStep::Crashed { message }) => {
            format!("npm's OIDC step failed before the exchange (\"{message}\")")
        }
        _ if berry_oidc_silent(cx).is_some() => format!("the job had an ID token, but {host} did not exchange it for a publish token (yarn prints nothing about the exchange)"),
        _ => "the token exchange did not give a publish token".to_owned(),
    }
}

fn package_not_found(cx: &Context) -> bool {
    matches!(cx.failure.oidc.failed_step(), Some(OidcStep::ExchangeRefused { message: Some(m) }) if m.contains("package not found"))
}

fn package(cx: &Context) -> String {
    cx.failure
        .oidc
        .exchange_package
        .clone()
        .or_else(|| cx.package.clone())
        .unwrap_or_else(|| "the package".to_owned())
}

fn advice(cx: &Context) -> Advice {
    let package = package(cx);
    let then = match crate::diagnose::semantic_release::error(cx) {
        Some(e) => format!(
            "semantic-release then looked for NPM_TOKEN and stopped ({})",
            e.code()
        ),
        None if berry_oidc_silent(cx).is_some() => {
            "yarn then had no token and stopped (YN0033)".to_owned()
        }
        None if cx.failure.signals.need_auth => {
            "npm then had no token at all (ENEEDAUTH)".to_owned()
        }
        None => format!(
            "{} then published with whatever token was configured",
            client_words::tool(cx)
        ),
    };
    let mut fix = Vec::new();
    if matches!(
        cx.failure.oidc.failed_step(),
        Some(OidcStep::IdTokenFetchFailed { .. } | OidcStep::Crashed { .. })
    ) {
        fix.push("rerun the job: GitHub's ID-token endpoint did not answer as expected; if it persists, check the job's `permissions: id-token: write` and GitHub's status page".to_owned());
    } else {
        fix.push(format!("on npmjs.com open {package} -> Settings -> Trusted publishing and compare each field with this run (exact case): {}", publisher_fields(cx.facts.env.ci_job.as_ref())));
        fix.push("a package never published has no trusted publisher yet: publish it once with a token, then add the trusted publisher (npm/cli#8544)".to_owned());
    }
    if chain(cx).is_some_and(|c| c.yarnpkg_registry) {
        fix.insert(0, YARNPKG_REGISTRY_STEP.to_owned());
    }
    let by = chain(cx)
        .map(|c| format!(" (published by {})", c.words))
        .unwrap_or_default();
    Advice {
        summary: format!("Trusted publishing (OIDC) of {package}{by} failed: {}; {then}.", step_words(cx)),
        fix,
        verify: client_words::checks(cx, vec![match crate::diagnose::semantic_release::error(cx) {
            None if berry_oidc_silent(cx).is_some() || client_words::is_berry(cx) => "rerun the job: `yarn npm publish` gets past YN0033 once the trusted publisher matches (yarn logs nothing of the exchange itself)".to_owned(),
            Some(_) => "rerun the release job: @semantic-release/npm logs `OIDC token exchange with the npm registry succeeded` once the trusted publisher matches".to_owned(),
            None => "npm publish --dry-run --loglevel verbose   # in the CI job: look for `verbose oidc`".to_owned(),
        }]),
        decider: decider(cx),
    }
}

/// The line that decides it, as this failure showed it: npm's `oidc` line, @semantic-release/npm's
/// exchange line, or yarn's YN0033 with the job's ID-token variables (yarn logs no exchange).
fn decider(cx: &Context) -> String {
    const EXCHANGE: &str = "the status of `POST .../-/npm/v1/oidc/token/exchange/package/...`";
    if let Some(available) = berry_oidc_silent(cx) {
        let variables = match cx.facts.env.ci_job.as_ref().map(|j| j.system) {
            Some(CiSystem::GithubActions) => {
                "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN"
            }
            _ => "NPM_ID_TOKEN",
        };
        let at = line(cx, &["YN0033"])
            .and_then(|e| e.source)
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let had = if available { "had" } else { "lacked" };
        return format!("yarn's YN0033 \"No authentication configured for request\"{at} on `yarn npm publish` while the job {had} {variables} (an ID token to exchange)");
    }
    if client_words::is_berry(cx) {
        return "yarn's YN0033 \"No authentication configured for request\" on `yarn npm publish`, and whether the job had an ID token (GitHub: ACTIONS_ID_TOKEN_REQUEST_URL; GitLab/CircleCI: NPM_ID_TOKEN): yarn logs nothing of the exchange".to_owned();
    }
    let needles: Vec<&str> = REFUSED_LINES
        .iter()
        .chain(&ID_TOKEN_LINES)
        .copied()
        .collect();
    let Some(seen) = line(cx, &needles) else {
        return format!(
            "npm's `verbose oidc` line (debug log, or `--loglevel verbose`) and {EXCHANGE}"
        );
    };
    let needle = needles
        .iter()
        .find(|n| seen.text.contains(**n))
        .copied()
        .unwrap_or_default();
    let who = if needle.starts_with("oidc ") {
        "npm's"
    } else {
        "@semantic-release/npm's"
    };
    let at = seen.source.map(|s| format!(" ({s})")).unwrap_or_default();
    format!("{who} `{needle}` line{at} and {EXCHANGE}")
}

/// The trusted-publisher form's fields, filled from this run's CI variables when known.
pub(crate) fn publisher_fields(job: Option<&CiJob>) -> String {
    let Some(job) = job else {
        return "organization or user, repository, workflow filename (with `.yml` or `.yaml`), environment (empty when the job has none)".to_owned();
    };
    let (owner, repo) = job
        .repository
        .as_deref()
        .and_then(|r| r.split_once('/'))
        .map_or(("<owner>", "<repository>"), |(o, r)| (o, r));
    let workflow = job
        .workflow_file
        .as_deref()
        .unwrap_or("<workflow file>.yml");
    let environment = match (&job.environment, job.system) {
        (Some(e), _) => format!("`{e}`"),
        (None, CiSystem::GithubActions) => {
            "the job's `environment:` (empty when it has none)".to_owned()
        }
        (None, _) => "empty unless the job has one".to_owned(),
    };
    format!("owner `{owner}`, repository `{repo}`, workflow filename `{workflow}`, environment {environment}")
}

fn live_fix(cx: &Context) -> Vec<String> {
    if matches!(presence(cx.facts), Some((Presence::Absent, _))) {
        return vec![format!(
            "{} does not exist on {} yet, and trusted publishing cannot make a first publish: publish its first version once with a token (a granular read-write token, or `{}` and `{}`), then add the trusted publisher on its settings page and drop the token",
            package(cx),
            cx.host_or_registry_word(),
            client_words::login_word(cx),
            client_words::publish_word(cx)
        )];
    }
    if package_not_found(cx) && cx.facts.env.ci_job.is_some() {
        vec![format!(
            "trusted publisher for {}: {}",
            package(cx),
            publisher_fields(cx.facts.env.ci_job.as_ref())
        )]
    } else {
        Vec::new()
    }
}
