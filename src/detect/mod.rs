//! What failed: npm's debug log and npm/pnpm/yarn output into a `Failure`.
//!
//! This stage only reads text. It knows error codes, HTTP lines and server messages; it does not
//! decide causes (that is `diagnose`). Text is read line by line with bounded state, so a 1 GB
//! CI log costs time, not memory. Everything stored is scrubbed of token-shaped values first.

pub(crate) mod gated;
mod line;
pub mod oidc;
pub mod publisher;
mod scan;
pub mod semantic_release;
pub(crate) use scan::lexicon;
pub(crate) mod url;

/// The scrubbing applied to everything stored (owned by `crate::secret`).
pub use crate::secret::scrub_text as scrub;
pub use line::{normalize, strip_ansi, Level, Line};

use crate::types::{ClientId, Exit, Run};

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

impl SourceLine {
    /// `output:12` / `debug-log:13`.
    pub(crate) fn source(&self) -> String {
        match self.origin {
            Origin::Output => format!("output:{}", self.line),
            Origin::DebugLog => format!("debug-log:{}", self.line),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Output,
    DebugLog,
}

/// npm's "No auth for URI, but auth present for scoped registry" warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoAuthForUri {
    pub uri: Option<String>,
    pub scoped_registry_key: Option<String>,
}

/// What the failing operation was, as far as the text shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Operation {
    #[default]
    Unknown,
    /// Reads: install, ci, view, outdated, npx ...
    Read,
    Publish,
    Login,
}

/// Facts the text states beyond code/status/url: each one a signal some rule may use.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    /// An error-level line or an error code was seen (not only warnings and notices).
    pub has_error: bool,
    pub operation: Operation,
    /// `npm notice Publishing to <registry>`.
    pub publish_registry: Option<String>,
    /// `--registry <url>` on the visible command line.
    pub cli_registry: Option<String>,
    /// `NAME=...` assignments in front of the visible command (names only).
    pub env_assignments: Vec<String>,
    /// A CI system recognised from the text (`github-actions`, `ci`).
    pub ci: Option<String>,
    /// An npmjs notice that the token sent is expired or revoked.
    pub token_expired_notice: bool,
    pub no_auth_for_uri: Option<NoAuthForUri>,
    /// ERR_INVALID_AUTH's problem text (`_auth must be renamed to //host/:_auth in project config`).
    pub invalid_auth: Option<String>,
    /// ENEEDAUTH: "This command requires you to be logged in to <registry>".
    pub need_auth_registry: Option<String>,
    pub need_auth: bool,
    /// EOTP, "one-time pass", `www-authenticate: OTP`, yarn "Invalid OTP token".
    pub otp: bool,
    /// "You cannot publish over the previously published versions", EPUBLISHCONFLICT, 409.
    pub publish_over_existing: bool,
    /// EAUTHIP: "Login is not allowed from your IP address".
    pub ip_not_allowed: bool,
    /// The server or client says no credential was sent ("authentication token not provided",
    /// pnpm's "No authorization header was set", yarn's "as an anonymous user", Verdaccio's
    /// "unregistered users", "You must be logged in").
    pub anonymous: bool,
    /// The server or client says a credential was sent and refused ("with the token provided",
    /// pnpm's "An authorization header was used", yarn's "Invalid authentication (as <user>)").
    pub credential_rejected: bool,
    /// pnpm: "No authorization settings were found in the configs." (Some(false)) or
    /// "These authorization settings were found:" (Some(true)).
    pub auth_settings_found: Option<bool>,
    /// pnpm's listed settings, values already hidden (`//npm.pkg.github.com/:_authToken=ghp_[hidden]`).
    pub auth_settings: Vec<String>,
    /// The command is yarn 1's banner's (`yarn add v1.22.22`): its name only, no arguments.
    pub command_from_banner: bool,
    /// `${VAR}` names a client could not replace (npm 6, pnpm, yarn 1, yarn berry).
    pub env_unresolved: Vec<String>,
    /// pnpm: auth settings it ignored on purpose (`Ignored project-level auth setting "<key>"`).
    pub ignored_auth_settings: Vec<String>,
    /// yarn berry YN0033 "No authentication configured for request".
    pub no_auth_configured: bool,
    /// pnpm "Lockfile is up to date, resolution step is skipped", or a `verbose pkgid name@<url>`.
    pub lockfile_pinned: bool,
    /// `verbose pkgid` with a tarball URL (a lockfile-pinned resolved URL).
    pub pkgid_url: Option<String>,
    /// A proxy answered (407, "Proxy Authentication Required", a proxy's block page).
    pub proxy: bool,
    /// The proxy asked for credentials (407), also inside a network error (`statusCode=407`).
    pub proxy_auth_required: bool,
    /// Payment required / paid plan needed.
    pub payment_required: bool,
    /// Account state: unverified email, suspended, locked.
    pub account_problem: bool,
    /// setup-node's stand-in token `XXXXX-XXXXX-XXXXX-XXXXX` is visible (actions/setup-node
    /// src/authutil.ts writes it when no NODE_AUTH_TOKEN was given): the variable got no secret.
    pub placeholder_token: bool,
}

