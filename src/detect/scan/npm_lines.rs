//! npm's own lines: the error code, HTTP status lines and messages, the debug log's verbose
//! details (stack, argv, config files, pkgid), notices and the "No auth for URI" warning block.

use super::*;

impl Scanner {
    pub(super) fn match_code(&mut self, line: &Line, body: &str) -> bool {
        if let Some(c) = CODE_LINE.captures(body) {
            if line.level == Level::Error || line.level == Level::None {
                self.set_code(&c[1]);
                return true;
            }
        }
        // a bare `E401 Incorrect or missing password` is npm's error line quoted without its prefix
        if line.level == Level::Error || line.level == Level::None {
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
            // pnpm11/registry-access/commands/src/access.ts: UNAUTHORIZED on a 401, FORBIDDEN on a 403
            match &c[1] {
                "ERR_PNPM_UNAUTHORIZED" => self.set_status(401, false),
                "ERR_PNPM_FORBIDDEN" => self.set_status(403, false),
                _ => {}
            }
            if c.get(2).is_none() {
                let rest = body
                    .trim()
                    .trim_start_matches('[')
                    .trim_start_matches(&c[1]);
                self.set_message(rest.trim_start_matches([']', ' ', '\u{2009}']));
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

    pub(super) fn match_http(&mut self, line: &Line, body: &str) -> bool {
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
                self.push_request(&c[1], status, &c[3]);
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

    pub(super) fn match_debug_details(&mut self, line: &Line, body: &str) -> bool {
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

    pub(super) fn match_notice(&mut self, line: &Line, body: &str) -> bool {
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

    pub(super) fn match_no_auth_block(&mut self, body: &str) -> bool {
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
}
