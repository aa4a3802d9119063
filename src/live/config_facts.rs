//! This machine's configuration, read for one failure: the config model (`crate::config`) turned
//! into `diagnose::facts::ConfigFacts` for the failing URL or package. Plain data out; no rule
//! decides anything here.

use std::collections::BTreeSet;

use crate::config::credential::{format_time, split_key, Credential, Kind};
use crate::config::expand::VarState as ConfigVarState;
use crate::config::problems::{Problem, ProblemKind};
use crate::config::route::{nerf_dart, scope_of, walk_keys};
use crate::config::{lockfile, Config, Routed};
use crate::detect::{url, Failure};
use crate::diagnose::facts::{
    ConfigFacts, CredentialFact, Located, NearMiss, RegistryOverride, Setting, TokenExpiry,
    VarState, VariableFact,
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
    /// The text (a URL, or the variable a config line could not expand) chose `registry`, so a
    /// client's own default route must not replace it.
    pub named: bool,
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
        .or_else(|| failure.signals.publish_registry.clone())
        .or_else(|| registry_using_variable(config, failure, package.as_deref()));
    let registry = match from_text.as_deref() {
        Some(u) if url::host(u) != url::host(&choice) => {
            crate::diagnose::registry::registry_root(u).unwrap_or(choice)
        }
        _ => choice,
    };
    Target {
        url: failure.url.clone(),
        named: from_text.is_some(),
        registry,
        package,
    }
}

/// For a failure that names neither URL nor package but a variable a config line could not
/// expand (yarn 1 "Failed to replace env in config: ${NPM_TOKEN}", which stops before any
/// request): the configured registry (default or a scope's) whose credential uses it.
fn registry_using_variable(
    config: &Config,
    failure: &Failure,
    package: Option<&str>,
) -> Option<String> {
    let variable = failure.signals.env_unresolved.first()?;
    if package.is_some() {
        return None;
    }
    let prefix = config
        .credentials()
        .iter()
        .filter(|c| c.variables.iter().any(|v| v.name == *variable))
        .find_map(|c| c.reg_key.clone())?;
    std::iter::once(config.default_registry().0)
        .chain(config.scopes().into_iter().map(|s| s.registry))
        .find(|r| nerf_dart(r).is_some_and(|n| n.starts_with(&prefix)))
}

/// Everything the configuration says about `target`.
pub fn gather(config: &Config, target: &Target) -> ConfigFacts {
    let routed = route(config, target);
    let sent = routed.credential.filter(|c| is_usable(c));
    let (default, default_source) = config.default_registry();
    let scope = target.package.as_deref().and_then(scope_of);
    let choice = target.package.as_deref().map(|p| config.registry_for(p));
    // the scope whose `@scope:registry` the request went to: the package's own, or for an
    // unscoped name (or a scope without a registry) npm's `scope` setting (pickRegistry); the
    // credential still follows the package's own scope (npm-registry-fetch auth.js getRegistry)
    let registry_scope = choice.as_ref().and_then(|c| c.scope.as_deref()).or(scope);
    let problems = config.problems();
    let host_key = nerf_host(&target.registry);
    ConfigFacts {
        registry: Some(Setting {
            value: default,
            source: default_source,
        }),
        request_registry: Some(target.registry.clone()),
        scope_registry: choice
            .as_ref()
            .filter(|c| c.scope.is_some())
            .map(|c| Setting {
                value: c.url.clone(),
                source: c.provenance.clone(),
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
        invalid_auth: stopping(&problems),
        overridden: overriding(&problems, &host_key, registry_scope),
        lockfile_hosts_without_credential: lockfile_hosts(config),
        proxy: proxy(config),
        files_read: config
            .files_read()
            .iter()
            .filter(|f| f.status == crate::config::FileStatus::Read)
            .map(|f| f.path.display().to_string())
            .collect(),
        registry_override: registry_override(config, registry_scope, sent.is_some()),
        unread_credentials: unread(&problems, &host_key),
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
        field: c.field,
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

/// `//host:port/` of a registry URL (its host only, any path).
fn nerf_host(registry: &str) -> Option<String> {
    url::host(registry).map(|h| format!("//{h}/"))
}

/// Problems npm stops every command over (ERR_INVALID_AUTH), picked by kind.
fn stopping(problems: &[Problem]) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| p.kind.stops_npm())
        .cloned()
        .collect()
}

/// Overridden registry settings, and overridden credentials for the failing host.
fn overriding(
    problems: &[Problem],
    host_key: &Option<String>,
    scope: Option<&str>,
) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::Overridden { .. }))
        .filter(|p| concerns(p, host_key, scope))
        .cloned()
        .collect()
}

