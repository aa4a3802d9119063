//! The ranking trace for people: every point every rule gave, with its cause and evidence, then each cause's total (what `regauth explain --trace` and `REGAUTH_TRACE=1` print on stderr).

use std::fmt::Write as _;

use crate::diagnose::Diagnosis;

/// The trace as plain text lines, ending with the ranked totals.
pub(crate) fn render(d: &Diagnosis) -> String {
    let mut out = String::from("regauth trace: the rules that fired, in the order they ran\n");
    if !d.report.auth_failure {
        out.push_str("  no rule ran: this is not an authentication failure\n");
        return out;
    }
    if d.trace.is_empty() {
        out.push_str("  no rule fired\n");
    }
    let width = d.trace.iter().map(|h| h.rule.len()).max().unwrap_or(0);
    for h in &d.trace {
        let _ = write!(
            out,
            "  {:width$}  {:+4}  {}",
            h.rule,
            h.points,
            h.cause,
            width = width
        );
        if h.decides {
            out.push_str("  (decides)");
        }
        if let Some(e) = &h.evidence {
            let source = e.source.as_deref().unwrap_or("-");
            let _ = write!(out, "  [{source}] {}", one_line(&e.text));
        }
        out.push('\n');
    }
    out.push_str("scores (ranked):\n");
    for c in &d.report.causes {
        let confidence = format!("{:?}", c.confidence).to_lowercase();
        // only a cause a deciding rule backed may be "high" (diagnose::score::INFERENCE)
        let how = if d.trace.iter().any(|h| h.cause == c.id && h.decides) {
            "decided"
        } else {
            "inferred only"
        };
        let _ = writeln!(out, "  {:4}  {}  ({confidence}; {how})", c.score, c.id);
    }
    out
}

/// Evidence text on one line, cut to a readable length.
fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}
