//! `token-invalid-or-expired`: a credential was sent and rejected (expired, revoked, wrong). Its rules, its fix text offline and live, and what decides it.

use crate::detect::Operation;
use crate::diagnose::advice::{capitalize, check_request, whoami, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{config_evidence, has_status, line, main_line};
use crate::diagnose::facts::{ProbeFact, ProbeOutcome, VarState};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::semantic_release::{invalid_npm_token, invalid_token_fix};
use crate::diagnose::wording::specific_signal;
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "token-invalid-or-expired",
    rules: &[
        rule!(10, token_expired_notice),
        rule!(17, credential_rejected),
        rule!(18, unauthorized_generic),
        rule!(19, login_refused),
        rule!(23, not_found_publish),
        rule!(44, publish_refused_after_the_client_check),
        rule!(30, config_token_expired),
        rule!(33, probe_whoami),
        rule!(67, invalid_npm_token),
    ],
    advice,
    live_fix,
};

/// npmjs's `npm-notice` header "Access token expired or revoked": npm sent a token npmjs no
/// longer takes. Weak alone (npm prints it on runs that succeed, and npmjs then treats the
/// request as anonymous, docs/oidc.md): it backs a refusal, it does not outweigh the failure's
/// own signals (a failed OIDC step, a 2FA demand, a probe).
fn token_expired_notice(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.token_expired_notice {
        s.add(
            "token-invalid-or-expired",
            11,
            line(cx, &["expired or revoked"]),
        );
    }
}

fn credential_rejected(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !sig.credential_rejected || sig.anonymous {
        return;
    }
    let ev = line(
        cx,
        &[
            "token provided",
            "authorization header was used",
            "Invalid authentication",
            "credentials",
            "token",
        ],
    );
    s.add("token-invalid-or-expired", 8, ev);
    s.add("token-env-unset", if cx.in_ci() { 5 } else { 4 }, None);
    s.add("npmrc-misconfig", 3, None);
    s.add("token-wrong-host", 2, None);
}

/// A 401 that says nothing about whether a credential was sent: npm's E401 text is the same for
/// a missing, unexpanded, rejected or mis-keyed credential, so the registry kind sets the order.
fn unauthorized_generic(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !has_status(cx, &[401])
        || sig.anonymous
        || sig.credential_rejected
        || sig.need_auth
        || specific_signal(cx)
    {
        return;
    }
    if sig.no_auth_configured || cx.op == Operation::Login {
        return;
    }
    let ev = main_line(cx).or_else(|| line(cx, &["401", "Incorrect or missing password"]));
    let realm = line(cx, &["Unable to authenticate, need", "realm="]);
    for id in ["token-invalid-or-expired", "token-missing"] {
        s.add(id, 4, ev.clone());
        s.add(id, 0, realm.clone());
    }
    s.add("token-env-unset", 2, None);
    s.add("token-wrong-host", 2, None);
    s.add("lockfile-registry-mismatch", 1, None);
    s.add("npmrc-misconfig", 1, None);
    // what a bare 401 most often means on this registry kind
    for &(id, points) in cx.entry.unauthorized_bias {
        s.add(id, points, None);
    }
    if cx.entry.mirrors_public && !matches!(cx.kind(), Kind::Yarnpkg | Kind::Mirror) {
        // registries that proxy public packages are where cloned lockfiles pin resolved URLs
        s.add("lockfile-registry-mismatch", 2, None);
    }
    if super::token_missing::pnpm_default_port_url(cx) {
        // the same 401 whether pnpm sent nothing or the text does not say
        s.add("token-wrong-host", 9, None);
    }
    if !sig.env_assignments.is_empty() {
        // a token was handed to the command: it was sent somewhere and not accepted
        s.add("token-wrong-host", 4, line(cx, &["="]));
        s.add("token-invalid-or-expired", 2, None);
        s.add("token-missing", -4, None);
    }
}

/// A PUT answered 401 by an npm that checks for a credential before publishing: npm <= 5's
/// npm-registry-client (its `publish Failed PUT 401` line; lib/publish.js returns ENEEDAUTH
/// "auth required for publishing" without one) and npm >= 7 (npm/cli lib/commands/publish.js,
/// `noCreds` -> ENEEDAUTH). So a credential was sent and refused, whatever the body says (npmjs
/// answers a token it does not know with "You must be logged in to publish packages"). npm 6
/// (libnpmpublish) has no such check: its PUT may carry none.
fn publish_refused_after_the_client_check(cx: &Context, s: &mut Scores) {
    let f = cx.failure;
    if !has_status(cx, &[401]) || !cx.is_publish() || specific_signal(cx) {
        return;
    }
    let registry_client = f.lines.iter().any(|l| l.text.contains("Failed PUT 401"));
    let major: Option<u32> = f
        .tool_version
        .as_deref()
        .and_then(|v| v.split('.').next()?.parse().ok());
    let checking_npm =
        matches!(f.tool, None | Some(crate::types::ClientId::Npm)) && major.is_some_and(|m| m >= 7);
    if !(registry_client || checking_npm) || f.oidc.seen() {
        return;
    }
    s.add(
        "token-invalid-or-expired",
        8,
        line(cx, &["Failed PUT 401"]).or_else(|| main_line(cx)),
    );
    s.add("npmrc-misconfig", 2, None);
    s.add("token-missing", -5, None);
}

