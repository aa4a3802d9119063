//! The closed set of probes: each is a read-only npm subcommand, and its command line is built
//! here and only here. No variant can express a write, and `is_read_only` checks every built
//! command line against the whitelist.

use crate::secret::redact_url;

/// The npm subcommands a probe may run, with the action for commands that also write
/// (`owner ls` but never `owner add`).
pub const READ_ONLY_SUBCOMMANDS: &[&[&str]] = &[
    &["whoami"],
    &["view"],
    &["owner", "ls"],
    &["access", "get", "status"],
];

/// The user config file the anonymous view reads (empty), and the global one (absent): neither
/// can hold a credential.
const NO_USERCONFIG: &str = "/dev/null";
const NO_GLOBALCONFIG: &str = "/nonexistent/regauth-anonymous-probe/npmrc";

/// The only settings of the user's that reach the anonymous view: how to connect, never what to
/// send (no registry, config file, credential or client certificate).
const ANONYMOUS_KEEPS: &[&str] = &[
    "cafile",
    "ca",
    "strict-ssl",
    "proxy",
    "https-proxy",
    "noproxy",
    "local-address",
];

/// One read-only question for npm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeKind {
    /// `npm whoami`: is the credential for the registry valid, and whose is it?
    Whoami,
    /// `npm view <pkg> version --loglevel=http`: the exact status and URL of a read with the
    /// user's credentials.
    ViewVersion { package: String },
    /// `npm view <pkg> versions dist-tags --json`: is the version a publish would send already
    /// there, and which versions and tags are (for a version npm will accept)?
    ViewVersions {
        package: String,
        local_version: Option<String>,
    },
    /// `npm owner ls <pkg>`: who maintains the package?
    OwnerLs { package: String },
    /// `npm view <pkg> version` with no credential at all (no config file but the registry
    /// given): does the package exist and is it public (200), or is it absent or private (404)?
    AnonymousView { package: String },
    /// `npm access get status <pkg>` (npm 11/12, libnpmaccess `getVisibility`: a GET of
    /// `/-/package/<pkg>/visibility`) with the user's credential: public, private, or 404.
    AccessStatus { package: String },
}

/// A planned probe: the question and the registry it is asked of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub kind: ProbeKind,
    /// Passed to npm through the probe's environment (`config_overrides`), never on the command
    /// line: a registry URL can carry `user:pass@` or a token in its path. `None` leaves npm's
    /// own routing.
    pub registry: Option<String>,
}

/// Options every probe gets, after its subcommand.
/// - `--fetch-retries=0`: a refused connection would otherwise be retried for about 70 s.
/// - `--no-update-notifier`: no extra request for npm's own latest version.
/// - `--color=false`: plain text to parse even if the user forces colour.
/// - `--loglevel=http`: the `npm http fetch GET 401 <url>` lines on stderr.
/// - `--logs-max=0`: no debug log file (the runner adds `--logs-dir`, see `run::logs_option`).
const COMMON_OPTIONS: &[&str] = &[
    "--fetch-retries=0",
    "--no-update-notifier",
    "--color=false",
    "--loglevel=http",
    "--logs-max=0",
];

impl ProbeKind {
    /// The subcommand and its operands (`["owner", "ls", "pkg"]`).
    fn operands(&self) -> Vec<String> {
        let words: Vec<&str> = match self {
            ProbeKind::Whoami => vec!["whoami"],
            ProbeKind::ViewVersion { package } => vec!["view", package, "version"],
            ProbeKind::ViewVersions { package, .. } => {
                vec!["view", package, "versions", "dist-tags"]
            }
            ProbeKind::OwnerLs { package } => vec!["owner", "ls", package],
            ProbeKind::AnonymousView { package } => vec!["view", package, "version"],
            ProbeKind::AccessStatus { package } => vec!["access", "get", "status", package],
        };
        words.into_iter().map(String::from).collect()
    }

