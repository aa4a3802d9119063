//! Hides the secret values this machine's configuration actually holds (tokens, `_auth`,
//! `_password`, URL passwords, and their decoded forms) wherever they appear in text, whatever
//! shape they have: a registry may echo a credential in its error body, and no pattern catches
//! every token. Each value is searched in every encoding a server or npm may give it (base64,
//! percent-encoding, cut across lines); short values are hidden where the context says they are
//! a secret (`known_short`), since hiding every `abc` would mangle ordinary words.

use base64::Engine;

use super::known_short;

/// Values shorter than this are hidden only in context (`known_short`), not wherever they occur.
const MIN_LEN: usize = 6;

/// The secret values to hide, with all their encodings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// Hidden wherever they occur (also across a line break), longest first.
    values: Vec<String>,
    /// Too short to hide everywhere: hidden where the text presents them as a secret.
    short: Vec<String>,
}

/// The values to hide: each secret in every form npm or a server may show it: as written, its
/// base64 decoding (`user:password` and the password alone, since npm sends `_auth`/`_password`
/// decoded or re-encoded), its base64 encoding, and percent-encoded or -decoded.
pub fn with_decoded_forms<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Known {
    let mut all = Vec::new();
    for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
        let mut written = vec![secret.to_owned()];
        written.extend(percent_decoded(secret));
        let mut forms = written.clone();
        for text in &written {
            if let Some(decoded) = decode_base64(text) {
                if let Some((_, password)) = decoded.split_once(':') {
                    forms.push(password.to_owned());
                }
                forms.push(decoded);
            }
        }
        for form in forms {
            all.extend(encodings(&form));
            all.push(form);
        }
    }
    let (mut values, mut short): (Vec<String>, Vec<String>) = all
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .partition(|s| s.chars().count() >= MIN_LEN);
    // longest first, so a value containing another is hidden whole
    for list in [&mut values, &mut short] {
        list.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        list.dedup();
    }
    Known { values, short }
}

/// The forms a value takes on the wire or in a URL: base64 (padded, unpadded, URL-safe) and
/// percent-encoded (upper- and lower-case hex).
fn encodings(value: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut out = vec![
        STANDARD.encode(value),
        STANDARD_NO_PAD.encode(value),
        URL_SAFE_NO_PAD.encode(value),
    ];
    let encoded = percent_encoded(value);
    if encoded != value {
        out.push(lower_hex(&encoded));
        out.push(encoded);
    }
    out
}

/// `%2F` as `%2f` (the value's own letters unchanged).
fn lower_hex(encoded: &str) -> String {
    let mut out = String::with_capacity(encoded.len());
    let mut hex_left = 0;
    for c in encoded.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            if c == '%' {
                hex_left = 2;
            }
            out.push(c);
        }
    }
    out
}

/// `encodeURIComponent`: everything but `A-Za-z0-9-_.!~*'()` as `%XX` of its UTF-8 bytes.
fn percent_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` sequences decoded (`+` stays: this is a URL's part, not a form).
fn percent_decoded(value: &str) -> Option<String> {
    if !value.contains('%') {
        return None;
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok().filter(|d| d != value)
}

/// `text` with every occurrence of a known value replaced by its redacted form: whole, cut by
/// a line break (and the next line's `npm error ` prefix), and short values in context.
pub fn scrub_known(text: &str, known: &Known) -> String {
    let mut out = text.to_owned();
    for value in &known.values {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), &super::redact(value));
        }
    }
    out = super::split::hide_across_lines(&out, &known.values);
    out = super::split::hide_cut_ends(&out, &known.values);
    known_short::hide_in_context(&out, &known.short)
}

fn decode_base64(value: &str) -> Option<String> {
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
    fn every_encoding_of_a_value_is_hidden() {
        let token = "CANARY+tok/en=";
        let known = with_decoded_forms([token]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(token);
        for text in [
            format!("sent {b64}"),
            format!("sent {}", percent_encoded(token)),
            format!("sent {}", lower_hex(&percent_encoded(token))),
            format!("sent {}", b64.trim_end_matches('=')),
        ] {
            let s = scrub_known(&text, &known);
            assert!(
                !s.contains("CANARY") && !s.contains(&b64[..12]),
                "{text} -> {s}"
            );
        }
        let url_encoded_auth = percent_encoded("Ym9iOmh1bnRlcjJDQU5BUlk=");
        let known = with_decoded_forms([url_encoded_auth.as_str()]);
        let s = scrub_known("auth Ym9iOmh1bnRlcjJDQU5BUlk= bob:hunter2CANARY", &known);
        assert!(!s.contains("CANARY") && !s.contains("Ym9iOm"), "{s}");
    }

    #[test]
    fn short_values_are_hidden_in_context_only() {
        let known = with_decoded_forms(["abc"]);
        assert_eq!(
            scrub_known("abcdef and a cabc", &known),
            "abcdef and a cabc"
        );
        let s = scrub_known("password: abc, user:abc@h, _password=abc", &known);
        assert!(!s.contains("abc"), "{s}");
    }
}
