//! `oidc-not-attempted`: trusted publishing was expected but npm never tried it: the GitHub job
//! cannot request an ID token (no `id-token: write`), or the npm that published is older than
//! 11.5.1. Its rules, its fix text (the exact `permissions:` block, the npm upgrade) and what
//! decides it.

use crate::detect::oidc::{npm_can_do_oidc, OidcStep};
use crate::diagnose::advice::Advice;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::line;
use crate::diagnose::score::{rule, Scores};
use crate::report::{Evidence, EvidenceKind};
use crate::types::ClientId;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "oidc-not-attempted",
    rules: &[rule!(39, oidc_skipped), rule!(40, npm_too_old)],
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
    s.add("oidc-not-attempted", points, line(cx, &[needle]));
    // in a CI job, OIDC was the way npm could have had a token: "none configured" follows from it
    s.add("token-missing", -4, None);
}

/// A publish in CI by an npm without lib/utils/oidc.js. Strong when the job could have had an
/// ID token (it was meant to publish with OIDC); a candidate only from a log alone.
fn npm_too_old(cx: &Context, s: &mut Scores) {
    if !cx.is_publish() || cx.failure.oidc.seen() || !cx.in_ci() {
        return;
    }
    if !matches!(cx.failure.tool, None | Some(ClientId::Npm)) {
        return;
    }
    let Some(version) = cx.failure.tool_version.as_deref() else {
        return;
    };
    if npm_can_do_oidc(version) != Some(false) {
        return;
    }
    let expected = cx
        .facts
        .env
        .ci_job
        .as_ref()
        .and_then(|j| j.id_token_available)
        == Some(true);
    let ev = line(
        cx,
        &[&format!("npm  v{version}"), &format!("npm@{version}")],
    )
    .or_else(|| {
        Some(Evidence {
            kind: EvidenceKind::Output,
            text: format!("npm {version} has no trusted publishing (needs 11.5.1 or later)"),
            source: None,
        })
    });
    if expected {
        // the job could have had an ID token: OIDC was the way npm would have had a token
        s.add("oidc-not-attempted", 18, ev);
        s.add("token-missing", -4, None);
    } else {
        s.add("oidc-not-attempted", 6, ev);
    }
}

fn old_npm(cx: &Context) -> Option<String> {
    let version = cx.failure.tool_version.clone()?;
    (npm_can_do_oidc(&version) == Some(false)).then_some(version)
}

fn advice(cx: &Context) -> Advice {
    let (summary, fix) = match (&cx.failure.oidc.step, old_npm(cx)) {
        (Some(OidcStep::NoIdTokenPermission), _) => (
            "Trusted publishing (OIDC) was not attempted: the GitHub job cannot request an ID token (ACTIONS_ID_TOKEN_REQUEST_URL is unset: the job lacks `id-token: write`), so npm published without a token.".to_owned(),
            vec![format!("add to the publishing job (or the workflow):\n{PERMISSIONS_BLOCK}")],
        ),
        (Some(OidcStep::NoIdToken), _) => (
            "Trusted publishing (OIDC) was not attempted: no ID token was available (NPM_ID_TOKEN is unset).".to_owned(),
            vec!["GitLab: add `id_tokens: NPM_ID_TOKEN: aud: \"npm:registry.npmjs.org\"` to the job; CircleCI: export NPM_ID_TOKEN from `circleci run oidc get --claims '{\"aud\":\"npm:registry.npmjs.org\"}'`".to_owned()],
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
    Advice {
        summary,
        fix,
        verify: vec!["npm --version".to_owned(), "npm publish --dry-run --loglevel verbose   # look for `verbose oidc`".to_owned()],
        decider: "the debug log's `oidc` lines (none, or `Skipped because ...`), the npm version, and whether ACTIONS_ID_TOKEN_REQUEST_URL is set in the job".to_owned(),
    }
}
