//! What registries and npm say, as patterns: policy, publish-refusal and permission wording, and the specific signals that keep generic rules out of the way.

use crate::detect::gated::AnyCase;
use crate::diagnose::context::Context;

/// Evidence already decided by a stronger, specific signal: generic rules stay out of the way.
pub(crate) fn specific_signal(cx: &Context) -> bool {
    let s = &cx.failure.signals;
    s.otp
        || s.publish_over_existing
        || s.invalid_auth.is_some()
        || s.payment_required
        || s.account_problem
        || s.proxy
        || !s.env_unresolved.is_empty()
        || !s.ignored_auth_settings.is_empty()
        || s.ip_not_allowed
        || s.no_auth_for_uri.is_some()
        || policy_text(cx)
        || publish_refused_text(cx)
        || permission_text(cx) && !s.anonymous
}

/// Words registries and security proxies use when a policy, not a credential, refuses a package
/// (each with its source in `detect::lexicon`).
static POLICY: AnyCase = AnyCase::new(&["quarantin", "block"], || {
    crate::detect::lexicon::POLICY.regex()
});

pub(crate) fn policy_text(cx: &Context) -> bool {
    POLICY.is_match(&cx.server_text())
}

static PUBLISH_REFUSED: AnyCase = AnyCase::new(
    &[
        "permission to publish",
        "not allowed to publish",
        "too similar",
        "logged in as the correct user",
        "required permissions",
    ],
    || crate::detect::lexicon::PUBLISH_REFUSED.regex(),
);

pub(crate) fn publish_refused_text(cx: &Context) -> bool {
    let text = cx.server_text();
    !text.contains("previously published")
        && !text.contains("publish over")
        && PUBLISH_REFUSED.is_match(&text)
}

static PERMISSION: AnyCase = AnyCase::new(
    &[
        "permission_denied",
        "lacks permission",
        "need to have '",
        "may not perform that action",
        "permission \"artifactregistry",
        "do not have permission to ",
        "not allowed to access",
    ],
    || crate::detect::lexicon::PERMISSION.regex(),
);

/// True when the registry's own words (not npm's) name an auth reason: for failures that carry
/// no status, such as yarn 1's "Couldn't publish package: <message>".
pub(crate) fn server_text_says_auth(f: &crate::detect::Failure) -> bool {
    let text = [&f.message, &f.server_message]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    PERMISSION.is_match(&text) || PUBLISH_REFUSED.is_match(&text) || POLICY.is_match(&text)
}

pub(crate) fn permission_text(cx: &Context) -> bool {
    PERMISSION.is_match(&cx.all_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lexicon;

    #[test]
    fn each_wording_gate_has_one_needle_per_phrase_found_in_its_example() {
        for (gate, lexicon) in [
            (&POLICY, &lexicon::POLICY),
            (&PUBLISH_REFUSED, &lexicon::PUBLISH_REFUSED),
            (&PERMISSION, &lexicon::PERMISSION),
        ] {
            let examples: Vec<&str> = lexicon.phrases.iter().map(|p| p.example).collect();
            gate.assert_fits(&examples);
        }
    }
}
