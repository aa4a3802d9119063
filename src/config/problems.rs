//! Problems regauth finds in the configuration on its own, each with a taxonomy cause id, one
//! sentence, and the file:line it is about: legacy top-level auth keys (npm's ERR_INVALID_AUTH),
//! keys npm no longer reads, credentials using unset or empty variables, near-miss credential
//! keys, registry URLs that cannot work, values overridden by a higher layer, a moved userconfig
//! that strands `~/.npmrc`'s credentials, and lockfiles pinned to other hosts.

use serde::Serialize;

use crate::config::credential::{split_key, Credential, Kind};
use crate::config::expand::VarState;
use crate::config::lockfile::Lockfile;
use crate::config::route::{host_with_port, nerf_dart};
use crate::config::value::{Layer, Provenance, Value};
use crate::config::{ini, Config};
use crate::secret::hide_userinfo;

/// One finding. `id` is a cause id from taxonomy.md.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub id: &'static str,
    pub message: String,
    /// Renders as `file:line`, `env:NAME`, `cli` or `default`; null when not tied to a setting.
    pub source: Option<Provenance>,
}

fn problem(id: &'static str, message: String, source: Option<Provenance>) -> Problem {
    Problem {
        id,
        message,
        source,
    }
}

/// All configuration problems, most serious kinds first.
pub fn find(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    out.extend(legacy_auth(config));
    out.extend(variable_problems(config));
    out.extend(credential_values(config));
    out.extend(near_misses(config));
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
        let tail = "npm stops every command with ERR_INVALID_AUTH (`npm config fix` repairs it)";
        for key in ["_authtoken", "-authtoken"] {
            if let Some(v) = truthy(key) {
                let msg = format!(
                    "`{key}` must be deleted from {} config: {tail}",
                    layer.as_str()
                );
                out.push(problem("npmrc-misconfig", msg, Some(v.provenance.clone())));
            }
        }
        for key in ["_auth", "_authToken", "username", "_password"] {
            let Some(v) = truthy(key) else { continue };
            let lone = (key == "username" && truthy("_password").is_none())
                || (key == "_password" && truthy("username").is_none());
            let action = if lone {
                format!(
                    "`{key}` must be deleted from {} config (its partner is missing)",
                    layer.as_str()
                )
            } else {
                format!(
                    "`{key}` must be renamed to `{nerfed}:{key}` in {} config",
                    layer.as_str()
                )
            };
            out.push(problem(
                "npmrc-misconfig",
                format!("{action}: {tail}"),
                Some(v.provenance.clone()),
            ));
        }
    }
    for value in
        all_values(config).filter(|v| v.key == "always-auth" || v.key.ends_with(":always-auth"))
    {
        let msg = format!(
            "`{}` is not read by npm since 7.10: npm sends a credential only to URLs under its key",
            value.key
        );
        out.push(problem(
            "npmrc-misconfig",
            msg,
            Some(value.provenance.clone()),
        ));
    }
    out
}

fn all_values(config: &Config) -> impl Iterator<Item = &Value> {
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
            let consequence = match (var.state, var.optional, is_credential) {
                (VarState::Set, _, _) => continue,
                (VarState::Unset, false, true)
                    if value
                        .expanded
                        .expose()
                        .contains(&format!("${{{}}}", var.name)) =>
                {
                    format!("npm sends the literal text `${{{}}}` as the credential (and warns about nothing)", var.name)
                }
                (VarState::Unset, false, false) => {
                    "npm uses the literal text, which is not a usable URL".to_owned()
                }
                (_, _, true) if !value.is_truthy() => {
                    "the value is empty, so npm sends no credential at all".to_owned()
                }
                (_, _, _) if !value.is_truthy() => {
                    "the value is empty, so npm ignores the setting".to_owned()
                }
                _ => "part of the value is empty".to_owned(),
            };
            let state = if var.state == VarState::Empty {
                "set but empty"
            } else {
                "unset"
            };
            let msg = format!(
                "`{}` uses ${{{}}}, which is {state} here: {consequence}",
                value.raw_key, var.name
            );
            out.push(problem(
                "token-env-unset",
                msg,
                Some(value.provenance.clone()),
            ));
        }
    }
    out
}

/// Empty credentials without variables, and expired JWTs.
fn credential_values(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    for c in config.credentials() {
        if c.kind == Kind::Empty && c.variables.is_empty() {
            let msg = format!("`{}` is empty: npm treats it as absent", c.key);
            out.push(problem("token-missing", msg, Some(c.source.clone())));
        }
        if c.jwt.as_ref().is_some_and(|j| j.expired) {
            let msg = format!(
                "`{}` is a JWT that has expired ({})",
                c.key,
                c.detail.clone().unwrap_or_default()
            );
            out.push(problem(
                "token-invalid-or-expired",
                msg,
                Some(c.source.clone()),
            ));
        }
    }
    out
}

