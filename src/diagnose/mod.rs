//! Evidence -> ranked causes from the taxonomy -> a `Report`.
//!
//! `Facts` (text, and later config and probes) go through every rule of every cause in
//! `causes::CAUSES`; each adds points and evidence to candidate causes, recorded as a trace;
//! the ranking is the sum. Non-auth failures get `auth_failure: false` and no causes.

pub(crate) mod advice;
pub mod causes;
pub mod ci_job;
pub(crate) mod classify;
pub(crate) mod client_words;
pub(crate) mod context;
pub mod eval;
pub(crate) mod evidence;
pub mod facts;
#[cfg(test)]
mod fix_keys;
mod look_alike;
pub(crate) mod next_version;
pub(crate) mod package_presence;
pub(crate) mod pnpm_keys;
pub mod problem_text;
pub(crate) mod publish_chain;
pub(crate) mod registry;
pub mod score;
pub(crate) mod semantic_release;
pub(crate) mod wording;

pub use causes::CAUSE_IDS;
use context::Context;
pub use facts::Facts;
pub(crate) use score::Hit;
use score::{Candidate, Scores};

use crate::report::{Cause, Confidence, Evidence, EvidenceKind, FailureSummary, Report};

/// At most this many candidates are reported.
const MAX_CAUSES: usize = 5;

/// A report plus, per cause, the plain sentence and the fact that would decide it.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub report: Report,
    pub notes: Vec<CauseNote>,
    /// Every point every rule gave, in the order the rules ran (what `--trace` prints).
    pub trace: Vec<Hit>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CauseNote {
    pub(crate) summary: String,
    pub(crate) decider: String,
}

/// Diagnoses the facts.
pub fn diagnose(facts: &Facts) -> Diagnosis {
    let cx = Context::new(facts);
    let auth = classify::is_auth_diagnosis(facts);
    let (ranked, trace) = if auth {
        rank(&cx)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut causes = Vec::new();
    let mut notes = Vec::new();
    let top_margin = margin(&ranked);
    for (i, c) in ranked.iter().enumerate() {
        let (mut a, mut fix) = (causes::advice(c.id, &cx), causes::fix_live(c.id, &cx));
        // a general step that only repeats a specific one (same command before its comment)
        let command = |l: &str| l.split('#').next().unwrap_or("").trim().to_owned();
        let specific: Vec<String> = fix.iter().map(|l| command(l)).collect();
        fix.extend(a.fix.drain(..).filter(|l| !specific.contains(&command(l))));
        a.fix = fix;
        let confidence = confidence(c, if i == 0 { top_margin } else { 0 }, i == 0);
        let mut evidence = c.evidence.clone();
        if i == 0 {
            add_main_evidence(&cx, &mut evidence);
        }
        causes.push(Cause {
            id: c.id.to_owned(),
            confidence,
            score: c.score,
            summary: format!("{} Decided by: {}.", a.summary, a.decider),
            evidence,
            fix: unique(a.fix),
            verify: unique(a.verify),
        });
        notes.push(CauseNote {
            summary: a.summary,
            decider: a.decider,
        });
    }
    Diagnosis {
        report: report(&cx, auth, causes),
        notes,
        trace,
    }
}

/// Diagnoses saved text alone (what `regauth explain --no-config --no-probe` does).
pub fn explain_text(text: &str) -> Diagnosis {
    diagnose(&Facts::from_failure(crate::detect::from_text(text)))
}

/// The ranked candidates and the trace of every rule's points.
fn rank(cx: &Context) -> (Vec<Candidate>, Vec<Hit>) {
    let mut scores = Scores::default();
    for rule in causes::rules() {
        scores.rule = rule.name;
        (rule.run)(cx, &mut scores);
    }
    let mut items: Vec<Candidate> = scores.items.into_iter().filter(|c| c.score > 0).collect();
    // stable: equal scores keep the order rules first named them
    items.sort_by_key(|c| std::cmp::Reverse(c.score));
    items.truncate(MAX_CAUSES);
    if items.is_empty() {
        let fallback = fallback(cx);
        scores.hits.push(Hit {
            rule: "fallback",
            cause: fallback.id,
            points: fallback.score,
            evidence: None,
            decides: false,
        });
        items.push(fallback);
    }
    (items, scores.hits)
}

/// An auth failure no rule recognised: name the broadest cause for its status, at low confidence.
fn fallback(cx: &Context) -> Candidate {
    let id = match cx.status {
        Some(403) => "insufficient-permission",
        Some(404) => "scope-not-mapped",
        _ => "token-missing",
    };
    Candidate {
        id,
        score: 1,
        evidence: Vec::new(),
        decided: false,
    }
}

fn margin(ranked: &[Candidate]) -> i32 {
    match ranked {
        [a, b, ..] => a.score - b.score,
        [a] => a.score,
        [] => 0,
    }
}

/// "high" only for a top cause a deciding rule backed, clear of the next; inferred ones are
/// "medium" at best (their summary names the fact that would decide them).
fn confidence(c: &Candidate, margin: i32, top: bool) -> Confidence {
    let score = c.score;
    if top && c.decided && score >= 10 && margin >= 4 {
        Confidence::High
    } else if (top && score >= 6 && margin >= 2) || (!top && score >= 8) {
        Confidence::Medium
    } else {
        Confidence::Low
    }
}

/// The failing line always backs the top cause, even when its rule cited another line.
fn add_main_evidence(cx: &Context, evidence: &mut Vec<Evidence>) {
    let f = cx.failure;
    let needles: Vec<&str> = [f.url.as_deref(), f.code.as_deref().map(|_| "code ")]
        .into_iter()
        .flatten()
        .collect();
    for needle in needles {
        if let Some(l) = failing_line(f, needle) {
            let kind = match l.origin {
                crate::detect::Origin::Output => EvidenceKind::Output,
                crate::detect::Origin::DebugLog => EvidenceKind::DebugLog,
            };
            let e = Evidence {
                kind,
                text: l.text.clone(),
                source: Some(l.source()),
            };
            if !evidence.iter().any(|x| x.source == e.source) {
                evidence.insert(0, e);
            }
            break;
        }
    }
}

/// The line holding `needle` that names the failing request itself: a publish GETs the
/// packument before its PUT, so the URL alone may find the GET while the headline says PUT.
/// Prefers `METHOD STATUS`, then the status, then the first line with the needle.
fn failing_line<'f>(
    f: &'f crate::detect::Failure,
    needle: &str,
) -> Option<&'f crate::detect::SourceLine> {
    let with = |words: Option<String>| {
        let words = words?;
        f.lines
            .iter()
            .find(|l| l.text.contains(needle) && l.text.contains(&words))
    };
    let status = f.http_status.map(|s| s.to_string());
    let method_status = f
        .method
        .as_deref()
        .zip(status.as_deref())
        .map(|(m, s)| format!("{m} {s}"));
    with(method_status)
        .or_else(|| with(status.map(|s| format!(" {s} "))))
        .or_else(|| f.lines.iter().find(|l| l.text.contains(needle)))
}

