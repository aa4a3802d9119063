//! The probe stage's input: plain data the integration fills from the shim's run, the config
//! model and the detected failure. Nothing here depends on `config` or `detect`.

use std::ffi::OsString;
use std::path::PathBuf;

/// The kind of credential npm's config holds for the registry the failing request went to.
///
/// It decides whether `npm whoami` can prove anything: npm answers `username`/`_password` and
/// `_auth` from the config without a request (npm/cli `lib/utils/get-identity.js`), so only a
/// token or a client certificate makes whoami ask the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// `//host/:_authToken`
    Token,
    /// `//host/:certfile` + `//host/:keyfile`
    ClientCert,
    /// `//host/:username` + `//host/:_password`
    Basic,
    /// `//host/:_auth` (base64 `user:pass`)
    LegacyAuth,
}

impl CredentialKind {
    /// True when `npm whoami` sends a request for this credential (and so can be refused).
    pub(crate) fn whoami_asks_registry(self) -> bool {
        matches!(self, CredentialKind::Token | CredentialKind::ClientCert)
    }
}

/// Everything the planner and runner need to know about one failed npm call.
#[derive(Debug, Clone, Default)]
pub struct ProbeRequest {
    /// The real npm binary (never regauth's shim, so probes cannot recurse into regauth).
    pub npm: PathBuf,
    /// Where the user ran npm; probes run there too, so the project `.npmrc` applies.
    pub cwd: PathBuf,
    /// The user's environment as the shim saw it; probes get exactly this (plus `extra_env`).
    pub env: Vec<(OsString, OsString)>,
    /// Variables added to every probe's environment, e.g. the shim's nesting marker.
    pub extra_env: Vec<(OsString, OsString)>,
    /// The user's npm arguments (after `npm`). Only classified, never repeated.
    pub command: Vec<String>,
    /// npm's error code of the failure (`E401`, `ENEEDAUTH`, `ERR_INVALID_AUTH`, ...).
    pub failure_code: Option<String>,
    /// The URL of the failing request, when known.
    pub failing_url: Option<String>,
    /// The package the failing request was about (a name or a spec such as `@priv/lib@^1`).
    pub package: Option<String>,
    /// The registry the failing request went to (`http://127.0.0.1:4873/`).
    pub registry: Option<String>,
    /// The credential npm's config holds for `registry`, if any.
    pub credential: Option<CredentialKind>,
    /// Other registries the package may live on (typically those the config holds credentials
    /// for). A read failure's package is also viewed there, which proves a missing or wrong
    /// `@scope:registry` or a token keyed to another host. At most `MAX_OTHER_REGISTRIES` are
    /// asked.
    pub other_registries: Vec<String>,
}

/// How many of `ProbeRequest::other_registries` a plan asks, to bound the processes started.
pub const MAX_OTHER_REGISTRIES: usize = 2;
