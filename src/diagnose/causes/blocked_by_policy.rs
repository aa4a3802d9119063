//! `blocked-by-policy`: a registry or proxy policy refused the package. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::{view, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{line, main_line};
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::policy_text;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "blocked-by-policy",
    rules: &[rule!(5, ip_allowlist), rule!(11, policy_block_body)],
    advice,
    live_fix,
};

fn ip_allowlist(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.ip_not_allowed {
        s.add("blocked-by-policy", 10, line(cx, &["IP", "EAUTHIP"]));
        s.add("account-issue", 3, None);
    }
}

fn policy_block_body(cx: &Context, s: &mut Scores) {
    if policy_text(cx) {
        s.add(
            "blocked-by-policy",
            11,
            main_line(cx).or_else(|| line(cx, &["quarantin", "blocked", "policy"])),
        );
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    Advice {
        summary: format!("A policy on {host} (or a proxy in front of it) refused this package: security curation, a malware/vulnerability block, a licence rule or an IP allowlist, not your credential."),
        fix: vec![
            "ask the registry/security team to review or release the package, or pick a version the policy allows".to_owned(),
            "if a sandbox or egress proxy is in the way, allow-list the registry (and the calling binary) there".to_owned(),
        ],
        verify: client_words::checks(cx, vec![view(cx)]),
        decider: "the 403 body names a policy (quarantine, blocked, curation), and other packages from the same registry install".to_owned(),
    }
}

/// No live evidence names anything more specific than the general steps.
fn live_fix(_cx: &Context) -> Vec<String> {
    Vec::new()
}
