//! Failure lines of pnpm 11/12, yarn 1 and yarn berry that npm's matchers do not cover, each
//! taken from the real clients' output (tests/data/clients/, made against Verdaccio).

use std::sync::LazyLock;

use regex::Regex;

use super::infer::status_from_words;
use super::patterns::{re, ANONYMOUS, PERMISSION_PACKAGE, REJECTED};
use super::Scanner;
use crate::detect::Operation;
use crate::secret::scrub_text as scrub;
use crate::types::ClientId;

/// pnpm 12: `Failed to fetch metadata from <url>: HTTP status client error (401 Unauthorized)`.
static PNPM12_FETCH: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"Failed to fetch (?:metadata|tarball) from (\S+?): HTTP status (?:client|server) error \((\d{3})[^)]*\)",
    )
});
/// pnpm 12: `Failed to publish package @priv/bobs@1.0.0 (status 403 Forbidden)`.
static PNPM12_PUBLISH: LazyLock<Regex> = LazyLock::new(|| {
    re(r"Failed to publish package ((?:@[^@\s/]+/)?[^@\s]+)@\S+ \(status (\d{3})")
});
/// pnpm 12's code line, `Error: ERR_PNPM_<CODE>` with nothing after it.
static PNPM12_CODE: LazyLock<Regex> = LazyLock::new(|| re(r"^Error: (ERR_PNPM_[A-Z0-9_]+)\s*$"));
/// pnpm 11/12 publish: `📦 @priv/bobs@1.0.0 → http://127.0.0.1:4873/`.
static PNPM_PUBLISHING: LazyLock<Regex> =
    LazyLock::new(|| re(r"📦 ((?:@[^@\s/]+/)?[^@\s]+)@\S+ → (\S+)"));
