//! nopt's abbreviations, computed like the `abbrev` package: every prefix of a word that no
//! other word of the list shares (and every whole word) stands for that word. npm builds two such
//! tables, one over its defined keys and one over its shorthands. Built on first use only: an
//! exact option never needs them.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The defined key that `name` abbreviates (or is), if any.
pub(crate) fn of_option(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| abbrev(&super::npm_keys::defined_keys()))
        .get(name)
        .copied()
}

/// The shorthand that `name` abbreviates (or is), if any.
pub(crate) fn of_shorthand(name: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE
        .get_or_init(|| abbrev(&super::cli_args::shorthand_names()))
        .get(name)
        .copied()
}

/// `abbrev(list)`: sorted; each word maps from its prefixes longer than what it shares with
/// its neighbours.
fn abbrev(words: &[&'static str]) -> HashMap<String, &'static str> {
    let mut list: Vec<&'static str> = words.to_vec();
    list.sort_unstable();
    let mut out = HashMap::new();
    let mut prev = "";
    for (i, &current) in list.iter().enumerate() {
        let next = list.get(i + 1).copied().unwrap_or("");
        if current == next {
            continue;
        }
        let chars: Vec<char> = current.chars().collect();
        let (next_chars, prev_chars): (Vec<char>, Vec<char>) =
            (next.chars().collect(), prev.chars().collect());
        let (mut next_matches, mut prev_matches) = (true, true);
        let mut j = 0;
        while j < chars.len() {
            next_matches = next_matches && next_chars.get(j) == Some(&chars[j]);
            prev_matches = prev_matches && prev_chars.get(j) == Some(&chars[j]);
            j += 1;
            if !next_matches && !prev_matches {
                break;
            }
        }
        prev = current;
        if j == chars.len() {
            out.insert(current.to_owned(), current);
            continue;
        }
        for end in j..=chars.len() {
            out.insert(chars[..end].iter().collect(), current);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_prefixes_only() {
        let table = abbrev(&["registry", "replace-registry-host", "read-only"]);
        assert_eq!(table.get("reg"), Some(&"registry"));
        assert_eq!(table.get("rep"), Some(&"replace-registry-host"));
        assert_eq!(table.get("rea"), Some(&"read-only"));
        assert_eq!(table.get("re"), None);
        assert_eq!(table.get("registry"), Some(&"registry"));
        let table = abbrev(&["a", "ab"]);
        assert_eq!(table.get("a"), Some(&"a"));
        assert_eq!(table.get("ab"), Some(&"ab"));
    }

    #[test]
    fn npm_options() {
        assert_eq!(of_option("regis"), Some("registry"));
        assert_eq!(of_option("userc"), Some("userconfig"));
        assert_eq!(of_option("globalc"), Some("globalconfig"));
        assert_eq!(
            of_option("glob"),
            None,
            "global, globalconfig, global-style"
        );
        assert_eq!(of_shorthand("porc"), Some("porcelain"));
    }
}
