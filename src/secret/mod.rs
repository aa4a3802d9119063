//! Secret values (tokens, passwords, `_auth`) and all redaction: `redact` (one secret value),
//! `scrub_text` (free text: anything token-shaped), `scrub_known` (the configured secrets' own
//! values, in any text and encoding), `redact_url` / `hide_userinfo` (userinfo in URLs), and
//! owner-only files for what regauth writes (`write_private`).
//!
//! A `Secret`'s Display, Debug and Serialize show only the redacted form, so no code path can
//! print a credential by accident. The raw value is reachable through `expose()` alone, used only
//! where a value must be compared, decoded or handed to a child process's environment.

mod file;
mod known;
mod known_short;
mod split;
mod text;
mod url;

pub use file::{append_private, write_private};
pub use known::{scrub_known, with_decoded_forms, Known};
pub use text::scrub_text;
pub use url::{hide_userinfo, redact_url, userinfo_secrets};

use std::fmt;

/// A credential value. Prints as its redacted form.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The raw value. Only for comparing, decoding, or passing to npm; never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

/// Known token prefixes, kept in the redacted form because they say what kind of token it is.
const KNOWN_PREFIXES: &[&str] = &[
    "github_pat_",
    "npm_",
    "npms_",
    "ghp_",
    "gho_",
    "ghs_",
    "ghu_",
    "ghr_",
    "glpat-",
];

/// Secrets shorter than this are hidden entirely: their last four characters would be too much.
const MIN_LEN_FOR_TAIL: usize = 16;

/// The redacted form of a secret: at most a known kind prefix and the last 4 characters
/// (`npm_****ab12`); short secrets become `****`; empty stays `(empty)`.
pub fn redact(value: &str) -> String {
    if value.is_empty() {
        return "(empty)".to_owned();
    }
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < MIN_LEN_FOR_TAIL {
        return "****".to_owned();
    }
    let prefix = KNOWN_PREFIXES
        .iter()
        .find(|p| value.starts_with(**p))
        .copied()
        .unwrap_or("");
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_to_kind_and_last_four() {
        assert_eq!(
            redact("npm_CANARYcanaryCANARYcanary0000ab12"),
            "npm_****ab12"
        );
        assert_eq!(redact("0123456789abcdef0123"), "****0123");
        assert_eq!(redact("short"), "****");
        assert_eq!(redact(""), "(empty)");
    }

    #[test]
    fn secret_never_prints_raw() {
        let s = Secret::new("npm_CANARYcanaryCANARYcanary0000ab12");
        assert!(!format!("{s} {s:?}").contains("CANARY"));
        assert!(!serde_json::to_string(&s).unwrap().contains("CANARY"));
    }
}
