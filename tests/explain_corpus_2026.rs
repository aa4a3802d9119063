//! The 2026 corpus (tests/data/corpus-2026: real threads, split at random into a development
//! half and a held-out half): the halves are what split.py deals, and accuracy from the text
//! alone never drops below the figures measured before any rule was tuned on them.

use std::collections::{BTreeMap, BTreeSet};

use regauth::diagnose::eval::{evaluate, parse_cases, render, Summary};
use regauth::diagnose::explain_text;
use regauth::diagnose::CAUSE_IDS;
use regauth::report::Confidence;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus-2026");
/// The first id of the newest round's batch (round 4; split.py's BATCHES): only it keeps a
/// held-out half.
const NEWEST_ROUND_FIRST: u32 = 381;

/// Floors for one half: counts, so a figure can only go up (false alarms and wrong "high"s
/// only down).
struct Floor {
    half: &'static str,
    cases: usize,
    top1: usize,
    top3: usize,
    false_alarms: usize,
    /// top causes given "high" confidence: at least this many
    high_given: usize,
    /// of those, at most this many not the label (issue 14's target is 95% right; the held-out
    /// half's figure is what was measured, never tuned)
    high_wrong: usize,
    /// (tool, top-1 count) of the half's cases
    top1_per_tool: &'static [(&'static str, usize)],
}

// dev (rounds 1-3, and round 4's dev half): what the rules reach on the cases they were written
// from; heldout (round 4's held-out half, n381 on): measured, never tuned on (before: the binary
// of 1d293e6, the session's start; tests/data/corpus-2026/README.md), so its floors are the
// figures measured, and its wrong "high"s a ceiling measured, not the 95% target
const FLOORS: [Floor; 2] = [
    Floor {
        half: "dev",
        cases: 416,
        top1: 286,
        top3: 334,
        false_alarms: 11,
        high_given: 80,
        high_wrong: 1,
        top1_per_tool: &[
            ("npm", 200),
            ("pnpm", 40),
            ("yarn1", 33),
            ("yarn-berry", 13),
        ],
    },
    Floor {
        half: "heldout",
        cases: 45,
        top1: 36,
        top3: 37,
        false_alarms: 3,
        high_given: 8,
        high_wrong: 0,
        top1_per_tool: &[("npm", 19), ("pnpm", 8), ("yarn1", 6), ("yarn-berry", 3)],
    },
];

/// Labels: the taxonomy's cause ids (the OIDC ones may not be in `CAUSE_IDS` yet) or not-auth.
fn is_label(label: &str) -> bool {
    CAUSE_IDS.contains(&label)
        || ["oidc-exchange-failed", "oidc-not-attempted", "not-auth"].contains(&label)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{relative}")).unwrap()
}

fn rows(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn field<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {row}"))
}

fn summary(half: &str) -> Summary {
    evaluate(&parse_cases(&read(&format!("{half}/cases.jsonl"))).unwrap())
}

/// (right, given): top causes with "high" confidence, and how many of them were the label.
fn high_confidence(half: &str) -> (usize, usize) {
    let mut right = 0;
    let mut given = 0;
    for row in rows(&read(&format!("{half}/cases.jsonl"))) {
        let report = explain_text(field(&row, "transcript")).report;
        let Some(top) = report.causes.first() else {
            continue;
        };
        if report.auth_failure && top.confidence == Confidence::High {
            given += 1;
            right += usize::from(top.id == field(&row, "label"));
        }
    }
    (right, given)
}

fn top1_per_tool(half: &str, s: &Summary) -> BTreeMap<String, usize> {
    let tools: BTreeMap<String, String> = rows(&read(&format!("{half}/cases.jsonl")))
        .iter()
        .map(|r| (field(r, "id").to_owned(), field(r, "tool").to_owned()))
        .collect();
    let mut counts = BTreeMap::new();
    for r in &s.results {
        *counts.entry(tools[&r.id].clone()).or_insert(0) += usize::from(r.top1());
    }
    counts
}

#[test]
fn both_halves_stay_at_or_above_the_before_figures() {
    for floor in &FLOORS {
        let s = summary(floor.half);
        // per-case lines only for dev: the held-out half's misses are not for reading
        let report = if floor.half == "dev" {
            render(&s)
        } else {
            String::from("(held-out: aggregate figures only)")
        };
        let half = floor.half;
        assert_eq!(s.total(), floor.cases, "{half}: case count changed");
        assert!(
            s.top1() >= floor.top1,
            "{half}: top-1 {} < {}\n{report}",
            s.top1(),
            floor.top1
        );
        assert!(
            s.top3() >= floor.top3,
            "{half}: top-3 {} < {}\n{report}",
            s.top3(),
            floor.top3
        );
        assert!(
            s.false_alarms() <= floor.false_alarms,
            "{half}: {} false alarms > {}\n{report}",
            s.false_alarms(),
            floor.false_alarms
        );
        let per_tool = top1_per_tool(half, &s);
        for (tool, at_least) in floor.top1_per_tool {
            let got = per_tool.get(*tool).copied().unwrap_or(0);
            assert!(got >= *at_least, "{half}: {tool} top-1 {got} < {at_least}");
        }
    }
}

