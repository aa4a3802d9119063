//! After npm failed: build nothing more than the `Run`, ask `detect` what failed, and for the
//! auth family print the one line npm never shows for a 401 (`regauth: GET <url> answered 401`).
//! `after_failure` is the single place where later stages (live diagnosis) plug in.

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};

use crate::detect::Failure;

use super::Run;

/// Everything regauth does once npm has failed. Prints to stderr only.
pub fn after_failure(run: &Run) {
    let failure = crate::detect::from_run(run);
    if let Some(line) = failure_line(&failure) {
        say(&line);
    }
}

/// The one line for an auth-family failure; `None` for any other failure.
pub fn failure_line(failure: &Failure) -> Option<String> {
    if !failure.is_auth_family() {
        return None;
    }
    let code = failure.code.as_deref().unwrap_or("an auth error");
    let status = failure.http_status;
    Some(
        match (failure.method.as_deref(), failure.url.as_deref(), status) {
            (Some(method), Some(url), Some(status)) => {
                format!(
                    "regauth: {method} {} answered {status}",
                    redact_userinfo(url)
                )
            }
            (None, Some(url), Some(status)) => format!(
                "regauth: a request to {} answered {status}",
                redact_userinfo(url)
            ),
            (_, _, Some(status)) => format!(
                "regauth: npm failed with {code} (HTTP {status}); npm did not say which request"
            ),
            _ => format!(
                "regauth: npm failed with {code}; regauth could not tell which request failed"
            ),
        },
    )
}

/// `https://user:pass@host/` -> `https://user:***@host/` (npm redacts its log the same way).
pub fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}{path}")
            } else {
                format!("{scheme}://***@{host}{path}")
            }
        }
        None => url.to_owned(),
    }
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
            one_line(&why)
        )
    })
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
            failure_line(&f).unwrap(),
            "regauth: GET http://127.0.0.1:4873/@priv%2flib answered 401"
        );
    }

    #[test]
    fn says_what_is_known_without_a_url() {
        assert_eq!(
            failure_line(&failure("ENEEDAUTH")).unwrap(),
            "regauth: npm failed with ENEEDAUTH; regauth could not tell which request failed"
        );
        assert_eq!(failure_line(&failure("ETARGET")), None);
    }

    #[test]
    fn userinfo_never_printed() {
        assert_eq!(
            redact_userinfo("https://u:CANARYpass@h/x@y"),
            "https://u:***@h/x@y"
        );
        assert_eq!(redact_userinfo("https://tok@h/"), "https://***@h/");
        assert_eq!(redact_userinfo("http://h/@a%2fb"), "http://h/@a%2fb");
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
}
