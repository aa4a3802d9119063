//! After npm failed: ask `detect` what failed and, for the auth family, hand over to the live
//! diagnosis (`crate::live`), which prints the one line npm never shows for a 401
//! (`regauth: GET <url> answered 401`) followed by the explanation. Every other failure: silence.
//! `after_failure` is the single place where the live stage plugs in.

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};

use crate::detect::Failure;
use crate::secret::redact_url;

use super::Run;

/// Everything regauth does once npm has failed. Prints to stderr only.
pub fn after_failure(run: &Run) {
    let failure = crate::detect::from_run(run);
    let source = if run.debug_log.is_some() {
        Source::DebugLog
    } else {
        Source::Stderr
    };
    let line = failure_line(&failure, source);
    crate::live::explain_run(run, failure, line, run.exited);
}

/// What the failure was read from: it decides what regauth can honestly say is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    DebugLog,
    /// The teed stderr (no debug log): npm shows HTTP lines there only at `--loglevel=http`.
    Stderr,
}

/// The one line for an auth-family failure; `None` for any other failure.
pub fn failure_line(failure: &Failure, source: Source) -> Option<String> {
    if !failure.is_auth_family() {
        return None;
    }
    let code = failure.code.as_deref().unwrap_or("an auth error");
    let status = failure
        .http_status
        .map(|s| format!(" (HTTP {s})"))
        .unwrap_or_default();
    let line = match (failure.method.as_deref(), failure.url.as_deref(), failure.http_status) {
        (Some(method), Some(url), Some(status)) => {
            format!("regauth: {method} {} answered {status}", redact_url(url))
        }
        (None, Some(url), Some(status)) => {
            format!("regauth: a request to {} answered {status}", redact_url(url))
        }
        _ => match source {
            Source::DebugLog => {
                format!("regauth: npm failed with {code}{status}; npm's debug log names no failing request")
            }
            Source::Stderr => format!(
                "regauth: npm failed with {code}{status}; npm's output names no failing request (--loglevel=http shows it)"
            ),
        },
    };
    Some(line)
}

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

/// Writes one line to stderr, ignoring errors (a closed stderr must not become a panic).
pub fn say(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: &str) -> Failure {
        Failure {
            code: Some(code.into()),
            ..Failure::default()
        }
    }

    #[test]
    fn full_line_for_a_401() {
        let f = Failure {
            method: Some("GET".into()),
            http_status: Some(401),
            url: Some("http://127.0.0.1:4873/@priv%2flib".into()),
            ..failure("E401")
        };
        assert_eq!(
            failure_line(&f, Source::DebugLog).unwrap(),
            "regauth: GET http://127.0.0.1:4873/@priv%2flib answered 401"
        );
    }

    #[test]
    fn says_what_is_known_without_a_url() {
        assert_eq!(
            failure_line(&failure("ENEEDAUTH"), Source::DebugLog).unwrap(),
            "regauth: npm failed with ENEEDAUTH; npm's debug log names no failing request"
        );
        let teed = Failure {
            http_status: Some(401),
            ..failure("E401")
        };
        assert_eq!(
            failure_line(&teed, Source::Stderr).unwrap(),
            "regauth: npm failed with E401 (HTTP 401); npm's output names no failing request (--loglevel=http shows it)"
        );
        assert_eq!(failure_line(&failure("ETARGET"), Source::DebugLog), None);
    }

    #[test]
    fn userinfo_never_printed() {
        assert_eq!(
            redact_url("https://u:CANARYpass@h/x@y"),
            "https://u:***@h/x@y"
        );
        assert_eq!(redact_url("https://tok@h/"), "https://***@h/");
        assert_eq!(redact_url("http://h/@a%2fb"), "http://h/@a%2fb");
    }

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
