//! What failed: npm's debug log and npm/pnpm/yarn output into a `Failure`.
//!
//! This stage only reads text. It knows error codes, HTTP lines and server messages; it does not
//! decide causes (that is `diagnose`).

use crate::Tool;

/// One request line found in the text (`http fetch GET 401 <url>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub status: u16,
    pub url: String,
}

/// Where a line of evidence came from: `output` line N, `debug-log` line N.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    pub origin: Origin,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Output,
    DebugLog,
}

/// What failed, as far as the text says. Unknown fields stay `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failure {
    pub tool: Option<Tool>,
    pub tool_version: Option<String>,
    pub command: Vec<String>,
    pub exit_code: Option<i32>,
    /// npm's error code (`E401`, `EOTP`, `ENEEDAUTH`, `ERR_INVALID_AUTH`), pnpm's
    /// (`ERR_PNPM_FETCH_401`) or yarn berry's (`YN0041`).
    pub code: Option<String>,
    pub http_status: Option<u16>,
    pub method: Option<String>,
    pub url: Option<String>,
    pub package: Option<String>,
    /// The server's message or the error's main text.
    pub message: Option<String>,
    pub www_authenticate: Vec<String>,
    pub notices: Vec<String>,
    /// Every HTTP request line seen, in order.
    pub requests: Vec<HttpRequest>,
    /// `.npmrc` files npm says it read (`silly config load:file:`).
    pub config_files: Vec<String>,
    /// `verbose stack <ErrorClass>`.
    pub error_class: Option<String>,
    /// The lines the facts above came from.
    pub lines: Vec<SourceLine>,
}

impl Failure {
    /// True for the auth family: E401, E403, ENEEDAUTH, EOTP, ERR_INVALID_AUTH, EAUTHIP, and
    /// E404 of a scoped package.
    pub fn is_auth_family(&self) -> bool {
        let code = self.code.as_deref().unwrap_or("");
        matches!(
            code,
            "E401" | "E403" | "ENEEDAUTH" | "EOTP" | "ERR_INVALID_AUTH" | "EAUTHIP"
        ) || (code == "E404" && self.package.as_deref().is_some_and(|p| p.starts_with('@')))
    }
}

/// The failure of a finished shimmed run, from its debug log (or teed stderr).
pub fn from_run(run: &crate::shim::Run) -> Failure {
    let mut failure = match (&run.debug_log, &run.stderr_tail) {
        (Some(log), _) => from_text(&log.text),
        (None, Some(tail)) => from_text(tail),
        (None, None) => Failure::default(),
    };
    if let crate::shim::Exit::Code(code) = run.exit {
        failure.exit_code = Some(code);
    }
    failure
}

/// The failure described by a saved output, CI log or npm debug log.
/// (A first version: the `detect` work replaces it with the full extraction.)
pub fn from_text(text: &str) -> Failure {
    let code_re =
        regex::Regex::new(r"(?m)^(?:\d+ error|npm (?:ERR!|error)) code (\S+)\s*$").unwrap();
    let fetch_re = regex::Regex::new(r"(?m)^\d+ http fetch (\w+) (\d{3}) (\S+)").unwrap();
    let mut failure = Failure {
        tool: Some(crate::Tool::Npm),
        ..Failure::default()
    };
    failure.code = code_re.captures(text).map(|c| c[1].to_owned());
    for c in fetch_re.captures_iter(text) {
        failure.requests.push(HttpRequest {
            method: c[1].to_owned(),
            status: c[2].parse().unwrap_or(0),
            url: c[3].to_owned(),
        });
    }
    if let Some(last) = failure.requests.iter().rev().find(|r| r.status >= 400) {
        failure.method = Some(last.method.clone());
        failure.http_status = Some(last.status);
        failure.url = Some(last.url.clone());
    }
    failure
}
