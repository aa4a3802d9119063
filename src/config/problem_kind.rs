//! The configuration problem types: a kind with its key, variable, provenance and reason, never a sentence (`crate::diagnose::problem_text` words them).

use std::path::PathBuf;

use crate::config::expand::VarState;
use crate::config::value::{Layer, Provenance};

/// One finding: what is wrong, as data, and the setting it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Renders as `file:line`, `env:NAME`, `cli` or `default`; null when not tied to a setting.
    pub source: Option<Provenance>,
}

impl Problem {
    /// The taxonomy cause id (docs/taxonomy.md) this kind of problem leads to.
    pub fn id(&self) -> &'static str {
        self.kind.cause_id()
    }
}

/// What is wrong. Keys and URLs are as written (user info hidden); no field is a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A top-level auth key in a file npm validates: every command stops with ERR_INVALID_AUTH.
    LegacyTopLevel {
        key: String,
        layer: Layer,
        fix: LegacyFix,
    },
    /// `always-auth` (or `//host/:always-auth`), which npm no longer reads.
    AlwaysAuth { key: String },
    /// A registry or credential setting uses a variable that is unset or empty.
    VariableUnusable {
        key: String,
        variable: String,
        state: VarState,
        effect: VariableEffect,
    },
    /// A credential that is empty without any variable.
    EmptyCredential { key: String },
    /// A credential that is a JWT past its expiry (`detail` says when).
    ExpiredJwt { key: String, detail: String },
    /// A credential key that almost covers a registry that has none.
    NearMiss {
        key: String,
        /// `registry` or `@scope:registry`.
        setting: String,
        registry: String,
        why: NearMissWhy,
    },
    /// A registry setting npm keeps though it is no usable URL: its requests stop before any
    /// is sent (ERR_INVALID_URL, or "Only HTTP(S) protocols are supported").
    RegistryUnusable {
        setting: String,
        shown: String,
        why: UnusableWhy,
    },
    /// A config file loaded as a second layer (`globalconfig` or `userconfig` naming a file npm
    /// already loaded): npm aborts every command with "double-loading config".
    DoubleLoaded {
        path: PathBuf,
        layer: Layer,
        previous: Layer,
    },
    /// A registry URL of a shape its kind never has.
    RegistryShape {
        setting: String,
        shown: String,
        why: ShapeWhy,
    },
    /// A credential in `~/.npmrc` while npm reads the user config from elsewhere.
    MovedUserconfig {
        key: String,
        home_npmrc: PathBuf,
        userconfig: String,
        set_by: Provenance,
    },
    /// A credential or registry setting in a project file npm skips here.
    SkippedFile {
        key: String,
        path: PathBuf,
        /// The config loader's reason for skipping the file.
        reason: String,
    },
    /// A setting hidden by the same key in a higher layer.
    Overridden { key: String, by: Provenance },
    /// A setting inside an ini `[section]`, which npm ignores.
    InSection { key: String, section: String },
    /// A lockfile pinning packages to a host that is not a configured registry.
    LockfilePinned {
        lockfile: PathBuf,
        count: usize,
        origin: String,
        /// The credential key npm would send there, if any.
        sent_key: Option<String>,
    },
    /// A scoped package going to the default registry while a credential exists elsewhere.
    UnmappedScope {
        package: String,
        scope: String,
        registry: String,
        other_key: String,
    },
}

/// How to repair a legacy top-level auth key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegacyFix {
    Delete,
    /// `username` without `_password` or the reverse.
    DeleteLonePartner,
    RenameTo(String),
}

/// What an unset or empty variable does to the setting using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableEffect {
    /// npm sends the literal `${VAR}` as the credential.
    LiteralCredential,
    /// npm uses the literal text as a registry URL.
    LiteralUrl,
    /// The credential is empty: nothing is sent.
    EmptyCredential,
    /// The setting is empty: npm ignores it.
    EmptySetting,
    PartEmpty,
}

