//! `insufficient-permission`: a valid credential without access to this package, scope or action. Its rules, its fix text offline and live, and what decides it.

use crate::detect::Operation;
use crate::diagnose::advice::{capitalize, owners, view, whoami, whoami_user, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line, main_line};
use crate::diagnose::package_presence::{presence, user_maintains, Presence};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::{permission_text, publish_refused_text, specific_signal};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "insufficient-permission",
    rules: &[
        rule!(13, permission_body),
        rule!(21, forbidden_read),
        rule!(65, probe_publish_reach),
    ],
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
    if cx.kind() == Kind::Npmjs && no_body && !npmjs_api_route(cx) {
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

/// The failing URL is one of npmjs's `/-/` API routes (user, package access and dist-tags,
/// team, org: npm/registry docs/REGISTRY-API.md, npm/cli lib/commands/access.js, team.js,
/// dist-tag.js), not a package read: there npmjs itself answers for the credential's rights.
fn npmjs_api_route(cx: &Context) -> bool {
    cx.failure
        .url
        .as_deref()
        .is_some_and(|u| crate::detect::url::path(u).starts_with("/-/"))
}

/// A publish refused with 403/404 to a token `npm whoami` accepts, told apart by the presence
/// probes: a package that does not exist yet is one this token may not create (a granular token
/// limited to selected packages or scopes, a scope that is someone else's); one the token's
/// user maintains was refused with 404 because the token itself cannot write (read-only). A
/// maintainer's 403 is otp-required's rule (2FA / bypass-2FA).
fn probe_publish_reach(cx: &Context, s: &mut Scores) {
    if !cx.is_publish() || whoami_user(cx).is_none() || !has_status(cx, &[403, 404]) {
        return;
    }
    let Some((presence, shown)) = presence(cx.facts) else {
        return;
    };
    // publish-not-allowed (a registry's "not allowed to publish") gets the line too: whether
    // this is a first publish matters to both
    s.add("publish-not-allowed", 0, Some(shown.clone()));
    match (presence, user_maintains(cx.facts)) {
        (Presence::Absent, _) => s.add("insufficient-permission", 4, Some(shown)),
        (_, Some((_, maintains))) if has_status(cx, &[404]) => {
            s.add("insufficient-permission", 8, Some(maintains));
            s.add("insufficient-permission", 0, Some(shown));
            s.add("publish-not-allowed", -4, None);
        }
        // it exists, so this is no first publish; whose it is the owners probe could not say
        (Presence::Private, None) => s.add("insufficient-permission", 2, Some(shown)),
        _ => s.add("insufficient-permission", 0, Some(shown)),
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return berry_advice(cx, &host);
    }
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

/// Berry's: its whoami and `yarn npm info` (berry has no `npm owner` or `npm access`).
fn berry_advice(cx: &Context, host: &str) -> Advice {
    let package = cx.package.clone().unwrap_or_else(|| "this package".into());
    let refused = if cx.is_publish() {
        owners(cx)
    } else {
        view(cx)
    };
    Advice {
        summary: format!("The credential is valid but lacks access to {package} on {host}."),
        fix: vec![format!(
            "ask the admin of {host} to give your account read (or publish) access to {package}"
        )],
        verify: client_words::checks(cx, vec![refused]),
        decider: format!(
            "`{}` succeeds (the token is valid) while the package request is refused",
            whoami(cx)
        ),
    }
}

/// The probes showed who is logged in: name them in the request for access, or say what the
/// token lacks when they maintain the package or it does not exist yet.
fn live_fix(cx: &Context) -> Vec<String> {
    if let Some(fix) = reach_fix(cx) {
        return vec![fix];
    }
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

/// A publish whose package is absent, or maintained by the token's user: the token's own reach.
fn reach_fix(cx: &Context) -> Option<String> {
    if !cx.is_publish() {
        return None;
    }
    let user = whoami_user(cx)?;
    let package = cx.package.clone().unwrap_or_else(|| "this package".into());
    match presence(cx.facts)?.0 {
        Presence::Absent => Some(format!(
            "{package} does not exist yet, and this token (you are {user}) may not create it: use a token with read-write access to all packages (or to the scope), or `{}` and publish the first version yourself; a trusted publisher can only be added once it exists",
            client_words::login_word(cx)
        )),
        _ if user_maintains(cx.facts).is_some() && has_status(cx, &[404]) => Some(format!(
            "you ({user}) maintain {package}, but this token cannot write it: create a granular token with read-write access to {package} (npmjs: at most 90 days, with \"Bypass 2FA\" for CI) or publish from CI with trusted publishing"
        )),
        _ => None,
    }
}
