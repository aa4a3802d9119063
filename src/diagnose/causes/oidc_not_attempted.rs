//! `oidc-not-attempted`: trusted publishing was expected but npm never tried it: the GitHub job
//! cannot request an ID token (no `id-token: write`), or the npm that published is older than
//! 11.5.1. Its rules, its fix text (the exact `permissions:` block, the npm upgrade) and what
//! decides it.

use crate::detect::oidc::{npm_can_do_oidc, OidcStep};
use crate::diagnose::advice::Advice;
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line};
use crate::diagnose::publish_chain::{
    berry_oidc_silent, chain, publishing, upgrade_step, YARNPKG_REGISTRY_STEP,
};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::semantic_release::no_npm_token;
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "oidc-not-attempted",
    rules: &[
        rule!(39, oidc_skipped),
        rule!(40, publisher_cannot_oidc),
        rule!(62, ci_publish_without_any_token),
        rule!(63, yarn1_script_registry),
        rule!(68, no_npm_token),
        rule!(71, berry_without_id_token),
    ],
    advice,
    live_fix: |_| Vec::new(),
};

/// The permissions a GitHub job needs for npm to request an ID token (GitHub sets
/// ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN only then; npm's oidc.js comment quotes this block).
pub(crate) const PERMISSIONS_BLOCK: &str = "permissions:\n  id-token: write\n  contents: read";

fn oidc_skipped(cx: &Context, s: &mut Scores) {
    let (points, needle) = match cx.failure.oidc.step {
        // oidc.js: log.silly('oidc', 'Skipped because incorrect permissions for id-token within GitHub workflow')
        Some(OidcStep::NoIdTokenPermission) => (18, "oidc Skipped because incorrect permissions"),
        // oidc.js: log.silly('oidc', 'Skipped because no id_token available')
        Some(OidcStep::NoIdToken) => (14, "oidc Skipped because no id_token"),
        _ => return,
    };
    // @semantic-release/npm's own words for the same step (token-exchange.js:39)
    let ev = line(
        cx,
        &[needle, "Retrieval of GitHub Actions OIDC token failed"],
    );
    s.add("oidc-not-attempted", points, ev);
    // in a CI job, OIDC was the way npm could have had a token: "none configured" follows from it
    s.add("token-missing", -4, None);
}

/// A publish made by a client that cannot do trusted publishing (npm < 11.5.1, yarn 1, pnpm 10
/// running such an npm, yarn < 4.10; publish_chain.rs). Strong when the job was meant to
/// publish with OIDC (it could request an ID token, changesets said so, provenance was signed);
/// a candidate in CI or for npmjs's 404/ENEEDAUTH, where OIDC is what 2026 publishes rely on.
fn publisher_cannot_oidc(cx: &Context, s: &mut Scores) {
    if !publishing(cx) || cx.failure.oidc.seen() {
        return;
    }
    let Some(chain) = chain(cx).filter(|c| c.can_oidc == Some(false)) else {
        return;
    };
    let p = &cx.failure.publisher;
    let job_could = cx
        .facts
        .env
        .ci_job
        .as_ref()
        .and_then(|j| j.id_token_available)
        == Some(true);
    let expected = job_could || p.oidc_intended || p.provenance_signed;
    let npmjs_refusal =
        cx.kind() == Kind::Npmjs && (has_status(cx, &[404]) || cx.failure.signals.need_auth);
    let ev = Some(Evidence {
        kind: EvidenceKind::Output,
        text: format!("published by {}: {}", chain.words, chain.why),
        source: None,
    });
    if expected {
        // OIDC was the way this publish would have had a token
        s.add("oidc-not-attempted", 18, ev);
        s.add("token-missing", -4, None);
    } else if p.npm_err_heading {
        // an npm older than 10.6 (its `npm ERR!` heading) predates trusted publishing by more
        // than a year: a job still on it was seldom set up for OIDC, so only a late candidate
        s.add("oidc-not-attempted", 2, ev);
    } else if cx.in_ci() || npmjs_refusal {
        s.add("oidc-not-attempted", 7, ev);
    }
}

/// yarn 4 stopped with YN0033 in a job that cannot request an ID token: its trusted publishing
/// had nothing to exchange (GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN only with
/// `id-token: write`).
fn berry_without_id_token(cx: &Context, s: &mut Scores) {
    if berry_oidc_silent(cx) == Some(false) {
        s.add("oidc-not-attempted", 12, line(cx, &["YN0033"]));
        s.add("npmrc-misconfig", -6, None);
        s.add("token-missing", -4, None);
    }
}

/// ENEEDAUTH on a CI publish, with no `oidc` line to say more (a terminal log): no credential
/// at all was configured, which is how a job meant for trusted publishing looks when npm did not
/// try it; an empty token secret looks the same, so only a candidate.
fn ci_publish_without_any_token(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    // not for an npm older than 10.6 (`npm ERR!`): it predates trusted publishing
    let old_npm = cx.failure.publisher.npm_err_heading;
    if cx.is_publish() && sig.need_auth && cx.in_ci() && !cx.failure.oidc.seen() && !old_npm {
        s.add("oidc-not-attempted", 4, None);
    }
}

/// `npm publish` in a yarn 1 script goes to registry.yarnpkg.com (yarn sets npm_config_registry
/// for its scripts): the npmjs token, keyed `//registry.npmjs.org/`, is not sent there.
fn yarn1_script_registry(cx: &Context, s: &mut Scores) {
    if !cx.is_publish() || cx.failure.oidc.attempt_failed() {
        return;
    }
    let Some(chain) = chain(cx).filter(|c| c.yarnpkg_registry) else {
        return;
    };
    let ev = Some(Evidence {
        kind: EvidenceKind::Output,
        text: format!("published by {}: yarn 1 sets npm_config_registry=https://registry.yarnpkg.com for its scripts, and a token keyed //registry.npmjs.org/ is not sent there", chain.words),
        source: None,
    });
    s.add("token-wrong-host", 12, ev);
}

