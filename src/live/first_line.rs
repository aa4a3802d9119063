//! The first line of every explanation in shim mode, the one npm never shows for a 401
//! (`regauth: GET <url> answered 401`); `None` for a failure outside the auth family.

use crate::detect::Failure;
use crate::secret::redact_url;

/// What the failure was read from: it decides what regauth can honestly say is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    DebugLog,
    /// The teed stderr (no debug log): npm shows HTTP lines there only at `--loglevel=http`.
    Stderr,
}

/// Codes npm raises itself, before any request: no credential for a publish (ENEEDAUTH), a
/// credential written without its registry (ERR_INVALID_AUTH).
const BEFORE_ANY_REQUEST: &[&str] = &["ENEEDAUTH", "ERR_INVALID_AUTH"];

/// The one line for a failure with one of npm's auth codes; `None` for any other failure.
/// `client` is how the line names the client (`npm`).
pub fn failure_line(failure: &Failure, source: Source, client: &str) -> Option<String> {
    if !crate::diagnose::classify::has_auth_code(failure) {
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
        // npm throws these itself, so no log could name a request
        _ if failure.http_status.is_none() && BEFORE_ANY_REQUEST.contains(&code) => {
            format!("regauth: {client} stopped with {code} before sending any request")
        }
        _ => match source {
            Source::DebugLog => {
                format!("regauth: {client} failed with {code}{status}; {client}'s debug log names no failing request")
            }
            Source::Stderr => format!(
                "regauth: {client} failed with {code}{status}; {client}'s output names no failing request (--loglevel=http shows it)"
            ),
        },
    };
    Some(line)
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
            failure_line(&f, Source::DebugLog, "npm").unwrap(),
            "regauth: GET http://127.0.0.1:4873/@priv%2flib answered 401"
        );
    }

    #[test]
    fn says_what_is_known_without_a_url() {
        assert_eq!(
            failure_line(&failure("ENEEDAUTH"), Source::DebugLog, "npm").unwrap(),
            "regauth: npm stopped with ENEEDAUTH before sending any request"
        );
        assert_eq!(
            failure_line(&failure("E401"), Source::DebugLog, "npm").unwrap(),
            "regauth: npm failed with E401; npm's debug log names no failing request"
        );
        let teed = Failure {
            http_status: Some(401),
            ..failure("E401")
        };
        assert_eq!(
            failure_line(&teed, Source::Stderr, "npm").unwrap(),
            "regauth: npm failed with E401 (HTTP 401); npm's output names no failing request (--loglevel=http shows it)"
        );
        assert_eq!(
            failure_line(&failure("ETARGET"), Source::DebugLog, "npm"),
            None
        );
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
}