/// Why a credential key does not cover the registry it was probably meant for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NearMissWhy {
    /// The key starts with `http://` or `https://`.
    SchemeInKey,
    /// The key lacks the leading `//`.
    NoLeadingSlashes,
    OtherPort {
        key_host: String,
        registry_host: String,
    },
    /// `localhost` vs `127.0.0.1`: one server, two keys to npm.
    LoopbackAlias {
        key_host: String,
        registry_host: String,
    },
    PathDeeper {
        key_path: String,
        registry_path: String,
    },
    PathElsewhere {
        key_path: String,
        registry_path: String,
    },
}

/// Why npm cannot send a request to a registry setting's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnusableWhy {
    /// No absolute URL (`registry=`, `${UNSET}`, quotes kept, no scheme): ERR_INVALID_URL.
    InvalidUrl,
    /// A URL of another scheme (`localhost:4873` reads as scheme `localhost:`).
    NotHttp { scheme: String },
}

/// Why a registry URL cannot be right for its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShapeWhy {
    HttpsOnly { host: String },
    ArtifactoryPath,
    GitlabPath,
    AzurePath,
}

impl ProblemKind {
    pub fn cause_id(&self) -> &'static str {
        match self {
            ProblemKind::VariableUnusable { .. } => "token-env-unset",
            ProblemKind::EmptyCredential { .. } => "token-missing",
            ProblemKind::ExpiredJwt { .. } => "token-invalid-or-expired",
            ProblemKind::NearMiss { .. } => "token-wrong-host",
            ProblemKind::LockfilePinned { .. } => "lockfile-registry-mismatch",
            ProblemKind::UnmappedScope { .. } => "scope-not-mapped",
            ProblemKind::LegacyTopLevel { .. }
            | ProblemKind::AlwaysAuth { .. }
            | ProblemKind::RegistryUnusable { .. }
            | ProblemKind::DoubleLoaded { .. }
            | ProblemKind::RegistryShape { .. }
            | ProblemKind::MovedUserconfig { .. }
            | ProblemKind::SkippedFile { .. }
            | ProblemKind::Overridden { .. }
            | ProblemKind::InSection { .. } => "npmrc-misconfig",
        }
    }

    /// The config key the problem is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            ProblemKind::LegacyTopLevel { key, .. }
            | ProblemKind::AlwaysAuth { key }
            | ProblemKind::VariableUnusable { key, .. }
            | ProblemKind::EmptyCredential { key }
            | ProblemKind::ExpiredJwt { key, .. }
            | ProblemKind::NearMiss { key, .. }
            | ProblemKind::MovedUserconfig { key, .. }
            | ProblemKind::SkippedFile { key, .. }
            | ProblemKind::Overridden { key, .. }
            | ProblemKind::InSection { key, .. } => Some(key),
            ProblemKind::RegistryUnusable { setting, .. }
            | ProblemKind::RegistryShape { setting, .. } => Some(setting),
            ProblemKind::LockfilePinned { .. }
            | ProblemKind::UnmappedScope { .. }
            | ProblemKind::DoubleLoaded { .. } => None,
        }
    }

    /// npm stops every command over it (ERR_INVALID_AUTH).
    pub fn stops_npm(&self) -> bool {
        matches!(self, ProblemKind::LegacyTopLevel { .. })
    }

    /// npm stops before sending any request over it (for every command, or for every request
    /// to that registry), so no registry answer is to be explained.
    pub fn stops_before_requests(&self) -> bool {
        matches!(
            self,
            ProblemKind::RegistryUnusable { .. } | ProblemKind::DoubleLoaded { .. }
        )
    }

    /// A credential that sits where npm does not read it.
    pub fn is_unread_credential(&self) -> bool {
        matches!(
            self,
            ProblemKind::MovedUserconfig { .. }
                | ProblemKind::SkippedFile { .. }
                | ProblemKind::InSection { .. }
        )
    }
}
