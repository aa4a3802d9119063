//! Short secrets (fewer than 6 characters: a short password, a test token) hidden where the
//! text presents them as a secret rather than wherever the letters occur: as a whole word of
//! three or more characters, or, shorter, right after `:` / `=` or a password-like word.

/// Words that announce a secret shortly before it.
const ANNOUNCING: &[&str] = &[
    "password", "passwd", "pass", "pwd", "secret", "token", "auth",
];

/// `text` with each short value hidden where it stands as a secret.
pub(crate) fn hide_in_context(text: &str, shorts: &[String]) -> String {
    let mut ranges: Vec<(usize, usize, String)> = Vec::new();
    for value in shorts.iter().filter(|v| !v.is_empty()) {
        for (at, _) in text.match_indices(value.as_str()) {
            let end = at + value.len();
            if is_whole_word(text, at, end) && in_context(text, at, value) {
                ranges.push((at, end, "****".to_owned()));
            }
        }
    }
    super::split::replace_ranges(text, ranges)
}

fn is_whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

fn in_context(text: &str, start: usize, value: &str) -> bool {
    if value.chars().count() >= 3 {
        return true;
    }
    let before = text[..start].trim_end_matches([' ', '"', '\'']);
    if before.ends_with([':', '=']) {
        return true;
    }
    let window: String = before
        .chars()
        .rev()
        .take(24)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let window = window.to_ascii_lowercase();
    ANNOUNCING.iter().any(|w| window.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_in_context() {
        let shorts = vec!["pw".to_owned(), "abc".to_owned()];
        assert_eq!(hide_in_context("abc", &shorts), "****");
        assert_eq!(hide_in_context("xabc abcd", &shorts), "xabc abcd");
        assert_eq!(hide_in_context("u:pw@h pw", &shorts), "u:****@h pw");
        assert_eq!(
            hide_in_context("password is pw", &shorts),
            "password is ****"
        );
        assert_eq!(
            hide_in_context("_password=\"pw\"", &shorts),
            "_password=\"****\""
        );
    }
}
