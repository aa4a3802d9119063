//! The line-by-line scanner behind `from_text`/`from_reader`: each matcher is one small function
//! that reads a normalised line and records what it states into the `Failure`.

use std::sync::LazyLock;

use regex::bytes::Regex as BytesRegex;
use regex::Regex;

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

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap()
}

/// Cheap test for lines worth a full look; everything else in a big CI log is skipped.
static INTERESTING: LazyLock<BytesRegex> = LazyLock::new(|| {
    // literals only, so the regex engine scans with its fast multi-literal prefilter
    BytesRegex::new(concat!(
        // npm's log prefix, other headings, debug log levels, command lines
        r"npm |npx |pnpm |yarn |lerna | ERR!| error | warn | notice | http | verbose | silly |",
        // pnpm, yarn 1, yarn berry
        r"ERR_PNPM|YN0|Request failed|unexpected error|Invalid auth|Usage Error|Ignored |Lockfile is up to date|",
        r"Couldn't publish|nvironment variable not found|Failed to replace env|uthoriz|",
        // HTTP failures and registry/proxy words in bare lines
        r" - GET | - PUT | - POST | - DELETE | - HEAD | - PATCH |Forbidden|Unauthorized|Not found|",
        r"is not in the npm registry|is not in this registry|could not be found|Unable to authenticate|roxy|",
        r"network administrator|web site|one-time|OTP|verify your email|Payment|paid account|Login first|logged in|",
        r"anonymous|unregistered|token|Error:|code E|URI:|Scoped Registry Key|ermission|quarantin|",
        r"E400|E401|E402|E403|E404|E407|E409|EAUTHIP|ENEEDAUTH|EPUBLISHCONFLICT|two-factor|Two-factor|2FA|Publishing|407|",
        // CI context (commands in `Run` lines carry their tool's name, matched above)
        r"argv |/home/runner/|GITHUB_ACTIONS"
    ))
    .unwrap()
});

/// Interesting-looking lines that never matter: deprecation warnings, successful requests.
static BORING: LazyLock<BytesRegex> = LazyLock::new(|| {
    BytesRegex::new(
        r"(?:npm|pnpm|yarn) (?:warn|WARN) deprecated |http fetch [A-Z]+ [23]\d\d |http cache ",
    )
    .unwrap()
});

static CODE_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^code\s+([A-Z][A-Z0-9_]+)"));
static CODE_AT_START: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(E\d{3}|EOTP|ENEEDAUTH|EAUTHIP|EPUBLISHCONFLICT|ERR_INVALID_AUTH)\b"));
static PNPM_CODE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"\[?(ERR_PNPM_[A-Z0-9_]+)\]?\s+(?:(GET|PUT|POST|DELETE|HEAD|PATCH)\s+(\S+?):?(?:\s+(.*))?)?$",
    )
});
static BERRY_CODE: LazyLock<Regex> = LazyLock::new(|| re(r"\bYN(\d{4})\b"));
static HTTP_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|\s)([1-5]\d\d)\s+([^\n]*?)\s*-\s*(GET|PUT|POST|DELETE|HEAD|PATCH)\s+(\S+)(?:\s+-\s+(.*))?$",
    )
});
static FETCH_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:http\s+)?fetch\s+(GET|PUT|POST|DELETE|HEAD|PATCH)\s+(\d{3})\s+(\S+)")
});
static PUBLISH_FAILED: LazyLock<Regex> =
    LazyLock::new(|| re(r"publish Failed (GET|PUT|POST|DELETE) (\d{3})"));
static URL_LINE: LazyLock<Regex> = LazyLock::new(|| re(r"^URL: (GET|PUT|POST|DELETE|HEAD) (\S+)"));
static NEED_WWW_AUTH: LazyLock<Regex> =
    LazyLock::new(|| re(r"Unable to authenticate, need: (.+)$"));
static STACK: LazyLock<Regex> =
    LazyLock::new(|| re(r"^stack ([A-Za-z]+(?:Error)?[A-Za-z]*)(?::|$)"));
