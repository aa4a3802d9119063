//! Masking the userinfo of URLs (`https://user:pass@host/`, `https://TOKEN@host/`) before
//! regauth shows a URL that may carry a credential.

use std::sync::OnceLock;

use regex::Regex;

/// The URL (or every URL in a text) with the secret part of its userinfo masked: `user:pass@`
/// becomes `user:***@` (as npm does), and a lone `token@` becomes `***@`.
pub fn redact_url(url: &str) -> String {
    static USERINFO: OnceLock<Regex> = OnceLock::new();
    // Up to the authority's last `@`: a raw `@` inside a password must not leave a tail behind.
    let re = USERINFO.get_or_init(|| Regex::new(r"://([^/?#\s]*)@").unwrap());
    re.replace_all(url, |c: &regex::Captures| match c[1].split_once(':') {
        Some((user, _)) => format!("://{user}:***@"),
        None => "://***@".to_string(),
    })
    .into_owned()
}

/// A URL for display with all of its userinfo hidden: `user:password@` becomes `****@` (the
/// user name too, unlike `redact_url`).
pub fn hide_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}****@{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_owned(),
    }
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
        assert_eq!(redact_url("https://u:p@CANARY@h/x"), "https://u:***@h/x");
        assert_eq!(redact_url("https://h/?q=a@b"), "https://h/?q=a@b");
    }

    #[test]
    fn urls_lose_userinfo() {
        assert_eq!(
            hide_userinfo("https://u:CANARYpw@h.example/x@y"),
            "https://****@h.example/x@y"
        );
        assert_eq!(hide_userinfo("https://h.example/"), "https://h.example/");
    }
}