fn old_npm(cx: &Context) -> Option<String> {
    let version = cx.failure.tool_version.clone()?;
    (npm_can_do_oidc(&version) == Some(false)).then_some(version)
}

/// The summary and fix for a publishing client that cannot do trusted publishing.
fn chain_advice(cx: &Context) -> Option<(String, Vec<String>)> {
    let chain = chain(cx).filter(|c| c.can_oidc == Some(false))?;
    let mut fix = vec![upgrade_step(&chain)];
    if chain.yarnpkg_registry {
        fix.push(YARNPKG_REGISTRY_STEP.to_owned());
    }
    fix.push(format!("and keep the job's\n{PERMISSIONS_BLOCK}"));
    let summary = format!(
        "Trusted publishing (OIDC) was not attempted: the publish was made by {} ({}), which cannot do it: {}.",
        chain.publisher, chain.words, chain.why
    );
    Some((summary, fix))
}

fn advice(cx: &Context) -> Advice {
    let skipped = matches!(
        cx.failure.oidc.step,
        Some(OidcStep::NoIdTokenPermission | OidcStep::NoIdToken)
    );
    let by_chain = (!skipped).then(|| chain_advice(cx)).flatten();
    let (summary, fix) = match (&cx.failure.oidc.step, old_npm(cx)) {
        _ if by_chain.is_some() => by_chain.unwrap_or_default(),
        _ if berry_oidc_silent(cx) == Some(false) => (
            "Trusted publishing (OIDC) was not attempted: `yarn npm publish` asks for an ID token only when the job can request one (GitHub: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, set only with `id-token: write`; GitLab/CircleCI: NPM_ID_TOKEN), so yarn had no token at all and stopped (YN0033).".to_owned(),
            vec![
                format!("add to the publishing job (or the workflow):\n{PERMISSIONS_BLOCK}"),
                "or publish with a token: `npmAuthToken: \"${NPM_TOKEN}\"` under the registry in .yarnrc.yml, with NPM_TOKEN from a secret".to_owned(),
            ],
        ),
        (Some(OidcStep::NoIdTokenPermission), _) => (
            "Trusted publishing (OIDC) was not attempted: the GitHub job cannot request an ID token (ACTIONS_ID_TOKEN_REQUEST_URL is unset: the job lacks `id-token: write`), so npm published without a token.".to_owned(),
            vec![format!("add to the publishing job (or the workflow):\n{PERMISSIONS_BLOCK}")],
        ),
        (Some(OidcStep::NoIdToken), _) => (
            "Trusted publishing (OIDC) was not attempted: no ID token was available (NPM_ID_TOKEN is unset).".to_owned(),
            vec!["GitLab: add `id_tokens: NPM_ID_TOKEN: aud: \"npm:registry.npmjs.org\"` to the job; CircleCI: export NPM_ID_TOKEN from `circleci run oidc get --claims '{\"aud\":\"npm:registry.npmjs.org\"}'`".to_owned()],
        ),
        // yarn's own trusted publishing: its version and the job's ID token, not npm's
        _ if client_words::is_berry(cx) => (
            "Trusted publishing (OIDC) was expected but never attempted: `yarn npm publish` tries it from yarn 4.10, in a job that can request an ID token.".to_owned(),
            vec![
                "yarn set version stable   # trusted publishing needs yarn 4.10 or later".to_owned(),
                format!("give the job\n{PERMISSIONS_BLOCK}"),
            ],
        ),
        (_, Some(version)) => (
            format!("Trusted publishing (OIDC) was not attempted: npm {version} is older than 11.5.1, which trusted publishing needs (Node 22 bundles npm 10.9)."),
            vec![
                "npm install -g npm@latest   # in the job, before `npm publish`".to_owned(),
                format!("and keep the job's\n{PERMISSIONS_BLOCK}"),
            ],
        ),
        _ => (
            "Trusted publishing (OIDC) was expected but never attempted.".to_owned(),
            vec![
                "npm install -g npm@latest   # trusted publishing needs npm 11.5.1 or later".to_owned(),
                format!("give the job\n{PERMISSIONS_BLOCK}"),
            ],
        ),
    };
    if client_words::is_berry(cx) {
        return berry_advice(cx, summary, fix);
    }
    Advice {
        summary,
        fix,
        verify: vec!["npm --version".to_owned(), "npm publish --dry-run --loglevel verbose   # look for `verbose oidc`".to_owned()],
        decider: "the debug log's `oidc` lines (none, or `Skipped because ...`), the npm version, and whether ACTIONS_ID_TOKEN_REQUEST_URL is set in the job".to_owned(),
    }
}

/// Berry's checks: `yarn npm publish` does trusted publishing from yarn 4.10 when the job can
/// request an ID token; npm's (its version, its `oidc` log lines) do not apply.
fn berry_advice(cx: &Context, summary: String, fix: Vec<String>) -> Advice {
    Advice {
        summary,
        fix,
        verify: client_words::checks(cx, vec!["yarn --version".to_owned()]),
        decider: "the yarn version (4.10 or later) and whether the job had an ID token (GitHub: ACTIONS_ID_TOKEN_REQUEST_URL, set only with `id-token: write`; GitLab/CircleCI: NPM_ID_TOKEN)".to_owned(),
    }
}
