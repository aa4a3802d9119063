//! Snapshots of what a person reads after each live scenario (tests/live_common/scenarios.rs):
//! `regauth npm ...` against real Verdaccio with COLUMNS=80 and COLUMNS=120, the human text
//! after npm's output. Each rendering fits the line budget and the width, cuts nothing, shows
//! every evidence line whole (as the report has it), and its first line names the same request
//! as the evidence it quotes. Ports, temp paths, timings and debug-log line numbers are
//! normalised in the snapshots (tests/snapshots/live_snapshots__*.snap).

mod live_common;
#[path = "support/log_noise.rs"]
mod log_noise;
mod support;

use live_common::scenarios::{locked, shared, ALL};
use live_common::{after_npm_output, Scenario};
use log_noise::without_log_noise;
use regauth::render::human::BUDGET;
use serde_json::Value;

const WIDTHS: [usize; 2] = [80, 120];

/// The scenario named `name` in `ALL`, rendered and checked at each width.
fn check(name: &str) {
    let (_, make) = ALL
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no scenario {name}"));
    for width in WIDTHS {
        let mut scenario = make().scenario;
        scenario.json_on_stderr = false;
        scenario.env.set_env("COLUMNS", width.to_string());
        let ran = scenario.through_regauth();
        let human = after_npm_output(&ran.stderr).to_owned();
        let report = report(&scenario);
        let context = format!("{name} at {width} columns:\n{human}");
        fits(&human, width, &context);
        evidence_whole(&human, &report, &scenario, &context);
        first_line_matches_evidence(&human, &context);
        insta::assert_snapshot!(format!("{name}_{width}"), normalised(&human, &scenario));
    }
}

fn report(scenario: &Scenario) -> Value {
    let text = std::fs::read_to_string(scenario.report_path()).expect("REGAUTH_REPORT written");
    serde_json::from_str(&text).expect("report is JSON")
}

/// regauth's first line plus the short explanation, no line wider than the screen (unless one
/// unbreakable word), nothing cut.
fn fits(human: &str, width: usize, context: &str) {
    let lines: Vec<&str> = human.lines().collect();
    assert!(
        lines.len() <= 1 + BUDGET,
        "PRODUCT: {} lines; {context}",
        lines.len()
    );
    for line in &lines {
        let wide = console::measure_text_width(line);
        assert!(
            wide <= width || line.split_whitespace().count() <= 2,
            "PRODUCT: {wide} wide: {line:?}; {context}"
        );
        assert!(!line.contains('…'), "PRODUCT: cut: {line:?}; {context}");
    }
}

/// Each `-->` block (its wrapped lines joined) is `source: text` of one evidence entry of the
/// top cause, whole; and the deciding one is shown: the first fact regauth established (config,
/// env, lockfile, probe), else the first line of npm's that is not its `error code` line.
fn evidence_whole(human: &str, report: &Value, scenario: &Scenario, context: &str) {
    let home = scenario.env.home().display().to_string();
    let tilde = |s: &str| s.replace(&format!("{home}/"), "~/");
    let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let top = &report["causes"][0];
    let entries: Vec<String> = top["evidence"]
        .as_array()
        .expect("top cause has evidence")
        .iter()
        .map(|e| {
            // without a source the human text names the kind (`probe:`)
            let source = e["source"].as_str().or(e["kind"].as_str()).unwrap_or("");
            let text = e["text"].as_str().unwrap();
            squash(&tilde(&format!("{source}: {}", without_log_noise(text))))
        })
        .collect();
    let blocks = evidence_blocks(human);
    assert!(!blocks.is_empty(), "PRODUCT: no evidence shown; {context}");
    for block in &blocks {
        assert!(
            entries.contains(block),
            "PRODUCT: evidence {block:?} is not one whole entry of {entries:#?}; {context}"
        );
    }
    let kinds: Vec<&str> = top["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or(""))
        .collect();
    let is_fact = |i: &usize| !matches!(kinds[*i], "debug-log" | "output");
    let deciding = (0..entries.len())
        .find(is_fact)
        .or_else(|| (0..entries.len()).find(|i| !entries[*i].contains("error code ")))
        .map_or(&entries[0], |i| &entries[i]);
    assert!(
        blocks.contains(deciding),
        "PRODUCT: the deciding evidence {deciding:?} is not shown; {context}"
    );
}

/// The `-->` blocks of the text, each with its continuation lines joined by single spaces.
fn evidence_blocks(human: &str) -> Vec<String> {
    let mut blocks: Vec<String> = Vec::new();
    let mut open = false;
    for line in human.lines() {
        if let Some(rest) = line.trim_start().strip_prefix("--> ") {
            blocks.push(rest.split_whitespace().collect::<Vec<_>>().join(" "));
            open = true;
        } else if open && line.starts_with("      ") {
            let last = blocks.last_mut().unwrap();
            for word in line.split_whitespace() {
                last.push(' ');
                last.push_str(word);
            }
        } else {
            open = false;
        }
    }
    blocks
}

/// `regauth: METHOD URL answered STATUS` and an evidence line `http fetch M S URL` agree.
fn first_line_matches_evidence(human: &str, context: &str) {
    let Some(first) = human.lines().find(|l| l.starts_with("regauth: ")) else {
        return;
    };
    let words: Vec<&str> = first.split_whitespace().collect();
    let ["regauth:", method, url, "answered", status] = words[..] else {
        return;
    };
    for line in human.lines() {
        if let Some((_, rest)) = line.split_once("http fetch ") {
            let quoted: Vec<&str> = rest.split_whitespace().take(3).collect();
            if quoted.get(2) == Some(&url) {
                assert_eq!(
                    &quoted[..2],
                    &[method, status],
                    "PRODUCT: the first line and the evidence name different requests; {context}"
                );
            }
        }
    }
}

/// Stable text: instance ports, the temp dir, timings and debug-log line numbers replaced.
fn normalised(human: &str, scenario: &Scenario) -> String {
    let root = scenario.env.root().display().to_string();
    let mut text = human
        .replace(&root, "<tmp>")
        .replace(&shared().port().to_string(), "<A>")
        .replace(&locked().port().to_string(), "<B>");
    for (pattern, with) in [
        (r"\b\d+ms\b", "<t>ms"),
        (r"debug-log:\d+", "debug-log:<n>"),
        (r"\d{4}-\d\d-\d\dT[\d_]+Z-debug-\d+\.log", "<log>"),
    ] {
        text = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&text, with)
            .into_owned();
    }
    text
}

macro_rules! snapshot_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*

        #[test]
        fn every_scenario_has_a_snapshot_test() {
            let tested = [$(stringify!($name)),*];
            let all: Vec<&str> = ALL.iter().map(|(n, _)| *n).collect();
            assert_eq!(tested.to_vec(), all);
        }
    };
}

snapshot_tests!(
    token_missing_view,
    token_missing_publish,
    token_env_unset_install,
    token_env_unset_empty,
    token_invalid_garbage,
    token_expired_jwt,
    token_wrong_host_port,
    token_wrong_host_localhost,
    token_wrong_host_scheme,
    scope_not_mapped_401,
    scope_not_mapped_404,
    project_npmrc_shadows,
    insufficient_permission,
    publish_not_allowed_bob,
    publish_not_allowed_alice,
    version_exists,
    lockfile_mismatch,
    npmrc_top_level_token,
    npmrc_userconfig_elsewhere,
    npmrc_env_registry,
);
