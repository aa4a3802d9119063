//! The line-by-line scanner behind `from_text`/`from_reader`: each matcher is one small function
//! that reads a normalised line and records what it states into the `Failure`.

use super::line::{normalize, Level, Line};
use super::Failure;
use super::{url, HttpRequest, NoAuthForUri, Operation, Origin, SourceLine};
use crate::secret::scrub_text as scrub;
use crate::types::ClientId;

const MAX_LINES: usize = 64;
const MAX_REQUESTS: usize = 64;
const MAX_NOTICES: usize = 16;
const MAX_SMALL_LIST: usize = 16;
const MAX_MESSAGE: usize = 2000;

// pnpm 12, yarn 1 and yarn berry lines npm's matchers miss
mod clients;
mod infer;
pub(crate) mod lexicon;
mod npm_lines;
mod patterns;
mod signals;

pub(super) use infer::infer_operation_from_command;
use infer::*;
use patterns::*;

/// Scanner state: the failure so far plus the little context a line needs from its neighbours.
#[derive(Default)]
pub struct Scanner {
    line_no: usize,
    failure: Failure,
    /// The previous line was an error message that may continue on indented lines.
    continuation: bool,
    /// Inside pnpm's "These authorization settings were found:" list.
    in_pnpm_settings: bool,
    /// Inside npm's "No auth for URI" warning block.
    in_no_auth_block: bool,
    /// The status and URL came from an explicit error message (stronger than a fetch line).
    status_from_message: bool,
    /// npm <= 8 put the debug log's path on the line after "A complete log of this run".
    log_path_next: bool,
}

impl Scanner {
    /// True when a raw line may hold something; false lines are only counted.
    pub(crate) fn wants(&self, raw: &[u8]) -> bool {
        self.continuation
            || self.in_pnpm_settings
            || self.in_no_auth_block
            || INTERESTING.is_match(raw) && !BORING.is_match(raw)
    }

    /// Counts a line that `wants` rejected.
    pub(crate) fn skip(&mut self) {
        self.line_no += 1;
    }

    /// Counts `n` lines skipped in bulk.
    pub(crate) fn skip_lines(&mut self, n: usize) {
        self.line_no += n;
    }

    /// True while the next line must be looked at whatever it holds (a message may continue).
    pub(crate) fn needs_next_line(&self) -> bool {
        self.continuation || self.in_pnpm_settings || self.in_no_auth_block
    }

    /// True for a line the prefilter picked that is still not worth a look.
    pub(crate) fn is_boring(line: &[u8]) -> bool {
        BORING.is_match(line)
    }

    /// Feeds a line already selected by the block prefilter (no second prefilter pass).
    pub(crate) fn feed_selected(&mut self, raw: &str) {
        self.line_no += 1;
        self.look_at(raw);
    }

    /// Where in `block` the next line worth a look may start: the first prefilter hit at or
    /// after `from`, or None when the rest of the block holds none.
    pub(crate) fn next_candidate(block: &[u8], from: usize) -> Option<usize> {
        INTERESTING.find_at(block, from).map(|m| m.start())
    }

    pub(crate) fn feed(&mut self, raw: &str) {
        if !self.wants(raw.as_bytes()) {
            self.skip();
            return;
        }
        self.line_no += 1;
        self.look_at(raw);
    }

    fn look_at(&mut self, raw: &str) {
        if raw.contains("::error") && raw.contains("%0A") {
            // a GitHub workflow command (`::error::<message>`) carries a multi-line message with
            // its newlines escaped as %0A (and % as %25, CR as %0D: GitHub docs, "Workflow
            // commands for GitHub Actions"; @actions/core's escapeData): one line each
            for part in raw.split("%0A") {
                let part = part.replace("%0D", "").replace("%25", "%");
                self.look_at_line(&part);
            }
            return;
        }
        self.look_at_line(raw);
    }

