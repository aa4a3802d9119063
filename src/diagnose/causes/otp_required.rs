//! `otp-required`: a one-time password (two-factor) is needed, or the one given was refused. Its rules, its fix text offline and live (npmjs's 2025 publishing policy: 2FA or a bypass-2FA granular token, recovery codes refused as `--otp`, no new TOTP set-ups), and what decides it.

use crate::diagnose::advice::Advice;
use crate::diagnose::classify::otp_value_refused;
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line};
use crate::diagnose::package_presence::user_maintains;
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::report::Evidence;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "otp-required",
    rules: &[
        rule!(1, one_time_password),
        rule!(64, otp_value_rejected),
        rule!(66, maintainer_refused_on_npmjs),
    ],
    advice,
    live_fix,
};

/// npmjs's words when the publishing credential has neither 2FA nor "bypass 2FA"
/// (npm/cli#9268).
const BYPASS_2FA_WORDS: &str = "granular access token with bypass 2fa";

fn one_time_password(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.otp {
        s.add(
            "otp-required",
            12,
            line(cx, &["one-time", "OTP", "otp", "EOTP", "two-factor", "2FA"]),
        );
    }
}

/// A 400 naming the `otp` field: the code sent was not a current authenticator code (a
/// recovery code, npm/cli#9326).
fn otp_value_rejected(cx: &Context, s: &mut Scores) {
    if otp_value_refused(cx.failure) {
        s.add("otp-required", 14, line(cx, &["\"otp\""]));
    }
}

/// npmjs refused a publish with 403 although the probes show the token's user maintains the
/// package: access is not the question, so the token or session did not satisfy
/// npmjs's publishing 2FA (no OTP, or a granular token without "bypass 2FA").
fn maintainer_refused_on_npmjs(cx: &Context, s: &mut Scores) {
    let Some(maintains) = maintainer_refused(cx) else {
        return;
    };
    s.add("otp-required", 8, Some(maintains));
    s.add("publish-not-allowed", -6, None);
    s.add("insufficient-permission", -4, None);
}

/// The probe line showing the token's user maintains the package (so it exists), for an npmjs
/// publish refused with 403.
fn maintainer_refused(cx: &Context) -> Option<Evidence> {
    if !cx.is_publish() || cx.kind() != Kind::Npmjs || !has_status(cx, &[403]) {
        return None;
    }
    Some(user_maintains(cx.facts)?.1)
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    if client_words::is_berry(cx) {
        return berry_advice(cx);
    }
    if otp_value_refused(cx.failure) {
        return recovery_code_advice();
    }
    if cx.all_text().contains(BYPASS_2FA_WORDS) || maintainer_refused(cx).is_some() {
        return bypass_2fa_advice();
    }
    let mut fix = vec!["npm publish --otp=<code from your authenticator>".to_owned()];
    if cx.kind() == Kind::Npmjs {
        fix.push("no authenticator app? npmjs no longer sets up new TOTP authenticators: use a security key or passkey: `npm publish` without --otp opens npmjs's browser check".to_owned());
    }
    fix.push(TRUSTED_PUBLISHING_IN_CI.to_owned());
    Advice {
        summary: "The account requires two-factor authentication for this action and no valid one-time password was given.".to_owned(),
        fix,
        verify: vec![format!(
            "npm profile get --registry {}   # two-factor auth: auth-and-writes means each publish needs --otp",
            cx.registry_or_placeholder()
        )],
        decider: "EOTP / a `www-authenticate: OTP` header, or the account's 2FA setting".to_owned(),
    }
}

const TRUSTED_PUBLISHING_IN_CI: &str = "in CI: use trusted publishing (OIDC: npm >= 11.5.1, `permissions: id-token: write`, a trusted publisher on the package's settings page) or a granular token with \"Bypass 2FA\"";

/// Berry's: `yarn npm publish --otp`, and trusted publishing from yarn 4.10.
fn berry_advice(cx: &Context) -> Advice {
    Advice {
        summary: "The account requires two-factor authentication for this action and no valid one-time password was given.".to_owned(),
        fix: vec![
            "yarn npm publish --otp <code from your authenticator>".to_owned(),
            "in CI: use trusted publishing (OIDC: yarn >= 4.10, `permissions: id-token: write`, a trusted publisher on the package's settings page) or a granular token with \"Bypass 2FA\" as npmAuthToken".to_owned(),
        ],
        verify: client_words::checks(cx, Vec::new()),
        decider: "EOTP / a `www-authenticate: OTP` header, or the account's 2FA setting".to_owned(),
    }
}

/// npmjs since 2025-11: publishing needs 2FA on the account or a granular token that bypasses it.
fn bypass_2fa_advice() -> Advice {
    Advice {
        summary: "npmjs requires two-factor authentication to publish: the credential used is neither a session of an account with 2FA nor a granular access token with \"Bypass 2FA\" enabled (npmjs's policy since 2025-11; npm/cli#9268).".to_owned(),
        fix: vec![
            "in CI: switch to trusted publishing (OIDC: npm >= 11.5.1, `permissions: id-token: write`, a trusted publisher on npmjs.com -> the package -> Settings) and drop the token".to_owned(),
            "or create a granular access token with \"Bypass two-factor authentication\" ticked and read-write access to this package (write tokens last at most 90 days), and put it in the CI secret".to_owned(),
            "locally: enable 2FA on the account (a security key or passkey: new TOTP set-ups are disabled), then `npm login` (a 2-hour session) and `npm publish`".to_owned(),
        ],
        // `npm publish --dry-run` sends nothing to the registry, so it proves nothing about 2FA.
        verify: vec![
            "npm token list --registry https://registry.npmjs.org/   # the token's bypass-2FA setting".to_owned(),
            "npm profile get --registry https://registry.npmjs.org/   # two-factor auth: the account's 2FA mode".to_owned(),
        ],
        decider: "the 403's wording \"granular access token with bypass 2fa enabled is required\", and the token's settings on npmjs.com".to_owned(),
    }
}

/// npmjs's OTP check refuses recovery codes on publish (npm/cli#9326).
fn recovery_code_advice() -> Advice {
    Advice {
        summary: "npmjs refused the --otp value with 400: publish takes only a current authenticator code; a recovery code is refused by its check (npm/cli#9326), so 2FA was not satisfied.".to_owned(),
        fix: vec![
            "npm publish   # without --otp: npm opens npmjs's browser check for your security key or passkey".to_owned(),
            "or pass a current 6-digit code from the authenticator: `npm publish --otp=<code>`; to recover the account's 2FA use the recovery code on npmjs.com, not as --otp".to_owned(),
            TRUSTED_PUBLISHING_IN_CI.to_owned(),
        ],
        verify: vec!["npm profile get --registry https://registry.npmjs.org/   # two-factor auth: shows which 2FA the publish will ask for".to_owned()],
        decider: "the 400's `child \"otp\" fails` message, and which kind of code was passed as --otp".to_owned(),
    }
}

/// No live evidence names anything more specific than the general steps.
fn live_fix(_cx: &Context) -> Vec<String> {
    Vec::new()
}
