//! Problems regauth finds in the configuration on its own, as typed facts (a kind with its key, variable, provenance and reason, and the file:line it is about), never sentences: `crate::diagnose::problem_text` words them.
//!
//! Legacy top-level auth keys (npm's ERR_INVALID_AUTH), keys npm no longer reads, credentials
//! using unset or empty variables, near-miss credential keys, registry URLs that cannot work,
//! values overridden by a higher layer, a moved userconfig that strands `~/.npmrc`'s
//! credentials, and lockfiles pinned to other hosts.

pub use crate::config::near_miss::near_miss;
pub use crate::config::problem_kind::{
    LegacyFix, NearMissWhy, Problem, ProblemKind, ShapeWhy, UnusableWhy, VariableEffect,
};

use crate::config::credential::{split_key, Credential, Kind};
use crate::config::expand::VarState;
use crate::config::lockfile::Lockfile;
use crate::config::route::nerf_dart;
use crate::config::value::{Layer, Provenance, Value};
use crate::config::{ini, Config};
use crate::secret::hide_userinfo;

pub(super) fn problem(kind: ProblemKind, source: Option<Provenance>) -> Problem {
    Problem { kind, source }
}

/// All configuration problems, most serious kinds first.
pub fn find(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    out.extend(double_loaded(config));
    out.extend(legacy_auth(config));
    out.extend(variable_problems(config));
    out.extend(credential_values(config));
    out.extend(crate::config::near_miss::near_misses(config));
    out.extend(registry_urls(config));
    out.extend(moved_userconfig(config));
    out.extend(skipped_files(config));
    out.extend(overridden(config));
    out.extend(ignored_keys(config));
    out
}

/// npm's `validate()`: top-level auth keys in the global, user or project file stop every npm
/// command except `npm config` with ERR_INVALID_AUTH.
fn legacy_auth(config: &Config) -> Vec<Problem> {
    let nerfed = nerf_dart(&config.default_registry().0).unwrap_or_default();
    let mut out = Vec::new();
    for layer in [Layer::Global, Layer::User, Layer::Project] {
        let Some(data) = config.layers().data.get(&layer) else {
            continue;
        };
        let truthy = |k: &str| data.get(k).filter(|v| v.is_truthy());
        let legacy = |key: &str, fix: LegacyFix| ProblemKind::LegacyTopLevel {
            key: key.to_owned(),
            layer,
            fix,
        };
        for key in ["_authtoken", "-authtoken"] {
            if let Some(v) = truthy(key) {
                let kind = legacy(key, LegacyFix::Delete);
                out.push(problem(kind, Some(v.provenance.clone())));
            }
        }
        for key in ["_auth", "_authToken", "username", "_password"] {
            let Some(v) = truthy(key) else { continue };
            let lone = (key == "username" && truthy("_password").is_none())
                || (key == "_password" && truthy("username").is_none());
            let fix = if lone {
                LegacyFix::DeleteLonePartner
            } else {
                LegacyFix::RenameTo(format!("{nerfed}:{key}"))
            };
            out.push(problem(legacy(key, fix), Some(v.provenance.clone())));
        }
    }
    for value in
        all_values(config).filter(|v| v.key == "always-auth" || v.key.ends_with(":always-auth"))
    {
        let kind = ProblemKind::AlwaysAuth {
            key: value.key.clone(),
        };
        out.push(problem(kind, Some(value.provenance.clone())));
    }
    out
}

pub(super) fn all_values(config: &Config) -> impl Iterator<Item = &Value> {
    config.layers().data.values().flat_map(|d| d.values())
}

fn is_registry_key(key: &str) -> bool {
    key == "registry" || (key.starts_with('@') && key.ends_with(":registry"))
}

/// Effective registry and credential settings whose key or value uses an unset/empty variable.
fn variable_problems(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut keys: Vec<&String> = config
        .layers()
        .data
        .values()
        .flat_map(|d| d.keys())
        .collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let Some(value) = config.get(key) else {
            continue;
        };
        let is_credential = split_key(key).is_some();
        if !is_credential && !is_registry_key(key) {
            continue;
        }
        for var in &value.variables {
            let effect = match (var.state, var.optional, is_credential) {
                (VarState::Set, _, _) => continue,
                (VarState::Unset, false, true)
                    if value
                        .expanded
                        .expose()
                        .contains(&format!("${{{}}}", var.name)) =>
                {
                    VariableEffect::LiteralCredential
                }
                (VarState::Unset, false, false) => VariableEffect::LiteralUrl,
                (_, _, true) if !value.is_truthy() => VariableEffect::EmptyCredential,
                (_, _, _) if !value.is_truthy() => VariableEffect::EmptySetting,
                _ => VariableEffect::PartEmpty,
            };
            let kind = ProblemKind::VariableUnusable {
                key: value.raw_key.clone(),
                variable: var.name.clone(),
                state: var.state,
                effect,
            };
            out.push(problem(kind, Some(value.provenance.clone())));
        }
    }
    out
}

