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

/// A case-insensitive regex (a lexicon's alternatives), compiled only once a text holds one of
/// `needles` (lowercase; one literal of each alternative) in any case. A text with non-ASCII
/// characters is always looked at: Unicode case folding matches `K` (Kelvin) and `ſ` to ASCII
/// letters, which an ASCII comparison would miss.
pub(crate) struct AnyCase {
    needles: &'static [&'static str],
    build: fn() -> Regex,
    regex: OnceLock<Regex>,
}

impl AnyCase {
    pub(crate) const fn new(needles: &'static [&'static str], build: fn() -> Regex) -> AnyCase {
        AnyCase {
            needles,
            build,
            regex: OnceLock::new(),
        }
    }

    fn regex(&self) -> &Regex {
        self.regex.get_or_init(self.build)
    }

    fn may_match(&self, text: &str) -> bool {
        let holds = !text.is_ascii() || {
            let lower = text.to_ascii_lowercase();
            self.needles.iter().any(|needle| lower.contains(needle))
        };
        debug_assert!(
            holds || !self.regex().is_match(text),
            "{:?} matches {text:?} without any of its needles {:?}",
            self.regex().as_str(),
            self.needles
        );
        holds
    }

    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.may_match(text) && self.regex().is_match(text)
    }

    /// Tests: one needle per alternative, in order, each found in that alternative's example.
    #[cfg(test)]
    pub(crate) fn assert_fits(&self, examples: &[&str]) {
        assert_eq!(self.needles.len(), examples.len(), "{:?}", self.needles);
        for (needle, example) in self.needles.iter().zip(examples) {
            assert!(
                example.to_ascii_lowercase().contains(needle),
                "{needle:?} not in {example:?}"
            );
            assert!(self.is_match(example), "{example:?}");
        }
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
    fn any_case_matches_in_any_case_and_always_looks_at_non_ascii_text() {
        static WORDS: AnyCase = AnyCase::new(&["paid account"], || {
            Regex::new("(?i)paid account").unwrap()
        });
        assert!(WORDS.is_match("needs a PAID Account"));
        assert!(!WORDS.is_match("a free account"));
        // `ſ` (long s) and the Kelvin sign fold to `s` and `k`: no ASCII needle would see them
        static SK: AnyCase = AnyCase::new(&["sk"], || Regex::new("(?i)sk").unwrap());
        assert!(SK.is_match("\u{17F}\u{212A}"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "without its needle")]
    fn a_needle_the_regex_can_match_without_is_caught() {
        static WRONG: Gated = Gated::new("Code", r"(?i)code");
        WRONG.is_match("code E401");
    }
}
