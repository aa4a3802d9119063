//! `.npmrc` text into entries, following npm's `ini` package (`lib/ini.js` `decode`) line by line:
//! `;`/`#` comment lines, `[section]` headers, `key = value`, quoted values (JSON-parsed), inline
//! comments and `\;` `\#` escapes in unquoted text, `key[]` arrays, duplicate keys (last wins).
//! Unlike `ini`, each value keeps the line number it came from. Never panics on any input.

/// A value as `ini` produces it: JSON parsing of quoted text can yield non-strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Js {
    Str(String),
    Bool(bool),
    Null,
    /// A JSON number or object that came out of a quoted value; kept as its JSON text.
    Other(String),
    /// `key[]` assignments.
    List(Vec<Js>),
}

impl Js {
    /// JavaScript's `String(value)`.
    pub(crate) fn to_js_string(&self) -> String {
        match self {
            Js::Str(s) | Js::Other(s) => s.clone(),
            Js::Bool(b) => b.to_string(),
            Js::Null => "null".to_owned(),
            Js::List(items) => items
                .iter()
                .map(Js::to_js_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Js::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// One `key = value` line as written (before last-wins resolution).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The `[section]` this line sits under, if any. npm never reads sectioned keys as config.
    pub section: Option<String>,
    pub key: String,
    pub value: Js,
    /// Written as `key[]`.
    pub is_array: bool,
    /// 1-based line number in the file.
    pub line: usize,
}

/// A top-level key after `ini`'s duplicate handling: the value npm sees and the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub key: String,
    pub value: Js,
    /// The line of the last assignment (the one that wins).
    pub line: usize,
    /// Lines of earlier assignments of the same key that lost.
    pub shadowed_lines: Vec<usize>,
}

/// A parsed file: every entry in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IniFile {
    pub entries: Vec<Entry>,
}

impl IniFile {
    /// Top-level keys as npm's config sees them, in first-insertion order (like `Object.entries`).
    /// Linear in the number of entries (an index by key, not a search per line).
    pub fn top_level(&self) -> Vec<Resolved> {
        let mut out: Vec<Resolved> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for entry in self.entries.iter().filter(|e| e.section.is_none()) {
            match index.get(entry.key.as_str()) {
                Some(&at) => merge_duplicate(&mut out[at], entry),
                None => {
                    index.insert(entry.key.as_str(), out.len());
                    out.push(Resolved {
                        key: entry.key.clone(),
                        value: if entry.is_array {
                            Js::List(vec![entry.value.clone()])
                        } else {
                            entry.value.clone()
                        },
                        line: entry.line,
                        shadowed_lines: Vec::new(),
                    })
                }
            }
        }
        out
    }

    /// Entries that sit under a `[section]` header (npm ignores them as config keys).
    pub(crate) fn sectioned(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.section.is_some())
    }
}

/// `ini`: an array stays an array (even without `[]`), `key[]` turns a scalar into an array,
/// otherwise the later value replaces the earlier one.
fn merge_duplicate(existing: &mut Resolved, entry: &Entry) {
    existing.shadowed_lines.push(existing.line);
    existing.line = entry.line;
    match (&mut existing.value, entry.is_array) {
        (Js::List(items), _) => items.push(entry.value.clone()),
        (old, true) => *old = Js::List(vec![old.clone(), entry.value.clone()]),
        (old, false) => *old = entry.value.clone(),
    }
}

/// Parses `.npmrc` text. Invalid UTF-8 should be decoded lossily by the caller, as Node does.
pub fn parse(text: &str) -> IniFile {
    let mut entries = Vec::new();
    let mut section: Option<String> = None;
    let mut in_proto_section = false;
    for (line_no, line) in lines(text) {
        if is_skippable(line) {
            continue;
        }
        if let Some(name) = section_header(line) {
            let name = unsafe_value(name).to_js_string();
            in_proto_section = name == "__proto__";
            section = Some(name);
            continue;
        }
        let Some((key_text, value_text)) = split_assignment(line) else {
            continue;
        };
        if in_proto_section {
            continue;
        }
        if let Some(entry) = make_entry(key_text, value_text, section.clone(), line_no) {
            entries.push(entry);
        }
    }
    IniFile { entries }
}

fn make_entry(
    key_text: &str,
    value_text: Option<&str>,
    section: Option<String>,
    line: usize,
) -> Option<Entry> {
    let key_raw = unsafe_value(key_text);
    let (key, is_array) = match &key_raw {
        Js::Str(k) if k.chars().count() > 2 && k.ends_with("[]") => {
            (k[..k.len() - 2].to_owned(), true)
        }
        other => (other.to_js_string(), false),
    };
    if key == "__proto__" {
        return None;
    }
    let value = match value_text {
        None => Js::Bool(true),
        Some(text) => literal_words(unsafe_value(text)),
    };
    Some(Entry {
        section,
        key,
        value,
        is_array,
        line,
    })
}

/// `ini` turns the strings `true`, `false` and `null` into JSON values.
fn literal_words(value: Js) -> Js {
    match value {
        Js::Str(s) if s == "true" => Js::Bool(true),
        Js::Str(s) if s == "false" => Js::Bool(false),
        Js::Str(s) if s == "null" => Js::Null,
        other => other,
    }
}

