//! The config part of an npm command line, parsed the way npm's `nopt` does it: `--key=value`,
//! `--key value` for keys that take a value, `--no-key`, shorthands (`-g`, `-C`, `-L`, `--reg`,
//! `--local`, glued single letters like `-gf`), unknown keys (`--@scope:registry=URL`, `--//host/:_authToken=...`),
//! repeated keys becoming lists, and `--` ending the options. Positional arguments are dropped.
//! Not handled: unique-prefix abbreviations of long options (`--regis`), which npm deprecates.

/// One option as nopt leaves it, before type validation.
#[derive(Debug, Clone, PartialEq)]
pub enum CliValue {
    Bool(bool),
    Str(String),
    List(Vec<CliValue>),
}

/// Defined keys that are not plain booleans (from npm 11's definitions). They take the next
/// argument as their value; the rest of the defined keys are booleans.
const VALUE_KEYS: &[&str] = &[
    "_auth",
    "access",
    "allow-directory",
    "allow-file",
    "allow-git",
    "allow-remote",
    "allow-scripts",
    "also",
    "audit-level",
    "auth-type",
    "before",
    "ca",
    "cache",
    "cache-max",
    "cache-min",
    "cafile",
    "call",
    "cert",
    "cidr",
    "cpu",
    "depth",
    "diff",
    "diff-dst-prefix",
    "diff-src-prefix",
    "diff-unified",
    "editor",
    "expect-result-count",
    "expires",
    "fetch-retries",
    "fetch-retry-factor",
    "fetch-retry-maxtimeout",
    "fetch-retry-mintimeout",
    "fetch-timeout",
    "git",
    "globalconfig",
    "heading",
    "https-proxy",
    "include",
    "init-author-email",
    "init-author-name",
    "init-author-url",
    "init-license",
    "init-module",
    "init-type",
    "init-version",
    "install-strategy",
    "key",
    "libc",
    "local-address",
    "location",
    "lockfile-version",
    "loglevel",
    "logs-dir",
    "logs-max",
    "maxsockets",
    "message",
    "min-release-age",
    "min-release-age-exclude",
    "name",
    "node-gyp",
    "node-options",
    "noproxy",
    "omit",
    "only",
    "orgs",
    "os",
    "otp",
    "package",
    "pack-destination",
    "packages",
    "prefix",
    "preid",
    "provenance-file",
    "proxy",
    "registry",
    "replace-registry-host",
    "save-prefix",
    "sbom-format",
    "sbom-type",
    "scope",
    "scopes",
    "password",
    "token-description",
    "script-shell",
    "searchexclude",
    "searchlimit",
    "searchopts",
    "searchstaleness",
    "shell",
    "tag",
    "tag-version-prefix",
    "umask",
    "user-agent",
    "userconfig",
    "viewer",
    "which",
    "workspace",
];

/// Keys of type String alone: a following `-x`/`--x` argument is not taken as their value.
const PURE_STRING_KEYS: &[&str] = &[
    "call",
    "editor",
    "git",
    "heading",
    "init-author-email",
    "init-author-name",
    "init-license",
    "init-type",
    "message",
    "pack-destination",
    "preid",
    "save-prefix",
    "scope",
    "script-shell",
    "searchexclude",
    "searchopts",
    "shell",
    "tag",
    "tag-version-prefix",
    "user-agent",
    "viewer",
];

/// Keys that nopt collects into a list.
const LIST_KEYS: &[&str] = &[
    "allow-scripts",
    "ca",
    "cidr",
    "diff",
    "include",
    "min-release-age-exclude",
    "noproxy",
    "omit",
    "orgs",
    "package",
    "packages",
    "scopes",
    "workspace",
];

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

/// Boolean keys npm defines that matter for config (so `--global` is known, not "unknown").
const KNOWN_BOOLEANS: &[&str] = &["global", "workspaces", "yes", "usage", "version"];

fn is_defined(key: &str) -> bool {
    VALUE_KEYS.contains(&key) || KNOWN_BOOLEANS.contains(&key)
}

fn shorthand(name: &str) -> Option<&'static [&'static str]> {
    SHORTHANDS.iter().find(|(s, _)| *s == name).map(|(_, e)| *e)
}

