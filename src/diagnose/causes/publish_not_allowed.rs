//! `publish-not-allowed`: a publish refused: not a maintainer, a name owned by others or too similar. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::{owners, whoami, whoami_user, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line, main_line};
use crate::diagnose::facts::ProbeFact;
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::{publish_refused_text, specific_signal};
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "publish-not-allowed",
    rules: &[
        rule!(12, publish_refused_body),
        rule!(22, forbidden_publish),
        rule!(36, probe_owners),
    ],
    advice,
    live_fix,
};

fn publish_refused_body(cx: &Context, s: &mut Scores) {
    if publish_refused_text(cx) && (cx.is_publish() || cx.failure.method.as_deref() == Some("PUT"))
    {
        s.add(
            "publish-not-allowed",
            11,
            main_line(cx).or_else(|| line(cx, &["publish"])),
        );
    }
}

fn forbidden_publish(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[403]) || !cx.is_publish() || specific_signal(cx) {
        return;
    }
    let ev = main_line(cx);
    if matches!(cx.kind(), Kind::Github | Kind::Gitlab) {
        s.add("insufficient-permission", 7, ev);
        s.add("publish-not-allowed", 3, None);
    } else {
        s.add("publish-not-allowed", 6, ev);
        s.add("insufficient-permission", 4, None);
        if cx.kind() == Kind::Npmjs {
            s.add("otp-required", 2, None);
        }
    }
    s.add("token-invalid-or-expired", 1, None);
}

/// `npm owner ls <pkg>` does not list the logged-in user.
fn probe_owners(cx: &Context, s: &mut Scores) {
    if !cx.is_publish() {
        return;
    }
    for p in &cx.facts.probes {
        if let ProbeFact::Owners {
            package,
            command,
            maintainers,
            user_is_maintainer: Some(false),
        } = p
        {
            s.add(
                "publish-not-allowed",
                6,
                Some(Evidence {
                    kind: EvidenceKind::Probe,
                    text: format!("maintainers of {package}: {}", maintainers.join(", ")),
                    source: Some(command.clone()),
                }),
            );
        }
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return berry_advice(cx, &host);
    }
    let reg = cx.registry_or_placeholder();
    Advice {
        summary: format!("{host} refused the publish: this account is not a maintainer of {}, or the name/scope belongs to someone else or is too similar to an existing name.", cx.package.clone().unwrap_or_else(|| "this package".into())),
        // the action first; the owners list is what verify shows
        fix: vec![
            "ask an owner to add you (`npm owner add <you> <package>`), or rename the package to a scope you own (@you/name)".to_owned(),
            format!("npm owner ls {} --registry {reg}   # who may publish it", cx.package.clone().unwrap_or_else(|| "<package>".into())),
        ],
        verify: vec![owners(cx), whoami(cx)],
        decider: "the server's 403 text on the PUT, and `npm owner ls <package>` not listing you".to_owned(),
    }
}

/// The probes showed who is logged in: say who may not publish.
/// Berry's: `yarn npm info PKG --fields maintainers` lists who may publish.
fn berry_advice(cx: &Context, host: &str) -> Advice {
    let package = cx.package.clone().unwrap_or_else(|| "this package".into());
    Advice {
        summary: format!("{host} refused the publish: this account may not publish {package}, or the name/scope belongs to someone else."),
        fix: vec![format!("ask an owner of {package} on {host} to add your account, or publish under a scope you own")],
        verify: client_words::checks(cx, vec![owners(cx)]),
        decider: "the server's 403 text on the PUT, and who the registry lists as the package's owners".to_owned(),
    }
}

fn live_fix(cx: &Context) -> Vec<String> {
    match whoami_user(cx) {
        Some(u) => vec![format!(
            "you are {u}, who may not publish {}: ask an owner to add {u}, or publish under a scope you own",
            cx.package.clone().unwrap_or_else(|| "this package".into())
        )],
        None => Vec::new(),
    }
}
