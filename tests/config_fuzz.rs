//! Fuzz targets, run as property tests with large generated inputs: the `.npmrc` parser and the
//! config load, npm's command line parser, npm's failure output and debug-log parser, and the
//! streaming lockfile scanner. None may panic on any input; the lockfile scanner must find
//! exactly the `resolved` hosts a full JSON parse finds, on any valid lockfile-shaped document.
//! `PROPTEST_CASES` sets the number of cases (default 64 here); `scripts/fuzz.sh N_MINUTES`
//! runs these same generators, optimised, for N minutes with fresh seeds.

use std::collections::BTreeMap;
use std::path::Path;

mod support;

use proptest::prelude::*;
use regauth::config::{ini, lockfile, Config, LoadContext};
use support::{config_context, config_dirs};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// `.npmrc`-like lines: keys, scopes, credentials, `${VAR}`s, quotes, sections, escapes.
fn npmrc_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "(registry|@[a-z]{1,3}:registry|//[a-z0-9.:]{1,12}/[a-z/]{0,8}:(_authToken|_auth|username|_password|certfile|keyfile)|scope|userconfig|globalconfig|prefix|_authToken|always-auth)[ \\t]*=[ \\t]*[ -~]{0,40}",
        "[ \\t]*[;#][ -~]{0,30}",
        "\\[[ -~]{0,10}\\]",
        "[a-z${}?\\\\\"'=:;#/@. -]{0,60}",
        "[\\PC]{0,20}",
    ]
}

fn npmrc_text() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(npmrc_line(), 0..400),
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
    )
        .prop_map(|(lines, eol)| lines.join(eol))
}

fn load(dir: &Path, user: &str, project: &str, args: Vec<String>) -> Config {
    std::fs::write(dir.join("home/.npmrc"), user).unwrap();
    std::fs::write(dir.join("project/.npmrc"), project).unwrap();
    let env = vec![("NPM_TOKEN".into(), "CANARYfuzz".into())];
    Config::load(&LoadContext {
        npm_path: Some(dir.join("no/npm")),
        node_path: Some(dir.join("no/node")),
        ..config_context(dir, env, args)
    })
}

fn npm_arg() -> impl Strategy<Value = String> {
    prop_oneof![
        "-{1,3}[a-zA-Z?@:/._-]{0,14}(=[ -~]{0,20})?",
        "[ -~]{0,12}",
        Just("--".to_owned()),
        Just("-".to_owned()),
    ]
}

/// npm output and debug-log lines around an auth failure, plus arbitrary text.
fn output_line() -> impl Strategy<Value = String> {
    prop_oneof![
        "(npm (error|ERR!|warn|verbose|http) )?(code )?E(401|403|404|OTP|NEEDAUTH)",
        "[0-9]{1,4} (verbose|http|error|silly) [ -~]{0,60}",
        "npm error [0-9]{3} [A-Za-z ]{0,12} - (GET|PUT) https?://[a-z0-9.:]{1,15}/[@%a-z0-9/_-]{0,20}( - [ -~]{0,30})?",
        "(ERR_PNPM_FETCH_40[13]|YN00(33|35|41)|error An unexpected error)[ -~]{0,50}",
        "[\\PC]{0,80}",
    ]
}

