//! `account-issue`: the account itself: unverified email, suspended, a paid plan required. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::{whoami, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::line;
use crate::diagnose::score::{rule, Scores};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "account-issue",
    rules: &[rule!(4, payment_or_account)],
    advice,
    live_fix,
};

fn payment_or_account(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if sig.payment_required {
        s.add(
            "account-issue",
            11,
            line(cx, &["402", "Payment", "paid", "private packages"]),
        );
    }
    if sig.account_problem {
        s.add(
            "account-issue",
            11,
            line(cx, &["email", "suspended", "locked", "disabled"]),
        );
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return Advice {
            summary: format!("The account on {host} cannot do this yet: unverified email, suspended or locked account, or a paid plan needed (e.g. for private packages)."),
            fix: vec![
                "for a new scoped package you meant to be public: yarn npm publish --access public".to_owned(),
                "verify the account's email / check its status and plan on the registry's website".to_owned(),
            ],
            verify: client_words::checks(cx, Vec::new()),
            decider: "the registry's message (payment required, verify your email) or the account page".to_owned(),
        };
    }
    Advice {
        summary: format!("The account on {host} cannot do this yet: unverified email, suspended or locked account, or a paid plan needed (e.g. for private packages)."),
        fix: vec![
            "for a new scoped package you meant to be public: npm publish --access public".to_owned(),
            "verify the account's email / check its status and plan on the registry's website".to_owned(),
        ],
        verify: vec![
            format!(
                "npm profile get --registry {}   # shows whether the email is verified",
                cx.registry_or_placeholder()
            ),
            whoami(cx),
        ],
        decider: "the registry's message (payment required, verify your email) or the account page".to_owned(),
    }
}

/// No live evidence names anything more specific than the general steps.
fn live_fix(_cx: &Context) -> Vec<String> {
    Vec::new()
}
