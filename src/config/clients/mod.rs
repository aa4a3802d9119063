//! What pnpm 10/11/12, yarn 1 and yarn berry (and npm, for comparison) send for a package's
//! metadata request: the registry, the credential key (with file:line) or why none, and the
//! settings the client reads but ignores. Each client's rules come from its source and from
//! runs against Verdaccio (tests/data/clients/README.md): `npmrc_clients` for the `.npmrc`
//! readers, `berry` with `yarnrc` for `.yarnrc.yml`.

pub mod berry;
pub mod npmrc_clients;
pub mod yarnrc;

use serde::Serialize;

use super::{LoadContext, Provenance};

/// A package manager whose configuration regauth models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientKind {
    #[default]
    Npm,
    /// pnpm by major version: 10 reads `npm_config_*`; 11 and 12 read `pnpm_config_*` and auth.ini.
    Pnpm(u32),
    Yarn1,
    Berry,
}

impl ClientKind {
    /// `npm`, `pnpm 11`, `yarn 1`, `yarn berry`.
    pub fn label(self) -> String {
        match self {
            ClientKind::Npm => "npm".into(),
            ClientKind::Pnpm(major) => format!("pnpm {major}"),
            ClientKind::Yarn1 => "yarn 1".into(),
            ClientKind::Berry => "yarn berry".into(),
        }
    }

    /// From `packageManager` text (`pnpm@11.2.0`, `yarn@4.1.0+sha...`, `npm@12.0.0`).
    pub fn from_package_manager(spec: &str) -> Option<ClientKind> {
        let (name, version) = spec.trim().split_once('@')?;
        let major: u32 = version.split(['.', '+', '-']).next()?.parse().ok()?;
        match name {
            "npm" => Some(ClientKind::Npm),
            "pnpm" => Some(ClientKind::Pnpm(major)),
            "yarn" if major <= 1 => Some(ClientKind::Yarn1),
            "yarn" => Some(ClientKind::Berry),
            _ => None,
        }
    }
}

/// A credential the client sends, by key and place (never its value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentCredential {
    /// `//127.0.0.1:4873/:_authToken`, or berry's `npmRegistries["//host"].npmAuthToken`.
    pub key: String,
    pub source: Provenance,
    /// `Bearer` or `Basic`.
    pub header: &'static str,
    /// Safe to print: at most a kind prefix and the last 4 characters.
    pub redacted: String,
    /// pnpm sends it empty (`Authorization: Bearer `): its `${VAR}` is unset or empty.
    pub empty: bool,
}

/// Why the client leaves a setting out, though the file has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IgnoredBecause {
    /// pnpm: `${VAR}` in a credential of the project `.npmrc` is never expanded.
    ProjectVariableCredential { variable: String },
    /// pnpm 10/11: `${VAR}` in a registry URL of the project `.npmrc` is never expanded: the
    /// key is dropped ("Ignored project-level request destination"; pnpm 12 stops instead).
    ProjectVariableRegistry { variable: String },
    /// pnpm 11: `${VAR}` unset or empty: the key is dropped ("Failed to replace env").
    VariableNotReplaced { variable: String },
    /// pnpm 10: one unset `${VAR}` drops the whole file, its registry lines too.
    FileDroppedForVariable { variable: String },
    /// pnpm 11/12 read `pnpm_config_*`, not `npm_config_*`.
    NpmConfigEnvIgnored,
    /// yarn berry never reads `.npmrc`.
    NpmrcNotRead,
}