fn login_refused(cx: &Context, s: &mut Scores) {
    if cx.op != Operation::Login || !has_status(cx, &[400, 401, 403]) || specific_signal(cx) {
        return;
    }
    let ev = main_line(cx).or_else(|| line(cx, &["org.couchdb.user"]));
    if has_status(cx, &[400]) {
        s.add("account-issue", 7, ev.clone());
        s.add("token-invalid-or-expired", 5, ev);
    } else {
        // wrong password, or a password where the registry wants a token (GitHub wants a PAT)
        s.add("token-invalid-or-expired", 9, ev);
        s.add("account-issue", 4, None);
    }
}

/// npmjs answers a publish it will not take from this credential with 404, not 401/403.
fn not_found_publish(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[404]) || !cx.is_publish() || specific_signal(cx) {
        return;
    }
    let ev = main_line(cx).or_else(|| line(cx, &["404"]));
    s.add("token-invalid-or-expired", 5, ev);
    let npmjs = cx.kind() == Kind::Npmjs;
    if npmjs {
        npmjs_put_404_candidates(cx, s);
    } else {
        s.add("insufficient-permission", 4, None);
        s.add("scope-not-mapped", 3, None);
    }
    // CI publishes read the token from `${NPM_TOKEN}`/`${NODE_AUTH_TOKEN}`: an unset one is sent
    // as an empty or placeholder token, which npmjs answers with this same 404
    s.add("token-env-unset", if cx.in_ci() { 5 } else { 2 }, None);
    // an unauthenticated PUT gets the same 404 (npm hides whether the package exists)
    s.add("token-missing", 2, None);
    if npmjs {
        // after the token causes at equal points (see npmjs_put_404_candidates)
        s.add("insufficient-permission", 2, None);
        if cx.scope.is_some() {
            s.add("scope-not-mapped", 1, None);
        }
    }
}

/// npmjs answers a PUT it will not authorize with 404, whatever the credential lacked (npm's
/// own E404 text says "could not be found or you do not have permission"): an expired or
/// revoked token, a granular token without access to the package or scope, no token at all,
/// and, in a 2026 publish, trusted publishing that yielded no token (npm then sends the
/// configured token or setup-node's placeholder; https://docs.npmjs.com/trusted-publishers
/// "Troubleshooting"). The OIDC causes rank next to the expired token; a token without access
/// comes after the token causes (an owner's token without publish rights gets a 403 instead,
/// "You do not have permission to publish").
fn npmjs_put_404_candidates(cx: &Context, s: &mut Scores) {
    let p = &cx.failure.publisher;
    // a sign that OIDC ran (provenance, changesets' "OIDC is available") is npmjs_publish_404's
    // to weigh: these points only rank it where nothing says more
    let oidc_sign = p.provenance_signed || p.oidc_intended;
    let client_can_oidc =
        crate::diagnose::publish_chain::chain(cx).map_or(true, |c| c.can_oidc != Some(false));
    // probes asked the registry about the configured token: their rules decide, not the shape
    if !cx.facts.probes.is_empty() {
        return;
    }
    // an npm older than 10.6 (`npm ERR!`) cannot make the exchange (npm >= 11.5.1), so it cannot
    // have failed
    if client_can_oidc && !oidc_sign && !p.npm_err_heading {
        s.add("oidc-exchange-failed", 4, None);
    }
    if !p.provenance_signed {
        // signed provenance means the job could get an ID token: npm had what OIDC needs
        s.add("oidc-not-attempted", 3, None);
    }
}

fn config_token_expired(cx: &Context, s: &mut Scores) {
    let Some(cred) = cx.facts.config.as_ref().and_then(|c| c.credential.as_ref()) else {
        return;
    };
    if let Some(exp) = cred.expiry.as_ref().filter(|e| e.expired) {
        s.add(
            "token-invalid-or-expired",
            12,
            config_evidence(format!("{} expired at {}", cred.key, exp.at), &cred.source),
        );
    }
}

