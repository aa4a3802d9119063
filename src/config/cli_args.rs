//! The config part of an npm command line, parsed the way npm's `nopt` does it: `--key=value`,
//! `--key value` for keys that take a value, `--no-key`, shorthands (`-g`, `-C`, `-L`, `--reg`,
//! `--local`, glued single letters like `-gf`), unknown keys (`--@scope:registry=URL`, `--//host/:_authToken=...`),
//! repeated keys becoming lists, and `--` ending the options. Positional arguments are dropped.
//! Unique-prefix abbreviations (`--regis`, `--userc`) expand as nopt's `abbrev` does (npm warns
//! that they will stop working). The key tables are npm's own (`npm_keys`).

use std::collections::{HashMap, VecDeque};

use super::abbreviations;
use super::npm_keys::nopt_type;

/// One option as nopt leaves it, before type validation.
#[derive(Debug, Clone, PartialEq)]
pub enum CliValue {
    Bool(bool),
    Str(String),
    List(Vec<CliValue>),
}

/// npm's shorthands (`definitions/index.js`).
const SHORTHANDS: &[(&str, &[&str])] = &[
    ("enjoy-by", &["--before"]),
    ("d", &["--loglevel", "info"]),
    ("dd", &["--loglevel", "verbose"]),
    ("ddd", &["--loglevel", "silly"]),
    ("quiet", &["--loglevel", "warn"]),
    ("q", &["--loglevel", "warn"]),
    ("s", &["--loglevel", "silent"]),
    ("silent", &["--loglevel", "silent"]),
    ("verbose", &["--loglevel", "verbose"]),
    ("desc", &["--description"]),
    ("help", &["--usage"]),
    ("local", &["--no-global"]),
    ("n", &["--no-yes"]),
    ("no", &["--no-yes"]),
    ("porcelain", &["--parseable"]),
    ("readonly", &["--read-only"]),
    ("reg", &["--registry"]),
    ("iwr", &["--include-workspace-root"]),
    ("ws", &["--workspaces"]),
    ("a", &["--all"]),
    ("c", &["--call"]),
    ("f", &["--force"]),
    ("g", &["--global"]),
    ("L", &["--location"]),
    ("l", &["--long"]),
    ("m", &["--message"]),
    ("p", &["--parseable"]),
    ("C", &["--prefix"]),
    ("S", &["--save"]),
    ("B", &["--save-bundle"]),
    ("D", &["--save-dev"]),
    ("E", &["--save-exact"]),
    ("O", &["--save-optional"]),
    ("P", &["--save-prod"]),
    ("?", &["--usage"]),
    ("H", &["--usage"]),
    ("h", &["--usage"]),
    ("v", &["--version"]),
    ("w", &["--workspace"]),
    ("y", &["--yes"]),
];

fn is_defined(key: &str) -> bool {
    nopt_type(key).is_some()
}

/// The names of npm's shorthands (for their abbreviation table).
pub(crate) fn shorthand_names() -> Vec<&'static str> {
    SHORTHANDS.iter().map(|(s, _)| *s).collect()
}

fn shorthand(name: &str) -> Option<&'static [&'static str]> {
    SHORTHANDS.iter().find(|(s, _)| *s == name).map(|(_, e)| *e)
}

fn is_single_shorthand(c: char) -> bool {
    SHORTHANDS
        .iter()
        .any(|(s, _)| s.len() == c.len_utf8() && s.starts_with(c))
}

/// nopt's `resolveShort`: an exact option stays; an exact shorthand, a run of single-letter
/// shorthands (`-gf`), or a unique prefix of a shorthand (`--porc`) expands; a unique prefix
/// of an option is left for `expand_abbreviation`.
fn resolve_short(arg: &str) -> Option<Vec<String>> {
    let name = arg.trim_start_matches('-');
    if is_defined(name) {
        return None;
    }
    let owned = |e: &[&str]| e.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if let Some(expansion) = shorthand(name) {
        return Some(owned(expansion));
    }
    if name.chars().all(is_single_shorthand) {
        let mut out = Vec::new();
        for c in name.chars() {
            out.extend(owned(shorthand(c.encode_utf8(&mut [0u8; 4]))?));
        }
        return Some(out);
    }
    if abbreviations::of_option(name).is_some() {
        return None;
    }
    abbreviations::of_shorthand(name)
        .and_then(shorthand)
        .map(owned)
}

/// `--regis` is `--registry` (a unique prefix of a defined key, which npm warns about).
fn expand_abbreviation(key: &str) -> String {
    match abbreviations::of_option(key) {
        Some(full) => full.to_owned(),
        None => key.to_owned(),
    }
}

/// Parses npm's arguments (without the program name) into config keys, in order. Linear in
/// the number of arguments: expansions go to the front of a queue, keys are indexed.
pub fn parse(args: &[String]) -> Vec<(String, CliValue)> {
    let mut queue: VecDeque<String> = args.iter().cloned().collect();
    let mut data = Data::default();
    while let Some(mut arg) = queue.pop_front() {
        if arg.len() >= 2 && arg.chars().all(|c| c == '-') {
            break;
        }
        if !arg.starts_with('-') || arg.len() < 2 {
            continue;
        }
        let had_eq = match arg.find('=') {
            Some(at) => {
                let value = arg[at + 1..].to_owned();
                arg.truncate(at);
                queue.push_front(value);
                true
            }
            None => false,
        };
        if let Some(expansion) = resolve_short(&arg) {
            let first_differs = expansion.first() != Some(&arg);
            for item in expansion.into_iter().rev() {
                queue.push_front(item);
            }
            if first_differs {
                continue;
            }
            queue.pop_front();
        }
        let (key, negated) = strip_no(arg.trim_start_matches('-'));
        let key = expand_abbreviation(key);
        take_value(&mut queue, &key, negated, had_eq, &mut data);
    }
    data.items
}