static STATUS_CODE: LazyLock<Regex> = LazyLock::new(|| re(r"^statusCode (\d{3})"));
static PKGID: LazyLock<Regex> = LazyLock::new(|| re(r"^pkgid (\S+)"));
static CONFIG_FILE: LazyLock<Regex> = LazyLock::new(|| re(r"^config load:file:(\S+)"));
static VERBOSE_CLI: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:cli|title) (.+)$"));
static ARGV: LazyLock<Regex> = LazyLock::new(|| re(r#"^argv ((?:"[^"]*"\s*)+)$"#));
static VERSION: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:using npm@(\d[\w.-]*)|^npm\s+v(\d[\w.-]*)$|^(?:yarn|pnpm) [a-z]+ v(\d[\w.-]*)$)")
});
static PUBLISHING_TO: LazyLock<Regex> = LazyLock::new(|| re(r"Publishing to (\S+)"));
static NO_AUTH_URI: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:registry\s+)?URI: (\S+)"));
static SCOPED_KEY: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:registry\s+)?Scoped Registry Key: (\S+)"));
static INVALID_AUTH: LazyLock<Regex> =
    LazyLock::new(|| re(r"Invalid auth configuration found: (.+)$"));
static NEED_AUTH: LazyLock<Regex> =
    LazyLock::new(|| re(r"requires you to be logged in(?: to (\S+?))?\.?$"));
static OTP: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"one-time pass|\bOTP\b|(?i:two-factor authentication.{0,80}required|2fa (?:is )?required|requires? (?:a )?two-factor)",
    )
});
static VERSION_EXISTS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)cannot publish over|previously published|EPUBLISHCONFLICT|cannot modify pre-existing version|attempting to modify version|version already exists|already been published|already present|409 conflict",
    )
});
static IP_NOT_ALLOWED: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)not allowed from your IP|IP address (?:is )?not (?:allowed|permitted)|\bEAUTHIP\b")
});
static ANONYMOUS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)authentication token not provided|no authorization header was set|authorization required|for user: 'anonymous'|as an anonymous user|unregistered users|must be logged in|login first|not logged in|missing authorization|authentication required|requires authentication|no credentials (?:were )?(?:provided|supplied)",
    )
});
static REJECTED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)with the token provided|authorization header was used|bad credentials|invalid (?:api )?token|token (?:is )?(?:invalid|expired|revoked|has expired)|expired token|credentials? (?:are |is )?(?:invalid|expired)|invalid credentials|invalid username or password|bad username/password|authentication failed",
    )
});
static INVALID_AUTHENTICATION_AS: LazyLock<Regex> =
    LazyLock::new(|| re(r"Invalid authentication \((?:as|attempted as) ([^)]+)\)"));
static ENV_UNRESOLVED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:Failed to replace env in config: \$\{([^}?]+)\??\}|Environment variable not found \(([^)]+)\))",
    )
});
static PNPM_IGNORED: LazyLock<Regex> =
    LazyLock::new(|| re(r#"Ignored (?:project-level )?auth setting "([^"]+)""#));
static PNPM_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\s*(@[^:\s]+:registry=\S+|//\S+:(?:_authToken|_auth|username|_password)=\S*)\s*$")
});
static YARN1_REQUEST_FAILED: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(https?://[^"\s]+?): Request failed \\?"(\d{3})\s*([^"\\]*)"#));
static YARN1_UNEXPECTED: LazyLock<Regex> =
    LazyLock::new(|| re(r#""(https?://[^"\s]+?): ([^"]+?)"?\.?$"#));
static BERRY_RESPONSE_CODE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)Response Code:? (\d{3})"));
static PROXY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)proxy authentication required|\bE407\b|\b407 proxy|statusCode=407|proxy.{0,60}(?:denied|authori[sz]ation|authentication)|network administrator|access the requested web ?site",
    )
});
/// A proxy asked for credentials (407), even when npm reports a network error code.
static PROXY_407: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\bE407\b|statusCode=407|\b407\b.{0,3}proxy|proxy authentication required")
});
static PAYMENT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)payment required|paid account|paid plan|sign up for private packages|\bE402\b|upgrade your (?:plan|account)",
    )
});
static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)verify your email|email (?:address )?(?:is )?not (?:yet )?verified|unverified email|account (?:has been |is )?(?:suspended|locked|disabled|blocked)",
    )
});
static NOT_IN_REGISTRY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:'|‘)((?:@[^'\s/@]+/)?[^'\s@]+)(?:@[^']*)?(?:'|’) (?:is not in (?:the npm|this) registry|could not be)|requested resource '((?:@[^'\s/@]+/)?[^'\s@]+)(?:@[^']*)?' could not",
    )
});
static PERMISSION_PACKAGE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:permission to publish|not allowed to (?:access|publish) package) "?((?:@[^"\s/]+/)?[^"\s.]+)"#,
    )
});
static TITLE_STATUS: LazyLock<Regex> = LazyLock::new(|| re(r"^([45]\d\d)\s+(\S.*)$"));
static COMMAND: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|[$#%>❯➜»]\s+|^Run\s+(?:[^&]*&&\s*)?|^\S*[$#%>]\s*)((?:[A-Z_][A-Z0-9_]*=\S*\s+)*)(npm|npx|pnpm|yarn|lerna)\s+([a-z][^|;&]*)$",
    )
});
static ENV_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| re(r"([A-Z_][A-Z0-9_]*)="));

