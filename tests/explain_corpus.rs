//! The real-world corpus (tests/data/corpus/cases.jsonl, a copy of ../shared/corpus): accuracy
//! thresholds from the text alone, and silence on every not-auth case.

use regauth::diagnose::eval::{evaluate, parse_cases, Summary};

fn corpus() -> Summary {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/corpus/cases.jsonl"
    ))
    .unwrap();
    let cases = parse_cases(&text).unwrap();
    assert!(
        cases.len() >= 80,
        "the corpus copy is incomplete: {} cases",
        cases.len()
    );
    evaluate(&cases)
}

#[test]
fn top1_and_top3_accuracy_meet_the_targets() {
    let s = corpus();
    let report = regauth::diagnose::eval::render(&s);
    assert!(
        s.top1_rate() >= 0.70,
        "top-1 {:.3} below 0.70\n{report}",
        s.top1_rate()
    );
    assert!(
        s.top3_rate() >= 0.90,
        "top-3 {:.3} below 0.90\n{report}",
        s.top3_rate()
    );
    assert!(
        s.false_alarms() <= 1,
        "{} false alarms\n{report}",
        s.false_alarms()
    );
}

#[test]
fn not_auth_cases_stay_silent() {
    let s = corpus();
    for r in s.results.iter().filter(|r| r.label == "not-auth") {
        assert!(
            !r.auth_failure && r.ranked.is_empty(),
            "{} was reported as auth: {:?}",
            r.id,
            r.ranked
        );
    }
}

#[test]
fn every_auth_case_is_recognised_as_auth() {
    let s = corpus();
    let missed: Vec<&str> = s
        .results
        .iter()
        .filter(|r| r.label != "not-auth" && !r.auth_failure)
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        missed.is_empty(),
        "auth failures reported as not-auth: {missed:?}"
    );
}

#[test]
fn every_label_has_its_true_cause_among_the_candidates_of_most_cases() {
    let s = corpus();
    let labels: std::collections::BTreeSet<&str> =
        s.results.iter().map(|r| r.label.as_str()).collect();
    for label in labels {
        let of_label: Vec<_> = s.results.iter().filter(|r| r.label == label).collect();
        let hits = of_label.iter().filter(|r| r.top3()).count();
        assert!(
            hits * 2 >= of_label.len(),
            "{label}: only {hits}/{} in top 3",
            of_label.len()
        );
    }
}

#[test]
fn the_eval_command_prints_the_report() {
    let out = assert_cmd::Command::cargo_bin("regauth")
        .unwrap()
        .args([
            "explain",
            "--eval",
            concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus/cases.jsonl"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("top-1") && text.contains("false alarms on not-auth: 0"),
        "{text}"
    );
}