/// nopt's `resolveShort`: an exact shorthand, or one dash followed by single-letter shorthands.
fn resolve_short(arg: &str) -> Option<Vec<String>> {
    let name = arg.trim_start_matches('-');
    if is_defined(name) {
        return None;
    }
    if let Some(expansion) = shorthand(name) {
        return Some(expansion.iter().map(|s| s.to_string()).collect());
    }
    let single_dash = arg.starts_with('-') && !arg.starts_with("--");
    if !single_dash || name.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for c in name.chars() {
        let expansion = shorthand(c.encode_utf8(&mut [0u8; 4]))?;
        out.extend(expansion.iter().map(|s| s.to_string()));
    }
    Some(out)
}

/// Parses npm's arguments (without the program name) into config keys, in order.
pub fn parse(args: &[String]) -> Vec<(String, CliValue)> {
    let mut args: Vec<String> = args.to_vec();
    let mut data: Vec<(String, CliValue)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let mut arg = args[i].clone();
        if arg.len() >= 2 && arg.chars().all(|c| c == '-') {
            break;
        }
        if !arg.starts_with('-') || arg.len() < 2 {
            i += 1;
            continue;
        }
        let had_eq = match arg.find('=') {
            Some(at) => {
                let value = arg[at + 1..].to_owned();
                arg.truncate(at);
                args.splice(i..=i, [arg.clone(), value]);
                true
            }
            None => false,
        };
        if let Some(expansion) = resolve_short(&arg) {
            let first_differs = expansion.first() != Some(&arg);
            args.splice(i..=i, expansion);
            if first_differs {
                continue;
            }
        }
        let (key, negated) = strip_no(arg.trim_start_matches('-'));
        i = take_value(&args, i, key, negated, had_eq, &mut data);
    }
    data
}

fn strip_no(mut name: &str) -> (&str, Option<bool>) {
    let mut no = None;
    while name.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("no-")) {
        no = Some(!no.unwrap_or(false));
        name = &name[3..];
    }
    (name, no)
}

/// Stores one option and returns the index of the next argument to look at.
fn take_value(
    args: &[String],
    i: usize,
    key: &str,
    negated: Option<bool>,
    had_eq: bool,
    data: &mut Vec<(String, CliValue)>,
) -> usize {
    let next = args.get(i + 1).map(String::as_str);
    let known_value_key = VALUE_KEYS.contains(&key);
    let unknown = !is_defined(key);
    let is_bool = negated.is_some() || (!known_value_key && !unknown) || (unknown && !had_eq);
    if is_bool {
        let mut value = negated != Some(true);
        let mut consumed = 0;
        if let Some(word @ ("true" | "false")) = next {
            value = (word == "true") != (negated == Some(true));
            consumed = 1;
        }
        push(data, key, CliValue::Bool(value), unknown);
        return i + 1 + consumed;
    }
    let mut next = next.map(str::to_owned);
    let mut step = 2;
    if PURE_STRING_KEYS.contains(&key) {
        match &next {
            None => next = Some(String::new()),
            Some(n) if starts_like_flag(n) => {
                next = Some(String::new());
                step = 1;
            }
            _ => {}
        }
    }
    if next
        .as_deref()
        .is_some_and(|n| n.len() >= 2 && n.chars().all(|c| c == '-'))
    {
        next = None;
        step = 1;
    }
    let value = next.map(CliValue::Str).unwrap_or(CliValue::Bool(true));
    push(data, key, value, unknown);
    i + step
}

/// `/^-{1,2}[^-]+/`
fn starts_like_flag(s: &str) -> bool {
    let rest = s.strip_prefix("--").or_else(|| s.strip_prefix('-'));
    rest.is_some_and(|r| r.chars().next().is_some_and(|c| c != '-'))
}

/// Repeated unknown keys and list-typed keys accumulate; other keys take the last value.
fn push(data: &mut Vec<(String, CliValue)>, key: &str, value: CliValue, unknown: bool) {
    let listy = LIST_KEYS.contains(&key);
    match data.iter_mut().find(|(k, _)| k == key) {
        Some((_, CliValue::List(items))) => items.push(value),
        Some((_, old)) if unknown || listy => *old = CliValue::List(vec![old.clone(), value]),
        Some((_, old)) => *old = value,
        None if listy => data.push((key.to_owned(), CliValue::List(vec![value]))),
        None => data.push((key.to_owned(), value)),
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