/// npm's own fixed sentences: never the server's words.
const BOILERPLATE: &[&str] = &[
    "In most cases",
    "a package version that is forbidden",
    "on a server you do not have access to",
    "It was specified as a dependency",
    "You should bug the author",
    "Note that you can also install",
    "tarball, folder, http url",
    "is not in the npm registry",
    "is not in this registry",
    "could not be found or you do not have permission",
    "A complete log of this run",
    "You can provide a one-time password",
    "If you already provided",
    "it, or it timed out",
    "To correct this please",
    "npm login",
    "If you were trying to login",
    "authentication token or enable two-factor",
    "that means you likely typed",
    "Please try again, or recover",
    "https://www.npmjs.com/forgot",
    "If you were doing some other operation",
    "probably out of date",
    "need auth You need to authorize",
];

fn is_boilerplate(text: &str) -> bool {
    let t = text.trim();
    t.is_empty() || BOILERPLATE.iter().any(|b| t.contains(b))
}

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
        let line = normalize(raw);
        if line.ci_decorated || raw.contains("/home/runner/") || raw.contains("GITHUB_ACTIONS") {
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
        let mut relevant = false;
        self.continuation = false;
        if line.level == Level::Error {
            self.failure.signals.has_error = true;
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

    fn set_code(&mut self, code: &str) {
        self.failure.code = Some(code.to_owned());
        self.failure.signals.has_error = true;
    }

    fn match_code(&mut self, line: &Line, body: &str) -> bool {
        if let Some(c) = CODE_LINE.captures(body) {
            if line.level == Level::Error || line.level == Level::None {
                self.set_code(&c[1]);
                return true;
            }
        }
        if line.level == Level::Error {
            if let Some(c) = CODE_AT_START.captures(body) {
                if self.failure.code.is_none() {
                    self.set_code(&c[1]);
                    let rest = body[c.get(0).unwrap().end()..].trim();
                    self.set_message(rest);
                }
                return true;
            }
        }
        if let Some(c) = PNPM_CODE.captures(body) {
            self.set_code(&c[1]);
            self.failure.tool = Some(ClientId::Pnpm);
            if let Some(status) = c[1]
                .strip_prefix("ERR_PNPM_FETCH_")
                .and_then(|s| s.parse().ok())
            {
                self.set_status(status, true);
            }
            if let (Some(method), Some(url)) = (c.get(2), c.get(3)) {
                self.set_request(method.as_str(), url.as_str(), true);
                self.set_message(body.trim_start_matches(['[', ' ']));
                if let Some(rest) = c.get(4) {
                    let text = rest.as_str().trim();
                    let words = text
                        .trim_end_matches(|ch: char| ch.is_ascii_digit() || ch == ' ' || ch == '-');
                    if !words.trim().is_empty() {
                        self.failure.server_message = Some(scrub(words.trim()).into_owned());
                    }
                }
            }
            self.continuation = true;
            return true;
        }
        if let Some(c) = BERRY_CODE.captures(body) {
            let code = format!("YN{}", &c[1]);
            if matches!(&c[1], "0041" | "0033" | "0035" | "0001") {
                self.failure.tool.get_or_insert(ClientId::YarnBerry);
                if self.failure.code.is_none() || &c[1] != "0001" {
                    self.set_code(&code);
                }
                return true;
            }
        }
        false
    }

    fn set_status(&mut self, status: u16, explicit: bool) {
        if explicit || self.failure.http_status.is_none() {
            self.failure.http_status = Some(status);
        }
        if status >= 400 {
            self.failure.signals.has_error = true;
        }
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

    fn match_http(&mut self, line: &Line, body: &str) -> bool {
        if let Some(c) = HTTP_MESSAGE.captures(body) {
            if line.level == Level::Error || line.level == Level::None || line.level == Level::Warn
            {
                let status: u16 = c[1].parse().unwrap_or(0);
                self.set_status(status, true);
                self.status_from_message = true;
                self.set_request(&c[3], &c[4], true);
                let start = c.get(1).unwrap().start();
                self.set_message(&body[start..]);
                let status_text =
                    c[2].trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == ' ');
                let server = c.get(5).map(|m| m.as_str().to_owned()).or_else(|| {
                    (!is_standard_status_text(status_text)).then(|| status_text.to_owned())
                });
                if let Some(server) = server.filter(|s| !s.trim().is_empty()) {
                    self.failure.server_message = Some(scrub(server.trim()).into_owned());
                }
                self.continuation = true;
                return true;
            }
        }
        if let Some(c) = FETCH_LINE.captures(body) {
            if line.level == Level::Http || line.level == Level::None {
                let status: u16 = c[2].parse().unwrap_or(0);
                let request = HttpRequest {
                    method: c[1].to_owned(),
                    status,
                    url: scrub(&c[3]).into_owned(),
                };
                let requests = &mut self.failure.requests;
                if requests.len() >= MAX_REQUESTS {
                    requests.remove(0);
                }
                requests.push(request);
                return status >= 400;
            }
        }
        if let Some(c) = PUBLISH_FAILED.captures(body) {
            self.failure.method = Some(c[1].to_owned());
            self.set_status(c[2].parse().unwrap_or(0), true);
            self.failure.signals.operation = Operation::Publish;
            return true;
        }
        if let Some(c) = URL_LINE.captures(body) {
            self.set_request(&c[1], &c[2], false);
            return true;
        }
        false
    }

    fn match_debug_details(&mut self, line: &Line, body: &str) -> bool {
        if line.level == Level::Verbose {
            if let Some(c) = STACK.captures(body) {
                self.failure
                    .error_class
                    .get_or_insert_with(|| c[1].to_owned());
            }
            if let Some(c) = STATUS_CODE.captures(body) {
                self.set_status(c[1].parse().unwrap_or(0), false);
                return true;
            }
            if let Some(c) = PKGID.captures(body) {
                let pkgid = scrub(&c[1]).into_owned();
                if let Some(i) = pkgid.find("@http") {
                    self.failure.signals.pkgid_url = Some(pkgid[i + 1..].to_owned());
                    self.failure.signals.lockfile_pinned = true;
                    self.failure
                        .package
                        .get_or_insert_with(|| pkgid[..i].to_owned());
                } else {
                    self.failure.package.get_or_insert(strip_version(&pkgid));
                }
                return true;
            }
            if let Some(c) = VERBOSE_CLI.captures(body) {
                if self.failure.command.is_empty() {
                    self.set_command_from_words(
                        c[1].split_whitespace().map(str::to_owned).collect(),
                    );
                }
            }
        }
        if line.level == Level::Silly {
            if let Some(c) = CONFIG_FILE.captures(body) {
                let files = &mut self.failure.config_files;
                let file = scrub(&c[1]).into_owned();
                if files.len() < MAX_SMALL_LIST && !files.contains(&file) {
                    files.push(file);
                }
                return true;
            }
        }
        if let Some(c) = NEED_WWW_AUTH.captures(body) {
            let value = scrub(c[1].trim()).into_owned();
            if !self.failure.www_authenticate.contains(&value) {
                self.failure.www_authenticate.push(value);
            }
            self.set_status(401, false);
            if self.failure.code.is_none() {
                self.set_code("E401");
            }
            return true;
        }
        if let Some(c) = ARGV.captures(body) {
            let words: Vec<String> = c[1]
                .split('"')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect();
            self.set_command_from_words(words);
        }
        if let Some(c) = VERSION.captures(body) {
            let v = c
                .get(1)
                .or(c.get(2))
                .or(c.get(3))
                .unwrap()
                .as_str()
                .to_owned();
            self.failure
                .tool_version
                .get_or_insert(scrub(&v).into_owned());
        }
        false
    }

    fn match_notice(&mut self, line: &Line, body: &str) -> bool {
        if line.level != Level::Notice {
            return false;
        }
        if let Some(c) = PUBLISHING_TO.captures(body) {
            self.failure.signals.publish_registry = Some(scrub(&c[1]).into_owned());
            self.failure.signals.operation = Operation::Publish;
        }
        let expired = body.contains("expired or revoked");
        if expired {
            self.failure.signals.token_expired_notice = true;
        }
        let notices = &mut self.failure.notices;
        let text = scrub(body.trim()).into_owned();
        if notices.len() < MAX_NOTICES
            && !notices.contains(&text)
            && (expired || text.starts_with("Publishing to"))
        {
            notices.push(text);
        }
        expired || body.contains("Publishing to")
    }

    fn match_no_auth_block(&mut self, body: &str) -> bool {
        if body.contains("No auth for URI, but auth present for scoped registry") {
            self.failure.signals.no_auth_for_uri = Some(NoAuthForUri::default());
            self.in_no_auth_block = true;
            return true;
        }
        if !self.in_no_auth_block {
            return false;
        }
        let block = self
            .failure
            .signals
            .no_auth_for_uri
            .get_or_insert_with(Default::default);
        if let Some(c) = NO_AUTH_URI.captures(body) {
            block.uri = Some(scrub(&c[1]).into_owned());
            return true;
        }
        if let Some(c) = SCOPED_KEY.captures(body) {
            block.scoped_registry_key = Some(scrub(&c[1]).into_owned());
            return true;
        }
        if body.contains("More info here") {
            self.in_no_auth_block = false;
        }
        false
    }

    fn match_other_clients(&mut self, body: &str) -> bool {
        if let Some(c) = YARN1_REQUEST_FAILED.captures(body) {
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.set_status(c[2].parse().unwrap_or(0), true);
            self.set_request("GET", &c[1], true);
            self.failure.message =
                Some(scrub(&format!("{}: {} {}", &c[1], &c[2], c[3].trim())).into_owned());
            self.failure.signals.has_error = true;
            return true;
        }
        if let Some(c) = YARN1_UNEXPECTED.captures(body) {
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.set_request("GET", &c[1], false);
            let text = c[2].trim().to_owned();
            if let Some(status) = status_from_words(&text) {
                self.set_status(status, false);
            }
            self.failure.server_message = Some(scrub(&text).into_owned());
            self.set_message(&format!("{}: {}", &c[1], text));
            self.failure.signals.has_error = true;
            return true;
        }
        if let Some(c) = BERRY_RESPONSE_CODE.captures(body) {
            self.failure.tool.get_or_insert(ClientId::YarnBerry);
            self.set_status(c[1].parse().unwrap_or(0), false);
            return true;
        }
        if body.contains("Couldn't publish package") {
            self.failure.signals.operation = Operation::Publish;
            self.failure.signals.has_error = true;
            return true;
        }
        if body.contains("Lockfile is up to date, resolution step is skipped") {
            self.failure.signals.lockfile_pinned = true;
            return true;
        }
        false
    }

    fn match_package_names(&mut self, body: &str) -> bool {
        if let Some(c) = NOT_IN_REGISTRY.captures(body) {
            let name = scrub(c.get(1).or(c.get(2)).unwrap().as_str()).into_owned();
            self.failure.package.get_or_insert(name);
            self.set_status(404, false);
            return true;
        }
        if let Some(c) = PERMISSION_PACKAGE.captures(body) {
            self.failure
                .package
                .get_or_insert_with(|| scrub(&c[1]).into_owned());
            if body.contains("publish") {
                self.failure.signals.operation = Operation::Publish;
            }
            self.set_server_message_if_none(body);
            return true;
        }
        false
    }

    fn set_server_message_if_none(&mut self, text: &str) {
        if self.failure.server_message.is_none() && !is_boilerplate(text) {
            self.failure.server_message = Some(scrub(text.trim()).into_owned());
        }
    }

    /// Signals that can appear in any line, from any client.
    fn match_signals(&mut self, body: &str) -> bool {
        let s = &mut self.failure.signals;
        let mut hit = false;
        if let Some(c) = INVALID_AUTH.captures(body) {
            s.invalid_auth = Some(scrub(&c[1]).into_owned());
            hit = true;
        }
        if let Some(c) = NEED_AUTH.captures(body) {
            s.need_auth = true;
            s.need_auth_registry = c.get(1).map(|m| scrub(m.as_str()).into_owned());
            hit = true;
        }
        if OTP.is_match(body) && !body.contains("enable two-factor authentication then") {
            s.otp = true;
            hit = true;
        }
        if VERSION_EXISTS.is_match(body) {
            s.publish_over_existing = true;
            hit = true;
        }
        if IP_NOT_ALLOWED.is_match(body) {
            s.ip_not_allowed = true;
            hit = true;
        }
        if let Some(c) = INVALID_AUTHENTICATION_AS.captures(body) {
            // yarn berry's wording (npmHttpUtils handleInvalidAuthenticationError), for a 401 only
            s.has_error = true;
            self.failure.tool.get_or_insert(ClientId::YarnBerry);
            if c[1].contains("anonymous") {
                s.anonymous = true;
            } else {
                s.credential_rejected = true;
            }
            hit = true;
        } else if ANONYMOUS.is_match(body) {
            s.anonymous = true;
            hit = true;
        }
        if REJECTED.is_match(body) {
            s.credential_rejected = true;
            hit = true;
        }
        if body.contains("No authorization settings were found") {
            s.auth_settings_found = Some(false);
            hit = true;
        }
        if body.contains("These authorization settings were found") {
            s.auth_settings_found = Some(true);
            self.in_pnpm_settings = true;
            hit = true;
        }
        if let Some(c) = ENV_UNRESOLVED.captures(body) {
            let name = scrub(c.get(1).or(c.get(2)).unwrap().as_str()).into_owned();
            if s.env_unresolved.len() < MAX_SMALL_LIST && !s.env_unresolved.contains(&name) {
                s.env_unresolved.push(name);
            }
            s.has_error = true;
            hit = true;
        }
        if let Some(c) = PNPM_IGNORED.captures(body) {
            let key = scrub(&c[1]).into_owned();
            if s.ignored_auth_settings.len() < MAX_SMALL_LIST
                && !s.ignored_auth_settings.contains(&key)
            {
                s.ignored_auth_settings.push(key);
            }
            hit = true;
        }
        if body.contains("No authentication configured for request") {
            s.no_auth_configured = true;
            hit = true;
        }
        if PROXY.is_match(body) {
            s.proxy = true;
            s.proxy_auth_required |= PROXY_407.is_match(body);
            hit = true;
        }
        if PAYMENT.is_match(body) {
            s.payment_required = true;
            hit = true;
        }
        if ACCOUNT.is_match(body) {
            s.account_problem = true;
            hit = true;
        }
        if body.starts_with("Error:")
            || body.starts_with("Usage Error")
            || body.starts_with("error ")
        {
            s.has_error = true;
        }
        hit
    }

    /// `npm ERR! 403 <text>`: a title status, and the text when it is the server's own.
    fn match_error_title(&mut self, line: &Line, body: &str) -> bool {
        if line.level != Level::Error || self.status_from_message {
            return false;
        }
        let Some(c) = TITLE_STATUS.captures(body) else {
            return false;
        };
        let status: u16 = c[1].parse().unwrap_or(0);
        self.set_status(status, false);
        let text = c[2].trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == ' ');
        if !is_boilerplate(text) && !is_standard_status_text(text) {
            self.set_server_message_if_none(text);
            if self.failure.message.is_none() {
                self.set_message(body);
            }
        }
        true
    }

    fn match_command(&mut self, body: &str) -> bool {
        let Some(c) = COMMAND.captures(body) else {
            return false;
        };
        let mut words = vec![c[2].to_owned()];
        words.extend(c[3].split_whitespace().map(str::to_owned));
        let assignments: Vec<String> = ENV_ASSIGNMENT
            .captures_iter(&c[1])
            .map(|a| a[1].to_owned())
            .collect();
        self.failure.signals.env_assignments = assignments;
        self.set_command_from_words(words);
        true
    }

    /// Takes the words of a command line (`node npm-cli.js install x`, `npm install x`) and keeps
    /// the tool's arguments.
    fn set_command_from_words(&mut self, words: Vec<String>) {
        let tool_at = words.iter().position(|w| {
            let name = w.rsplit(['/', '\\']).next().unwrap_or(w);
            matches!(
                name,
                "npm" | "npm-cli.js" | "npm.cmd" | "npx" | "pnpm" | "yarn" | "lerna"
            )
        });
        let Some(i) = tool_at else { return };
        let tool = words[i].rsplit(['/', '\\']).next().unwrap_or("").to_owned();
        match tool.as_str() {
            "pnpm" => self.failure.tool = Some(ClientId::Pnpm),
            "yarn" => {
                self.failure.tool.get_or_insert(ClientId::Yarn1);
            }
            _ => {}
        }
        self.failure.command = words[i + 1..]
            .iter()
            .map(|w| scrub(w).into_owned())
            .collect();
        infer_operation_from_command(&mut self.failure);
    }

    pub(crate) fn finish(mut self) -> Failure {
        let f = &mut self.failure;
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
        if f.signals.operation == Operation::Unknown {
            infer_operation_from_request(f);
        }
        if f.tool.is_none() && (f.code.is_some() || f.signals.has_error) {
            f.tool = Some(ClientId::Npm);
        }
        self.failure
    }
}

