//! A regex compiled only once a text holds a literal that every match of it contains: most of a
//! failure's lines lack the literal, and compiling a regex costs more than the whole scan of a
//! short failure (about 1.4 M instructions each, most of npm's exit-to-explanation time).

use std::sync::OnceLock;

use regex::{Captures, Regex};

/// `pattern`, looked at only in texts that contain `needle` (case-sensitive, and a literal part
/// of every match: a needle `pattern` can match without would change results). Debug builds
/// check that claim on every text the tests scan.
pub(crate) struct Gated {
    needle: &'static str,
    pattern: &'static str,
    regex: OnceLock<Regex>,
}

impl Gated {
    pub(crate) const fn new(needle: &'static str, pattern: &'static str) -> Gated {
        Gated {
            needle,
            pattern,
            regex: OnceLock::new(),
        }
    }

    fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| Regex::new(self.pattern).unwrap())
    }

    /// False without compiling when `text` lacks the needle.
    fn may_match(&self, text: &str) -> bool {
        let holds = text.contains(self.needle);
        debug_assert!(
            holds || !self.regex().is_match(text),
            "{:?} matches {text:?} without its needle {:?}",
            self.pattern,
            self.needle
        );
        holds
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.may_match(text) && self.regex().is_match(text)
    }

    pub(crate) fn captures<'t>(&self, text: &'t str) -> Option<Captures<'t>> {
        if !self.may_match(text) {
            return None;
        }
        self.regex().captures(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_as_the_regex_does_when_the_needle_is_there() {
        static CODE: Gated = Gated::new("code", r"^code\s+(E\d+)");
        assert_eq!(&CODE.captures("code E401").unwrap()[1], "E401");
        assert!(!CODE.is_match("a code E401"));
        assert!(CODE.captures("nothing here").is_none());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "without its needle")]
    fn a_needle_the_regex_can_match_without_is_caught() {
        static WRONG: Gated = Gated::new("Code", r"(?i)code");
        WRONG.is_match("code E401");
    }
}
