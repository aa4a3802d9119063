//! `otp-required`: a one-time password (two-factor) is needed. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::Advice;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::line;
use crate::diagnose::score::{rule, Scores};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "otp-required",
    rules: &[rule!(1, one_time_password)],
    advice,
    live_fix,
};

fn one_time_password(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.otp {
        s.add(
            "otp-required",
            12,
            line(cx, &["one-time", "OTP", "otp", "EOTP", "two-factor", "2FA"]),
        );
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    Advice {
        summary: "The account requires two-factor authentication for this action and no valid one-time password was given.".to_owned(),
        fix: vec![
            "npm publish --otp=<code from your authenticator>".to_owned(),
            "in CI: use trusted publishing (OIDC, npm >= 11.5.1) or a granular token with \"bypass 2FA\"".to_owned(),
        ],
        verify: vec![format!(
            "npm profile get --registry {}   # two-factor auth: auth-and-writes means each publish needs --otp",
            cx.registry_or_placeholder()
        )],
        decider: "EOTP / a `www-authenticate: OTP` header, or the account's 2FA setting".to_owned(),
    }
}

/// No live evidence names anything more specific than the general steps.
fn live_fix(_cx: &Context) -> Vec<String> {
    Vec::new()
}
