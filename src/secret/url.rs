//! Masking the userinfo of URLs (`https://user:pass@host/`, `https://TOKEN@host/`) before
//! regauth shows a URL that may carry a credential.

use std::sync::OnceLock;

use regex::Regex;

/// The URL (or every URL in a text) with the secret part of its userinfo masked: `user:pass@`
/// becomes `user:***@` (as npm does), and a lone `token@` becomes `***@`.
pub fn redact_url(url: &str) -> String {
    static USERINFO: OnceLock<Regex> = OnceLock::new();
    let re = USERINFO.get_or_init(|| Regex::new(r"://([^/@\s]*)@").unwrap());
    re.replace_all(url, |c: &regex::Captures| match c[1].split_once(':') {
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
}
