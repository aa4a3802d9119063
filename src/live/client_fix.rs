//! The per-client fix adapter: after the diagnosis of a pnpm or yarn failure, the top cause's
//! fix speaks that client's language and files. What the client read and ignored (a project
//! `${VAR}` credential pnpm never expands, `.npmrc` lines berry never reads, `npm_config_*`
//! pnpm 11 drops) becomes the first fix line and evidence with its file:line; berry gets
//! `.yarnrc.yml` settings instead of `.npmrc` lines and `npm` commands. Sentences are made
//! here from typed facts (the cause id, the client's route), never by reading other text.

use crate::config::clients::{ClientKind, Ignored, IgnoredBecause};
use crate::config::route::scope_of;
use crate::detect::url;
use crate::diagnose::facts::Facts;
use crate::diagnose::Diagnosis;
use crate::report::{Evidence, EvidenceKind};

use super::client_facts::ClientView;

/// Rewrites the top cause's fix (and evidence) for the client of `view`.
pub fn adapt(diagnosis: &mut Diagnosis, view: &ClientView, facts: &Facts) {
    let Some(top) = diagnosis.report.causes.first_mut() else {
        return;
    };
    let host = facts
        .config
        .as_ref()
        .and_then(|c| c.request_registry.as_deref())
        .and_then(url::host);
    let ignored: Vec<&Ignored> = view
        .route
        .ignored
        .iter()
        .filter(|i| concerns(i, host.as_deref(), &view.route.package))
        .collect();
    let mut first: Vec<String> = ignored.iter().map(|i| ignored_fix(i, view)).collect();
    for i in &ignored {
        top.evidence.insert(
            0,
            Evidence {
                kind: EvidenceKind::Config,
                text: format!("`{}` ignored: {}", i.key, i.because.sentence(view.kind)),
                source: Some(i.source.to_string()),
            },
        );
    }
    if view.kind == ClientKind::Berry {
        first.extend(berry_fix(&top.id, view, facts));
        top.evidence
            .retain(|e| e.kind != EvidenceKind::Config || !e.text.contains(".npmrc"));
        top.verify = berry_verify(&top.verify, view);
        if !first.is_empty() {
            top.fix = first;
            return;
        }
    }
    let client = view.kind;
    let mut fix: Vec<String> = top.fix.iter().map(|l| in_client_words(l, client)).collect();
    first.append(&mut fix);
    first.dedup();
    top.fix = first;
}

/// An ignored setting matters when it is for the failing host or the failing package's scope.
fn concerns(i: &Ignored, host: Option<&str>, package: &str) -> bool {
    let key = i.key.to_ascii_lowercase();
    let for_host = host.is_some_and(|h| key.contains(&format!("//{h}")));
    let for_scope = scope_of(package).is_some_and(|s| key.starts_with(&format!("{s}:")));
    let env = matches!(i.because, IgnoredBecause::NpmConfigEnvIgnored);
    for_host || for_scope || (env && (key.contains("registry") || key.contains("auth")))
}

/// The fix for one ignored setting.
fn ignored_fix(i: &Ignored, view: &ClientView) -> String {
    let who = view.kind.label();
    match &i.because {
        IgnoredBecause::ProjectVariableCredential { variable } => format!(
            "{who} does not expand ${{{variable}}} in a project .npmrc: move `{key}=${{{variable}}}` from {at} to ~/.npmrc (pnpm expands it there), or run `pnpm config set \"{key}\" <token>`",
            key = i.key,
            at = i.source
        ),
        IgnoredBecause::VariableNotReplaced { variable } => format!(
            "export {variable}=<token> where {who} runs: with ${{{variable}}} unset or empty {who} drops `{}` ({})",
            i.key, i.source
        ),
        IgnoredBecause::FileDroppedForVariable { variable } => format!(
            "export {variable}=<token> where {who} runs: while ${{{variable}}} is unset {who} ignores all of {}, `{}` included",
            file_of(&i.source.to_string()),
            i.key
        ),
        IgnoredBecause::NpmConfigEnvIgnored => format!(
            "{who} ignores npm_config_* variables: set {} instead",
            pnpm_variable(&i.key)
        ),
        IgnoredBecause::NpmrcNotRead => format!(
            "yarn berry ignores .npmrc ({}): set {} in .yarnrc.yml",
            i.source,
            berry_key(&i.key)
        ),
    }
}

fn file_of(source: &str) -> &str {
    source.rsplit_once(':').map_or(source, |(f, _)| f)
}

/// `npm_config_registry` -> `pnpm_config_registry`.
fn pnpm_variable(name: &str) -> String {
    match name.get(..11) {
        Some(p) if p.eq_ignore_ascii_case("npm_config_") => format!("pnpm_config_{}", &name[11..]),
        _ => format!("pnpm_config_ (for {name})"),
    }
}

/// The `.yarnrc.yml` setting that does what an `.npmrc` key did.
fn berry_key(npmrc_key: &str) -> String {
    if npmrc_key == "registry" {
        return "npmRegistryServer".into();
    }
    if let Some(scope) = npmrc_key.strip_suffix(":registry") {
        return format!(
            "npmScopes.{}.npmRegistryServer",
            scope.trim_start_matches('@')
        );
    }
    match npmrc_key.rsplit_once(':') {
        Some((prefix, field)) => {
            let field = if field == "_auth" {
                "npmAuthIdent"
            } else {
                "npmAuthToken"
            };
            format!(
                "npmRegistries[\"{}\"].{field}",
                prefix.trim_end_matches('/')
            )
        }
        None => npmrc_key.to_owned(),
    }
}

