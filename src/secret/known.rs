//! Hides the secret values this machine's configuration actually holds (tokens, `_auth`,
//! `_password`, and their decoded forms) wherever they appear in text, whatever shape they have:
//! a registry may echo a credential in its error body, and no pattern catches every token.

use base64::Engine;

/// Values shorter than this are not searched for: they would mask ordinary words.
const MIN_LEN: usize = 6;

/// The literal values to hide: each secret, plus its base64 decoding (`user:password` and the
/// password alone), since npm sends `_auth`/`_password` decoded or re-encoded.
pub fn with_decoded_forms<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for secret in secrets {
        out.push(secret.to_owned());
        if let Some(decoded) = decode(secret) {
            if let Some((_, password)) = decoded.split_once(':') {
                out.push(password.to_owned());
            }
            out.push(decoded);
        }
    }
    out.retain(|s| s.chars().count() >= MIN_LEN);
    // longest first, so a value containing another is hidden whole
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every occurrence of a known value replaced by its redacted form.
pub fn scrub_known(text: &str, known: &[String]) -> String {
    let mut out = text.to_owned();
    for value in known {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), &super::redact(value));
        }
    }
    out
}

fn decode(value: &str) -> Option<String> {
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(value.trim()).ok()?;
    String::from_utf8(bytes).ok().filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_unshaped_values_and_decoded_forms() {
        // base64 of "bob:hunter2CANARY"
        let known = with_decoded_forms(["CANARYplain1", "Ym9iOmh1bnRlcjJDQU5BUlk="]);
        let text = "rejected CANARYplain1; auth Ym9iOmh1bnRlcjJDQU5BUlk= bob:hunter2CANARY";
        let s = scrub_known(text, &known);
        assert!(!s.contains("CANARY") && !s.contains("Ym9iOm"), "{s}");
        assert!(s.starts_with("rejected ****;"), "{s}");
    }

    #[test]
    fn short_values_are_left_alone() {
        let known = with_decoded_forms(["abc"]);
        assert_eq!(scrub_known("abc def", &known), "abc def");
    }
}