/// Empty credentials without variables, and expired JWTs.
fn credential_values(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    for c in config.credentials() {
        if c.kind == Kind::Empty && c.variables.is_empty() {
            let kind = ProblemKind::EmptyCredential { key: c.key.clone() };
            out.push(problem(kind, Some(c.source.clone())));
        }
        if c.jwt.as_ref().is_some_and(|j| j.expired) {
            let kind = ProblemKind::ExpiredJwt {
                key: c.key.clone(),
                detail: c.detail.clone().unwrap_or_default(),
            };
            out.push(problem(kind, Some(c.source.clone())));
        }
    }
    out
}

/// The registries npm will talk to: the default one and every scope's.
pub(super) fn registries(config: &Config) -> Vec<(String, Provenance, String)> {
    let (url, source) = config.default_registry();
    let mut out = vec![("registry".to_owned(), source, url)];
    for s in config.scopes() {
        out.push((format!("{}:registry", s.scope), s.provenance, s.registry));
    }
    out
}

/// Hosts that only serve https, and path shapes a registry kind needs.
const HTTPS_HOSTS: &[&str] = &[
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    "npm.pkg.github.com",
    "gitlab.com",
    "pkgs.dev.azure.com",
    "registry.npmmirror.com",
];

fn registry_urls(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, source, registry) in registries(config) {
        let shown = hide_userinfo(&registry);
        if let Some(why) = unusable(&registry) {
            let kind = ProblemKind::RegistryUnusable {
                setting: name,
                shown,
                why,
            };
            out.push(problem(kind, Some(source)));
            continue;
        }
        let Ok(url) = url::Url::parse(&registry) else {
            continue;
        };
        if let Some(why) = registry_shape(&url) {
            let kind = ProblemKind::RegistryShape {
                setting: name,
                shown,
                why,
            };
            out.push(problem(kind, Some(source)));
        }
    }
    out
}

/// Why npm cannot request anything from a registry value it kept (WHATWG `new URL`, then the
/// fetch's scheme check).
pub fn unusable(registry: &str) -> Option<UnusableWhy> {
    match url::Url::parse(registry.trim()) {
        Err(_) => Some(UnusableWhy::InvalidUrl),
        Ok(u) if !matches!(u.scheme(), "http" | "https") => Some(UnusableWhy::NotHttp {
            scheme: u.scheme().to_owned(),
        }),
        Ok(_) => None,
    }
}

/// A file npm would load as two layers (it throws before reading the second).
fn double_loaded(config: &Config) -> Option<Problem> {
    let (path, layer, previous) = config.layers().double_loaded.clone()?;
    let kind = ProblemKind::DoubleLoaded {
        path,
        layer,
        previous,
    };
    Some(problem(kind, None))
}

fn registry_shape(url: &url::Url) -> Option<ShapeWhy> {
    let host = url.host_str()?;
    let path = url.path();
    let https_only = HTTPS_HOSTS.contains(&host)
        || host.ends_with(".jfrog.io")
        || host.ends_with(".pkgs.visualstudio.com");
    if url.scheme() == "http" && https_only {
        return Some(ShapeWhy::HttpsOnly {
            host: host.to_owned(),
        });
    }
    if (host.ends_with(".jfrog.io") || path.starts_with("/artifactory"))
        && !path.contains("/api/npm/")
    {
        return Some(ShapeWhy::ArtifactoryPath);
    }
    if (host == "gitlab.com" || path.contains("/api/v4/")) && !path.contains("/packages/npm") {
        return Some(ShapeWhy::GitlabPath);
    }
    let azure = host == "pkgs.dev.azure.com" || host.ends_with(".pkgs.visualstudio.com");
    if azure && !path.contains("/npm/registry") {
        return Some(ShapeWhy::AzurePath);
    }
    None
}

/// A `NPM_CONFIG_USERCONFIG`/`--userconfig` elsewhere leaves `~/.npmrc`'s credentials unread.
fn moved_userconfig(config: &Config) -> Vec<Problem> {
    let Some(userconfig) = config.get("userconfig") else {
        return Vec::new();
    };
    let home_npmrc = config.in_home(".npmrc");
    if userconfig.layer() == Layer::Default
        || std::path::Path::new(userconfig.expanded.expose()) == home_npmrc
    {
        return Vec::new();
    }
    let Ok(bytes) = std::fs::read(&home_npmrc) else {
        return Vec::new();
    };
    let parsed = ini::parse(&String::from_utf8_lossy(&bytes));
    parsed
        .top_level()
        .into_iter()
        .filter(|r| split_key(&r.key).is_some_and(|(p, _)| p.starts_with("//")))
        .map(|r| {
            let kind = ProblemKind::MovedUserconfig {
                key: r.key.clone(),
                home_npmrc: home_npmrc.clone(),
                userconfig: userconfig.expanded.expose().to_owned(),
                set_by: userconfig.provenance.clone(),
            };
            let source = Provenance::File {
                layer: Layer::User,
                path: home_npmrc.clone(),
                line: r.line,
            };
            problem(kind, Some(source))
        })
        .collect()
}