/// A fetch line's failing request stands in when no error message named one.
fn fill_from_requests(f: &mut Failure) {
    if f.url.is_some() {
        return;
    }
    let failing = f
        .requests
        .iter()
        .rev()
        .find(|r| r.status >= 400 && Some(r.status) == f.http_status.or(Some(r.status)));
    if let Some(r) = failing.cloned() {
        f.method = Some(r.method.clone());
        f.url = Some(r.url.clone());
        f.http_status.get_or_insert(r.status);
        if let Some(pkg) = url::package(&r.url) {
            f.package.get_or_insert(scrub(&pkg).into_owned());
        }
    }
}

fn infer_operation_from_request(f: &mut Failure) {
    let Some(url) = f.url.as_deref() else { return };
    f.signals.operation = if url::is_login(url) {
        Operation::Login
    } else if f.method.as_deref() == Some("PUT") {
        Operation::Publish
    } else {
        Operation::Read
    };
}

/// The operation a visible command performs.
pub(crate) fn infer_operation_from_command(f: &mut Failure) {
    let verb = f
        .command
        .iter()
        .find(|w| !w.starts_with('-'))
        .map(String::as_str);
    let op = match verb {
        Some("publish" | "release" | "unpublish" | "deprecate" | "dist-tag") => Operation::Publish,
        Some("login" | "adduser" | "add-user") => Operation::Login,
        Some(_) => Operation::Read,
        None => return,
    };
    if f.signals.operation == Operation::Unknown || op != Operation::Read {
        f.signals.operation = op;
    }
    if let Some(i) = f
        .command
        .iter()
        .position(|w| w == "--registry" || w.starts_with("--registry="))
    {
        let value = match f.command[i].split_once('=') {
            Some((_, v)) => Some(v.to_owned()),
            None => f.command.get(i + 1).cloned(),
        };
        f.signals.cli_registry = value;
    }
}

