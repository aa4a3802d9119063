//! The failing client's own configuration model laid over the facts npm's model gave, for a
//! pnpm or yarn failure: the registry that client chose (with the setting's file:line), the
//! credential it sent or none, its near misses, and what it read and ignored. Berry reads no
//! `.npmrc`, so every `.npmrc`-based fact is replaced by its `.yarnrc.yml` counterpart.

use crate::config::clients::{self, berry, ClientKind, ClientRoute, SentCredential};
use crate::config::route::scope_of;
use crate::config::LoadContext;
use crate::detect::url;
use crate::diagnose::facts::{
    ConfigFacts, CredentialFact, CredentialField, NearMiss, Setting, VarState, VariableFact,
};

use super::config_facts::Target;

/// What the failing client's own model says about the failing request.
#[derive(Debug, Clone)]
pub struct ClientView {
    pub kind: ClientKind,
    /// The route of the failing package.
    pub route: ClientRoute,
    /// The route of an unscoped package: the client's default registry.
    pub default: ClientRoute,
}

/// The view of `kind` for `target`, or `None` for npm (its model is the one already used).
pub fn view(kind: ClientKind, ctx: &LoadContext, target: &Target) -> Option<ClientView> {
    if kind == ClientKind::Npm {
        return None;
    }
    let package = target.package.clone().unwrap_or_else(|| "lib".to_owned());
    let unscoped = package.rsplit('/').next().unwrap_or("lib").to_owned();
    Some(ClientView {
        kind,
        route: clients::route_package(kind, ctx, &package),
        default: clients::route_package(kind, ctx, &unscoped),
    })
}

/// When the text names no URL (berry's YN0041) nor an unexpandable credential, the request
/// went where the client routes it.
pub fn retarget(target: &mut Target, view: &ClientView) {
    if !target.named {
        target.registry = view.route.registry.clone();
    }
}

/// Replaces npm's routing facts with the client's.
pub fn adjust(facts: &mut ConfigFacts, view: &ClientView, ctx: &LoadContext, target: &Target) {
    let route = &view.route;
    facts.registry = Some(Setting {
        value: view.default.registry.clone(),
        source: view.default.registry_source.clone(),
    });
    let mapped = route.registry_key != view.default.registry_key
        && route.registry_source != view.default.registry_source;
    facts.scope_registry = mapped.then(|| Setting {
        value: route.registry.clone(),
        source: route.registry_source.clone(),
    });
    let scope = target.package.as_deref().and_then(scope_of);
    facts.unmapped_scope = match scope {
        Some(s) if !mapped && url::host(&route.registry) == url::host(&target.registry) => {
            Some(s.to_owned())
        }
        _ => None,
    };
    let npm_credential = facts.credential.take();
    facts.credential = route
        .credential
        .as_ref()
        .filter(|c| !c.empty)
        .map(|c| credential_fact(c, npm_credential));
    if view.kind == ClientKind::Berry {
        berry_facts(facts, ctx, target, view);
    }
    if facts.credential.is_some() {
        facts.near_misses.clear();
    }
}

/// The credential the client sends, with npm's fact for the same key when npm has one (its
/// kind and expiry).
fn credential_fact(sent: &SentCredential, npm: Option<CredentialFact>) -> CredentialFact {
    if let Some(fact) = npm.filter(|f| f.key == sent.key) {
        return fact;
    }
    CredentialFact {
        key: sent.key.clone(),
        kind: if sent.redacted.starts_with("npm_") {
            "npm-token".into()
        } else {
            "unknown".into()
        },
        field: if sent.header == "Basic" {
            CredentialField::Auth
        } else {
            CredentialField::AuthToken
        },
        redacted: sent.redacted.clone(),
        source: sent.source.to_string(),
        expiry: None,
    }
}

/// Berry: `.yarnrc.yml` near misses, variables and files instead of `.npmrc` ones.
fn berry_facts(facts: &mut ConfigFacts, ctx: &LoadContext, target: &Target, view: &ClientView) {
    let rc = berry::load(ctx);
    facts.credential_registries = credential_registries(&rc, view, &target.registry);
    facts.near_misses = match ::url::Url::parse(&target.registry) {
        Ok(reg) => berry::registry_credentials(&rc)
            .into_iter()
            .filter_map(|(key, prefix, source)| {
                let why = crate::config::problems::near_miss(&prefix, &reg)?;
                Some(NearMiss {
                    key,
                    source: source.to_string(),
                    why,
                })
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    facts.variables = rc
        .fatal_variable()
        .map(|(name, at)| VariableFact {
            name: name.to_owned(),
            state: VarState::Unset,
            source: at.to_string(),
        })
        .into_iter()
        .collect();
    facts.files_read = rc.files.iter().map(|p| p.display().to_string()).collect();
    facts.invalid_auth.clear();
    facts.overridden.clear();
    facts.unread_credentials.clear();
    facts.lockfile_hosts_without_credential.clear();
    facts.registry_override = None;
}

/// The registries credentials exist for on this machine, other than the failing one: berry's
/// own (`npmRegistries`), and those of the `.npmrc` lines it ignores (a scope may well live
/// there).
fn credential_registries(
    rc: &crate::config::clients::yarnrc::Yarnrc,
    view: &ClientView,
    failed: &str,
) -> Vec<String> {
    let scheme = failed.split("//").next().unwrap_or("https:");
    let npmrc = view
        .route
        .ignored
        .iter()
        .filter_map(|i| {
            crate::config::credential::split_key(&i.key).map(|(prefix, _)| prefix.to_owned())
        })
        .filter(|p| p.starts_with("//"));
    let mut out: Vec<String> = berry::registry_credentials(rc)
        .into_iter()
        .map(|(_, prefix, _)| prefix)
        .chain(npmrc)
        .map(|prefix| clients::with_slash(&format!("{scheme}{prefix}")))
        .filter(|u| url::host(u) != url::host(failed))
        .collect();
    out.sort();
    out.dedup();
    out
}
