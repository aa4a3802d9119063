//! This machine's configuration, read for one failure: the config model (`crate::config`) turned
//! into `diagnose::facts::ConfigFacts` for the failing URL or package. Plain data out; no rule
//! decides anything here.

use std::collections::BTreeSet;

use crate::config::credential::{format_time, split_key, Credential, Kind};
use crate::config::expand::VarState as ConfigVarState;
use crate::config::route::{nerf_dart, scope_of, walk_keys};
use crate::config::{lockfile, Config, Routed};
use crate::detect::{url, Failure};
use crate::diagnose::facts::{
    ConfigFacts, CredentialFact, Located, NearMiss, RegistryOverride, TokenExpiry, VarState,
    VariableFact,
};

/// Where the failing request went, as the configuration and the text tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The failing URL, when npm logged one.
    pub url: Option<String>,
    /// The registry root the request belongs to (`http://127.0.0.1:4873/`).
    pub registry: String,
    /// The package name, when known.
    pub package: Option<String>,
}

/// The failing request's target: the failure's URL and package, else the configured registry.
pub fn target(config: &Config, failure: &Failure) -> Target {
    let package = failure.package.clone().filter(|p| !p.is_empty());
    let choice = match package.as_deref() {
        Some(p) => config.registry_for(p).url,
        None => config.default_registry().0,
    };
    let from_text = failure
        .url
        .clone()
        .or_else(|| failure.signals.pkgid_url.clone())
        .or_else(|| failure.signals.need_auth_registry.clone())
        .or_else(|| failure.signals.publish_registry.clone());
    let registry = match from_text.as_deref() {
        Some(u) if url::host(u) != url::host(&choice) => {
            crate::diagnose::registry::registry_root(u).unwrap_or(choice)
        }
        _ => choice,
    };
    Target {
        url: failure.url.clone(),
        registry,
        package,
    }
}

/// Everything the configuration says about `target`.
pub fn gather(config: &Config, target: &Target) -> ConfigFacts {
    let routed = route(config, target);
    let sent = routed.credential.filter(|c| is_usable(c));
    let (default, default_source) = config.default_registry();
    let scope = target.package.as_deref().and_then(scope_of);
    let choice = target.package.as_deref().map(|p| config.registry_for(p));
    let problems = config.problems();
    let host_key = nerf_host(&target.registry);
    ConfigFacts {
        registry: Some(Located {
            value: default,
            source: default_source.to_string(),
        }),
        request_registry: Some(target.registry.clone()),
        scope_registry: choice
            .as_ref()
            .filter(|c| c.scope.is_some())
            .map(|c| Located {
                value: c.url.clone(),
                source: c.provenance.to_string(),
            }),
        // only when the request really went to the default registry this configuration names
        unmapped_scope: match (&choice, scope) {
            (Some(c), Some(s))
                if c.scope.is_none() && url::host(&c.url) == url::host(&target.registry) =>
            {
                Some(s.to_owned())
            }
            _ => None,
        },
        credential: sent.map(credential_fact),
        near_misses: if sent.is_none() {
            near_misses(config, &target.registry)
        } else {
            Vec::new()
        },
        variables: variables(config, target),
        invalid_auth: problems
            .iter()
            .filter(|p| p.message.contains("ERR_INVALID_AUTH"))
            .map(located)
            .collect(),
        overridden: problems
            .iter()
            .filter(|p| p.message.contains("is overridden by") && concerns(p, &host_key, scope))
            .map(located)
            .collect(),
        lockfile_hosts_without_credential: lockfile_hosts(config),
        proxy: proxy(config),
        files_read: config
            .files_read()
            .iter()
            .filter(|f| f.status == crate::config::FileStatus::Read)
            .map(|f| f.path.display().to_string())
            .collect(),
        registry_override: registry_override(config, scope, sent.is_some()),
        unread_credentials: problems
            .iter()
            .filter(|p| p.id == "npmrc-misconfig" && is_unread(&p.message))
            .filter(|p| host_key.as_deref().is_some_and(|k| p.message.contains(k)))
            .map(located)
            .collect(),
        credential_registries: credential_registries(config, &target.registry),
    }
}

