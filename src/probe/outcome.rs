//! What a probe found, as plain data, and its one-line summary for the report.

use std::time::Duration;

use super::kind::Probe;
use crate::report::ProbeSummary;
use crate::secret::{redact_url, scrub_text};

/// One `npm http fetch GET 401 <url>` line of a probe's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpLine {
    pub method: String,
    pub status: u16,
    pub url: String,
}

/// How npm failed, from its `npm error` lines and the last HTTP line with an error status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NpmError {
    /// `E401`, `E403`, `ENEEDAUTH`, `ECONNREFUSED`, ...
    pub code: Option<String>,
    pub status: Option<u16>,
    pub method: Option<String>,
    pub url: Option<String>,
    /// The registry's message (`user alice is not allowed to access package @team/secret`), or
    /// npm's first error line when the registry said nothing.
    pub message: Option<String>,
}

/// `npm whoami`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whoami {
    /// The registry accepted the credential and named its user.
    Ok(String),
    /// The registry refused the credential (E401, or a 403 some registries give).
    Rejected(NpmError),
    /// ENEEDAUTH. `request_sent`: false when npm found no token at exactly the registry's key
    /// (whoami, unlike requests, does not walk up the path); true when the registry answered
    /// without a username, as Verdaccio does for an unknown token (200 `{}`).
    NeedAuth { request_sent: bool },
    /// Anything else (connection refused, 5xx, ...).
    Other(NpmError),
}

/// `npm view <pkg> version`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Found { version: String },
    Failed(NpmError),
}

/// `npm view <pkg> versions --json`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Versions {
    Listed {
        versions: Vec<String>,
        /// The version of the local package.json, when known.
        local_version: Option<String>,
        /// Whether `local_version` is already published.
        local_published: Option<bool>,
        /// The dist-tags (`latest`, `next`, ...) with their versions, sorted by tag.
        dist_tags: Vec<(String, String)>,
    },
    Failed(NpmError),
}

/// `npm owner ls <pkg>`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owners {
    /// Maintainer names (npm prints `name <email>`; emails are dropped).
    Listed(Vec<String>),
    Failed(NpmError),
}

/// `npm access get status <pkg>`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// `<pkg>: public` or `<pkg>: private`.
    Visibility {
        public: bool,
    },
    Failed(NpmError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Whoami(Whoami),
    View(View),
    Versions(Versions),
    Owners(Owners),
    Access(Access),
    /// Still running at the deadline; it was killed.
    TimedOut,
    /// npm could not be started.
    NotStarted(String),
}

/// One probe's run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    pub probe: Probe,
    /// The command as shown to the user (`Probe::display`).
    pub command: String,
    pub exit_code: Option<i32>,
    pub duration: Duration,
    /// Every HTTP request npm logged, in order.
    pub requests: Vec<HttpLine>,
    pub outcome: Outcome,
}

impl ProbeResult {
    /// One line for the report's `probes` array. Never holds a secret: it passes `sanitize`.
    pub fn summary(&self) -> String {
        sanitize(&self.raw_summary())
    }

    /// The schema-1 `probes` entry.
    pub fn to_report(&self) -> ProbeSummary {
        ProbeSummary {
            command: sanitize(&self.command),
            exit_code: self.exit_code,
            duration_ms: self.duration.as_millis() as u64,
            summary: self.summary(),
        }
    }

    fn raw_summary(&self) -> String {
        match &self.outcome {
            Outcome::Whoami(w) => whoami_summary(w),
            Outcome::View(View::Found { version }) => format!("readable: latest version {version}"),
            Outcome::View(View::Failed(e)) => error_summary(e),
            Outcome::Versions(v) => versions_summary(v),
            Outcome::Owners(Owners::Listed(names)) if names.is_empty() => {
                "no maintainers listed".into()
            }
            Outcome::Owners(Owners::Listed(names)) => format!("maintainers: {}", names.join(", ")),
            Outcome::Owners(Owners::Failed(e)) => error_summary(e),
            Outcome::Access(Access::Visibility { public: true }) => "access status: public".into(),
            Outcome::Access(Access::Visibility { public: false }) => {
                "access status: private".into()
            }
            Outcome::Access(Access::Failed(e)) => error_summary(e),
            Outcome::TimedOut => format!(
                "no answer within {:.1} s; stopped",
                self.duration.as_secs_f64()
            ),
            Outcome::NotStarted(why) => format!("npm could not be started: {why}"),
        }
    }
}

fn whoami_summary(whoami: &Whoami) -> String {
    match whoami {
        Whoami::Ok(user) => format!("logged in as {user}"),
        Whoami::Rejected(e) => format!("credential rejected: {}", error_summary(e)),
        Whoami::NeedAuth { request_sent: true } => {
            "ENEEDAUTH: the registry answered without a user name (token not recognised)".into()
        }
        Whoami::NeedAuth {
            request_sent: false,
        } => "ENEEDAUTH: npm found no token for this registry's exact key; no request sent".into(),
        Whoami::Other(e) => error_summary(e),
    }
}

fn versions_summary(versions: &Versions) -> String {
    match versions {
        Versions::Listed {
            versions,
            local_version,
            local_published,
            dist_tags,
        } => {
            let mut listed = match versions.len() {
                0 => "no versions published".to_string(),
                n if n <= 5 => format!("published: {}", versions.join(", ")),
                n => format!("{n} versions published, last listed {}", versions[n - 1]),
            };
            if let Some((_, latest)) = dist_tags.iter().find(|(tag, _)| tag == "latest") {
                listed.push_str(&format!(" (latest: {latest})"));
            }
            match (local_version, local_published) {
                (Some(v), Some(true)) => format!("{listed}; {v} (package.json) already exists"),
                (Some(v), Some(false)) => format!("{listed}; {v} (package.json) not yet published"),
                _ => listed,
            }
        }
        Versions::Failed(e) => error_summary(e),
    }
}

/// `E403: 403 GET <url> - <message>`, with whatever parts are known.
fn error_summary(e: &NpmError) -> String {
    let mut parts = Vec::new();
    if let Some(status) = e.status {
        parts.push(status.to_string());
    }
    if let Some(method) = &e.method {
        parts.push(method.clone());
    }
    if let Some(url) = &e.url {
        parts.push(url.clone());
    }
    let mut line = e.code.clone().unwrap_or_else(|| "failed".into());
    if !parts.is_empty() {
        line = format!("{line}: {}", parts.join(" "));
    }
    match &e.message {
        Some(m) if !m.is_empty() => format!("{line} - {m}"),
        _ => line,
    }
}

/// A line of probe output made safe to show: token-shaped values scrubbed, and the userinfo of
/// every URL masked (a registry URL's lone `token@` too).
pub fn sanitize(text: &str) -> String {
    redact_url(&scrub_text(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_tokens_and_passwords_in_text() {
        let line = "GET https://u:pw@h/x - bad token npm_CANARYcanaryCANARYcanaryCANARY0001";
        let clean = sanitize(line);
        assert!(
            !clean.contains("CANARY") && !clean.contains(":pw@"),
            "{clean}"
        );
        assert!(clean.contains("npm_****0001"));
        assert_eq!(sanitize("https://TOKEN@h/u/"), "https://***@h/u/");
    }
}
