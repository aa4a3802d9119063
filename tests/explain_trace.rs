//! `regauth explain --trace` on every case of the shared corpus: the trace on stderr lists each
//! rule that fired with its cause, points and evidence, and the points of each reported cause
//! add up to the `score` the JSON report gives it.

mod support;

use std::collections::BTreeMap;

use assert_cmd::Command;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus/cases.jsonl");

fn regauth(home: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("regauth").unwrap();
    for (k, _) in std::env::vars() {
        let k_low = k.to_ascii_lowercase();
        if k_low.starts_with("npm_config_")
            || k.starts_with("GITHUB_")
            || k.starts_with("REGAUTH_")
            || k == "CI"
        {
            c.env_remove(k);
        }
    }
    c.env("HOME", home).env("NO_COLOR", "1");
    c
}

/// (rule, points, cause) of one trace line.
type TraceHit = (String, i32, String);

/// (rule, points, cause) of every trace line, and the ranked totals.
fn parse_trace(stderr: &str) -> (Vec<TraceHit>, BTreeMap<String, i32>) {
    let mut hits = Vec::new();
    let mut totals = BTreeMap::new();
    let mut in_totals = false;
    for line in stderr.lines().skip(1) {
        if line == "scores (ranked):" {
            in_totals = true;
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if in_totals {
            totals.insert(words[1].to_owned(), words[0].parse().unwrap());
        } else if words.len() >= 3 && words[1].parse::<i32>().is_ok() {
            hits.push((
                words[0].to_owned(),
                words[1].parse().unwrap(),
                words[2].to_owned(),
            ));
        }
    }
    (hits, totals)
}

#[test]
fn trace_explains_every_corpus_score() {
    let text = std::fs::read_to_string(CASES).unwrap();
    let mut traced = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let (report, stderr) =
            support::explain_offline(case["transcript"].as_str().unwrap(), &["--trace"]);
        assert!(stderr.starts_with("regauth trace:"), "{id}: {stderr}");
        let (hits, totals) = parse_trace(&stderr);
        let causes = report["causes"].as_array().unwrap();
        if report["auth_failure"] == false {
            assert!(causes.is_empty() && hits.is_empty(), "{id}: {stderr}");
            continue;
        }
        traced += 1;
        assert!(
            !hits.is_empty(),
            "{id}: an auth failure with no rule in the trace"
        );
        for cause in causes {
            let cid = cause["id"].as_str().unwrap();
            let score = cause["score"].as_i64().unwrap() as i32;
            let sum: i32 = hits.iter().filter(|h| h.2 == cid).map(|h| h.1).sum();
            assert_eq!(sum, score, "{id}: {cid}'s points in the trace\n{stderr}");
            assert_eq!(totals.get(cid), Some(&score), "{id}: {cid} total\n{stderr}");
            // "high" only for a cause a deciding rule backed, and the trace says which
            let decided = stderr
                .lines()
                .any(|l| l.split_whitespace().nth(2) == Some(cid) && l.contains("(decides)"));
            if cause["confidence"] == "high" {
                assert!(
                    decided,
                    "{id}: {cid} is high with no deciding rule\n{stderr}"
                );
            }
        }
        // ranked: scores never rise down the list
        let scores: Vec<i64> = causes
            .iter()
            .map(|c| c["score"].as_i64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{id}: {scores:?}");
    }
    assert!(traced >= 70, "only {traced} auth cases traced");
}

#[test]
fn trace_names_the_rule_and_its_evidence() {
    let home = tempfile::tempdir().unwrap();
    let out = regauth(home.path())
        .args(["explain", "-", "--no-config", "--no-probe", "--trace"])
        .write_stdin("npm error code EOTP\nnpm error This operation requires a one-time password from your authenticator.\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let first = stderr.lines().nth(1).unwrap();
    assert!(
        first.contains("one_time_password")
            && first.contains("+12")
            && first.contains("otp-required"),
        "{stderr}"
    );
    assert!(
        first.contains("[output:"),
        "evidence and its source: {stderr}"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains("regauth trace:"),
        "the trace goes to stderr only"
    );
}