fn has_embedded_url(url: &str) -> bool {
    let p = url::path(url);
    p.contains("/http://") || p.contains("/https://")
}

fn is_standard_status_text(text: &str) -> bool {
    matches!(
        text.trim(),
        "" | "Forbidden"
            | "Unauthorized"
            | "Not Found"
            | "Not found"
            | "Payment Required"
            | "Conflict"
            | "Too Many Requests"
            | "Internal Server Error"
            | "Bad Gateway"
            | "Service Unavailable"
            | "Gateway Timeout"
            | "Proxy Authentication Required"
            | "Bad Request"
            | "Method Not Allowed"
    )
}

fn status_from_words(text: &str) -> Option<u16> {
    let t = text.to_ascii_lowercase();
    [
        ("not found", 404),
        ("unauthorized", 401),
        ("forbidden", 403),
        ("proxy authentication", 407),
    ]
    .iter()
    .find(|(w, _)| t.contains(w))
    .map(|(_, s)| *s)
}

fn strip_version(pkgid: &str) -> String {
    let (scope, rest) = match pkgid.strip_prefix('@') {
        Some(r) => ("@", r),
        None => ("", pkgid),
    };
    let name = rest.split('@').next().unwrap_or(rest);
    format!("{scope}{name}")
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0)
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
