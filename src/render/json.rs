//! The schema-1 JSON report (docs/taxonomy.md), pretty-printed, one document.

use crate::report::Report;

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("a Report always serialises");
    text.push('\n');
    text
}