/// What failed, as far as the text says. Unknown fields stay `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failure {
    pub tool: Option<ClientId>,
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
    /// The error's main text (`403 Forbidden - PUT <url> - <body>`).
    pub message: Option<String>,
    /// The server's own words (the body after the URL, a status text a registry chose).
    pub server_message: Option<String>,
    pub www_authenticate: Vec<String>,
    pub notices: Vec<String>,
    /// HTTP request lines seen, in order (bounded: the first ones and the failing ones).
    pub requests: Vec<HttpRequest>,
    /// `.npmrc` files npm says it read (`silly config load:file:`).
    pub config_files: Vec<String>,
    /// `verbose stack <ErrorClass>`.
    pub error_class: Option<String>,
    pub signals: Signals,
    /// npm's trusted publishing (OIDC) steps; its requests are not in `requests`.
    pub oidc: oidc::OidcFacts,
    /// Who made the publish: release tool, clients, injected registry, placeholder token.
    pub publisher: publisher::PublisherFacts,
    /// The lines the facts above came from.
    pub lines: Vec<SourceLine>,
    /// The debug log the output names (npm's "A complete log of this run can be found in:").
    pub debug_log_path: Option<String>,
}

impl Failure {}

/// The failure of a finished shimmed run, from its debug log (or teed stderr).
pub(crate) fn from_run(run: &Run) -> Failure {
    let mut failure = match (&run.debug_log, &run.stderr_tail) {
        (Some(log), _) => from_text(&log.text),
        (None, Some(tail)) => from_text(tail),
        (None, None) => Failure::default(),
    };
    if failure.command.is_empty() || failure.signals.command_from_banner {
        // the user's own argv (no debug log, or only yarn 1's banner): scrubbed like a log's
        // words, URL passwords too
        failure.command = run
            .args
            .iter()
            .map(|a| crate::secret::redact_url(&scrub(&a.to_string_lossy())))
            .collect();
        scan::infer_operation_from_command(&mut failure);
    }
    if let Exit::Code(code) = run.exit {
        failure.exit_code = Some(code);
    }
    failure
}

/// The failure described by a saved output, CI log or npm debug log.
pub fn from_text(text: &str) -> Failure {
    let mut scanner = scan::Scanner::default();
    for raw in text.lines() {
        scanner.feed(raw);
    }
    scanner.finish()
}

/// A saved output's failure read together with the debug log it names: the log's facts (the
/// failing request, pkgid, stack, config files, every request line) come first, and what only
/// the terminal showed (the command as typed, CI markers, `NAME=` assignments) fills the gaps.
pub fn with_debug_log(output: Failure, log: Failure) -> Failure {
    let mut f = log;
    f.tool = f.tool.or(output.tool);
    f.tool_version = f.tool_version.or(output.tool_version);
    if f.command.is_empty() {
        f.command = output.command;
    }
    f.exit_code = f.exit_code.or(output.exit_code);
    let (s, o) = (&mut f.signals, output.signals);
    s.ci = s.ci.take().or(o.ci);
    s.cli_registry = s.cli_registry.take().or(o.cli_registry);
    if s.env_assignments.is_empty() {
        s.env_assignments = o.env_assignments;
    }
    s.placeholder_token |= o.placeholder_token;
    if s.operation == Operation::Unknown {
        s.operation = o.operation;
    }
    for l in output.lines {
        if !f.lines.iter().any(|x| x.text == l.text) {
            f.lines.push(l);
        }
    }
    f.debug_log_path = output.debug_log_path;
    f
}