    fn look_at_line(&mut self, raw: &str) {
        let line = normalize(raw);
        if line.ci_decorated
            || raw.contains("/home/runner/")
            || raw.contains("GITHUB_ACTIONS")
            || github_runner_line(raw)
        {
            self.failure
                .signals
                .ci
                .get_or_insert_with(|| "github-actions".to_owned());
        }
        if line.body.trim().is_empty() {
            self.continuation = false;
            self.in_pnpm_settings = false;
            return;
        }
        if self.continue_message(&line) || self.pnpm_setting(&line) {
            return;
        }
        self.in_pnpm_settings = false;
        self.match_line(&line);
    }

    fn origin(&self, line: &Line) -> Origin {
        if line.debug_log {
            Origin::DebugLog
        } else {
            Origin::Output
        }
    }

    /// Keeps a line as evidence (scrubbed, deduplicated, bounded).
    fn keep(&mut self, line: &Line) {
        let text = scrub(&line.display).into_owned();
        if self.failure.lines.iter().any(|l| l.text == text) {
            return;
        }
        if self.failure.lines.len() >= MAX_LINES {
            self.failure.lines.remove(0);
        }
        let origin = self.origin(line);
        self.failure.lines.push(SourceLine {
            origin,
            line: self.line_no,
            text,
        });
    }

    /// An indented bare line right after an error message continues it (wrapped output).
    fn continue_message(&mut self, line: &Line) -> bool {
        if !(self.continuation && line.indented && line.level == Level::None) {
            return false;
        }
        let text = scrub(line.body.trim()).into_owned();
        let f = &mut self.failure;
        for m in [&mut f.message, &mut f.server_message]
            .into_iter()
            .flatten()
        {
            if m.len() < MAX_MESSAGE {
                m.push(' ');
                m.push_str(&text);
            }
        }
        if f.server_message.is_none() && !is_boilerplate(&text) {
            f.server_message = Some(text.clone());
        }
        self.keep(line);
        self.match_signals(&line.body);
        true
    }

    fn pnpm_setting(&mut self, line: &Line) -> bool {
        if !self.in_pnpm_settings {
            return false;
        }
        let Some(c) = PNPM_SETTING.captures(&line.body) else {
            return false;
        };
        let setting = scrub(&c[1]).into_owned();
        let settings = &mut self.failure.signals.auth_settings;
        if settings.len() < MAX_SMALL_LIST && !settings.contains(&setting) {
            settings.push(setting);
        }
        self.keep(line);
        true
    }

    fn match_line(&mut self, line: &Line) {
        let body = line.body.as_ref();
        if self.match_log_path(body) {
            return;
        }
        let mut relevant = false;
        self.continuation = false;
        if line.level == Level::Error {
            self.failure.signals.has_error = true;
        }
        if super::oidc::match_line(&mut self.failure.oidc, line.level, body, self.line_no) {
            self.keep(line);
            return;
        }
        relevant |= super::publisher::match_line(&mut self.failure.publisher, body, self.line_no);
        if line.level == Level::Error && line.display.contains("npm ERR!") {
            self.failure.publisher.npm_err_heading = true;
        }
        if line.level == Level::Error && line.display.contains("npm error ") {
            self.failure.publisher.npm_error_heading = true;
        }
        match line.level {
            // request lines and debug details: only their own matchers (most of a verbose log)
            Level::Http => relevant |= self.match_http(line, body),
            Level::Verbose | Level::Silly | Level::Info => {
                relevant |= self.match_debug_details(line, body)
            }
            Level::Notice => relevant |= self.match_notice(line, body),
            Level::Warn if body.starts_with("deprecated ") => {}
            Level::Warn => {
                relevant |= self.match_no_auth_block(body);
                relevant |= self.match_http(line, body);
                relevant |= self.match_signals(body);
            }
            Level::Error | Level::None => {
                relevant |= self.match_code(line, body);
                relevant |= self.match_http(line, body);
                relevant |= self.match_debug_details(line, body);
                relevant |= self.match_no_auth_block(body);
                relevant |= self.match_other_clients(body);
                relevant |= self.match_package_names(body);
                relevant |= self.match_signals(body);
                relevant |= self.match_error_title(line, body);
                if line.level == Level::None {
                    relevant |= self.match_command(body);
                }
            }
        }
        if relevant {
            self.keep(line);
        }
    }

