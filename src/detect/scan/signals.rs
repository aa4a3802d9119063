//! Lines that are not npm's error block: pnpm and yarn lines, package names, the server's and
//! client's words that signal a cause, error titles and the visible command line.

use super::*;

/// actions/setup-node src/authutil.ts: the NODE_AUTH_TOKEN it writes when none was given.
const SETUP_NODE_PLACEHOLDER: &str = "XXXXX-XXXXX-XXXXX-XXXXX";

impl Scanner {
    pub(super) fn match_other_clients(&mut self, body: &str) -> bool {
        if self.match_client_lines(body) {
            return true;
        }
        if let Some(c) = YARN1_REQUEST_FAILED.captures(body) {
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.set_status(c[2].parse().unwrap_or(0), true);
            self.set_request("GET", &c[1], true);
            self.failure.message =
                Some(scrub(&format!("{}: {} {}", &c[1], &c[2], c[3].trim())).into_owned());
            self.failure.signals.has_error = true;
            return true;
        }
        if let Some(c) = YARN1_REQUEST_FINISHED.captures(body) {
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            let status = c[2].parse().unwrap_or(0);
            self.push_request("GET", status, &c[1]);
            return status >= 400;
        }
        if let Some(c) = YARN1_REQUEST_FAILED_BARE.captures(body) {
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.set_status(c[1].parse().unwrap_or(0), false);
            self.set_message(body.trim_start_matches("error "));
            return true;
        }
        if let Some(c) = YARN1_REQUEST_FAILED_CUT.captures(body) {
            // the status was cut off: what failed is known, not how
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.set_request("GET", &c[1], false);
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
        if YARN1_RECEIVED_401.is_match(body) {
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.set_status(401, false);
            self.failure.signals.credential_rejected |= body.contains("check that it is valid");
            self.set_message(
                body.trim_start_matches("error ")
                    .trim_start_matches("Error: "),
            );
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

    pub(super) fn match_package_names(&mut self, body: &str) -> bool {
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

    pub(super) fn set_server_message_if_none(&mut self, text: &str) {
        if self.failure.server_message.is_none() && !is_boilerplate(text) {
            self.failure.server_message = Some(scrub(text.trim()).into_owned());
        }
    }

    /// Signals that can appear in any line, from any client.
    pub(super) fn match_signals(&mut self, body: &str) -> bool {
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
            // npmjs's 400 for an --otp value its check refuses comes alone, without a code line
            s.has_error |= body.contains("child \"otp\" fails");
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
        if let Some(c) = PNPM_REFUSED_KEY
            .captures(body)
            .filter(|c| AUTH_KEY.is_match(&c[1]))
        {
            // an auth setting written where pnpm 11 does not take it: as ignored as "Ignored
            // auth setting" (auth keys live in .npmrc only since pnpm 11)
            let key = scrub(&c[1]).into_owned();
            if !s.ignored_auth_settings.contains(&key) {
                s.ignored_auth_settings.push(key);
            }
            s.has_error = true;
            hit = true;
        }
        if body.contains("too similar to existing package") && s.operation == Operation::Unknown {
            // npmjs checks a new name against existing ones only when it is published
            // (PUBLISH_REFUSED's `too similar`): the command was a publish
            s.operation = Operation::Publish;
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
        if body.contains(SETUP_NODE_PLACEHOLDER) {
            s.placeholder_token = true;
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
    pub(super) fn match_error_title(&mut self, line: &Line, body: &str) -> bool {
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

    pub(super) fn match_command(&mut self, body: &str) -> bool {
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
    pub(super) fn set_command_from_words(&mut self, words: Vec<String>) {
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
        let mut command: Vec<String> = words[i + 1..]
            .iter()
            .map(|w| scrub(w).into_owned())
            .collect();
        if tool == "yarn" {
            self.strip_yarn1_banner(&mut command);
        }
        self.failure.command = command;
        infer_operation_from_command(&mut self.failure);
    }

    /// yarn 1's first line is a banner, `yarn <command> v<version>` (yarn 1.22.22
    /// src/cli/index.js `reporter.header(commandName, {name: 'yarn', version})`, printed by
    /// src/reporters/console/console-reporter.js `header`: `${pkg.name} ${command}
    /// v${pkg.version}`; shipped lib/cli.js:88917 and :93320): the version is no argument.
    fn strip_yarn1_banner(&mut self, command: &mut Vec<String>) {
        let [_, version] = command.as_slice() else {
            return;
        };
        let Some(number) = version.strip_prefix('v').filter(|n| is_version(n)) else {
            return;
        };
        self.failure
            .tool_version
            .get_or_insert_with(|| number.to_owned());
        self.failure.tool = Some(ClientId::Yarn1);
        self.failure.signals.command_from_banner = true;
        command.pop();
    }
}

/// `1.22.22`, `1.22.0-rc.1`: a release number as yarn prints it.
fn is_version(text: &str) -> bool {
    let core = text.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}