/// pnpm 12 publish details: `"error": "user bob is not allowed to publish package @priv/bobs"`.
static JSON_ERROR: LazyLock<Regex> = LazyLock::new(|| re(r#"^"error":\s*"([^"]+)"\s*,?$"#));
/// yarn 1 with a server message: `error Error: <url>: authorization required to access package`.
static YARN1_ERROR_URL: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:error )?Error: (https?://\S+?): (.+)$"));
/// yarn berry names the package only in YN0027: `@priv/lib@unknown can't be resolved`.
static BERRY_UNRESOLVED: LazyLock<Regex> =
    LazyLock::new(|| re(r"YN0027: ((?:@[^@\s/]+/)?[^@\s]+)@\S+ can't be resolved"));
/// yarn berry YN0035: `Request URL: <url>` and `Request Method: GET`.
static BERRY_REQUEST_URL: LazyLock<Regex> = LazyLock::new(|| re(r"Request URL: (\S+)"));
/// yarn berry: `Usage Error: Environment variable not found (NPM_TOKEN) in <dir>/.yarnrc.yml`.
static BERRY_RC_ERROR: LazyLock<Regex> =
    LazyLock::new(|| re(r"not found \([^)]+\) in \S*\.yarnrc\.yml"));
/// yarn berry's usage banner: `Yarn Package Manager - 4.18.1`.
static BERRY_VERSION: LazyLock<Regex> =
    LazyLock::new(|| re(r"^Yarn Package Manager - (\d[\w.-]*)$"));
static BERRY_REQUEST_METHOD: LazyLock<Regex> = LazyLock::new(|| re(r"Request Method: ([A-Z]+)"));

/// npm 12's item lines under a policy heading: `  - --bogus-flag`, `  - user config "always-auth"
/// from /home/u/.npmrc`.
static NPM12_ITEM: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*- (.+)$"));
/// `Refusing to fetch "x@git+https://host/x.git"` (EALLOWGIT, EALLOWREMOTE).
static NPM12_REFUSING: LazyLock<Regex> = LazyLock::new(|| re(r#"^Refusing to fetch "([^"]+)""#));

impl Scanner {
    /// The lines above; true when one matched.
    pub(super) fn match_client_lines(&mut self, body: &str) -> bool {
        self.match_npm12_policy(body)
            || self.match_pnpm12(body)
            || self.match_yarn1(body)
            || self.match_berry(body)
    }

    /// npm 12's refusals that are no auth problem (EUNKNOWNCONFIG, EALLOWGIT, EALLOWREMOTE):
    /// what was refused, as one sentence for `regauth explain` (the shim stays quiet).
    fn match_npm12_policy(&mut self, body: &str) -> bool {
        let code = self.failure.code.clone().unwrap_or_default();
        let body = body.trim();
        match code.as_str() {
            "EUNKNOWNCONFIG" => {
                if body.starts_with("Unknown cli flag")
                    || body.starts_with("Unknown npm configuration key")
                {
                    self.failure.message = Some(body.trim_end_matches(':').to_owned());
                    return true;
                }
                let Some(item) = NPM12_ITEM.captures(body) else {
                    return false;
                };
                let heading = self.failure.message.take().unwrap_or_default();
                let sentence = if heading.starts_with("Unknown cli flag") {
                    format!(
                        "npm 12 rejects the unknown command-line flag {}",
                        scrub(&item[1])
                    )
                } else {
                    format!(
                        "npm 12 rejects an unknown configuration key (strict-npmrc): {}; delete that line",
                        scrub(&item[1])
                    )
                };
                self.failure.message = Some(sentence);
                true
            }
            "EALLOWGIT" | "EALLOWREMOTE" => {
                let Some(c) = NPM12_REFUSING.captures(body) else {
                    return false;
                };
                let (setting, what) = if code == "EALLOWGIT" {
                    ("allow-git", "a git dependency")
                } else {
                    ("allow-remote", "a remote tarball URL")
                };
                self.failure.message = Some(format!(
                    "npm's {setting} setting refused to fetch {} ({what})",
                    scrub(&c[1])
                ));
                true
            }
            _ => false,
        }
    }

    fn match_pnpm12(&mut self, body: &str) -> bool {
        if let Some(c) = PNPM12_CODE.captures(body) {
            self.failure.tool = Some(ClientId::Pnpm);
            self.set_code(&c[1]);
            return true;
        }
        if let Some(c) = PNPM12_FETCH.captures(body) {
            self.failure.tool = Some(ClientId::Pnpm);
            self.set_status(c[2].parse().unwrap_or(0), true);
            self.set_request("GET", &c[1], true);
            self.set_message(without_frame(body));
            return true;
        }
        if let Some(c) = PNPM_PUBLISHING.captures(body) {
            self.failure.tool.get_or_insert(ClientId::Pnpm);
            let s = &mut self.failure.signals;
            s.operation = Operation::Publish;
            s.publish_registry = Some(scrub(&c[2]).into_owned());
            self.failure
                .package
                .get_or_insert_with(|| scrub(&c[1]).into_owned());
            return true;
        }
        if let Some(c) = PNPM12_PUBLISH.captures(body) {
            self.failure.tool = Some(ClientId::Pnpm);
            self.failure.signals.operation = Operation::Publish;
            self.failure
                .package
                .get_or_insert_with(|| scrub(&c[1]).into_owned());
            self.failure.method.get_or_insert_with(|| "PUT".to_owned());
            self.set_status(c[2].parse().unwrap_or(0), true);
            self.set_message(without_frame(body));
            return true;
        }
        if let Some(c) = JSON_ERROR.captures(body.trim()) {
            self.set_server_message_if_none(&c[1]);
            self.match_signals(&c[1]);
            self.match_package_names(&c[1]);
            return true;
        }
        false
    }

    fn match_yarn1(&mut self, body: &str) -> bool {
        if body.contains("No token found and can't prompt for login") {
            // yarn 1 publish without a credential: it asks for a login, as npm's ENEEDAUTH
            self.failure.tool.get_or_insert(ClientId::Yarn1);
            self.failure.signals.need_auth = true;
            self.failure.signals.operation = Operation::Publish;
            self.failure.signals.has_error = true;
            return true;
        }
        let Some(c) = YARN1_ERROR_URL.captures(body) else {
            return false;
        };
        let text = c[2].trim();
        let status = status_from_words(text);
        let auth_words = ANONYMOUS.is_match(text)
            || REJECTED.is_match(text)
            || PERMISSION_PACKAGE.is_match(text);
        if !(auth_words || matches!(status, Some(401 | 403 | 407))) {
            // `Error: <url>: Not found` is a typo or a missing package, not an auth failure
            return false;
        }
        self.failure.tool.get_or_insert(ClientId::Yarn1);
        self.set_request("GET", &c[1], false);
        if let Some(status) = status {
            self.set_status(status, false);
        }
        self.set_server_message_if_none(text);
        self.set_message(
            body.trim_start_matches("error ")
                .trim_start_matches("Error: "),
        );
        self.failure.signals.has_error = true;
        true
    }

    fn match_berry(&mut self, body: &str) -> bool {
        if body.contains("YN0041:") {
            // berry's handleInvalidAuthenticationError handles 401 only (npmHttpUtils.ts)
            self.failure.tool.get_or_insert(ClientId::YarnBerry);
            self.set_status(401, false);
            return false;
        }
        if BERRY_RC_ERROR.is_match(body) {
            self.failure.tool = Some(ClientId::YarnBerry);
            // the variable itself is taken by the shared ENV_UNRESOLVED matcher
            self.match_signals(body);
            return true;
        }
        if let Some(c) = BERRY_VERSION.captures(body) {
            self.failure.tool = Some(ClientId::YarnBerry);
            self.failure.tool_version = Some(c[1].to_owned());
            return true;
        }
        if let Some(c) = BERRY_UNRESOLVED.captures(body) {
            self.failure.tool.get_or_insert(ClientId::YarnBerry);
            self.failure
                .package
                .get_or_insert_with(|| scrub(&c[1]).into_owned());
            return true;
        }
        if let Some(c) = BERRY_REQUEST_URL.captures(body) {
            self.failure.tool.get_or_insert(ClientId::YarnBerry);
            let method = self.failure.method.clone().unwrap_or_else(|| "GET".into());
            self.set_request(&method, &c[1], false);
            return true;
        }
        if let Some(c) = BERRY_REQUEST_METHOD.captures(body) {
            self.failure.method = Some(c[1].to_owned());
            return true;
        }
        false
    }
}

/// pnpm 12 draws its error report in a frame (`  ╰─▶ `, `  × `, `  │ `): the text without it.
fn without_frame(body: &str) -> &str {
    body.trim_start_matches(|c: char| c.is_whitespace() || "╰─▶×│".contains(c))
}