    /// The debug log the output names; several (comma-joined) give the first.
    fn match_log_path(&mut self, body: &str) -> bool {
        if std::mem::take(&mut self.log_path_next) {
            let path = body.trim();
            if path.ends_with(".log") {
                self.failure.debug_log_path = Some(scrub(path).into_owned());
                return true;
            }
        }
        let Some(c) = COMPLETE_LOG.captures(body) else {
            return false;
        };
        match c.get(1) {
            Some(m) => {
                let first = m.as_str().split(',').next().unwrap_or("").trim();
                self.failure.debug_log_path = Some(scrub(first).into_owned());
            }
            None => self.log_path_next = true,
        }
        true
    }

    fn set_code(&mut self, code: &str) {
        self.failure.code = Some(code.to_owned());
        self.failure.signals.has_error = true;
    }

    fn set_status(&mut self, status: u16, explicit: bool) {
        if explicit || self.failure.http_status.is_none() {
            self.failure.http_status = Some(status);
        }
        if status >= 400 {
            self.failure.signals.has_error = true;
        }
    }

    /// One request line seen (npm's `http fetch`, yarn 1's verbose `Request ... finished`),
    /// keeping the last `MAX_REQUESTS`.
    fn push_request(&mut self, method: &str, status: u16, url: &str) {
        let requests = &mut self.failure.requests;
        if requests.len() >= MAX_REQUESTS {
            requests.remove(0);
        }
        requests.push(HttpRequest {
            method: method.to_owned(),
            status,
            url: scrub(url).into_owned(),
        });
    }

    fn set_request(&mut self, method: &str, url: &str, explicit: bool) {
        if explicit || self.failure.url.is_none() {
            self.failure.method = Some(method.to_owned());
            self.failure.url = Some(scrub(url.trim_end_matches([':', ',', '.'])).into_owned());
            if let Some(pkg) = url::package(url) {
                self.failure.package = Some(scrub(&pkg).into_owned());
            }
        }
    }

    fn set_message(&mut self, text: &str) {
        let text = text.trim();
        if text.is_empty() || is_boilerplate(text) {
            return;
        }
        let mut text = scrub(text).into_owned();
        text.truncate(floor_char_boundary(&text, MAX_MESSAGE));
        self.failure.message = Some(text);
    }

    pub(crate) fn finish(mut self) -> Failure {
        let f = &mut self.failure;
        super::semantic_release::complete(f);
        fill_from_requests(f);
        if f.code.is_none() {
            if let Some(status) = f.http_status.filter(|s| *s >= 400) {
                f.code = Some(format!("E{status}"));
            }
        }
        if f.http_status.is_none() {
            if let Some(status) = f
                .code
                .as_deref()
                .and_then(|c| c.strip_prefix('E'))
                .and_then(|s| s.parse().ok())
            {
                f.http_status = Some(status);
            }
        }
        if matches!(f.code.as_deref(), Some("EOTP")) {
            f.signals.otp = true;
        }
        if matches!(f.code.as_deref(), Some("EPUBLISHCONFLICT"))
            || f.http_status == Some(409) && f.method.as_deref() == Some("PUT")
        {
            f.signals.publish_over_existing = true;
        }
        if matches!(f.code.as_deref(), Some("ENEEDAUTH")) {
            f.signals.need_auth = true;
        }
        if matches!(f.code.as_deref(), Some("EAUTHIP")) {
            f.signals.ip_not_allowed = true;
        }
        if matches!(f.code.as_deref(), Some("E402")) {
            f.signals.payment_required = true;
        }
        if f.http_status == Some(407) {
            f.signals.proxy = true;
            f.signals.proxy_auth_required = true;
        }
        if f.url.as_deref().is_some_and(has_embedded_url) {
            f.signals.proxy = true;
        }
        if f.www_authenticate
            .iter()
            .any(|w| w.to_ascii_lowercase().split([',', ' ']).any(|p| p == "otp"))
        {
            f.signals.otp = true;
        }
        if f.signals.otp && f.http_status == Some(404) && f.code.as_deref() != Some("EOTP") {
            // npm-registry-fetch lib/check-response.js raises EOTP on a 401 only (and npmjs
            // words a 2FA refusal as a 403): 2FA wording beside a 404 is another step's
            f.signals.otp = false;
        }
        if f.signals.operation == Operation::Unknown {
            infer_operation_from_request(f);
        }
        if f.tool.is_none() && (f.code.is_some() || f.signals.has_error) {
            f.tool = Some(ClientId::Npm);
        }
        self.failure
    }
}