/// The registries npm will talk to: the default one and every scope's.
fn registries(config: &Config) -> Vec<(String, Provenance, String)> {
    let (url, source) = config.default_registry();
    let mut out = vec![("registry".to_owned(), source, url)];
    for s in config.scopes() {
        out.push((format!("{}:registry", s.scope), s.provenance, s.registry));
    }
    out
}

/// Credential keys that almost match a registry that has none.
fn near_misses(config: &Config) -> Vec<Problem> {
    let mut out = Vec::new();
    for (name, _, registry) in registries(config) {
        if config
            .credential_for(&registry, &registry)
            .route
            .key
            .is_some()
        {
            continue;
        }
        let Ok(reg) = url::Url::parse(&registry) else {
            continue;
        };
        let mut seen = std::collections::BTreeSet::new();
        for value in all_values(config) {
            let Some((prefix, _)) = split_key(&value.key) else {
                continue;
            };
            if prefix.is_empty() || !seen.insert(prefix.to_owned()) {
                continue;
            }
            if let Some(why) = near_miss(prefix, &reg) {
                let msg = format!(
                    "`{}` does not apply to {name} {}: {why}",
                    value.key,
                    hide_userinfo(&registry)
                );
                out.push(problem(
                    "token-wrong-host",
                    msg,
                    Some(value.provenance.clone()),
                ));
            }
        }
    }
    out
}

const LOOPBACK_NAMES: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Why a credential key prefix does not cover a registry it was probably meant for.
pub fn near_miss(prefix: &str, registry: &url::Url) -> Option<String> {
    let reg_host = registry.host_str()?;
    if prefix.starts_with("http://") || prefix.starts_with("https://") {
        let key = url::Url::parse(prefix).ok()?;
        return (key.host_str() == Some(reg_host)).then(|| {
            "the key contains a scheme; npm only reads keys that start with `//`".to_owned()
        });
    }
    if !prefix.starts_with("//") {
        let key = url::Url::parse(&format!("https://{prefix}")).ok()?;
        return (key.host_str() == Some(reg_host))
            .then(|| "the key lacks the leading `//`".to_owned());
    }
    let key = url::Url::parse(&format!("{}:{prefix}", registry.scheme())).ok()?;
    let key_host = key.host_str()?;
    let (kh, rh) = (host_with_port(&key), host_with_port(registry));
    if key_host == reg_host && kh != rh {
        return Some(format!(
            "the key is for `{kh}`, the registry is on `{rh}` (another port)"
        ));
    }
    let both_loopback = LOOPBACK_NAMES.contains(&key_host) && LOOPBACK_NAMES.contains(&reg_host);
    if both_loopback && key_host != reg_host && key.port() == registry.port() {
        return Some(format!(
            "`{key_host}` and `{reg_host}` are different keys to npm"
        ));
    }
    if kh != rh
        || crate::config::route::walk_keys(registry.as_str())
            .iter()
            .any(|k| k == prefix)
    {
        return None;
    }
    let (kp, rp) = (key.path(), registry.path());
    if kp.starts_with(rp) {
        Some(format!(
            "the key's path `{kp}` is deeper than the registry's path `{rp}`"
        ))
    } else {
        Some(format!(
            "the key's path `{kp}` does not cover the registry's path `{rp}`"
        ))
    }
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
    for value in config
        .values("registry")
        .into_iter()
        .filter(|v| v.layer() != Layer::Default)
    {
        if value
            .text()
            .and_then(crate::config::layers::normalize_registry)
            .is_none()
        {
            let msg = format!(
                "`registry` is not a URL with a host (`{}`): npm ignores it",
                hide_userinfo(value.expanded.expose())
            );
            out.push(problem(
                "npmrc-misconfig",
                msg,
                Some(value.provenance.clone()),
            ));
        }
    }
    for (name, source, registry) in registries(config) {
        let Ok(url) = url::Url::parse(&registry) else {
            let msg = format!("`{name}` is not a URL (`{}`)", hide_userinfo(&registry));
            out.push(problem("npmrc-misconfig", msg, Some(source)));
            continue;
        };
        if let Some(why) = registry_shape(&url) {
            out.push(problem(
                "npmrc-misconfig",
                format!("`{name}` {}: {why}", hide_userinfo(&registry)),
                Some(source),
            ));
        }
    }
    out
}