impl IgnoredBecause {
    /// One sentence, for people.
    pub fn sentence(&self, client: ClientKind) -> String {
        let who = client.label();
        match self {
            IgnoredBecause::ProjectVariableCredential { variable } => format!(
                "{who} does not expand ${{{variable}}} in a credential of the project .npmrc; move the line to ~/.npmrc"
            ),
            IgnoredBecause::ProjectVariableRegistry { variable } => format!(
                "{who} does not expand ${{{variable}}} in a registry URL of the project .npmrc; write the URL literally or move the line to ~/.npmrc"
            ),
            IgnoredBecause::VariableNotReplaced { variable } => {
                format!("{who} drops this key: ${{{variable}}} is unset or empty where it ran")
            }
            IgnoredBecause::FileDroppedForVariable { variable } => {
                format!("{who} ignores this whole file: ${{{variable}}} in it is unset")
            }
            IgnoredBecause::NpmConfigEnvIgnored => {
                format!("{who} ignores npm_config_* variables; use pnpm_config_* instead")
            }
            IgnoredBecause::NpmrcNotRead => {
                format!("{who} ignores .npmrc; set it in .yarnrc.yml")
            }
        }
    }
}

/// A setting the client read and left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub key: String,
    pub source: Provenance,
    pub because: IgnoredBecause,
}

/// Where a client sends a package's metadata request, and with which credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientRoute {
    pub client: ClientKind,
    pub package: String,
    /// The registry (normalised with a trailing slash) and the setting that chose it.
    pub registry: String,
    pub registry_source: Provenance,
    /// The setting names a user edits to change the registry (`@priv:registry`,
    /// `npmScopes.priv.npmRegistryServer`).
    pub registry_key: String,
    pub url: String,
    pub credential: Option<SentCredential>,
    /// Why nothing is sent, when nothing is.
    pub no_credential_because: Option<String>,
    /// The client stops before any request (yarn 1 / berry with an unset `${VAR}`).
    pub fatal: Option<String>,
    pub ignored: Vec<Ignored>,
}

/// The route `client` takes for `package` in `ctx` (cwd, environment).
pub fn route_package(client: ClientKind, ctx: &LoadContext, package: &str) -> ClientRoute {
    match client {
        ClientKind::Berry => berry::route_package(ctx, package),
        _ => npmrc_clients::route_package(client, ctx, package),
    }
}

/// The client a project uses: `packageManager` in the nearest package.json, else its lockfile
/// (`pnpm-lock.yaml`, `yarn.lock` with or without berry's `__metadata`), else npm.
pub fn detect_client(cwd: &std::path::Path) -> ClientKind {
    for dir in cwd.ancestors() {
        if let Some(kind) = std::fs::read_to_string(dir.join("package.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .and_then(|j| j.get("packageManager")?.as_str().map(str::to_owned))
            .and_then(|s| ClientKind::from_package_manager(&s))
        {
            return kind;
        }
        if dir.join("pnpm-lock.yaml").is_file() {
            return ClientKind::Pnpm(lockfile_pnpm_major(&dir.join("pnpm-lock.yaml")));
        }
        if let Some(berry) = super::lockfile::yarn_lock_is_berry(&dir.join("yarn.lock")) {
            return if berry {
                ClientKind::Berry
            } else {
                ClientKind::Yarn1
            };
        }
        if dir.join("package-lock.json").is_file() {
            return ClientKind::Npm;
        }
    }
    ClientKind::Npm
}

/// pnpm's lockfile says only its format (`lockfileVersion: '9.0'`), shared by pnpm 9 to 12:
/// the current major is assumed.
fn lockfile_pnpm_major(_lockfile: &std::path::Path) -> u32 {
    12
}

/// `registry` with exactly one trailing slash.
pub(crate) fn with_slash(url: &str) -> String {
    format!("{}/", url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_manager_field_names_the_client() {
        assert_eq!(
            ClientKind::from_package_manager("pnpm@11.5.3"),
            Some(ClientKind::Pnpm(11))
        );
        assert_eq!(
            ClientKind::from_package_manager("yarn@1.22.22"),
            Some(ClientKind::Yarn1)
        );
        assert_eq!(
            ClientKind::from_package_manager("yarn@4.18.1+sha512.abc"),
            Some(ClientKind::Berry)
        );
        assert_eq!(
            ClientKind::from_package_manager("npm@12.2.2"),
            Some(ClientKind::Npm)
        );
        assert_eq!(ClientKind::from_package_manager("bun@1.2.0"), None);
        assert_eq!(ClientKind::from_package_manager("pnpm"), None);
    }
}