/// A JSON lockfile built from random parts, with `resolved` in the places npm puts it and
/// elsewhere.
fn lock_value(depth: u32) -> BoxedStrategy<serde_json::Value> {
    let url = "(https?://[a-z0-9]{1,6}(:[0-9]{2,4})?|git\\+ssh://x|file:[a-z]{1,4}|[a-z]{0,5})/[a-z/-]{0,12}"
        .prop_map(serde_json::Value::String);
    let leaf = prop_oneof![
        url,
        any::<i64>().prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        "[\\PC\"\\\\]{0,12}".prop_map(serde_json::Value::String),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let key = prop_oneof![
        Just("resolved".to_owned()),
        Just("dependencies".to_owned()),
        Just("version".to_owned()),
        "[a-z/@_]{1,10}"
    ];
    prop_oneof![
        leaf,
        proptest::collection::vec(lock_value(depth - 1), 0..4).prop_map(serde_json::Value::from),
        proptest::collection::btree_map(key, lock_value(depth - 1), 0..5)
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
    ]
    .boxed()
}

fn lockfile_doc() -> impl Strategy<Value = serde_json::Value> {
    (
        proptest::option::of(0u64..4),
        proptest::option::of(lock_value(3)),
        proptest::option::of(lock_value(5)),
    )
        .prop_map(|(version, packages, dependencies)| {
            let mut doc = serde_json::Map::new();
            if let Some(v) = version {
                doc.insert("lockfileVersion".into(), v.into());
            }
            if let Some(p) = packages {
                doc.insert("packages".into(), p);
            }
            if let Some(d) = dependencies {
                doc.insert("dependencies".into(), d);
            }
            serde_json::Value::Object(doc)
        })
}

/// The hosts a full parse finds (what regauth did before it streamed lockfiles).
fn reference_hosts(doc: &serde_json::Value) -> BTreeMap<String, usize> {
    fn resolved(entry: &serde_json::Value, urls: &mut Vec<String>) {
        if let Some(u) = entry.get("resolved").and_then(|r| r.as_str()) {
            urls.push(u.to_owned());
        }
    }
    fn v1(deps: Option<&serde_json::Value>, urls: &mut Vec<String>) {
        for entry in deps
            .and_then(|d| d.as_object())
            .into_iter()
            .flat_map(|d| d.values())
        {
            resolved(entry, urls);
            v1(entry.get("dependencies"), urls);
        }
    }
    let mut urls = Vec::new();
    match doc.get("packages").and_then(|p| p.as_object()) {
        Some(packages) => packages.values().for_each(|e| resolved(e, &mut urls)),
        None => v1(doc.get("dependencies"), &mut urls),
    }
    let mut hosts = BTreeMap::new();
    for raw in urls {
        let Ok(url) = url::Url::parse(&raw) else {
            continue;
        };
        if matches!(url.scheme(), "http" | "https") {
            *hosts.entry(url.origin().ascii_serialization()).or_insert(0) += 1;
        }
    }
    hosts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn npmrc_parser_and_config_load_never_panic(
        user in npmrc_text(),
        project in npmrc_text(),
        args in proptest::collection::vec(npm_arg(), 0..12),
        package in "(@[a-z]{1,3}/)?[a-z]{1,5}",
    ) {
        let dir = config_dirs();
        let _ = ini::parse(&user).top_level();
        let config = load(dir.path(), &user, &project, args);
        let _ = config.problems();
        let _ = config.npm_stop();
        let _ = config.route_package(&package);
        let _ = config.route_tarball("http://127.0.0.1:4873/p/-/p-1.tgz");
    }

    #[test]
    fn npm_output_and_debug_log_parser_never_panics(
        lines in proptest::collection::vec(output_line(), 0..300),
        bytes in proptest::collection::vec(any::<u8>(), 0..2000),
    ) {
        let text = lines.join("\n");
        let _ = regauth::detect::from_text(&text);
        let _ = regauth::detect::from_reader(&bytes[..]);
    }

    #[test]
    fn lockfile_scanner_finds_what_a_full_parse_finds(doc in lockfile_doc(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&doc).unwrap()
        } else {
            serde_json::to_string(&doc).unwrap()
        };
        let lock = lockfile::scan_npm_reader(Path::new("p"), "package-lock.json", text.as_bytes());
        let lock = lock.expect("a valid JSON document is a lockfile");
        let got: BTreeMap<String, usize> =
            lock.hosts.iter().map(|h| (h.origin.clone(), h.count)).collect();
        prop_assert_eq!(got, reference_hosts(&doc));
    }

    #[test]
    fn lockfile_scanners_never_panic_on_any_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..4000),
        json_ish in "[\\[\\]{}:,\" \\\\a-z0-9.-]{0,400}",
    ) {
        for input in [&bytes[..], json_ish.as_bytes()] {
            let _ = lockfile::scan_npm_reader(Path::new("p"), "package-lock.json", input);
            let _ = lockfile::scan_yarn_reader(input);
        }
    }
}
