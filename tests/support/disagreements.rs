//! The closing check of a differential test: every situation where regauth and the real client
//! disagree, listed in one failure.

/// Fails with `what`, the count and each disagreement, unless there is none.
pub fn assert_no_disagreement(what: &str, disagreements: &[String], separator: &str) {
    assert!(
        disagreements.is_empty(),
        "{what}: {} disagreements:\n{}",
        disagreements.len(),
        disagreements.join(separator)
    );
}