/// The credential route npm takes for the failing request.
fn route<'a>(config: &'a Config, target: &Target) -> Routed<'a> {
    match (&target.url, &target.package) {
        (Some(u), _) if url::is_tarball(u) => config.route_tarball(u),
        (Some(u), package) => {
            let auth_registry = package
                .as_deref()
                .filter(|p| scope_of(p).is_some())
                .map(|p| config.registry_for(p))
                .filter(|c| c.scope.is_some())
                .map_or_else(|| config.default_registry().0, |c| c.url);
            if url::host(u) == url::host(&auth_registry) {
                config.credential_for(u, &auth_registry)
            } else {
                config.credential_for(u, &target.registry)
            }
        }
        (None, Some(p))
            if url::host(&config.registry_for(p).url) == url::host(&target.registry) =>
        {
            config.route_package(p).routed
        }
        _ => config.credential_for(&target.registry, &target.registry),
    }
}

/// A credential that is really sent: not empty, not a `${VAR}` npm left unreplaced.
fn is_usable(c: &Credential) -> bool {
    !matches!(c.kind, Kind::Empty | Kind::UnexpandedVariable)
}

fn credential_fact(c: &Credential) -> CredentialFact {
    CredentialFact {
        key: c.key.clone(),
        kind: c.kind.as_str().to_owned(),
        redacted: c.redacted.clone(),
        source: c.source.to_string(),
        expiry: c.jwt.as_ref().and_then(|j| {
            j.exp.map(|exp| TokenExpiry {
                expired: j.expired,
                at: format_time(exp),
            })
        }),
    }
}

