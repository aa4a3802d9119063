//! The accuracy report: every labelled case of a corpus (JSON lines with `id`, `label`,
//! `transcript`) explained from its text alone, scored top-1/top-3 per label.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;

use super::explain_text;

#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub id: String,
    pub label: String,
    pub transcript: String,
    #[serde(default)]
    pub tool: Option<String>,
}

/// The outcome for one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: String,
    pub label: String,
    /// Ranked cause ids; empty when the report said `auth_failure: false`.
    pub ranked: Vec<String>,
    pub deciders: Vec<String>,
    pub auth_failure: bool,
}

impl CaseResult {
    pub fn top1(&self) -> bool {
        if self.label == "not-auth" {
            return !self.auth_failure;
        }
        self.ranked.first() == Some(&self.label)
    }

    pub fn top3(&self) -> bool {
        if self.label == "not-auth" {
            return !self.auth_failure;
        }
        self.ranked.iter().take(3).any(|id| id == &self.label)
    }

    pub fn false_alarm(&self) -> bool {
        self.label == "not-auth" && self.auth_failure
    }

    pub fn predicted(&self) -> &str {
        if !self.auth_failure {
            "not-auth"
        } else {
            self.ranked.first().map_or("none", String::as_str)
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub results: Vec<CaseResult>,
}

impl Summary {
    pub fn total(&self) -> usize {
        self.results.len()
    }

    pub fn top1(&self) -> usize {
        self.results.iter().filter(|r| r.top1()).count()
    }

    pub fn top3(&self) -> usize {
        self.results.iter().filter(|r| r.top3()).count()
    }

    pub fn false_alarms(&self) -> usize {
        self.results.iter().filter(|r| r.false_alarm()).count()
    }

    pub fn top1_rate(&self) -> f64 {
        ratio(self.top1(), self.total())
    }

    pub fn top3_rate(&self) -> f64 {
        ratio(self.top3(), self.total())
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Parses JSON lines; blank lines are skipped, a bad line is an error naming its number.
pub fn parse_cases(text: &str) -> anyhow::Result<Vec<Case>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| anyhow::anyhow!("line {}: {e}", i + 1)))
        .collect()
}

pub fn evaluate(cases: &[Case]) -> Summary {
    let results = cases
        .iter()
        .map(|c| {
            let d = explain_text(&c.transcript);
            CaseResult {
                id: c.id.clone(),
                label: c.label.clone(),
                ranked: d.report.causes.iter().map(|c| c.id.clone()).collect(),
                deciders: d.notes.iter().map(|n| n.decider.clone()).collect(),
                auth_failure: d.report.auth_failure,
            }
        })
        .collect();
    Summary { results }
}

/// The printed accuracy report.
pub fn render(summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:>5} {:>7} {:>7}",
        "label", "cases", "top-1", "top-3"
    );
    let mut by_label: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for r in &summary.results {
        let e = by_label.entry(&r.label).or_default();
        e.0 += 1;
        e.1 += r.top1() as usize;
        e.2 += r.top3() as usize;
    }
    for (label, (n, t1, t3)) in &by_label {
        let _ = writeln!(
            out,
            "{label:<28} {n:>5} {:>7} {:>7}",
            format!("{t1}/{n}"),
            format!("{t3}/{n}")
        );
    }
    let _ = writeln!(
        out,
        "{:<28} {:>5} {:>6.1}% {:>6.1}%\nfalse alarms on not-auth: {}",
        "all",
        summary.total(),
        100.0 * summary.top1_rate(),
        100.0 * summary.top3_rate(),
        summary.false_alarms()
    );
    let mut pairs: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for r in summary.results.iter().filter(|r| !r.top1()) {
        pairs
            .entry((r.label.clone(), r.predicted().to_owned()))
            .or_default()
            .push(&r.id);
    }
    if !pairs.is_empty() {
        let _ = writeln!(out, "\nconfusion (label -> top-1 predicted):");
        for ((label, predicted), ids) in &pairs {
            let _ = writeln!(out, "  {label} -> {predicted}: {}", ids.join(" "));
        }
    }
    let undecided: Vec<&CaseResult> = summary
        .results
        .iter()
        .filter(|r| !r.top1() && r.auth_failure)
        .collect();
    if !undecided.is_empty() {
        let _ = writeln!(
            out,
            "\nnot decided by the text alone (ranked candidates; the fact that decides):"
        );
        for r in undecided {
            let _ = writeln!(out, "  {} [{}]: {}", r.id, r.label, r.ranked.join(" > "));
            let decider = r
                .ranked
                .iter()
                .position(|id| id == &r.label)
                .map(|i| r.deciders[i].as_str());
            if let Some(d) = decider {
                let _ = writeln!(out, "      decides: {d}");
            }
        }
    }
    out
}
