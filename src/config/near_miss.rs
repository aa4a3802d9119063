//! Credential keys that almost cover a registry (another port, a loopback alias, a scheme or
//! missing `//`, a path above or beside it): npm would send nothing, the user meant something.

use crate::config::credential::split_key;
use crate::config::problem_kind::{NearMissWhy, Problem, ProblemKind};
use crate::config::problems::{all_values, problem, registries};
use crate::config::route::host_with_port;
use crate::config::value::Value;
use crate::config::Config;
use crate::secret::hide_userinfo;

/// Credential keys that almost match a registry that has none. Each key prefix is grouped by
/// the host it names once, so the work is linear in keys plus registries (not their product).
pub(super) fn near_misses(config: &Config) -> Vec<Problem> {
    let mut by_host: std::collections::HashMap<String, Vec<(&str, &Value)>> = Default::default();
    let mut seen = std::collections::HashSet::new();
    for value in all_values(config) {
        let Some((prefix, _)) = split_key(&value.key) else {
            continue;
        };
        if prefix.is_empty() || !seen.insert(prefix) {
            continue;
        }
        if let Some(host) = prefix_host(prefix) {
            by_host.entry(host).or_default().push((prefix, value));
        }
    }
    let mut out = Vec::new();
    for (name, _, registry) in registries(config) {
        if registry_has_credential(config, &registry) {
            continue;
        }
        let Ok(reg) = url::Url::parse(&registry) else {
            continue;
        };
        let Some(reg_host) = reg.host_str() else {
            continue;
        };
        let mut hosts = vec![reg_host];
        if LOOPBACK_NAMES.contains(&reg_host) {
            hosts.extend(LOOPBACK_NAMES.iter().filter(|h| **h != reg_host));
        }
        let candidates = hosts.iter().filter_map(|h| by_host.get(*h)).flatten();
        for (prefix, value) in candidates {
            if let Some(why) = near_miss(prefix, &reg) {
                let kind = ProblemKind::NearMiss {
                    key: value.key.clone(),
                    setting: name.clone(),
                    registry: hide_userinfo(&registry),
                    why,
                };
                out.push(problem(kind, Some(value.provenance.clone())));
            }
        }
    }
    out
}

/// npm sends a credential to the registry's requests: checked on a request URL under it
/// (`<registry>/<name>`), since a registry written without its trailing slash still sends
/// `//host/path/registry/:_authToken` (npm-registry-fetch walks the request's URL).
fn registry_has_credential(config: &Config, registry: &str) -> bool {
    let request = crate::config::route::packument_url(registry, "package");
    config
        .credential_for(&request, registry)
        .route
        .sends_credential()
}

/// The host name a credential key prefix names, as `near_miss` compares it.
fn prefix_host(prefix: &str) -> Option<String> {
    let url = if prefix.starts_with("http://") || prefix.starts_with("https://") {
        url::Url::parse(prefix)
    } else if prefix.starts_with("//") {
        url::Url::parse(&format!("http:{prefix}"))
    } else {
        url::Url::parse(&format!("https://{prefix}"))
    };
    url.ok()?.host_str().map(str::to_owned)
}

const LOOPBACK_NAMES: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// Why a credential key prefix does not cover a registry it was probably meant for.
pub fn near_miss(prefix: &str, registry: &url::Url) -> Option<NearMissWhy> {
    let reg_host = registry.host_str()?;
    if prefix.starts_with("http://") || prefix.starts_with("https://") {
        let key = url::Url::parse(prefix).ok()?;
        return (key.host_str() == Some(reg_host)).then_some(NearMissWhy::SchemeInKey);
    }
    if !prefix.starts_with("//") {
        let key = url::Url::parse(&format!("https://{prefix}")).ok()?;
        return (key.host_str() == Some(reg_host)).then_some(NearMissWhy::NoLeadingSlashes);
    }
    let key = url::Url::parse(&format!("{}:{prefix}", registry.scheme())).ok()?;
    let key_host = key.host_str()?;
    let (kh, rh) = (host_with_port(&key), host_with_port(registry));
    if key_host == reg_host && kh != rh {
        return Some(NearMissWhy::OtherPort {
            key_host: kh,
            registry_host: rh,
        });
    }
    let both_loopback = LOOPBACK_NAMES.contains(&key_host) && LOOPBACK_NAMES.contains(&reg_host);
    if both_loopback && key_host != reg_host && key.port() == registry.port() {
        return Some(NearMissWhy::LoopbackAlias {
            key_host: key_host.to_owned(),
            registry_host: reg_host.to_owned(),
        });
    }
    if kh != rh
        || crate::config::route::walk_keys(registry.as_str())
            .iter()
            .any(|k| k == prefix)
    {
        return None;
    }
    let (key_path, registry_path) = (key.path().to_owned(), registry.path().to_owned());
    if key_path.starts_with(&registry_path) {
        Some(NearMissWhy::PathDeeper {
            key_path,
            registry_path,
        })
    } else {
        Some(NearMissWhy::PathElsewhere {
            key_path,
            registry_path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nm(prefix: &str, registry: &str) -> Option<NearMissWhy> {
        near_miss(prefix, &url::Url::parse(registry).unwrap())
    }

    #[test]
    fn near_miss_kinds() {
        assert!(matches!(
            nm("//127.0.0.1:4874/", "http://127.0.0.1:4873/"),
            Some(NearMissWhy::OtherPort { .. })
        ));
        assert!(matches!(
            nm("//localhost:4873/", "http://127.0.0.1:4873/"),
            Some(NearMissWhy::LoopbackAlias { .. })
        ));
        assert_eq!(
            nm("http://127.0.0.1:4873/", "http://127.0.0.1:4873/"),
            Some(NearMissWhy::SchemeInKey)
        );
        assert_eq!(
            nm("registry.example/", "https://registry.example/"),
            Some(NearMissWhy::NoLeadingSlashes)
        );
        assert!(matches!(
            nm("//h/other/", "https://h/npm/"),
            Some(NearMissWhy::PathElsewhere { .. })
        ));
        assert!(matches!(
            nm("//h/npm/deeper/", "https://h/npm/"),
            Some(NearMissWhy::PathDeeper { .. })
        ));
        assert_eq!(nm("//elsewhere/", "https://h/"), None);
    }
}
