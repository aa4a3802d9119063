//! Real npm 11.19.1 recordings (tests/data/corpus-npm11, made by its make.sh against a loopback
//! fixture registry): the terminal output and the debug log of each run explain the same way.

use regauth::diagnose::explain_text;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus-npm11");

fn ranked(name: &str, ext: &str) -> (bool, Vec<String>) {
    let text = std::fs::read_to_string(format!("{DIR}/{name}.{ext}")).unwrap();
    let d = explain_text(&text);
    (
        d.report.auth_failure,
        d.report.causes.iter().map(|c| c.id.clone()).collect(),
    )
}

/// (recording, the cause it must rank first)
const DECISIVE: &[(&str, &str)] = &[
    ("expired404", "token-invalid-or-expired"),
    ("forbidden403", "insufficient-permission"),
    ("invalidauth", "npmrc-misconfig"),
    ("otp401", "otp-required"),
    ("publish403", "publish-not-allowed"),
    ("quarantine403", "blocked-by-policy"),
    ("notoken401", "token-missing"),
    ("needauth", "token-missing"),
];

/// npm's E401 text is identical for these: the true cause must be among the candidates.
const AMBIGUOUS: &[(&str, &str)] = &[
    ("basic401", "token-invalid-or-expired"),
    ("bearer401", "token-invalid-or-expired"),
    ("envunset", "token-env-unset"),
    ("wronghost", "token-wrong-host"),
];

const NOT_AUTH: &[&str] = &["busy429", "broken500", "refused", "typo404"];

#[test]
fn decisive_recordings_rank_their_cause_first() {
    for (name, id) in DECISIVE {
        for ext in ["out", "log"] {
            let (auth, ranked) = ranked(name, ext);
            assert!(auth, "{name}.{ext} not seen as auth");
            assert_eq!(
                ranked.first().map(String::as_str),
                Some(*id),
                "{name}.{ext}: {ranked:?}"
            );
        }
    }
}

#[test]
fn ambiguous_recordings_keep_the_true_cause_among_the_candidates() {
    for (name, id) in AMBIGUOUS {
        for ext in ["out", "log"] {
            let (auth, ranked) = ranked(name, ext);
            assert!(auth, "{name}.{ext}");
            assert!(
                ranked.iter().any(|r| r == id),
                "{name}.{ext}: {id} not in {ranked:?}"
            );
        }
    }
}

#[test]
fn non_auth_recordings_stay_silent() {
    for name in NOT_AUTH {
        for ext in ["out", "log"] {
            let (auth, ranked) = ranked(name, ext);
            assert!(!auth && ranked.is_empty(), "{name}.{ext}: {ranked:?}");
        }
    }
}

#[test]
fn the_debug_log_gives_the_failing_url_the_terminal_hides() {
    let text = std::fs::read_to_string(format!("{DIR}/bearer401.log")).unwrap();
    let f = regauth::detect::from_text(&text);
    assert_eq!(f.http_status, Some(401));
    assert_eq!(f.method.as_deref(), Some("GET"));
    assert!(
        f.url
            .as_deref()
            .unwrap()
            .ends_with("/bearer401/@corp%2flib"),
        "{:?}",
        f.url
    );
    assert_eq!(f.package.as_deref(), Some("@corp/lib"));
    assert_eq!(f.error_class.as_deref(), Some("HttpErrorAuthUnknown"));
    assert_eq!(
        f.www_authenticate,
        vec![r#"Bearer realm="fixture""#.to_owned()]
    );
    assert!(
        f.config_files.iter().any(|c| c.ends_with("home/.npmrc")),
        "{:?}",
        f.config_files
    );
    assert_eq!(f.command, vec!["view", "@corp/lib"]);
    let d = regauth::diagnose::diagnose(&regauth::diagnose::Facts::from_failure(f));
    let ev = &d.report.causes[0].evidence;
    assert!(
        ev.iter().any(|e| e
            .source
            .as_deref()
            .is_some_and(|s| s.starts_with("debug-log:"))),
        "{ev:?}"
    );
}

#[test]
fn recordings_hold_no_canary() {
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "out" || e == "log") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains("CANARY"), "{}", path.display());
        }
    }
}