fn probe_whoami(cx: &Context, s: &mut Scores) {
    let Some(ProbeFact::Whoami {
        command, outcome, ..
    }) = cx
        .facts
        .probes
        .iter()
        .find(|p| matches!(p, ProbeFact::Whoami { .. }))
    else {
        return;
    };
    let ev = |text: String| {
        Some(Evidence {
            kind: EvidenceKind::Probe,
            text,
            source: Some(command.clone()),
        })
    };
    match outcome {
        ProbeOutcome::Ok(user) => {
            let text = format!("authenticated as {user}");
            if has_status(cx, &[403, 404]) {
                // a valid token refused on a publish 403 is a maintainer question; a 404 is the token's reach
                let id = if cx.is_publish() && has_status(cx, &[403]) {
                    "publish-not-allowed"
                } else {
                    "insufficient-permission"
                };
                s.add(id, 6, ev(text));
            } else if has_status(cx, &[401]) {
                s.add("token-wrong-host", 4, ev(text));
                s.add("lockfile-registry-mismatch", 3, None);
            }
            s.add("token-invalid-or-expired", -8, None);
            s.add("token-missing", -8, None);
        }
        ProbeOutcome::Rejected(status) => {
            s.add(
                "token-invalid-or-expired",
                10,
                ev(format!("the registry refused the credential ({status})")),
            );
            s.add("token-missing", -4, None);
        }
        ProbeOutcome::NotRecognised => {
            s.add(
                "token-invalid-or-expired",
                10,
                ev("the credential was sent and the registry named no user for it (not recognised)".into()),
            );
            s.add("token-missing", -4, None);
        }
        ProbeOutcome::NotLoggedIn => {
            s.add(
                "token-missing",
                6,
                ev("no credential configured for this registry (ENEEDAUTH)".into()),
            );
        }
        ProbeOutcome::Failed(_) => {}
    }
}

/// npmjs's token rules since 2025 (github.blog changelog 2025-09-29, 2025-11-05, 2025-12-09).
const NPMJS_TOKEN_POLICY: &str = "npmjs's token rules: classic tokens were revoked on 2025-12-09, an `npm login` session lasts 2 hours, a write granular token at most 90 days; make a new granular token (npmjs.com -> Access Tokens -> Generate New Token, with \"Bypass 2FA\" for CI publishes), or publish from CI with trusted publishing (OIDC) and no token";

/// Berry's: the `.yarnrc.yml` token and `yarn npm login`.
fn berry_advice(cx: &Context, host: &str) -> Advice {
    let whoami = whoami(cx);
    Advice {
        summary: format!(
            "A credential was sent to {host} and refused: it is expired, revoked or wrong."
        ),
        fix: vec![format!(
            "replace npmAuthToken under {} in .yarnrc.yml with a valid token (or run `{}`)",
            client_words::berry_place(cx),
            client_words::login(cx)
        )],
        verify: client_words::checks(cx, vec![check_request(cx)]),
        decider: format!("`{whoami}` fails (or the token's expiry date is past)"),
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return berry_advice(cx, &host);
    }
    let reg = cx.registry_or_placeholder();
    let e = cx.entry;
    let mut login = (e.login)(&reg, client_words::login_word(cx));
    if cx.kind() == Kind::Npmjs {
        login.push(NPMJS_TOKEN_POLICY.to_owned());
    }
    Advice {
        summary: format!(
            "A credential was sent to {host} and refused: it is expired, revoked or wrong. {}.",
            capitalize(e.token_note)
        ),
        fix: invalid_token_fix(cx).into_iter().chain(login).collect(),
        verify: vec![whoami(cx), check_request(cx)],
        decider: format!(
            "`{}` fails with E401 (or the token's expiry date is past)",
            whoami(cx)
        ),
    }
}

/// Fix steps that name what this machine's configuration showed.
fn live_fix(cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };

    match &config.credential {
        Some(c) if c.kind == "npm-legacy-token" && cx.kind() == Kind::Npmjs => vec![format!(
            "`{}` ({}) at {} is a classic (legacy) token: npmjs revoked every classic token on 2025-12-09; replace it with a granular token, or use trusted publishing in CI",
            c.key, c.redacted, c.source
        )],
        Some(c) => {
            let when = c
                .expiry
                .as_ref()
                .filter(|e| e.expired)
                .map(|e| format!("; it expired at {}", e.at))
                .unwrap_or_default();
            // a token from `${VAR}` is replaced where the variable is set, not in the file
            match config.variables.iter().find(|v| v.state == VarState::Set) {
                Some(v) => vec![format!(
                    "set {name} to a valid token where {} runs: `{}` ({}) at {} is `${{{name}}}`{when}",
                    client_words::tool(cx),
                    c.key,
                    c.redacted,
                    c.source,
                    name = v.name
                )],
                None => vec![format!(
                    "replace the token `{}` ({}) at {} with a valid one{when}",
                    c.key, c.redacted, c.source
                )],
            }
        }
        None => Vec::new(),
    }
}
