//! Masking what a URL or a line of npm output may hold of a credential before regauth shows it.

use std::sync::OnceLock;

use regex::Regex;

/// The URL with the secret part of its userinfo masked: `user:pass@` becomes `user:***@` (as
/// npm does), and a lone `token@` becomes `***@`.
pub fn redact_url(url: &str) -> String {
    mask_userinfo(url)
}

/// A line of probe output made safe to show: userinfo in URLs masked, token-shaped words
/// redacted with `crate::secret::redact`.
pub fn sanitize(text: &str) -> String {
    static TOKEN: OnceLock<Regex> = OnceLock::new();
    let token_re = TOKEN.get_or_init(|| {
        Regex::new(r"\b(?:npms?_|ghp_|gho_|ghs_|ghu_|ghr_|github_pat_|glpat-)[A-Za-z0-9_-]{16,}")
            .unwrap()
    });
    let text = mask_userinfo(text);
    token_re
        .replace_all(&text, |c: &regex::Captures| crate::secret::redact(&c[0]))
        .into_owned()
}

fn mask_userinfo(text: &str) -> String {
    static USERINFO: OnceLock<Regex> = OnceLock::new();
    let re = USERINFO.get_or_init(|| Regex::new(r"://([^/@\s]*)@").unwrap());
    re.replace_all(text, |c: &regex::Captures| match c[1].split_once(':') {
        Some((user, _)) => format!("://{user}:***@"),
        None => "://***@".to_string(),
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords() {
        assert_eq!(redact_url("https://u:p@h/x"), "https://u:***@h/x");
        assert_eq!(
            redact_url("http://127.0.0.1:4873/"),
            "http://127.0.0.1:4873/"
        );
        assert_eq!(redact_url("https://h/a@b"), "https://h/a@b");
        assert_eq!(redact_url("https://TOKEN@h/u/"), "https://***@h/u/");
    }

    #[test]
    fn sanitizes_tokens_and_passwords_in_text() {
        let line = "GET https://u:pw@h/x - bad token npm_CANARYcanaryCANARYcanaryCANARY0001";
        let clean = sanitize(line);
        assert!(
            !clean.contains("CANARY") && !clean.contains(":pw@"),
            "{clean}"
        );
        assert!(clean.contains("npm_****0001"));
    }
}
