//! The evidence diagnosis works from, as plain data. Text alone fills `failure` (and `env` from
//! what the text shows); the live stage fills `config` (from the config model, with file:line
//! provenance) and `probes` (read-only npm calls). Rules read whatever slots are filled, so adding
//! live evidence needs no rule rewritten.

use crate::config::clients::{ClientKind, ClientRoute};
pub use crate::config::credential::Field as CredentialField;
pub use crate::config::problems::{NearMissWhy, Problem, ProblemKind};
pub use crate::config::value::Provenance;
use crate::detect::Failure;

/// A setting's value and its provenance (a file:line, an environment variable, the command
/// line, npm's default), as a kind rules decide on; it renders as `source` strings do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub source: Provenance,
}

/// A value and where it came from, for display: a lockfile path, `~/.npmrc:3`, `env:HTTPS_PROXY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub source: String,
}

/// A credential npm would send (or a near miss), never the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialFact {
    /// The config key, e.g. `//npm.pkg.github.com/:_authToken`.
    pub key: String,
    /// `npm-token`, `github-pat`, `basic-auth`, `jwt`, ... (for display)
    pub kind: String,
    /// The credential field the key names (`_authToken`, `_auth`, `username`, ...).
    pub field: CredentialField,
    /// The redacted form (`npm_****ab12`).
    pub redacted: String,
    pub source: String,
    /// From a JWT's `exp` claim when the token is one.
    pub expiry: Option<TokenExpiry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenExpiry {
    pub expired: bool,
    /// RFC 3339 time of expiry.
    pub at: String,
}

/// A credential for the same host that npm will not use for the failing URL, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    pub key: String,
    pub source: String,
    /// Another port, a path that does not cover the URL, a scheme in the key, ...
    pub why: NearMissWhy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarState {
    Set,
    Empty,
    Unset,
}

/// A `${VAR}` used by the credential line, with its state where npm ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableFact {
    pub name: String,
    pub state: VarState,
    /// The `.npmrc` line using it (`/home/u/proj/.npmrc:2`).
    pub source: String,
}

/// What this machine's configuration says about the failing request (filled by the config stage).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFacts {
    /// The default registry and its source.
    pub registry: Option<Setting>,
    /// The registry the failing request went to, as the configuration routes it (used when
    /// the text names no URL).
    pub request_registry: Option<String>,
    /// The failing package's scope registry, when mapped.
    pub scope_registry: Option<Setting>,
    /// The failing package's scope when it has no `@scope:registry` mapping.
    pub unmapped_scope: Option<String>,
    /// The credential npm would attach to the failing URL (None: it sends none).
    pub credential: Option<CredentialFact>,
    pub near_misses: Vec<NearMiss>,
    /// Variables used by the credential line.
    pub variables: Vec<VariableFact>,
    /// Lines npm rejects (top-level `_authToken`, `_auth`, ...): ERR_INVALID_AUTH.
    pub invalid_auth: Vec<Problem>,
    /// Registry settings and credentials for the failing host shadowed by a higher layer.
    pub overridden: Vec<Problem>,
    /// Lockfile `resolved` hosts that have no credential here.
    pub lockfile_hosts_without_credential: Vec<Located<String>>,
    /// `proxy` / `https-proxy` when set.
    pub proxy: Option<Located<String>>,
    /// Files read, in npm's load order.
    pub files_read: Vec<String>,
    /// The registry setting in effect comes from a higher layer than a file that set another
    /// registry, and the shadowed registry is the one with a credential.
    pub registry_override: Option<RegistryOverride>,
    /// Credentials for the failing host in places npm does not read here (a `~/.npmrc` left
    /// behind by `NPM_CONFIG_USERCONFIG`, a skipped project file, a `[section]`).
    pub unread_credentials: Vec<Problem>,
    /// Other registries this configuration holds credentials for (registry URLs).
    pub credential_registries: Vec<String>,
}

/// `registry` (or `@scope:registry`) in effect, and the lower-layer value it hides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryOverride {
    /// `registry` or `@scope:registry`.
    pub key: String,
    /// The value in effect and its source (`env:npm_config_registry`, `cli`, a file:line).
    pub winner: Setting,
    /// The value it hides and its source.
    pub shadowed: Setting,
    /// The hidden registry has a credential while the winning one has none.
    pub shadowed_has_credential: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Answered; for whoami, the user name.
    Ok(String),
    /// The registry refused the credential with this status.
    Rejected(u16),
    /// npm had no credential to send (ENEEDAUTH).
    NotLoggedIn,
    /// A credential was sent and the registry answered without naming a user (Verdaccio's
    /// 200 `{}` for an unknown token): the credential is not recognised.
    NotRecognised,
    /// Timeout, network error, anything else.
    Failed(String),
}