/// Lines only a GitHub Actions job prints: the runner's step result ("Process completed with
/// exit code N.", actions/runner src/Runner.Worker/Handlers) and npm's provenance notice, which
/// names the CI that issued its ID token (npm/cli lib/utils/... "Signed provenance statement
/// with source and build information from GitHub Actions").
fn github_runner_line(raw: &str) -> bool {
    raw.contains("Process completed with exit code")
        || raw.contains("build information from GitHub Actions")
}

#[cfg(test)]
mod tests {
    use crate::detect::{from_text, Operation};
    use crate::types::ClientId;

    #[test]
    fn npm_error_block_with_server_message_and_continuation() {
        let f = from_text(
            "npm notice 📦  @w/codepack@4.2.1\nnpm error code E401\nnpm error 401 Unauthorized - PUT https://npm.pkg.github.com/@w%2fcodepack\n      unauthenticated: User cannot be authenticated with the token provided.",
        );
        assert_eq!(f.code.as_deref(), Some("E401"));
        assert_eq!(
            (f.http_status, f.method.as_deref()),
            (Some(401), Some("PUT"))
        );
        assert_eq!(f.package.as_deref(), Some("@w/codepack"));
        assert!(f
            .server_message
            .unwrap()
            .contains("with the token provided"));
        assert!(f.signals.credential_rejected);
        assert_eq!(f.signals.operation, Operation::Publish);
    }

    #[test]
    fn pnpm_fetch_error_and_settings_list() {
        let f = from_text(" ERR_PNPM_FETCH_401  GET https://npm.pkg.github.com/o/@o%2Fx: Unauthorized - 401\n\nNo authorization header was set for the request.\n\nThese authorization settings were found:\n//npm.pkg.github.com/:_authToken=ghp_[hidden]\n@o:registry=https://npm.pkg.github.com/o\n");
        assert_eq!(f.tool, Some(ClientId::Pnpm));
        assert_eq!(f.code.as_deref(), Some("ERR_PNPM_FETCH_401"));
        assert_eq!(
            f.url.as_deref(),
            Some("https://npm.pkg.github.com/o/@o%2Fx")
        );
        assert!(f.signals.anonymous);
        assert_eq!(f.signals.auth_settings_found, Some(true));
        assert_eq!(f.signals.auth_settings.len(), 2);
    }

    #[test]
    fn yarn1_and_berry_lines() {
        let f = from_text("error An unexpected error occurred: \"https://npm.pkg.github.com/download/@d/a/0.4.0/3b68: Request failed \\\"401 Unauthorized\\\"\".");
        assert_eq!((f.tool, f.http_status), (Some(ClientId::Yarn1), Some(401)));
        assert_eq!(f.package.as_deref(), Some("@d/a"));
        let f =
            from_text("➤ YN0041: │ @o/p@npm:1.0.0: Invalid authentication (as an anonymous user)");
        assert_eq!(
            (f.tool, f.code.as_deref()),
            (Some(ClientId::YarnBerry), Some("YN0041"))
        );
        assert!(f.signals.anonymous);
        let f = from_text("Usage Error: Environment variable not found (NPM_AUTH_TOKEN)");
        assert_eq!(f.signals.env_unresolved, vec!["NPM_AUTH_TOKEN"]);
    }

