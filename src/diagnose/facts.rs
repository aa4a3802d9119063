//! The evidence diagnosis works from, as plain data. Text alone fills `failure` (and `env` from
//! what the text shows); the live stage fills `config` (from the config model, with file:line
//! provenance) and `probes` (read-only npm calls). Rules read whatever slots are filled, so adding
//! live evidence needs no rule rewritten.

use crate::detect::Failure;

/// A value and where it came from: `~/.npmrc:3`, `env:NPM_CONFIG_REGISTRY`, `cli`, `default`.
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
    /// `npm-token`, `github-pat`, `basic-auth`, `jwt`, ...
    pub kind: String,
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
    /// "different port", "key has a path the URL lacks", "written with http://", ...
    pub why: String,
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
    pub registry: Option<Located<String>>,
    /// The failing package's scope registry, when mapped.
    pub scope_registry: Option<Located<String>>,
    /// The failing package's scope when it has no `@scope:registry` mapping.
    pub unmapped_scope: Option<String>,
    /// The credential npm would attach to the failing URL (None: it sends none).
    pub credential: Option<CredentialFact>,
    pub near_misses: Vec<NearMiss>,
    /// Variables used by the credential line.
    pub variables: Vec<VariableFact>,
    /// Lines npm rejects (top-level `_authToken`, `_auth`, ...) or malformed ones.
    pub invalid_auth: Vec<Located<String>>,
    /// Credentials shadowed by a higher-precedence layer.
    pub overridden: Vec<Located<String>>,
    /// Lockfile `resolved` hosts that have no credential here.
    pub lockfile_hosts_without_credential: Vec<Located<String>>,
    /// `proxy` / `https-proxy` when set.
    pub proxy: Option<Located<String>>,
    /// Files read, in npm's load order.
    pub files_read: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// Answered; for whoami, the user name.
    Ok(String),
    /// The registry refused the credential with this status.
    Rejected(u16),
    /// npm had no credential to send (ENEEDAUTH).
    NotLoggedIn,
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
        status: Option<u16>,
    },
}

impl ProbeFact {
    pub fn command(&self) -> &str {
        match self {
            ProbeFact::Whoami { command, .. } | ProbeFact::View { command, .. } => command,
        }
    }
}

/// The environment the failing command ran in, as far as known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvFacts {
    /// A CI system (`github-actions`, ...), from the text or this machine's environment.
    pub ci: Option<String>,
}

/// Everything diagnosis knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub failure: Failure,
    pub config: Option<ConfigFacts>,
    pub probes: Vec<ProbeFact>,
    pub env: EnvFacts,
}

impl Facts {
    /// Facts from the text alone.
    pub fn from_failure(failure: Failure) -> Facts {
        let env = EnvFacts {
            ci: failure.signals.ci.clone(),
        };
        Facts {
            failure,
            config: None,
            probes: Vec::new(),
            env,
        }
    }

    pub fn whoami(&self) -> Option<&ProbeOutcome> {
        self.probes.iter().find_map(|p| match p {
            ProbeFact::Whoami { outcome, .. } => Some(outcome),
            _ => None,
        })
    }
}
