//! What the short explanation leaves out of a quoted debug-log line: npm's line counter and a
//! request's timing (`190ms (cache skip)`); tests compare shown evidence with this form.
//! Included by path (`#[path = "support/log_noise.rs"] mod log_noise;`) so tests without the
//! whole support module can use it.

/// `12 http fetch GET 401 <url> 190ms (cache skip)` -> `http fetch GET 401 <url>`.
pub fn without_log_noise(text: &str) -> String {
    let text = regex::Regex::new(r"^\d+ ").unwrap().replace(text, "");
    if !text.starts_with("http fetch ") {
        return text.into_owned();
    }
    let timing = regex::Regex::new(r" \d+ms( \([^)]*\))?$").unwrap();
    timing.replace(&text, "").into_owned()
}