    #[test]
    fn yarn1_banner_is_the_command_without_the_version() {
        let f = from_text(
            "yarn add v1.22.22\nerror Error: Failed to replace env in config: ${NPM_TOKEN}",
        );
        assert_eq!(f.command, vec!["add"]);
        assert_eq!(f.tool, Some(ClientId::Yarn1));
        assert_eq!(f.tool_version.as_deref(), Some("1.22.22"));
        assert!(f.signals.command_from_banner);
        // a typed command line keeps its arguments
        let f =
            from_text("$ yarn add @priv/lib\nerror Error: Failed to replace env in config: ${T}");
        assert_eq!(f.command, vec!["add", "@priv/lib"]);
        assert!(!f.signals.command_from_banner);
    }

    #[test]
    fn npm_warnings_and_config_errors() {
        let f = from_text("npm warn registry No auth for URI, but auth present for scoped registry.\nnpm warn registry\nnpm warn registry URI: http://localhost:4261/@d/b/1.0.0.tgz\nnpm warn registry Scoped Registry Key: //127.0.0.1:4261/\nnpm error code E401");
        let n = f.signals.no_auth_for_uri.unwrap();
        assert_eq!(
            n.uri.as_deref(),
            Some("http://localhost:4261/@d/b/1.0.0.tgz")
        );
        assert_eq!(n.scoped_registry_key.as_deref(), Some("//127.0.0.1:4261/"));
        let f = from_text("npm ERR! code ENEEDAUTH\nnpm ERR! need auth This command requires you to be logged in to https://h/artifactory/api/npm/npm");
        assert_eq!(
            f.signals.need_auth_registry.as_deref(),
            Some("https://h/artifactory/api/npm/npm")
        );
        let f = from_text("npm error code ERR_INVALID_AUTH\nnpm error Invalid auth configuration found: `_auth` must be renamed to `//h/:_auth` in project config");
        assert!(f.signals.invalid_auth.unwrap().contains("//h/:_auth"));
    }

    #[test]
    fn commands_env_assignments_and_ci() {
        let f = from_text(
            "$ GITHUB_PAT=[redacted] npm ci --registry https://r.example/\nnpm ERR! code E401",
        );
        assert_eq!(f.command, vec!["ci", "--registry", "https://r.example/"]);
        assert_eq!(f.signals.env_assignments, vec!["GITHUB_PAT"]);
        assert_eq!(
            f.signals.cli_registry.as_deref(),
            Some("https://r.example/")
        );
        let f = from_text("2022-12-08T11:29:09.1314429Z npm ERR! code E403");
        assert_eq!(f.signals.ci.as_deref(), Some("github-actions"));
    }

    #[test]
    fn the_debug_log_the_output_names() {
        let f = from_text("npm error code E401\nnpm error A complete log of this run can be found in: /home/u/.npm/_logs/2026-01-01T00_00_00_000Z-debug-0.log");
        assert_eq!(
            f.debug_log_path.as_deref(),
            Some("/home/u/.npm/_logs/2026-01-01T00_00_00_000Z-debug-0.log")
        );
        let f = from_text("npm ERR! code E401\n\nnpm ERR! A complete log of this run can be found in:\nnpm ERR!     /root/.npm/_logs/2020-02-17T11_17_32_964Z-debug.log");
        assert_eq!(
            f.debug_log_path.as_deref(),
            Some("/root/.npm/_logs/2020-02-17T11_17_32_964Z-debug.log")
        );
    }

    #[test]
    fn debug_log_request_lines_fill_the_failing_request() {
        let f = from_text("13 http fetch GET 200 https://r/a 3ms\n14 http fetch GET 401 https://r/@s%2fb 5ms (cache skip)\n15 verbose statusCode 401\n16 verbose pkgid @s/b@*\n17 error code E401");
        assert_eq!(f.url.as_deref(), Some("https://r/@s%2fb"));
        assert_eq!(f.package.as_deref(), Some("@s/b"));
        assert!(f
            .lines
            .iter()
            .any(|l| l.origin == crate::detect::Origin::DebugLog && l.line == 2));
    }
}
