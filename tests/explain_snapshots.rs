//! Snapshots of the human (no colour) and JSON reports for representative cases: a decisive
//! GitHub 401, a publish conflict, an ambiguous E401 with debug-log lines, pnpm's hint, yarn 1,
//! a real npm 11 ENEEDAUTH, and a non-auth failure. Review changes with `cargo insta review`.

use regauth::diagnose::explain_text;
use regauth::render::{human, json};

fn corpus_transcript(id: &str) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/corpus/cases.jsonl"
    ))
    .unwrap();
    let line = text
        .lines()
        .find(|l| {
            l.contains(&format!("\"id\": \"{id}\"")) || l.contains(&format!("\"id\":\"{id}\""))
        })
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["transcript"].as_str().unwrap().to_owned()
}

fn check(name: &str, text: &str) {
    let d = explain_text(text);
    insta::assert_snapshot!(
        format!("{name}_human"),
        human::render(&d, &human::Style::plain())
    );
    let verbose = human::Style {
        verbose: true,
        ..human::Style::plain()
    };
    insta::assert_snapshot!(format!("{name}_human_verbose"), human::render(&d, &verbose));
    insta::assert_snapshot!(format!("{name}_json"), json::render(&d.report));
}

#[test]
fn github_token_not_provided() {
    check("c006_github_token_missing", &corpus_transcript("c006"));
}

#[test]
fn publish_over_existing_version() {
    check("c016_version_exists_ci", &corpus_transcript("c016"));
}

#[test]
fn ambiguous_e401_with_debug_log_lines() {
    check("c091_google_ar_e401", &corpus_transcript("c091"));
}

#[test]
fn pnpm_settings_hint() {
    check("c042_pnpm_settings", &corpus_transcript("c042"));
}

#[test]
fn yarn1_tarball_on_private_host() {
    check("c039_yarn1_lockfile", &corpus_transcript("c039"));
}

#[test]
fn npm11_need_auth() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/corpus-npm11/needauth.out"
    ))
    .unwrap();
    check("npm11_needauth", &text);
}

#[test]
fn not_auth_is_quiet() {
    check("c071_e429", &corpus_transcript("c071"));
}
