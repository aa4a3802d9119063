//! `insufficient-permission`: a valid credential without access to this package, scope or action. Its rules, its fix text offline and live, and what decides it.

use crate::detect::Operation;
use crate::diagnose::advice::{capitalize, owners, view, whoami, whoami_user, Advice};
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line, main_line};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::{permission_text, publish_refused_text, specific_signal};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "insufficient-permission",
    rules: &[rule!(13, permission_body), rule!(21, forbidden_read)],
    advice,
    live_fix,
};

fn permission_body(cx: &Context, s: &mut Scores) {
    // "unregistered users are not allowed to access" is about being anonymous, not permissions
    if permission_text(cx) && !publish_refused_text(cx) && !cx.failure.signals.anonymous {
        s.add(
            "insufficient-permission",
            10,
            main_line(cx).or_else(|| line(cx, &["ermission", "scopes", "access"])),
        );
        if cx.is_publish() {
            s.add("publish-not-allowed", 3, None);
        }
        s.add("token-invalid-or-expired", 1, None);
        if NAMED_USER.is_match(&cx.all_text()) {
            // Verdaccio says `user <name> is not allowed to access package <p>` only to a
            // logged-in user (verdaccio/verdaccio packages/auth/src/utils.ts allow_action;
            // anonymous gets "authorization required"): the credential is valid
            s.decide("insufficient-permission");
        }
    }
}

static NAMED_USER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)\buser \S+ is not allowed to (?:access|publish)").unwrap()
});

fn forbidden_read(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[403]) || !cx.is_read() || specific_signal(cx) || cx.op == Operation::Login
    {
        return;
    }
    let ev = main_line(cx);
    let no_body = cx
        .failure
        .server_message
        .as_deref()
        .map_or(true, |m| m.trim().eq_ignore_ascii_case("forbidden"));
    if cx.kind() == Kind::Npmjs && no_body {
        // npmjs does not refuse reads of public packages: something between said no
        s.add("blocked-by-policy", 7, ev.clone());
        s.add("proxy-auth", 5, None);
        s.add("insufficient-permission", 2, None);
        return;
    }
    s.add("insufficient-permission", 5, ev);
    s.add("blocked-by-policy", 2, None);
    s.add("token-invalid-or-expired", 2, None);
    s.add("npmrc-misconfig", 1, None);
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    let e = cx.entry;
    Advice {
        summary: format!(
            "The credential is valid but lacks access to {} on {host}. {}.",
            cx.package.clone().unwrap_or_else(|| "this package".into()),
            capitalize(e.permission_note)
        ),
        fix: permission_fix(cx),
        // the refused request first: whoami alone already succeeded with a valid token
        verify: vec![
            if cx.is_publish() {
                owners(cx)
            } else {
                view(cx)
            },
            whoami(cx),
        ],
        decider: format!(
            "`{}` succeeds (the token is valid) while the package request is refused",
            whoami(cx)
        ),
    }
}

/// The probes showed who is logged in: name them in the request for access.
fn live_fix(cx: &Context) -> Vec<String> {
    match whoami_user(cx) {
        Some(u) => vec![format!(
            "the token is valid (you are {u}): ask an admin of {} to give {u} access to {}",
            cx.host_or_registry_word(),
            cx.package.clone().unwrap_or_else(|| "this package".into())
        )],
        None => Vec::new(),
    }
}

/// The registry kind's own steps, else the admin request its note describes.
fn permission_fix(cx: &Context) -> Vec<String> {
    let package = cx.package.clone().unwrap_or_else(|| "<package>".into());
    match cx.entry.permission_fix {
        Some(fix) => fix(&package),
        None => vec![format!(
            "ask the registry admin for read (or publish) permission: {}",
            cx.entry.permission_note
        )],
    }
}