/// The same as `from_text`, streaming: memory stays bounded whatever the input size. Blocks
/// are searched with the prefilter as a whole, so lines without a hit cost only a newline count.
pub fn from_reader(mut reader: impl std::io::Read) -> std::io::Result<Failure> {
    const BLOCK: usize = 1 << 20;
    let mut scanner = scan::Scanner::default();
    let mut buf: Vec<u8> = Vec::with_capacity(2 * BLOCK);
    let mut eof = false;
    while !eof {
        let old_len = buf.len();
        buf.resize(old_len + BLOCK, 0);
        let (n, at_end) = read_full(&mut reader, &mut buf[old_len..])?;
        buf.truncate(old_len + n);
        eof = at_end;
        // complete lines only; a partial last line waits for the next block (or EOF)
        let end = if eof {
            buf.len()
        } else {
            buf.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)
        };
        scan_block(&mut scanner, &buf[..end]);
        buf.drain(..end);
        if !eof && buf.len() > 64 * BLOCK {
            // one enormous line: look at it alone rather than growing without bound
            scan_block(&mut scanner, &buf);
            buf.clear();
        }
    }
    Ok(scanner.finish())
}

/// Fills `buf` as far as the input goes: the bytes read and whether the input ended. The end
/// is the first empty read, never asked for twice: at a terminal that is the one Ctrl-D.
fn read_full(reader: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<(usize, bool)> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => return Ok((filled, true)),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((filled, false))
}

/// Feeds the lines of `block` (complete lines) that the prefilter or the scanner's state select.
fn scan_block(scanner: &mut scan::Scanner, block: &[u8]) {
    let mut pos = 0;
    while pos < block.len() {
        let line_end = |from: usize| {
            block[from..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(block.len(), |i| from + i + 1)
        };
        if scanner.needs_next_line() {
            let end = line_end(pos);
            scanner.feed(&String::from_utf8_lossy(&block[pos..end]));
            pos = end;
            continue;
        }
        let Some(hit) = scan::Scanner::next_candidate(block, pos) else {
            scanner.skip_lines(count_lines(&block[pos..]));
            return;
        };
        let start = block[pos..hit]
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(pos, |i| pos + i + 1);
        scanner.skip_lines(count_lines(&block[pos..start]));
        let end = line_end(start);
        let line = &block[start..end];
        if scan::Scanner::is_boring(line) {
            scanner.skip();
        } else {
            scanner.feed_selected(&String::from_utf8_lossy(line));
        }
        pos = end;
    }
}

/// Lines in a run of complete lines (a last line without newline counts too).
fn count_lines(bytes: &[u8]) -> usize {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count();
    newlines + usize::from(bytes.last().is_some_and(|b| *b != b'\n'))
}

#[cfg(test)]
mod tests {
    /// A terminal: pasted text, then one Ctrl-D (an empty read); reading on would block.
    struct Terminal {
        chunks: Vec<&'static [u8]>,
        ended: bool,
    }

    impl std::io::Read for Terminal {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            assert!(
                !self.ended,
                "read again after the end of input (a second Ctrl-D)"
            );
            if self.chunks.is_empty() {
                self.ended = true;
                return Ok(0);
            }
            let chunk = self.chunks.remove(0);
            buf[..chunk.len()].copy_from_slice(chunk);
            Ok(chunk.len())
        }
    }

    #[test]
    fn one_empty_read_ends_the_input() {
        let terminal = Terminal {
            chunks: vec![
                b"npm error code E401\n",
                b"npm error Unable to authenticate\n",
            ],
            ended: false,
        };
        let failure = super::from_reader(terminal).unwrap();
        assert_eq!(failure.code.as_deref(), Some("E401"));
    }
}