/// The options parsed so far, with an index by key.
#[derive(Default)]
struct Data {
    items: Vec<(String, CliValue)>,
    index: HashMap<String, usize>,
}

fn strip_no(mut name: &str) -> (&str, Option<bool>) {
    let mut no = None;
    while name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("no-")) {
        no = Some(!no.unwrap_or(false));
        name = &name[3..];
    }
    (name, no)
}

/// Stores one option, taking its value from the front of `queue` when it has one.
fn take_value(
    queue: &mut VecDeque<String>,
    key: &str,
    negated: Option<bool>,
    had_eq: bool,
    data: &mut Data,
) {
    let next = queue.front().map(String::as_str);
    let known_value_key = nopt_type(key).is_some_and(|t| t.takes_value);
    let unknown = !is_defined(key);
    let is_bool = negated.is_some() || (!known_value_key && !unknown) || (unknown && !had_eq);
    if is_bool {
        let mut value = negated != Some(true);
        if let Some(word @ ("true" | "false")) = next {
            value = (word == "true") != (negated == Some(true));
            queue.pop_front();
        }
        push(data, key, CliValue::Bool(value), unknown);
        return;
    }
    let mut next = next.map(str::to_owned);
    let mut consume = next.is_some();
    if nopt_type(key).is_some_and(|t| t.pure_string) {
        match &next {
            None => next = Some(String::new()),
            Some(n) if starts_like_flag(n) => {
                next = Some(String::new());
                consume = false;
            }
            _ => {}
        }
    }
    if next
        .as_deref()
        .is_some_and(|n| n.len() >= 2 && n.chars().all(|c| c == '-'))
    {
        next = None;
        consume = false;
    }
    if consume {
        queue.pop_front();
    }
    let value = next.map(CliValue::Str).unwrap_or(CliValue::Bool(true));
    push(data, key, value, unknown);
}

/// `/^-{1,2}[^-]+/`
fn starts_like_flag(s: &str) -> bool {
    let rest = s.strip_prefix("--").or_else(|| s.strip_prefix('-'));
    rest.is_some_and(|r| r.chars().next().is_some_and(|c| c != '-'))
}

/// Repeated unknown keys and list-typed keys accumulate; other keys take the last value.
fn push(data: &mut Data, key: &str, value: CliValue, unknown: bool) {
    let listy = nopt_type(key).is_some_and(|t| t.list);
    let Some(&at) = data.index.get(key) else {
        data.index.insert(key.to_owned(), data.items.len());
        let value = if listy {
            CliValue::List(vec![value])
        } else {
            value
        };
        data.items.push((key.to_owned(), value));
        return;
    };
    match &mut data.items[at].1 {
        CliValue::List(items) => items.push(value),
        old if unknown || listy => *old = CliValue::List(vec![old.clone(), value]),
        old => *old = value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Vec<(String, CliValue)> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn s(v: &str) -> CliValue {
        CliValue::Str(v.into())
    }

    #[test]
    fn registry_forms() {
        assert_eq!(
            p(&["install", "--registry=http://a/"]),
            vec![("registry".into(), s("http://a/"))]
        );
        assert_eq!(
            p(&["--registry", "http://a/", "x"]),
            vec![("registry".into(), s("http://a/"))]
        );
        assert_eq!(
            p(&["--reg", "http://a/"]),
            vec![("registry".into(), s("http://a/"))]
        );
        assert_eq!(
            p(&["--@s:registry=http://b/"]),
            vec![("@s:registry".into(), s("http://b/"))]
        );
        assert_eq!(
            p(&["--@s:registry", "http://b/"]),
            vec![("@s:registry".into(), CliValue::Bool(true))]
        );
    }

    #[test]
    fn shorthands_and_booleans() {
        assert_eq!(p(&["-g"]), vec![("global".into(), CliValue::Bool(true))]);
        assert_eq!(
            p(&["--local"]),
            vec![("global".into(), CliValue::Bool(false))]
        );
        assert_eq!(p(&["-C", "/x"]), vec![("prefix".into(), s("/x"))]);
        assert_eq!(p(&["-L=global"]), vec![("location".into(), s("global"))]);
        assert_eq!(
            p(&["--global", "false"]),
            vec![("global".into(), CliValue::Bool(false))]
        );
        assert_eq!(
            p(&["--no-global"]),
            vec![("global".into(), CliValue::Bool(false))]
        );
        let gf = p(&["-gf"]);
        assert_eq!(gf[0], ("global".into(), CliValue::Bool(true)));
    }

    #[test]
    fn double_dash_ends_options() {
        assert!(p(&["run", "x", "--", "--registry=http://a/"]).is_empty());
    }

    #[test]
    fn string_keys_do_not_eat_flags() {
        let got = p(&["--tag", "--registry=http://a/"]);
        assert_eq!(got[1], ("registry".into(), s("http://a/")));
    }
}