#[test]
fn high_confidence_is_wrong_no_more_often_than_measured() {
    for floor in &FLOORS {
        let (right, given) = high_confidence(floor.half);
        let half = floor.half;
        assert!(
            given >= floor.high_given,
            "{half}: only {given} high-confidence top causes (< {})",
            floor.high_given
        );
        assert!(
            given - right <= floor.high_wrong,
            "{half}: {} of {given} high-confidence top causes wrong (> {})",
            given - right,
            floor.high_wrong
        );
        // issue 14's target, on the cases the rules were written from
        if half == "dev" {
            assert!(
                right * 100 >= given * 95,
                "dev: {right} of {given} high right (< 95%)"
            );
        }
    }
}

#[test]
fn the_halves_are_the_seeded_split_of_the_collection() {
    let collected = rows(&read("collected.jsonl"));
    let dev = rows(&read("dev/cases.jsonl"));
    let heldout = rows(&read("heldout/cases.jsonl"));
    let ids =
        |v: &[Value]| -> BTreeSet<String> { v.iter().map(|r| field(r, "id").to_owned()).collect() };
    let (all, d, h) = (ids(&collected), ids(&dev), ids(&heldout));
    assert_eq!(all.len(), collected.len(), "duplicate ids");
    assert!(d.is_disjoint(&h), "a case is in both halves");
    assert_eq!(
        d.union(&h).cloned().collect::<BTreeSet<_>>(),
        all,
        "halves != collection"
    );
    // each half holds the collected line unchanged
    let by_id: BTreeMap<&str, &Value> = collected.iter().map(|r| (field(r, "id"), r)).collect();
    for row in dev.iter().chain(&heldout) {
        assert_eq!(&row, &by_id[field(row, "id")], "case edited in a half");
    }
    // only the newest round's batch keeps a held-out half, dealt evenly and stratified by tool
    let newest = |r: &&Value| field(r, "id")[1..].parse::<u32>().unwrap() >= NEWEST_ROUND_FIRST;
    assert!(
        heldout.iter().all(|r| newest(&r)),
        "an old case is held out"
    );
    let new_dev: Vec<&Value> = dev.iter().filter(newest).collect();
    // ids are dealt consecutively; a gap is a case dropped after the deal (split.py's
    // DROPPED_AFTER_DEAL), which kept its place, so it may unbalance the halves by one each
    let last = heldout
        .iter()
        .chain(new_dev.iter().copied())
        .map(|r| field(r, "id")[1..].parse::<usize>().unwrap())
        .max()
        .unwrap();
    let dropped = last + 1 - NEWEST_ROUND_FIRST as usize - new_dev.len() - heldout.len();
    assert!(
        new_dev.len().abs_diff(heldout.len()) <= 2 + dropped,
        "halves unbalanced"
    );
    let tools: BTreeSet<&str> = heldout.iter().map(|r| field(r, "tool")).collect();
    for tool in tools {
        let count =
            |v: &mut dyn Iterator<Item = &Value>| v.filter(|r| field(r, "tool") == tool).count();
        let (d, h) = (
            count(&mut new_dev.iter().copied()),
            count(&mut heldout.iter()),
        );
        if d + h >= 2 {
            assert!(d >= 1 && h >= 1, "{tool} not in both halves");
        }
    }
}

#[test]
fn every_case_is_well_formed_and_new() {
    let collected = rows(&read("collected.jsonl"));
    assert!(
        collected.len() >= 150,
        "collection shrank: {}",
        collected.len()
    );
    let mut older = BTreeSet::new();
    for path in [
        "/tests/data/corpus/cases.jsonl",
        "/tests/data/corpus-extra/cases.jsonl",
    ] {
        let text = std::fs::read_to_string(format!("{}{path}", env!("CARGO_MANIFEST_DIR")));
        for row in rows(&text.unwrap_or_default()) {
            if let Some(s) = row["source"].as_str() {
                older.insert(s.to_owned());
            }
        }
    }
    let mut seen = BTreeSet::new();
    for row in &collected {
        let id = field(row, "id");
        let source = field(row, "source");
        assert!(source.starts_with("https://"), "{id}: source {source}");
        assert!(
            seen.insert(source.to_owned()),
            "{id}: source twice: {source}"
        );
        assert!(
            !older.contains(source),
            "{id}: source already in another corpus"
        );
        assert!(is_label(field(row, "label")), "{id}: label");
        assert!(
            ["npm", "pnpm", "yarn1", "yarn-berry"].contains(&field(row, "tool")),
            "{id}: tool"
        );
        assert!(
            ["high", "medium"].contains(&field(row, "confidence")),
            "{id}: confidence"
        );
        for key in [
            "command",
            "registry_kind",
            "transcript",
            "context",
            "label_evidence",
        ] {
            assert!(!field(row, key).trim().is_empty(), "{id}: empty {key}");
        }
    }
}
