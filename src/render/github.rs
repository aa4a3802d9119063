//! One GitHub Actions annotation (`::error title=...::message`) for the top cause.

use crate::diagnose::Diagnosis;

/// Escapes a workflow-command message (`%`, CR, LF).
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation line, or nothing when the failure is not an auth problem.
pub fn annotation(d: &Diagnosis) -> String {
    let (Some(cause), Some(note)) = (d.report.causes.first(), d.notes.first()) else {
        return String::new();
    };
    let title = format!("regauth: {}", cause.id);
    let mut message = note.summary.clone();
    if let Some(fix) = cause.fix.first() {
        message.push_str(" Fix: ");
        message.push_str(fix);
    }
    format!(
        "::error title={}::{}\n",
        escape_property(&title),
        escape_data(&message)
    )
}