/// Credentials and registries in a project-level file npm skips (global mode, a workspace
/// member's own `.npmrc`).
fn skipped_files(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    for file in config.files_read() {
        let crate::config::FileStatus::Skipped(why) = &file.status else {
            continue;
        };
        if why.starts_with("same as") || why.starts_with("double-loading") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&file.path) else {
            continue;
        };
        for r in ini::parse(&String::from_utf8_lossy(&bytes)).top_level() {
            if split_key(&r.key).is_some() || is_registry_key(&r.key) {
                let kind = ProblemKind::SkippedFile {
                    key: r.key.clone(),
                    path: file.path.clone(),
                    reason: why.clone(),
                };
                let source = Provenance::File {
                    layer: Layer::Project,
                    path: file.path.clone(),
                    line: r.line,
                };
                out.push(problem(kind, Some(source)));
            }
        }
    }
    out
}

/// Registry and credential settings hidden by the same key in a higher layer.
fn overridden(config: &Config) -> Vec<Problem> {
    let mut keys: Vec<&String> = config
        .layers()
        .data
        .values()
        .flat_map(|d| d.keys())
        .collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys
        .into_iter()
        .filter(|k| is_registry_key(k) || split_key(k).is_some())
    {
        let values = config.values(key);
        let Some((winner, lower)) = values.split_first() else {
            continue;
        };
        for v in lower.iter().filter(|v| v.layer() != Layer::Default) {
            if v.expanded != winner.expanded {
                let kind = ProblemKind::Overridden {
                    key: key.clone(),
                    by: winner.provenance.clone(),
                };
                out.push(problem(kind, Some(v.provenance.clone())));
            }
        }
    }
    out
}

/// Credential keys npm never reads: under a `[section]`, or in the user's own `~/.npmrc` forms.
fn ignored_keys(config: &Config) -> Vec<Problem> {
    config
        .layers()
        .ignored
        .iter()
        .filter(|e| split_key(&e.key).is_some() || is_registry_key(&e.key))
        .map(|e| {
            let kind = ProblemKind::InSection {
                key: e.key.clone(),
                section: e.section.clone(),
            };
            problem(kind, Some(e.provenance.clone()))
        })
        .collect()
}

/// Lockfile hosts that are not a configured registry, with or without a credential.
pub fn lockfile_problems(config: &Config, lockfiles: &[Lockfile]) -> Vec<Problem> {
    let configured: Vec<String> = registries(config)
        .iter()
        .filter_map(|(_, _, r)| url::Url::parse(r).ok())
        .map(|u| u.origin().ascii_serialization())
        .collect();
    let mut out = Vec::new();
    for lock in lockfiles {
        for host in &lock.hosts {
            // `replace-registry-host` may send the download to the configured registry anyway.
            let routed = config.route_tarball(&host.sample_url);
            let fetched_from =
                url::Url::parse(&routed.route.url).map(|u| u.origin().ascii_serialization());
            if fetched_from.is_ok_and(|o| configured.contains(&o)) {
                continue;
            }
            let kind = ProblemKind::LockfilePinned {
                lockfile: lock.path.clone(),
                count: host.count,
                origin: hide_userinfo(&host.origin),
                sent_key: routed.route.key.clone(),
            };
            out.push(problem(kind, None));
        }
    }
    out
}

/// A scoped package routed to the default registry while credentials exist for other hosts.
pub fn unmapped_scope(
    config: &Config,
    package: &str,
    credentials: &[Credential],
) -> Option<Problem> {
    let scope = crate::config::route::scope_of(package)?;
    let choice = config.registry_for(package);
    if choice.scope.is_some() {
        return None;
    }
    let default_nerf = nerf_dart(&choice.url)?;
    let other = credentials.iter().find_map(|c| {
        c.reg_key
            .as_ref()
            .filter(|r| !default_nerf.starts_with(r.as_str()))
    })?;
    let kind = ProblemKind::UnmappedScope {
        package: package.to_owned(),
        scope: scope.to_owned(),
        registry: hide_userinfo(&choice.url),
        other_key: other.clone(),
    };
    Some(problem(kind, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_shapes() {
        let shape = |u: &str| registry_shape(&url::Url::parse(u).unwrap());
        assert!(shape("http://registry.npmjs.org/").is_some());
        assert_eq!(
            shape("https://acme.jfrog.io/"),
            Some(ShapeWhy::ArtifactoryPath)
        );
        assert!(shape("https://acme.jfrog.io/artifactory/api/npm/npm/").is_none());
        assert_eq!(
            shape("https://gitlab.com/api/v4/"),
            Some(ShapeWhy::GitlabPath)
        );
        assert!(shape("https://pkgs.dev.azure.com/org/_packaging/feed/npm/registry/").is_none());
        assert!(shape("http://127.0.0.1:4873/").is_none());
    }
}