fn registry_shape(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    let path = url.path();
    let https_only = HTTPS_HOSTS.contains(&host)
        || host.ends_with(".jfrog.io")
        || host.ends_with(".pkgs.visualstudio.com");
    if url.scheme() == "http" && https_only {
        return Some(format!("{host} is served over https only"));
    }
    if (host.ends_with(".jfrog.io") || path.starts_with("/artifactory"))
        && !path.contains("/api/npm/")
    {
        return Some(
            "Artifactory npm registries live under `/artifactory/api/npm/<repo>/`".to_owned(),
        );
    }
    if (host == "gitlab.com" || path.contains("/api/v4/")) && !path.contains("/packages/npm") {
        return Some("GitLab npm registries live under `/api/v4/projects/<id>/packages/npm/` or `/api/v4/packages/npm/`".to_owned());
    }
    let azure = host == "pkgs.dev.azure.com" || host.ends_with(".pkgs.visualstudio.com");
    if azure && !path.contains("/npm/registry") {
        return Some(
            "Azure Artifacts feeds live under `/_packaging/<feed>/npm/registry/`".to_owned(),
        );
    }
    None
}

/// A `NPM_CONFIG_USERCONFIG`/`--userconfig` elsewhere leaves `~/.npmrc`'s credentials unread.
fn moved_userconfig(config: &Config) -> Vec<Problem> {
    let Some(userconfig) = config.get("userconfig") else {
        return Vec::new();
    };
    let home_npmrc = config.home().join(".npmrc");
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
            let msg = format!(
                "`{}` is in {} but npm reads the user config from {} (set by {}): this credential is not used",
                r.key,
                home_npmrc.display(),
                userconfig.expanded.expose(),
                userconfig.provenance
            );
            let source = Provenance::File { layer: Layer::User, path: home_npmrc.clone(), line: r.line };
            problem("npmrc-misconfig", msg, Some(source))
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
        if why.starts_with("same as") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&file.path) else {
            continue;
        };
        for r in ini::parse(&String::from_utf8_lossy(&bytes)).top_level() {
            if split_key(&r.key).is_some() || is_registry_key(&r.key) {
                let msg = format!(
                    "`{}` is in {}, which npm does not read here ({why})",
                    r.key,
                    file.path.display()
                );
                let source = Provenance::File {
                    layer: Layer::Project,
                    path: file.path.clone(),
                    line: r.line,
                };
                out.push(problem("npmrc-misconfig", msg, Some(source)));
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
                let msg = format!(
                    "`{key}` here is overridden by {} ({} layer)",
                    winner.provenance,
                    winner.layer().as_str()
                );
                out.push(problem("npmrc-misconfig", msg, Some(v.provenance.clone())));
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
            let msg = format!(
                "`{}` is inside the `[{}]` section: npm ignores keys in sections",
                e.key, e.section
            );
            problem("npmrc-misconfig", msg, Some(e.provenance.clone()))
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
            let credential = match &routed.route.key {
                Some(k) => format!("npm would send `{k}`"),
                None => "npm has no credential for it".to_owned(),
            };
            let msg = format!(
                "{} pins {} package(s) to {}, which is not a configured registry; {credential} (`npm ci --replace-registry-host=always` or a regenerated lockfile uses the configured registry)",
                lock.path.display(),
                host.count,
                hide_userinfo(&host.origin)
            );
            out.push(problem("lockfile-registry-mismatch", msg, None));
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
    let msg = format!(
        "{package} goes to the default registry {} because `{scope}:registry` is not set, while a credential exists for `{other}`",
        hide_userinfo(&choice.url)
    );
    Some(problem("scope-not-mapped", msg, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nm(prefix: &str, registry: &str) -> Option<String> {
        near_miss(prefix, &url::Url::parse(registry).unwrap())
    }

    #[test]
    fn near_miss_kinds() {
        assert!(nm("//127.0.0.1:4874/", "http://127.0.0.1:4873/")
            .unwrap()
            .contains("another port"));
        assert!(nm("//localhost:4873/", "http://127.0.0.1:4873/")
            .unwrap()
            .contains("different keys"));
        assert!(nm("http://127.0.0.1:4873/", "http://127.0.0.1:4873/")
            .unwrap()
            .contains("scheme"));
        assert!(nm("registry.example/", "https://registry.example/")
            .unwrap()
            .contains("leading"));
        assert!(nm("//h/other/", "https://h/npm/")
            .unwrap()
            .contains("does not cover"));
        assert!(nm("//h/npm/deeper/", "https://h/npm/")
            .unwrap()
            .contains("deeper"));
        assert_eq!(nm("//elsewhere/", "https://h/"), None);
    }

    #[test]
    fn registry_shapes() {
        let shape = |u: &str| registry_shape(&url::Url::parse(u).unwrap());
        assert!(shape("http://registry.npmjs.org/").is_some());
        assert!(shape("https://acme.jfrog.io/")
            .unwrap()
            .contains("Artifactory"));
        assert!(shape("https://acme.jfrog.io/artifactory/api/npm/npm/").is_none());
        assert!(shape("https://gitlab.com/api/v4/")
            .unwrap()
            .contains("GitLab"));
        assert!(shape("https://pkgs.dev.azure.com/org/_packaging/feed/npm/registry/").is_none());
        assert!(shape("http://127.0.0.1:4873/").is_none());
    }
}