/// Berry's fix for a cause, in `.yarnrc.yml` terms; empty: the cause's own fix stands (it is
/// about the registry's side, not the client's settings).
fn berry_fix(cause: &str, view: &ClientView, facts: &Facts) -> Vec<String> {
    let route = &view.route;
    let scope = scope_of(&route.package).map(|s| s.trim_start_matches('@').to_owned());
    let host = url::host(&route.registry).unwrap_or_default();
    let config = facts.config.as_ref();
    let place = match &scope {
        Some(s) => format!("npmScopes.{s}"),
        None => format!("npmRegistries[\"//{host}\"]"),
    };
    match cause {
        "token-missing" => vec![format!(
            "add `npmAuthToken: \"${{NPM_TOKEN}}\"` under {place} in ~/.yarnrc.yml and export NPM_TOKEN=<a token for {host}> (or run `yarn npm login{}`)",
            scope.as_ref().map(|s| format!(" --scope {s}")).unwrap_or_default()
        )],
        "token-env-unset" => config
            .into_iter()
            .flat_map(|c| &c.variables)
            .map(|v| {
                format!(
                    "export {0}=<token> where yarn runs: berry stops at ${{{0}}} in {1} (write ${{{0}:-}} there to make it optional)",
                    v.name, v.source
                )
            })
            .collect(),
        "token-wrong-host" => config
            .into_iter()
            .flat_map(|c| &c.near_misses)
            .map(|n| {
                format!(
                    "key the token to the registry yarn uses: {} ({}) names another host; berry sends it only to that host: use npmRegistries[\"//{host}\"].npmAuthToken (or put npmAuthToken under {place})",
                    n.key, n.source
                )
            })
            .collect(),
        "scope-not-mapped" => {
            let Some(s) = &scope else {
                return Vec::new();
            };
            let registry = other_registry(view, facts).unwrap_or_else(|| "<registry URL>".into());
            vec![format!(
                "map the scope in .yarnrc.yml: `npmScopes: {{{s}: {{npmRegistryServer: \"{registry}\"}}}}` (npmScopes.{s}.npmRegistryServer; berry ignores .npmrc)"
            )]
        }
        _ if publish_to_default(view, facts) => {
            let s = scope.unwrap_or_default();
            vec![format!(
                "`yarn npm publish` sends to npmPublishRegistry, not npmScopes.{s}.npmRegistryServer: set npmScopes.{s}.npmPublishRegistry: \"{}\" in .yarnrc.yml",
                route.registry
            )]
        }
        _ => Vec::new(),
    }
}

/// A publish went to berry's default registry though the scope maps elsewhere.
fn publish_to_default(view: &ClientView, facts: &Facts) -> bool {
    let to = facts.failure.signals.publish_registry.as_deref();
    facts.failure.signals.operation == crate::detect::Operation::Publish
        && to.is_some_and(|t| url::host(t) != url::host(&view.route.registry))
}

/// A registry berry has a credential for, other than the one the request went to: where the
/// unmapped scope most likely lives.
fn other_registry(view: &ClientView, facts: &Facts) -> Option<String> {
    let failed = facts.config.as_ref()?.request_registry.clone()?;
    let scheme = failed.split("//").next().unwrap_or("https:").to_owned();
    facts
        .config
        .as_ref()?
        .near_misses
        .iter()
        .map(|n| n.key.clone())
        .chain(view.route.ignored.iter().map(|i| i.key.clone()))
        .find_map(|key| {
            let start = key.find("//")?;
            let rest = &key[start..];
            let end = rest[2..].find(['/', '"']).map_or(rest.len(), |e| e + 2);
            let url = format!("{scheme}{}/", &rest[..end]);
            (url::host(&url) != url::host(&failed)).then_some(url)
        })
}

/// Berry's verify steps: its own whoami instead of npm's.
fn berry_verify(verify: &[String], view: &ClientView) -> Vec<String> {
    let whoami = match scope_of(&view.route.package) {
        Some(s) => format!("yarn npm whoami --scope {}", s.trim_start_matches('@')),
        None => "yarn npm whoami".to_owned(),
    };
    std::iter::once(whoami.clone())
        .chain(
            verify
                .iter()
                .filter(|v| !v.starts_with("npm ") && **v != whoami)
                .cloned(),
        )
        .collect()
}

/// A fix line in the client's words: `npm login` is `pnpm login` for pnpm.
fn in_client_words(line: &str, client: ClientKind) -> String {
    match client {
        ClientKind::Pnpm(_) => line.replace("`npm login", "`pnpm login"),
        _ => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npmrc_keys_become_berry_settings() {
        assert_eq!(
            berry_key("@priv:registry"),
            "npmScopes.priv.npmRegistryServer"
        );
        assert_eq!(berry_key("registry"), "npmRegistryServer");
        assert_eq!(
            berry_key("//127.0.0.1:4873/:_authToken"),
            "npmRegistries[\"//127.0.0.1:4873\"].npmAuthToken"
        );
        assert_eq!(pnpm_variable("npm_config_registry"), "pnpm_config_registry");
    }
}