/// Splits like JavaScript's `str.split(/[\r\n]+/)`, keeping 1-based line numbers as an editor
/// counts them (`\r\n`, `\n` and a lone `\r` each end a line).
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut line_no, mut i) = (0usize, 1usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' || b == b'\r' {
            out.push((line_no, &text[start..i]));
            let crlf = b == b'\r' && bytes.get(i + 1) == Some(&b'\n');
            i += if crlf { 2 } else { 1 };
            line_no += 1;
            start = i;
        } else {
            i += 1;
        }
    }
    out.push((line_no, &text[start..]));
    out
}

/// JavaScript's `\s` (also what `String.prototype.trim` removes).
pub(crate) fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// Empty, blank and comment lines (`/^\s*[;#]/`).
fn is_skippable(line: &str) -> bool {
    let rest = line.trim_start_matches(is_js_space);
    rest.is_empty() || rest.starts_with(';') || rest.starts_with('#')
}

/// `/^\[([^\]]*)\]\s*$/`
fn section_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let close = inner.find(']')?;
    let after = &inner[close + 1..];
    after.chars().all(is_js_space).then_some(&inner[..close])
}

/// `/^([^=]+)(=(.*))?$/`: the key is everything before the first `=` (at least one character);
/// `.` does not match U+2028/U+2029, so such a value makes the whole line not match.
fn split_assignment(line: &str) -> Option<(&str, Option<&str>)> {
    match line.find('=') {
        Some(0) => None,
        Some(at) => {
            let value = &line[at + 1..];
            if value.contains(['\u{2028}', '\u{2029}']) {
                None
            } else {
                Some((&line[..at], Some(value)))
            }
        }
        None => Some((line, None)),
    }
}

fn is_quoted(s: &str) -> bool {
    (s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\''))
}

/// `ini`'s `unsafe`: trim; quoted text is JSON-parsed (single quotes stripped first, and kept
/// as-is when JSON fails); otherwise cut at the first unescaped `;` or `#` and unescape.
pub(crate) fn unsafe_value(text: &str) -> Js {
    let val = js_trim(text);
    if is_quoted(val) {
        let inner = if val.starts_with('\'') {
            val.get(1..val.len().saturating_sub(1)).unwrap_or("")
        } else {
            val
        };
        return json_parse(inner).unwrap_or_else(|| Js::Str(inner.to_owned()));
    }
    Js::Str(js_trim(&strip_inline_comment(val)).to_owned())
}

fn strip_inline_comment(val: &str) -> String {
    let mut out = String::with_capacity(val.len());
    let mut escaped = false;
    for c in val.chars() {
        if escaped {
            if !matches!(c, '\\' | ';' | '#') {
                out.push('\\');
            }
            out.push(c);
            escaped = false;
        } else if c == ';' || c == '#' {
            break;
        } else if c == '\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    if escaped {
        out.push('\\');
    }
    out
}

fn json_parse(text: &str) -> Option<Js> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(match value {
        serde_json::Value::String(s) => Js::Str(s),
        serde_json::Value::Bool(b) => Js::Bool(b),
        serde_json::Value::Null => Js::Null,
        other => Js::Other(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top(text: &str) -> Vec<(String, Js, usize)> {
        parse(text)
            .top_level()
            .into_iter()
            .map(|r| (r.key, r.value, r.line))
            .collect()
    }

    fn s(v: &str) -> Js {
        Js::Str(v.to_owned())
    }

    #[test]
    fn comments_whitespace_and_lines() {
        let got = top("; c\n# c\n\n  registry =  http://a/  \r\n@x:registry=http://b/ ; note\n");
        assert_eq!(
            got,
            vec![
                ("registry".into(), s("http://a/"), 4),
                ("@x:registry".into(), s("http://b/"), 5)
            ]
        );
    }

    #[test]
    fn quotes_are_json_parsed() {
        assert_eq!(unsafe_value(r#""a;b""#), s("a;b"));
        assert_eq!(unsafe_value("'x # y'"), s("x # y"));
        assert_eq!(unsafe_value(r#"'"q"'"#), s("q"));
        assert_eq!(unsafe_value("'12'"), Js::Other("12".into()));
        assert_eq!(unsafe_value("\""), s("\""));
        assert_eq!(unsafe_value("'"), s(""));
    }

    #[test]
    fn escapes_and_inline_comments() {
        assert_eq!(unsafe_value(r"a\;b\#c\\d\x ; rest"), s(r"a;b#c\d\x"));
        assert_eq!(unsafe_value(r"abc\"), s(r"abc\"));
    }

    #[test]
    fn duplicates_last_wins_and_arrays() {
        let got = top("a=1\na=2\nb[]=x\nb[]=y\nc=1\nc[]=2\nd\ne=\ntruthy=true\n");
        assert_eq!(got[0], ("a".into(), s("2"), 2));
        assert_eq!(got[1].1, Js::List(vec![s("x"), s("y")]));
        assert_eq!(got[2].1, Js::List(vec![s("1"), s("2")]));
        assert_eq!(got[3].1, Js::Bool(true));
        assert_eq!(got[4].1, s(""));
        assert_eq!(got[5].1, Js::Bool(true));
    }

    #[test]
    fn sections_are_not_top_level() {
        let file = parse("a=1\n[sec]\n//h/:_authToken=x\n[__proto__]\nz=1\n");
        assert_eq!(file.top_level().len(), 1);
        assert_eq!(file.sectioned().count(), 1);
    }

    #[test]
    fn odd_lines() {
        assert!(parse("=x\n").entries.is_empty());
        assert!(parse("a=b\u{2028}c").entries.is_empty());
        assert_eq!(top("\u{FEFF}registry=x")[0].0, "registry");
        assert_eq!(top("a\rb=2\r\n")[1], ("b".into(), s("2"), 2));
    }
}
