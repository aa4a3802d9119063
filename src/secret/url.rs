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

/// The secret parts of a URL's userinfo, as npm sends them: the password (as written and
/// decoded), `user:password`, and the base64 of `user:password` that Node puts in the Basic
/// header (a lone `TOKEN@` is sent as `TOKEN:`). Empty when the URL has no userinfo.
pub fn userinfo_secrets(text: &str) -> Vec<String> {
    use base64::Engine;
    let after_flag = text.split_once('=').map_or(text, |(_, v)| v);
    let Ok(url) = ::url::Url::parse(text.trim()).or_else(|_| ::url::Url::parse(after_flag.trim()))
    else {
        return Vec::new();
    };
    let (user, password) = (url.username(), url.password().unwrap_or(""));
    if user.is_empty() && password.is_empty() {
        return Vec::new();
    }
    let header = format!("{user}:{password}");
    let mut out = vec![base64::engine::general_purpose::STANDARD.encode(&header)];
    if password.is_empty() {
        out.push(user.to_owned());
    } else {
        out.push(password.to_owned());
        out.push(header);
    }
    out
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
    fn userinfo_secrets_as_npm_sends_them() {
        let got = userinfo_secrets("http://carol:p%40ss@h.example/r/");
        assert!(got.contains(&"p%40ss".to_owned()), "{got:?}");
        assert!(got.contains(&"Y2Fyb2w6cCU0MHNz".to_owned()), "{got:?}");
        assert_eq!(userinfo_secrets("--registry=https://TOK@h/").len(), 2);
        assert!(userinfo_secrets("https://h/").is_empty());
        assert!(userinfo_secrets("not a url").is_empty());
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
