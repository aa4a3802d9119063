//! Output comparison helpers: npm's output with what differs between two runs masked.

use std::sync::LazyLock;

use regex::Regex;

static LOG_STAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{4}-\d\d-\d\dT\d\d_\d\d_\d\d_\d{3}Z").unwrap());
static DURATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r" \d+ms\b").unwrap());

/// The bytes as text with debug-log timestamps (`TIMESTAMP`) and request durations (` Nms`)
/// masked: two runs never share them.
pub fn masked(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = LOG_STAMP.replace_all(&text, "TIMESTAMP");
    DURATION.replace_all(&text, " Nms").into_owned()
}