    /// Options specific to this probe. `--json=false` undoes a user's `json=true`, which would
    /// change the output shape.
    fn own_options(&self) -> &'static [&'static str] {
        match self {
            ProbeKind::ViewVersion { .. } | ProbeKind::AnonymousView { .. } => {
                &["--prefer-online", "--json=false"]
            }
            ProbeKind::ViewVersions { .. } => &["--prefer-online", "--json"],
            ProbeKind::Whoami => &["--prefer-online", "--json=false"],
            ProbeKind::OwnerLs { .. } | ProbeKind::AccessStatus { .. } => &["--json=false"],
        }
    }

    /// A short name for the kind (`whoami`, `view-version`, ...).
    pub fn label(&self) -> &'static str {
        match self {
            ProbeKind::Whoami => "whoami",
            ProbeKind::ViewVersion { .. } => "view-version",
            ProbeKind::ViewVersions { .. } => "view-versions",
            ProbeKind::OwnerLs { .. } => "owner-ls",
            ProbeKind::AnonymousView { .. } => "anonymous-view",
            ProbeKind::AccessStatus { .. } => "access-status",
        }
    }
}

impl Probe {
    /// npm's arguments for this probe, except the run-specific `--logs-dir` and
    /// `--fetch-timeout` the runner appends. Holds no URL and no credential.
    pub fn args(&self) -> Vec<String> {
        let mut args = self.kind.operands();
        args.extend(
            COMMON_OPTIONS
                .iter()
                .chain(self.kind.own_options())
                .map(|s| s.to_string()),
        );
        args
    }

    /// The package this probe asks about, if any.
    pub(crate) fn package(&self) -> Option<&str> {
        match &self.kind {
            ProbeKind::Whoami => None,
            ProbeKind::ViewVersion { package }
            | ProbeKind::ViewVersions { package, .. }
            | ProbeKind::OwnerLs { package }
            | ProbeKind::AnonymousView { package }
            | ProbeKind::AccessStatus { package } => Some(package),
        }
    }

    fn is_anonymous(&self) -> bool {
        matches!(self.kind, ProbeKind::AnonymousView { .. })
    }

    /// Whether a config key the user set (in the environment or on npm's command line) may
    /// reach this probe: every key does, except for the anonymous view, which keeps only how to
    /// connect, so that no credential can be sent.
    pub(crate) fn keeps_config(&self, key: &str) -> bool {
        !self.is_anonymous() || ANONYMOUS_KEEPS.contains(&key)
    }

    /// The config keys that send this probe to `registry`: `registry`, and for a scoped package
    /// also `@scope:registry`, since a scope mapping would otherwise win over `registry`.
    pub(crate) fn config_overrides(&self) -> Vec<(String, String)> {
        let Some(registry) = &self.registry else {
            return Vec::new();
        };
        // a URL's `user:pass@` is a credential too
        let registry = match self.is_anonymous() {
            true => without_userinfo(registry),
            false => registry.clone(),
        };
        let mut overrides = vec![("registry".to_string(), registry.clone())];
        if let Some(scope) = self.scope() {
            overrides.push((format!("{scope}:registry"), registry));
        }
        if self.is_anonymous() {
            // no config file that could hold a credential: an empty user config, no global
            // config, and global mode, in which npm skips the project `.npmrc`
            overrides.extend([
                ("userconfig".to_string(), NO_USERCONFIG.to_string()),
                ("globalconfig".to_string(), NO_GLOBALCONFIG.to_string()),
                ("global".to_string(), "true".to_string()),
            ]);
        }
        overrides
    }

    fn scope(&self) -> Option<&str> {
        self.package()
            .filter(|p| p.starts_with('@'))
            .and_then(|p| p.split('/').next())
    }

    /// The command as shown to the user: an equivalent command they can run themselves, with
    /// any password in the registry URL masked.
    pub fn display(&self) -> String {
        let mut words = vec!["npm".to_string()];
        words.extend(self.kind.operands());
        if matches!(self.kind, ProbeKind::ViewVersions { .. }) {
            words.push("--json".into());
        }
        if let Some(registry) = &self.registry {
            match self.scope() {
                Some(scope) => words.push(format!("--{scope}:registry")),
                None => words.push("--registry".into()),
            }
            match self.is_anonymous() {
                true => words.push(without_userinfo(registry)),
                false => words.push(redact_url(registry)),
            }
        }
        if matches!(self.kind, ProbeKind::ViewVersion { .. }) {
            words.push("--loglevel=http".into());
        }
        if self.is_anonymous() {
            words.extend(["-g".into(), format!("--userconfig={NO_USERCONFIG}")]);
        }
        words.join(" ")
    }
}

