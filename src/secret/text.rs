//! Hides anything token-shaped in free text (a transcript line, a server message, probe output)
//! before it is stored or shown, so that a `Failure` (and every report built from it) never
//! holds a secret, whatever the input says.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::redact;

/// Known token formats (npm, GitHub, GitLab, JWTs such as CodeArtifact or Azure tokens).
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:npms?_[A-Za-z0-9]{8,}|gh[pousr]_[A-Za-z0-9]{8,}|github_pat_[A-Za-z0-9_]{8,}|glpat-[A-Za-z0-9_-]{8,}|eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*)?)",
    )
    .unwrap()
});

/// `Bearer <token>` / `Basic <base64>` (but not `Basic realm=...`), `token <x>`.
static AUTH_SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(Bearer|Basic|token)(\s+)([A-Za-z0-9+/=._~-]{6,})").unwrap()
});

/// `_authToken=...`, `_auth = ...`, `_password=...`, `password: ...`, `NPM_TOKEN=...`.
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)((?:_authToken|_auth|_password|password|passwd|secret|--otp|npmAuthToken|npmAuthIdent|[A-Z0-9_]*(?:TOKEN|PAT|SECRET|PASSWORD|API_KEY))["']?\s*[=:]\s*["']?)([^\s"',;}]+)"#,
    )
    .unwrap()
});

/// npmjs's validation message quoting the `otp` sent (a recovery code is a credential, npm/cli#9326):
/// `child "otp" fails because ["otp" with value "<code>" fails to match ...]`.
static OTP_VALUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(["']otp["'] with value ["'])([^"']+)(["'])"#).unwrap());

/// `scheme://user:password@host`.
static URL_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)([^\s/?#]+)(@)").unwrap());

/// Values that are already hidden or are placeholders, left alone.
fn is_placeholder(value: &str) -> bool {
    value.starts_with("${")
        || value.contains("[hidden]")
        || value.contains("[redacted]")
        || value.contains("***")
        || value.contains("****")
        || value == "(protected)"
        || value.starts_with('<')
}

/// The text with every token-shaped value replaced by its redacted form.
pub fn scrub_text(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    if TOKEN.is_match(&out) {
        out = Cow::Owned(
            TOKEN
                .replace_all(&out, |c: &Captures| redact(&c[0]))
                .into_owned(),
        );
    }
    if AUTH_SCHEME.is_match(&out) {
        let replaced = AUTH_SCHEME.replace_all(&out, |c: &Captures| {
            let value = &c[3];
            let parameter = value.trim_end_matches('=').contains('=')
                || value.ends_with('=') && value.len() < 12;
            if value.eq_ignore_ascii_case("realm")
                || parameter
                || is_placeholder(value)
                || value.len() < 12
            {
                c[0].to_owned()
            } else {
                format!("{}{}{}", &c[1], &c[2], redact(value))
            }
        });
        out = Cow::Owned(replaced.into_owned());
    }
    if KEY_VALUE.is_match(&out) {
        let replaced = KEY_VALUE.replace_all(&out, |c: &Captures| {
            let value = &c[2];
            if is_placeholder(value) {
                c[0].to_owned()
            } else {
                format!("{}{}", &c[1], redact(value))
            }
        });
        out = Cow::Owned(replaced.into_owned());
    }
    if OTP_VALUE.is_match(&out) {
        out = Cow::Owned(OTP_VALUE.replace_all(&out, "${1}[hidden]${3}").into_owned());
    }
    if URL_CREDENTIALS.is_match(&out) {
        out = Cow::Owned(
            URL_CREDENTIALS
                .replace_all(&out, "${1}***${3}")
                .into_owned(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_tokens_in_every_shape() {
        for text in [
            "An authorization header was used: Bearer npm_CANARYcanaryCANARYcanaryCANARY0001",
            "//registry.npmjs.org/:_authToken=CANARYcanaryCANARYcanary0001",
            "_auth = Q0FOQVJZOmNhbmFyeUNBTkFSWQ==",
            "GET https://alice:CANARYpass@example.com/x",
            "GET https://alice:pass@CANARY@example.com/x",
            "NPM_TOKEN=CANARYcanaryCANARYcanary0001 npm publish",
            "authorization: Bearer CANARYcanaryCANARYcanary0001",
        ] {
            let s = scrub_text(text);
            assert!(!s.contains("CANARY") && !s.contains("Q0FOQVJZ"), "{s}");
        }
    }

    #[test]
    fn keeps_realms_placeholders_and_ordinary_text() {
        let t = r#"Unable to authenticate, need: Basic realm="Artifactory Realm""#;
        assert_eq!(scrub_text(t), t);
        let t = "//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}";
        assert_eq!(scrub_text(t), t);
        let t = "//npm.pkg.github.com/:_authToken=ghp_[hidden]";
        assert_eq!(scrub_text(t), t);
    }
}
