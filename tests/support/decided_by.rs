//! The "Decided by:" part of a report's top cause: the fact the explanation says would decide it.

use serde_json::Value;

/// The text after "Decided by: " in the top cause's summary; fails when there is none.
pub fn top_decided_by(report: &Value) -> String {
    let summary = report["causes"][0]["summary"].as_str().unwrap_or_default();
    match summary.split_once("Decided by: ") {
        Some((_, decider)) => decider.to_owned(),
        None => panic!("PRODUCT: no \"Decided by\" in the top cause:\n{report:#}"),
    }
}

/// The top cause's deciding fact names every one of `words` and none of `never`.
pub fn assert_decided_by(report: &Value, words: &[&str], never: &[&str]) {
    let decider = top_decided_by(report);
    for word in words {
        assert!(
            decider.contains(word),
            "PRODUCT: \"Decided by\" does not name {word:?}: {decider}"
        );
    }
    for word in never {
        assert!(
            !decider.contains(word),
            "PRODUCT: \"Decided by\" names {word:?}: {decider}"
        );
    }
}
