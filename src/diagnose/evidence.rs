//! Evidence for rules: the stored line that backs a point, the status test, a config line.

use crate::detect::Origin;
use crate::diagnose::context::Context;
use crate::report::{Evidence, EvidenceKind};

/// Evidence from the first stored line containing any of `needles`.
pub(crate) fn line(cx: &Context, needles: &[&str]) -> Option<Evidence> {
    let l = cx
        .failure
        .lines
        .iter()
        .find(|l| needles.iter().any(|n| l.text.contains(n)))?;
    let kind = match l.origin {
        Origin::Output => EvidenceKind::Output,
        Origin::DebugLog => EvidenceKind::DebugLog,
    };
    Some(Evidence {
        kind,
        text: l.text.clone(),
        source: Some(l.source()),
    })
}

/// Evidence for the main failing line (the message, else the code line).
pub(crate) fn main_line(cx: &Context) -> Option<Evidence> {
    let f = cx.failure;
    let mut needles: Vec<&str> = Vec::new();
    if let Some(u) = f.url.as_deref() {
        needles.push(u);
    }
    if let Some(c) = f.code.as_deref() {
        needles.push(c);
    }
    line(cx, &needles)
}

pub(crate) fn has_status(cx: &Context, statuses: &[u16]) -> bool {
    cx.status.is_some_and(|s| statuses.contains(&s))
}

pub(crate) fn config_evidence(text: String, source: &str) -> Option<Evidence> {
    Some(Evidence {
        kind: EvidenceKind::Config,
        text,
        source: Some(source.to_owned()),
    })
}