/// Credentials for the failing host that sit where npm does not read them.
fn unread(problems: &[Problem], host_key: &Option<String>) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| p.kind.is_unread_credential())
        .filter(|p| {
            let key = p.kind.key().unwrap_or("");
            host_key.as_deref().is_some_and(|k| key.contains(k))
        })
        .cloned()
        .collect()
}

/// An override problem about the registry settings or a credential for the failing host.
fn concerns(p: &Problem, host_key: &Option<String>, scope: Option<&str>) -> bool {
    let key = p.kind.key().unwrap_or("");
    key == "registry"
        || scope.is_some_and(|s| key == format!("{s}:registry"))
        || host_key.as_deref().is_some_and(|h| key.starts_with(h))
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
        winner: Setting {
            value: winner_url.clone(),
            source: winner.provenance.clone(),
        },
        shadowed: Setting {
            value: shadowed_url.clone(),
            source: shadowed.provenance.clone(),
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LoadContext;

    /// A config from a user `.npmrc` and extra environment, in a temp home.
    fn load(npmrc: &str, env: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let project = dir.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(home.join(".npmrc"), npmrc).unwrap();
        let mut vars = vec![
            ("HOME".to_owned(), home.display().to_string()),
            (
                "npm_config_globalconfig".to_owned(),
                dir.path().join("none").display().to_string(),
            ),
        ];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let ctx = LoadContext {
            cwd: project,
            env: vars,
            npm_args: vec!["view".into(), "@priv/lib".into()],
            npm_path: None,
            node_path: None,
        };
        let config = Config::load(&ctx);
        (dir, config)
    }

    fn failure(url: &str) -> Failure {
        Failure {
            code: Some("E401".into()),
            http_status: Some(401),
            method: Some("GET".into()),
            url: Some(url.into()),
            package: Some("@priv/lib".into()),
            ..Failure::default()
        }
    }

    #[test]
    fn the_scope_setting_sends_an_unscoped_name_to_its_registry_and_shows_what_overrides_it() {
        let npmrc = "registry=http://127.0.0.1:9/\nscope=s\n@s:registry=http://127.0.0.1:4873/\n\
            //127.0.0.1:4873/:_authToken=${T_UNSET}\n";
        let env = [("npm_config_@s:registry", "http://127.0.0.1:4874/")];
        let (_d, config) = load(npmrc, &env);
        let failure = Failure {
            package: Some("lodash".into()),
            url: Some("http://127.0.0.1:4874/lodash".into()),
            ..failure("http://127.0.0.1:4874/lodash")
        };
        let t = target(&config, &failure);
        assert_eq!(t.registry, "http://127.0.0.1:4874/");
        let facts = gather(&config, &t);
        let scope_registry = facts.scope_registry.expect("the scope setting's registry");
        assert_eq!(scope_registry.value, "http://127.0.0.1:4874/");
        // the environment's @s:registry hides the file's, which has the credential
        let hidden = facts.registry_override.expect("an override of @s:registry");
        assert_eq!(hidden.key, "@s:registry");
        assert_eq!(hidden.shadowed.value, "http://127.0.0.1:4873/");
    }

    #[test]
    fn unset_variable_and_its_line() {
        let (_d, config) = load(
            "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=${T_UNSET}\n",
            &[],
        );
        let t = target(&config, &failure("http://127.0.0.1:4873/@priv%2flib"));
        assert_eq!(t.registry, "http://127.0.0.1:4873/");
        let facts = gather(&config, &t);
        assert_eq!(
            facts.credential, None,
            "an unexpanded ${{VAR}} is not a credential"
        );
        assert_eq!(facts.variables.len(), 1);
        assert_eq!(facts.variables[0].name, "T_UNSET");
        assert_eq!(facts.variables[0].state, VarState::Unset);
        assert!(facts.variables[0].source.ends_with("home/.npmrc:2"));
    }

    #[test]
    fn near_miss_on_another_port_and_the_credential_registry() {
        let (_d, config) = load(
            "registry=http://127.0.0.1:4873/\n//127.0.0.1:4874/:_authToken=npm_CANARY\n",
            &[],
        );
        let facts = gather(
            &config,
            &target(&config, &failure("http://127.0.0.1:4873/@priv%2flib")),
        );
        assert_eq!(facts.near_misses.len(), 1);
        assert_eq!(facts.near_misses[0].key, "//127.0.0.1:4874/:_authToken");
        assert!(matches!(
            facts.near_misses[0].why,
            crate::config::problems::NearMissWhy::OtherPort { .. }
        ));
        assert_eq!(facts.credential_registries, vec!["http://127.0.0.1:4874/"]);
        assert_eq!(facts.unmapped_scope.as_deref(), Some("@priv"));
        assert!(!format!("{facts:?}").contains("CANARY"));
    }

    #[test]
    fn env_registry_hides_the_file_registry_with_the_credential() {
        let (_d, config) = load(
            "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=npm_CANARY\n",
            &[("npm_config_registry", "http://127.0.0.1:4999/")],
        );
        let facts = gather(
            &config,
            &target(&config, &failure("http://127.0.0.1:4999/@priv%2flib")),
        );
        let o = facts.registry_override.expect("an override");
        assert_eq!(
            o.winner.source,
            crate::config::value::Provenance::Env {
                name: "npm_config_registry".into()
            }
        );
        assert_eq!(o.winner.source.layer(), crate::config::Layer::Env);
        assert!(o.shadowed.source.to_string().ends_with("home/.npmrc:1"));
        assert!(o.shadowed_has_credential);
    }

    #[test]
    fn credential_sent_with_its_source() {
        let (_d, config) = load(
            "registry=http://127.0.0.1:4873/\n//127.0.0.1:4873/:_authToken=npm_CANARYcanaryCANARYcanaryCANARY0001\n",
            &[],
        );
        let facts = gather(
            &config,
            &target(&config, &failure("http://127.0.0.1:4873/@priv%2flib")),
        );
        let c = facts.credential.expect("a credential");
        assert_eq!(c.key, "//127.0.0.1:4873/:_authToken");
        assert!(c.source.ends_with("home/.npmrc:2"));
        assert!(!c.redacted.contains("CANARYcanary"));
        assert!(facts.near_misses.is_empty() && facts.unmapped_scope.is_some());
    }

    /// Problems are picked by kind and key: free text inside a problem (a skip reason, a path)
    /// that says what other problems' sentences say changes nothing, and neither can the
    /// wording of any sentence, which is made later, from the kind.
    #[test]
    fn problems_are_picked_by_kind_not_by_their_words() {
        use crate::config::problems::{LegacyFix, ProblemKind};
        use crate::config::{Layer, Provenance};
        let at = |line| {
            Some(Provenance::File {
                layer: Layer::Project,
                path: "/p/.npmrc".into(),
                line,
            })
        };
        let misleading = "ERR_INVALID_AUTH; is overridden by; npm reads the user config from";
        let problems = vec![
            Problem {
                kind: ProblemKind::SkippedFile {
                    key: "//127.0.0.1:4873/:_authToken".into(),
                    path: format!("/p/{misleading}/.npmrc").into(),
                    reason: misleading.into(),
                },
                source: at(1),
            },
            Problem {
                kind: ProblemKind::LegacyTopLevel {
                    key: "_authToken".into(),
                    layer: Layer::Project,
                    fix: LegacyFix::RenameTo("//127.0.0.1:4873/:_authToken".into()),
                },
                source: at(2),
            },
            Problem {
                kind: ProblemKind::Overridden {
                    key: "//other.example/:_authToken".into(),
                    by: Provenance::Cli,
                },
                source: at(3),
            },
        ];
        let host = Some("//127.0.0.1:4873/".to_owned());
        assert_eq!(stopping(&problems), problems[1..2]);
        assert_eq!(unread(&problems, &host), problems[..1]);
        assert!(
            overriding(&problems, &host, None).is_empty(),
            "another host's key"
        );
        let mut registry_override = problems[2].clone();
        registry_override.kind = ProblemKind::Overridden {
            key: "registry".into(),
            by: Provenance::Cli,
        };
        assert_eq!(
            overriding(&[registry_override.clone()], &host, None),
            [registry_override]
        );

        // the diagnosis follows the typed facts: the same facts rank the same cause
        let mut failure = failure("http://127.0.0.1:4873/@priv%2flib");
        failure.signals.has_error = true;
        let mut facts = crate::diagnose::Facts::from_failure(failure);
        facts.config = Some(ConfigFacts {
            unread_credentials: unread(&problems, &host),
            ..ConfigFacts::default()
        });
        let d = crate::diagnose::diagnose(&facts);
        assert_eq!(d.report.causes[0].id, "npmrc-misconfig");
        assert!(d.report.causes[0]
            .evidence
            .iter()
            .any(|e| e.source.as_deref() == Some("/p/.npmrc:1")));
    }
}
