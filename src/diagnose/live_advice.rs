//! Fix steps that only live evidence can write: they name the real file:line, key, variable,
//! scope, host or user that this machine's configuration and the probes showed. They go before
//! the general steps of `advice`.

use super::context::Context;
use super::facts::{ConfigFacts, ProbeFact, ProbeOutcome, VarState};
use super::registry::nerf;

/// The specific steps for cause `id`, empty when there is no live evidence for it.
pub fn fix(id: &str, cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return probe_only(id, cx);
    };
    let reg = cx.registry_or_placeholder();
    let host = cx.host_or_registry_word();
    match id {
        "token-env-unset" => config
            .variables
            .iter()
            .filter(|v| v.state != VarState::Set)
            .map(|v| {
                let state = if v.state == VarState::Empty {
                    "set but empty"
                } else {
                    "unset"
                };
                format!(
                    "export {name}=<token>   # ${{{name}}} is {state} here; it is used by {source}",
                    name = v.name,
                    source = v.source
                )
            })
            .collect(),
        "token-wrong-host" => config
            .near_misses
            .iter()
            .map(|m| {
                let field = m.key.rsplit_once(':').map_or("_authToken", |(_, f)| f);
                format!(
                    "change the key `{}` at {} to `{}:{field}` ({})",
                    m.key,
                    m.source,
                    nerf(&reg),
                    m.why
                )
            })
            .collect(),
        "scope-not-mapped" => {
            let scope = config
                .unmapped_scope
                .clone()
                .or_else(|| cx.scope.clone())
                .unwrap_or_else(|| "@scope".into());
            match home_registry(cx, config) {
                Some(r) => vec![format!(
                    "npm config set {scope}:registry {r} --location project   # {} is on {r}; without the mapping it goes to {host}",
                    cx.package.clone().unwrap_or_else(|| "the package".into())
                )],
                None => Vec::new(),
            }
        }
        "lockfile-registry-mismatch" => {
            let Some(l) = config
                .lockfile_hosts_without_credential
                .iter()
                .find(|l| Some(&l.value) == cx.host.as_ref())
            else {
                return Vec::new();
            };
            let configured = config
                .registry
                .as_ref()
                .map(|r| r.value.clone())
                .unwrap_or_default();
            // the user's own command, made to fetch from the configured registry
            let verb = match cx.failure.command.first().map(String::as_str) {
                Some(v @ ("install" | "i" | "ci" | "update")) => v.to_owned(),
                _ => "ci".to_owned(),
            };
            vec![
                format!("npm {verb} --replace-registry-host=always   # {} resolves packages on {}; this fetches them from {configured} instead", l.source, l.value),
                format!("or regenerate {} against {configured}: delete it and run `npm install`", l.source),
            ]
        }
        "token-missing" => {
            let file = config
                .files_read
                .iter()
                .find(|f| f.ends_with("/.npmrc"))
                .cloned();
            vec![format!(
                "add `{}:_authToken=${{NPM_TOKEN}}` to {} (or run `npm login --registry {reg}`)",
                nerf(&reg),
                file.unwrap_or_else(|| "~/.npmrc".into())
            )]
        }
        "token-invalid-or-expired" => match &config.credential {
            Some(c) => {
                let when = c
                    .expiry
                    .as_ref()
                    .filter(|e| e.expired)
                    .map(|e| format!("; it expired at {}", e.at))
                    .unwrap_or_default();
                vec![format!(
                    "replace the token `{}` ({}) at {} with a valid one{when}",
                    c.key, c.redacted, c.source
                )]
            }
            None => Vec::new(),
        },
        "npmrc-misconfig" => misconfig(config),
        _ => probe_only(id, cx),
    }
}

/// The registry the package was found on by a probe, else one the configuration has a
/// credential for.
fn home_registry(cx: &Context, config: &ConfigFacts) -> Option<String> {
    cx.facts
        .probes
        .iter()
        .find_map(|p| match p {
            ProbeFact::View {
                registry,
                status: Some(200),
                failing_registry: false,
                ..
            } if !cx
                .registry
                .as_deref()
                .is_some_and(|r| super::rules::same_server(r, registry)) =>
            {
                Some(registry.clone())
            }
            _ => None,
        })
        .or_else(|| {
            config
                .credential_registries
                .iter()
                .find(|r| {
                    !cx.registry
                        .as_deref()
                        .is_some_and(|f| super::rules::same_server(f, r))
                })
                .cloned()
        })
}

fn misconfig(config: &ConfigFacts) -> Vec<String> {
    let mut out = Vec::new();
    for l in &config.invalid_auth {
        out.push(format!("npm config fix   # {}: {}", l.source, l.value));
    }
    for l in &config.unread_credentials {
        out.push(format!("{}: {}", l.source, l.value));
        if l.value.contains("npm reads the user config from") {
            out.push(
                "unset NPM_CONFIG_USERCONFIG (or copy the credential line into the file it names)"
                    .into(),
            );
        }
    }
    if let Some(o) = config
        .registry_override
        .as_ref()
        .filter(|o| o.shadowed_has_credential)
    {
        let how = match o.winner.source.strip_prefix("env:") {
            Some(var) => format!("unset {var}"),
            None if o.winner.source == "cli" => format!("drop --{} from the command", o.key),
            None => format!("remove `{}` from {}", o.key, o.winner.source),
        };
        out.push(format!(
            "{how}   # {} = {} ({} layer) overrides {} from {}",
            o.key, o.winner.value, o.winner_layer, o.shadowed.value, o.shadowed.source
        ));
    }
    out
}

/// Steps from the probes alone.
fn probe_only(id: &str, cx: &Context) -> Vec<String> {
    let user = cx.facts.probes.iter().find_map(|p| match p {
        ProbeFact::Whoami {
            outcome: ProbeOutcome::Ok(u),
            ..
        } => Some(u.clone()),
        _ => None,
    });
    match (id, user) {
        ("insufficient-permission", Some(u)) => vec![format!(
            "the token is valid (you are {u}): ask an admin of {} to give {u} access to {}",
            cx.host_or_registry_word(),
            cx.package.clone().unwrap_or_else(|| "this package".into())
        )],
        ("publish-not-allowed", Some(u)) => vec![format!(
            "you are {u}, who may not publish {}: ask an owner to add {u}, or publish under a scope you own",
            cx.package.clone().unwrap_or_else(|| "this package".into())
        )],
        _ => Vec::new(),
    }
}
