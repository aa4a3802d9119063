//! One raw line of a transcript into its useful part: ANSI colour and CI prefixes removed, and
//! npm's log prefix (`npm ERR!`, `npm error`, any heading, or a debug log's `<n> <level>`) split off.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// The log level a line was written at, when it carries npm's (or a lookalike's) prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warn,
    Notice,
    Http,
    Info,
    Verbose,
    Silly,
    /// No recognisable prefix: a bare line (yarn, pnpm, a server page, a pasted message).
    None,
}

/// A line after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line<'a> {
    pub level: Level,
    /// True when the prefix was a debug log's counter (`12 verbose ...`).
    pub debug_log: bool,
    /// True when the raw line started with whitespace (a wrapped continuation).
    pub indented: bool,
    /// The text after every prefix.
    pub body: Cow<'a, str>,
    /// The line as a person would quote it: colour and CI decorations removed, npm prefix kept.
    pub display: String,
    /// True when the raw line carried a CI decoration (timestamp, `##[error]`, `::error::`).
    pub ci_decorated: bool,
}

/// Timestamps, GitHub Actions markers and similar CI decorations at the start of a line.
static CI_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\s*(?:\d{4}-\d{2}-\d{2}[T ][0-9:.,]+Z?|\[\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\]|##\[[a-z]+\]|::[a-z]+[^:]*::)\s?)+",
    )
    .unwrap()
});

/// npm's prefix anywhere in a line (quoted in a wrapper's log, after a tool's own prefix).
static NPM_ANYWHERE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s'`|:>(])npm (ERR!|error|WARN|warn|notice|http|info|verb|verbose|sill|silly|timing)(?: |$)")
        .unwrap()
});

/// Any other heading at the start of a line (`heading` config, lerna, ...).
static HEADING_AT_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[a-z][a-z0-9_.@/-]{0,30} (ERR!|error|WARN|warn|notice|http|verb|verbose|sill|silly)(?: |$)")
        .unwrap()
});

/// A debug log line: `<count> <level> <rest>`.
static DEBUG_LOG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d+) (error|warn|notice|http|info|verbose|silly|timing) ?").unwrap()
});

/// Trailing junk of a line quoted inside a JavaScript string (`'...\n' +`).
static QUOTED_TAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?:\\n['"]\s*[+,]?|['"]\s*[+,])\s*$"#).unwrap());

/// Removes ANSI escape sequences (CSI and OSC) and other C0 controls except tab.
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| b == 0x1b || (b < 0x20 && b != b'\t')) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    // CSI: parameters then one final byte in @..~
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    // OSC: up to BEL or ESC \
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            }
        } else if (c as u32) >= 0x20 || c == '\t' {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn level_of(word: &str) -> Level {
    match word {
        "ERR!" | "error" => Level::Error,
        "WARN" | "warn" => Level::Warn,
        "notice" => Level::Notice,
        "http" => Level::Http,
        "info" => Level::Info,
        "verb" | "verbose" => Level::Verbose,
        "sill" | "silly" | "timing" => Level::Silly,
        _ => Level::None,
    }
}

/// Splits one raw line into level and body.
pub fn normalize(raw: &str) -> Line<'_> {
    let indented = raw.starts_with([' ', '\t']);
    let clean = strip_ansi(raw.trim_end_matches(['\r', '\n']));
    let (text, ci_decorated) = match CI_PREFIX.find(&clean) {
        Some(m) if !m.as_str().trim().is_empty() => (&clean[m.end()..], true),
        _ => (clean.as_ref(), false),
    };
    let (level, debug_log, body) = split_prefix(text);
    let body = QUOTED_TAIL.replace(body.trim_end(), "").into_owned();
    let display = QUOTED_TAIL.replace(text.trim(), "").into_owned();
    Line {
        level,
        debug_log,
        indented,
        body: Cow::Owned(body),
        display,
        ci_decorated,
    }
}

fn split_prefix(text: &str) -> (Level, bool, &str) {
    let text_trimmed = text.trim_start();
    if let Some(c) = DEBUG_LOG.captures(text_trimmed) {
        let end = c.get(0).unwrap().end();
        return (level_of(&c[2]), true, &text_trimmed[end..]);
    }
    if let Some(c) = NPM_ANYWHERE.captures(text) {
        let end = c.get(0).unwrap().end();
        return (level_of(&c[1]), false, &text[end..]);
    }
    if let Some(c) = HEADING_AT_START.captures(text_trimmed) {
        let end = c.get(0).unwrap().end();
        return (level_of(&c[1]), false, &text_trimmed[end..]);
    }
    (Level::None, false, text_trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_npm_prefixes_and_any_heading() {
        assert_eq!(normalize("npm ERR! code E401").body, "code E401");
        assert_eq!(normalize("npm error code E401").level, Level::Error);
        assert_eq!(normalize("myco error code E403").body, "code E403");
        assert_eq!(normalize("lerna ERR! E403 nope").body, "E403 nope");
    }

    #[test]
    fn ci_noise_and_colour_are_removed() {
        let l = normalize("2025-08-14T17:32:21.8216220Z \u{1b}[31mnpm\u{1b}[39m error code EOTP");
        assert_eq!((l.level, l.body.as_ref()), (Level::Error, "code EOTP"));
        let l = normalize("##[error]npm ERR! code E401");
        assert_eq!(l.body, "code E401");
        let l = normalize(r"    'npm ERR! code E403\n' +");
        assert_eq!(l.body, "code E403");
    }

    #[test]
    fn debug_log_lines() {
        let l = normalize("907 verbose statusCode 401");
        assert!(l.debug_log);
        assert_eq!(
            (l.level, l.body.as_ref()),
            (Level::Verbose, "statusCode 401")
        );
    }

    #[test]
    fn yarn_lines_are_not_mistaken_for_a_heading() {
        let l = normalize("error An unexpected error occurred: \"x\".");
        assert_eq!(l.level, Level::None);
    }
}
