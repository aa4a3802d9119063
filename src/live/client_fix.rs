//! What a pnpm or yarn client read and ignored, before the top cause's fix: a project `${VAR}`
//! credential pnpm never expands, `.npmrc` lines berry never reads, `npm_config_*` pnpm 11
//! drops become the first fix line (and evidence) with their file:line; for berry also a publish
//! sent past the scope's registry. The causes word their own advice in the client's terms
//! (`Facts::client`); sentences here are made from typed facts (the client's route), never by
//! reading or rewriting other text.

use crate::config::clients::{ClientKind, Ignored, IgnoredBecause};
use crate::config::route::scope_of;
use crate::detect::url;
use crate::diagnose::facts::Facts;
use crate::diagnose::Diagnosis;
use crate::report::{Evidence, EvidenceKind};

use super::client_facts::ClientView;

/// Puts first in the top cause's fix (and evidence) what the client of `view` read and ignored,
/// and for berry a publish that went past the scope's registry. The causes' own advice is
/// already in the client's terms (`Facts::client`); nothing here reads or rewrites it.
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
    if view.kind == ClientKind::Berry {
        // berry's ignored settings are `.npmrc` lines: the fix line names their file:line and
        // the `.yarnrc.yml` setting; their npm keys as evidence would read as advice to a berry user
        first.extend(publish_registry_step(view, facts));
    } else {
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
    }
    first.append(&mut top.fix);
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
        IgnoredBecause::ProjectVariableRegistry { variable } => format!(
            "{who} does not expand ${{{variable}}} in a registry URL of a project .npmrc: write the URL literally in `{key}` at {at}, or move the line to ~/.npmrc (pnpm expands it there)",
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

/// `yarn npm publish` sent the package to npmPublishRegistry (berry's default), not to the
/// registry its scope maps to: the setting that sends it there.
fn publish_registry_step(view: &ClientView, facts: &Facts) -> Option<String> {
    if !publish_to_default(view, facts) {
        return None;
    }
    let s = scope_of(&view.route.package)
        .map(|s| s.trim_start_matches('@').to_owned())
        .unwrap_or_default();
    Some(format!(
        "`yarn npm publish` sends to npmPublishRegistry, not npmScopes.{s}.npmRegistryServer: set npmScopes.{s}.npmPublishRegistry: \"{}\" in .yarnrc.yml",
        view.route.registry
    ))
}

/// A publish went to berry's default registry though the scope maps elsewhere.
fn publish_to_default(view: &ClientView, facts: &Facts) -> bool {
    let to = facts.failure.signals.publish_registry.as_deref();
    facts.failure.signals.operation == crate::detect::Operation::Publish
        && to.is_some_and(|t| url::host(t) != url::host(&view.route.registry))
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
