//! Shim mode's output discipline: nothing regauth does may change what the client did, so a
//! panic becomes one line printed after the client's output, and a closed stderr is ignored.

use std::os::fd::AsFd;
use std::panic::{self, AssertUnwindSafe};

use crate::secret::redact_url;

/// Runs `work` so that nothing in it can change what npm did: a panic prints nothing now (no
/// backtrace, no message) and becomes the one line to print after npm's output.
pub fn guarded<T>(what: &str, work: impl FnOnce() -> T) -> Result<T, String> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(work));
    panic::set_hook(previous);
    outcome.map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        format!(
            "regauth: internal error while {what} ({}); npm's result is unchanged",
            one_line(&without_quoted_text(&why))
        )
    })
}

/// A panic message can quote the data it failed on (a string-slicing panic quotes the whole
/// string, e.g. an argument holding a token): drop backquoted spans, scrub the rest.
fn without_quoted_text(why: &str) -> String {
    let mut out = String::new();
    for (i, part) in why.split('`').enumerate() {
        out.push_str(if i % 2 == 0 { part } else { "…" });
    }
    redact_url(&crate::secret::scrub_text(&out))
}

/// Writes one line to stderr, ignoring errors (a closed stderr must not become a panic) and
/// waiting while a non-blocking stderr is full.
pub fn say(line: &str) {
    write_stderr(format!("{line}\n").as_bytes());
}

/// Writes all of `bytes` to stderr unbuffered, ignoring errors, waiting (not spinning) while
/// a non-blocking stderr is full.
pub fn write_stderr(bytes: &[u8]) {
    let stderr = std::io::stderr().lock();
    let _ = super::tee::write_all_waiting(stderr.as_fd(), bytes);
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_one_line() {
        let line = guarded("testing", || -> u8 { panic!("boom\nsecond line") }).unwrap_err();
        assert_eq!(
            line,
            "regauth: internal error while testing (boom second line); npm's result is unchanged"
        );
        assert_eq!(guarded("testing", || 7), Ok(7));
    }

    #[test]
    fn a_panic_quoting_a_secret_argument_does_not_print_it() {
        let arg = std::hint::black_box("--//h/:_authToken=CANARYé");
        let line = guarded("testing", || arg[..arg.len() - 1].len()).unwrap_err();
        assert!(line.contains("not a char boundary"), "{line}");
        assert!(!line.contains("CANARY"), "{line}");
        let line = guarded("testing", || -> u8 {
            panic!("at https://u:CANARYpw@h/ and npm_CANARYcanaryCANARYcanaryCANARY0001")
        })
        .unwrap_err();
        assert!(!line.contains("CANARY"), "{line}");
    }
}