/// The URL without its `user:pass@` (unchanged when it has none or does not parse).
fn without_userinfo(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// True when `args` starts with a whitelisted read-only subcommand.
pub fn is_read_only(args: &[String]) -> bool {
    READ_ONLY_SUBCOMMANDS
        .iter()
        .any(|allowed| allowed.len() <= args.len() && allowed.iter().zip(args).all(|(a, b)| a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Vec<ProbeKind> {
        let package = "@priv/lib".to_string();
        vec![
            ProbeKind::Whoami,
            ProbeKind::ViewVersion {
                package: package.clone(),
            },
            ProbeKind::ViewVersions {
                package: package.clone(),
                local_version: Some("1.0.0".into()),
            },
            ProbeKind::OwnerLs {
                package: package.clone(),
            },
            ProbeKind::AnonymousView {
                package: package.clone(),
            },
            ProbeKind::AccessStatus { package },
        ]
    }

    #[test]
    fn every_kind_is_read_only_and_retry_free() {
        for kind in all_kinds() {
            let args = Probe {
                kind,
                registry: None,
            }
            .args();
            assert!(is_read_only(&args), "{args:?}");
            assert!(args.contains(&"--fetch-retries=0".to_string()));
        }
    }

    #[test]
    fn whitelist_refuses_writes() {
        let refuse = |s: &str| !is_read_only(&s.split(' ').map(String::from).collect::<Vec<_>>());
        assert!(refuse("owner add bob x"));
        assert!(refuse("publish"));
        assert!(refuse("owner"));
        assert!(!refuse("owner ls x"));
        assert!(refuse("access set status=public x"));
        assert!(refuse("access grant read-write @o:t x"));
        assert!(!refuse("access get status x"));
    }

    #[test]
    fn the_anonymous_view_reads_no_config_that_could_hold_a_credential() {
        let probe = Probe {
            kind: ProbeKind::AnonymousView {
                package: "@priv/lib".into(),
            },
            registry: Some("https://me:s3cretPW@127.0.0.1:4873/".into()),
        };
        let overrides = probe.config_overrides();
        let get = |key: &str| {
            overrides
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("registry"), Some("https://127.0.0.1:4873/"));
        assert_eq!(get("@priv:registry"), Some("https://127.0.0.1:4873/"));
        assert_eq!(get("userconfig"), Some(NO_USERCONFIG));
        assert_eq!(get("globalconfig"), Some(NO_GLOBALCONFIG));
        assert_eq!(get("global"), Some("true"));
        for key in [
            "//127.0.0.1:4873/:_authToken",
            "registry",
            "userconfig",
            "cert",
        ] {
            assert!(!probe.keeps_config(key), "{key}");
        }
        assert!(probe.keeps_config("https-proxy"));
        assert_eq!(
            probe.display(),
            "npm view @priv/lib version --@priv:registry https://127.0.0.1:4873/ -g --userconfig=/dev/null"
        );
    }

    #[test]
    fn scoped_packages_are_routed_by_their_scope_key_too() {
        let probe = Probe {
            kind: ProbeKind::ViewVersion {
                package: "@priv/lib".into(),
            },
            registry: Some("http://127.0.0.1:4873/".into()),
        };
        let keys: Vec<String> = probe
            .config_overrides()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["registry", "@priv:registry"]);
        assert_eq!(
            probe.display(),
            "npm view @priv/lib version --@priv:registry http://127.0.0.1:4873/ --loglevel=http"
        );
    }

    #[test]
    fn registry_never_on_the_command_line_but_shown_masked() {
        let probe = Probe {
            kind: ProbeKind::Whoami,
            registry: Some("https://me:s3cretPW@127.0.0.1:4873/".into()),
        };
        assert!(probe.args().iter().all(|a| !a.contains("127.0.0.1")));
        assert_eq!(
            probe.display(),
            "npm whoami --registry https://me:***@127.0.0.1:4873/"
        );
    }
}