fn report(cx: &Context, auth: bool, causes: Vec<Cause>) -> Report {
    let f = cx.failure;
    let has_failure =
        f.code.is_some() || f.http_status.is_some() || f.url.is_some() || f.message.is_some();
    Report {
        schema: 1,
        tool: f.tool.map_or("npm", |t| t.as_str()).to_owned(),
        tool_version: f.tool_version.clone(),
        command: f.command.clone(),
        exit_code: f.exit_code,
        auth_failure: auth,
        failure: has_failure.then(|| FailureSummary {
            code: f.code.clone(),
            http_status: f.http_status,
            method: f.method.clone(),
            url: f.url.clone(),
            registry: cx.registry.clone(),
            package: f.package.clone(),
            message: f.message.clone(),
        }),
        causes,
        probes: Vec::new(),
    }
}

/// Keeps the first of each repeated line, in order.
fn unique(lines: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for l in lines {
        if !seen.contains(&l) {
            seen.push(l);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Failure, Origin, SourceLine};

    #[test]
    fn the_main_evidence_is_the_request_the_headline_names() {
        let url = "http://127.0.0.1:4873/@team%2fx";
        let line = |n: usize, text: String| SourceLine {
            origin: Origin::DebugLog,
            line: n,
            text,
        };
        let f = Failure {
            method: Some("PUT".into()),
            http_status: Some(403),
            url: Some(url.into()),
            lines: vec![
                line(10, format!("10 http fetch GET 403 {url} 5ms (cache skip)")),
                line(14, format!("14 http fetch PUT 403 {url} 9ms")),
            ],
            ..Failure::default()
        };
        assert_eq!(failing_line(&f, url).map(|l| l.line), Some(14));
        let get = Failure {
            method: Some("GET".into()),
            ..f.clone()
        };
        assert_eq!(failing_line(&get, url).map(|l| l.line), Some(10));
    }
}