/// One read-only probe's result (filled by the probe stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeFact {
    Whoami {
        registry: String,
        command: String,
        outcome: ProbeOutcome,
    },
    View {
        package: String,
        registry: String,
        command: String,
        /// 200 when the package was readable, else the failing status when npm named one.
        status: Option<u16>,
        /// The latest version, when readable.
        version: Option<String>,
        /// The URL of the failing request, when npm logged one.
        url: Option<String>,
        /// npm's error code when it failed (`E401`, `ECONNREFUSED`, ...).
        code: Option<String>,
        /// True when `registry` is the one the failing request went to (false: another
        /// registry this configuration holds a credential for).
        failing_registry: bool,
    },
    /// `npm view <pkg> versions dist-tags`: is the version a publish sends there already, and
    /// what is published (for a version npm will accept)?
    Versions {
        package: String,
        command: String,
        local_version: Option<String>,
        /// `Some(true)` when `local_version` is already published.
        exists: Option<bool>,
        /// Every published version, as the registry lists them (empty when the probe failed).
        published: Vec<String>,
        /// The `latest` dist-tag, when the registry answered.
        latest: Option<String>,
    },
    /// `npm owner ls <pkg>`: whether the logged-in user maintains it (None: unknown).
    Owners {
        package: String,
        command: String,
        maintainers: Vec<String>,
        user_is_maintainer: Option<bool>,
    },
    /// `npm view <pkg> version` with no credential: 200 (the package exists and is public) or
    /// the failing status (404: absent, or private).
    AnonymousView {
        package: String,
        command: String,
        status: Option<u16>,
        version: Option<String>,
    },
    /// `npm access get status <pkg>` with the user's credential: `Some(true)` public,
    /// `Some(false)` private, `None` with the failing status.
    AccessStatus {
        package: String,
        command: String,
        public: Option<bool>,
        status: Option<u16>,
    },
    /// A probe that did not finish within the budget, or could not start.
    Unanswered { command: String, why: String },
}

impl ProbeFact {
    pub fn command(&self) -> &str {
        match self {
            ProbeFact::Whoami { command, .. }
            | ProbeFact::View { command, .. }
            | ProbeFact::Versions { command, .. }
            | ProbeFact::Owners { command, .. }
            | ProbeFact::AnonymousView { command, .. }
            | ProbeFact::AccessStatus { command, .. }
            | ProbeFact::Unanswered { command, .. } => command,
        }
    }
}

/// The environment the failing command ran in, as far as known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFacts {
    /// A CI system (`github-actions`, ...), from the text or this machine's environment.
    pub ci: Option<String>,
    /// The CI job's identity from its variables (live only: a log from elsewhere has none).
    pub ci_job: Option<super::ci_job::CiJob>,
}

/// Everything diagnosis knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub failure: Failure,
    pub config: Option<ConfigFacts>,
    pub probes: Vec<ProbeFact>,
    pub env: EnvFacts,
    /// The registry kind id (`artifactory`, ...) the organisation's knowledge declares for the
    /// failing registry (`crate::org`); it outranks what the URL suggests.
    pub registry_kind: Option<String>,
    /// The client that failed, whose terms (files, keys, commands) every cause's advice uses.
    pub client: ClientKind,
    /// That client's own route for the failing package (pnpm, yarn), with what it ignored.
    pub client_route: Option<ClientRoute>,
}

impl Facts {
    /// Facts from the text alone.
    pub fn from_failure(failure: Failure) -> Facts {
        let env = EnvFacts {
            ci: failure.signals.ci.clone(),
            ci_job: None,
        };
        Facts {
            client: crate::clients::kind_of_saved(&failure, None),
            failure,
            config: None,
            probes: Vec::new(),
            env,
            registry_kind: None,
            client_route: None,
        }
    }

    pub fn whoami(&self) -> Option<&ProbeOutcome> {
        self.probes.iter().find_map(|p| match p {
            ProbeFact::Whoami { outcome, .. } => Some(outcome),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `explain_text` (and `--eval`) name the client as `regauth explain` does, from the text.
    #[test]
    fn a_text_alone_names_its_client_as_explain_does() {
        let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/clients");
        for (file, kind) in [
            ("pnpm10/token-missing.txt", ClientKind::Pnpm(10)),
            ("pnpm11/token-missing.txt", ClientKind::Pnpm(11)),
            ("pnpm12/token-missing.txt", ClientKind::Pnpm(12)),
            ("yarn4/forbidden.txt", ClientKind::Berry),
        ] {
            let text = std::fs::read_to_string(format!("{data}/{file}")).unwrap();
            let facts = Facts::from_failure(crate::detect::from_text(&text));
            assert_eq!(facts.client, kind, "{file}");
        }
    }
}