/// Credential keys that almost cover the registry, and why npm does not use them.
fn near_misses(config: &Config, registry: &str) -> Vec<NearMiss> {
    let Ok(reg) = ::url::Url::parse(registry) else {
        return Vec::new();
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for value in config.layers().data.values().flat_map(|d| d.values()) {
        let Some((prefix, _)) = split_key(&value.key) else {
            continue;
        };
        if prefix.is_empty() || !value.is_truthy() || !seen.insert(prefix.to_owned()) {
            continue;
        }
        if let Some(why) = crate::config::problems::near_miss(prefix, &reg) {
            out.push(NearMiss {
                key: value.key.clone(),
                source: value.provenance.to_string(),
                why,
            });
        }
    }
    out
}

/// `${VAR}`s used by the credential lines that cover the failing URL or its registry.
fn variables(config: &Config, target: &Target) -> Vec<VariableFact> {
    let mut keys: Vec<String> = target.url.as_deref().map(walk_keys).unwrap_or_default();
    keys.extend(walk_keys(&target.registry));
    let mut out: Vec<VariableFact> = Vec::new();
    for key in keys {
        for field in ["_authToken", "_auth", "username", "_password"] {
            let Some(value) = config.get(&format!("{key}:{field}")) else {
                continue;
            };
            for v in &value.variables {
                let state = match v.state {
                    ConfigVarState::Set => VarState::Set,
                    ConfigVarState::Empty => VarState::Empty,
                    ConfigVarState::Unset => VarState::Unset,
                };
                let fact = VariableFact {
                    name: v.name.clone(),
                    state,
                    source: value.provenance.to_string(),
                };
                if !out.contains(&fact) {
                    out.push(fact);
                }
            }
        }
    }
    out
}

fn located(p: &crate::config::Problem) -> Located<String> {
    Located {
        value: p.message.clone(),
        source: p
            .source
            .as_ref()
            .map_or_else(|| "config".to_owned(), ToString::to_string),
    }
}

/// `//host:port/` of a registry URL (its host only, any path).
fn nerf_host(registry: &str) -> Option<String> {
    url::host(registry).map(|h| format!("//{h}/"))
}

/// An override problem about the registry settings or a credential for the failing host.
fn concerns(p: &crate::config::Problem, host_key: &Option<String>, scope: Option<&str>) -> bool {
    let key = p.message.split('`').nth(1).unwrap_or("");
    key == "registry"
        || scope.is_some_and(|s| key == format!("{s}:registry"))
        || host_key.as_deref().is_some_and(|h| key.starts_with(h))
}

/// A problem saying a credential sits where npm does not read it.
fn is_unread(message: &str) -> bool {
    message.contains("npm reads the user config from")
        || message.contains("which npm does not read here")
        || message.contains("npm ignores keys in sections")
}

/// The registry setting in effect hides another one from a lower layer.
fn registry_override(config: &Config, scope: Option<&str>, sent: bool) -> Option<RegistryOverride> {
    let scoped = scope
        .map(|s| format!("{s}:registry"))
        .filter(|k| config.get(k).is_some());
    let key = scoped.unwrap_or_else(|| "registry".to_owned());
    let values = config.values(&key);
    let (winner, lower) = values.split_first()?;
    let winner_url = winner.text()?.to_owned();
    let shadowed = lower.iter().find(|v| {
        v.layer() != crate::config::Layer::Default
            && v.text()
                .is_some_and(|t| t.trim_end_matches('/') != winner_url.trim_end_matches('/'))
    })?;
    let shadowed_url = shadowed.text()?.to_owned();
    let has = |u: &str| {
        config
            .credential_for(u, u)
            .credential
            .is_some_and(is_usable)
    };
    Some(RegistryOverride {
        key,
        winner: Located {
            value: winner_url.clone(),
            source: winner.provenance.to_string(),
        },
        shadowed: Located {
            value: shadowed_url.clone(),
            source: shadowed.provenance.to_string(),
        },
        winner_layer: winner.layer().as_str().to_owned(),
        shadowed_has_credential: !sent && !has(&winner_url) && has(&shadowed_url),
    })
}

/// Lockfile `resolved` hosts (`host:port`) npm would download from without a credential, other
/// than the configured registries.
fn lockfile_hosts(config: &Config) -> Vec<Located<String>> {
    let mut dirs = vec![config.local_prefix().to_path_buf()];
    if config.layers().cwd != config.local_prefix() {
        dirs.push(config.layers().cwd.clone());
    }
    let mut configured: Vec<String> = vec![config.default_registry().0];
    configured.extend(config.scopes().into_iter().map(|s| s.registry));
    let configured: Vec<Option<String>> = configured.iter().map(|r| url::host(r)).collect();
    let mut out: Vec<Located<String>> = Vec::new();
    for lock in dirs.iter().flat_map(|d| lockfile::scan(d)) {
        for host in &lock.hosts {
            let routed = config.route_tarball(&host.sample_url);
            let Some(h) = url::host(&host.origin) else {
                continue;
            };
            if routed.credential.is_some_and(is_usable) || configured.contains(&Some(h.clone())) {
                continue;
            }
            let fact = Located {
                value: h,
                source: lock.path.display().to_string(),
            };
            if !out.contains(&fact) {
                out.push(fact);
            }
        }
    }
    out
}

fn proxy(config: &Config) -> Option<Located<String>> {
    ["https-proxy", "proxy"].iter().find_map(|k| {
        let v = config.get(k).filter(|v| v.is_truthy())?;
        Some(Located {
            value: crate::config::value::display_url(v.text()?),
            source: v.provenance.to_string(),
        })
    })
}

/// Registry URLs (other than `registry`) this configuration holds a usable credential for, and
/// the scope registries; the scheme follows the failing registry's.
fn credential_registries(config: &Config, registry: &str) -> Vec<String> {
    let scheme = registry.split("://").next().unwrap_or("https");
    let own = nerf_dart(registry);
    let mut out: Vec<String> = Vec::new();
    let from_keys = config
        .credentials()
        .iter()
        .filter(|c| is_usable(c))
        .filter_map(|c| c.reg_key.clone())
        .filter(|k| k.starts_with("//"))
        .map(|k| format!("{scheme}:{k}"));
    let scopes = config.scopes().into_iter().map(|s| s.registry);
    for r in from_keys.chain(scopes) {
        if nerf_dart(&r) != own && !out.contains(&r) {
            out.push(r);
        }
    }
    out
}
