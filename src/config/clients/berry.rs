//! yarn berry's route for a package's metadata request (plugin-npm's npmConfigUtils and
//! npmHttpUtils, read in the 4.18.1 bundle): the registry is `npmScopes.<scope>.npmRegistryServer`
//! else `npmRegistryServer` (default https://registry.yarnpkg.com); the credential comes from
//! the scope's settings when they hold `npmAuthToken`/`npmAuthIdent`, else from
//! `npmRegistries["<registry>"]` (also tried without the scheme), else the top level; a scoped
//! package's GET sends it when present, an unscoped one only with that place's `npmAlwaysAuth`.
//! `.npmrc` is never read.

use std::collections::BTreeMap;

use super::yarnrc::{Setting, Yarnrc};
use super::{with_slash, ClientKind, ClientRoute, Ignored, IgnoredBecause, SentCredential};
use crate::config::layers::LoadContext;
use crate::config::route;
use crate::config::value::Provenance;

const DEFAULT_REGISTRY: &str = "https://registry.yarnpkg.com/";

/// Where berry sends `package`'s metadata request from `ctx.cwd`.
pub fn route_package(ctx: &LoadContext, package: &str) -> ClientRoute {
    let rc = load(ctx);
    let scope = route::scope_of(package).map(|s| s.trim_start_matches('@').to_owned());
    let (registry, registry_source, registry_key) = pick_registry(&rc, scope.as_deref());
    let url = route::packument_url(&registry, package);
    let fatal = rc.fatal_variable().map(|(var, at)| {
        format!(
            "yarn berry stops before any request: Environment variable not found ({var}) in {at}"
        )
    });
    let (credential, no_credential_because) = credential(&rc, scope.as_deref(), &registry);
    let fatal = fatal.or_else(|| {
        (scope.is_none() && credential.is_none())
            .then(|| always_auth_without_credential(&rc, &registry))
            .flatten()
    });
    ClientRoute {
        client: ClientKind::Berry,
        package: package.to_owned(),
        registry,
        registry_source,
        registry_key,
        url,
        credential,
        no_credential_because,
        fatal,
        ignored: npmrc_lines(ctx),
    }
}

/// The `.yarnrc.yml` layers and `YARN_*` variables berry reads for a run in `ctx`.
pub fn load(ctx: &LoadContext) -> Yarnrc {
    let env: BTreeMap<String, String> = ctx.env.iter().cloned().collect();
    let home = env
        .get("HOME")
        .map(Into::into)
        .unwrap_or_else(|| dirs::home_dir().unwrap_or_default());
    Yarnrc::load(&ctx.cwd, &home, &env)
}

/// Every credential berry has per registry (`npmRegistries["//host"]`): the display key, the
/// registry as an npm-style nerf-dart prefix (`//host/`), and where it was set.
pub fn registry_credentials(rc: &Yarnrc) -> Vec<(String, String, Provenance)> {
    let mut out = Vec::new();
    for key in rc.registry_keys() {
        for field in ["npmAuthToken", "npmAuthIdent"] {
            if let Some(s) = rc.get(&["npmRegistries", &key, field]) {
                let schemeless = key.split_once(':').filter(|(_, r)| r.starts_with("//"));
                let nerf = schemeless.map_or(key.as_str(), |(_, r)| r);
                out.push((
                    display_key(&["npmRegistries".into(), key.clone()], field),
                    with_slash(nerf),
                    s.provenance.clone(),
                ));
            }
        }
    }
    out
}

fn pick_registry(rc: &Yarnrc, scope: Option<&str>) -> (String, Provenance, String) {
    if let Some(scope) = scope {
        if let Some(s) = rc.get(&["npmScopes", scope, "npmRegistryServer"]) {
            return (
                with_slash(&s.value),
                s.provenance.clone(),
                format!("npmScopes.{scope}.npmRegistryServer"),
            );
        }
    }
    let key = match scope {
        Some(scope) => format!("npmScopes.{scope}.npmRegistryServer"),
        None => "npmRegistryServer".to_owned(),
    };
    match rc.get(&["npmRegistryServer"]) {
        Some(s) => (with_slash(&s.value), s.provenance.clone(), key),
        None => (DEFAULT_REGISTRY.to_owned(), Provenance::Default, key),
    }
}

/// The settings place berry takes the credential from: its path prefix.
fn auth_place(rc: &Yarnrc, scope: Option<&str>, registry: &str) -> Vec<String> {
    let has_auth = |prefix: &[&str]| {
        ["npmAuthToken", "npmAuthIdent"].iter().any(|k| {
            let mut p = prefix.to_vec();
            p.push(k);
            rc.get(&p).is_some()
        })
    };
    if let Some(scope) = scope {
        if has_auth(&["npmScopes", scope]) {
            return vec!["npmScopes".into(), scope.into()];
        }
    }
    let bare = registry.trim_end_matches('/');
    let schemeless = bare.split_once(':').map_or(bare, |(_, rest)| rest);
    for key in [bare, schemeless] {
        if rc.registry_keys().iter().any(|k| k == key) {
            return vec!["npmRegistries".into(), key.into()];
        }
    }
    Vec::new()
}

fn display_key(place: &[String], field: &str) -> String {
    match place {
        [] => field.to_owned(),
        [map, key] if map == "npmRegistries" => format!("npmRegistries[\"{key}\"].{field}"),
        _ => format!("{}.{field}", place.join(".")),
    }
}

fn credential(
    rc: &Yarnrc,
    scope: Option<&str>,
    registry: &str,
) -> (Option<SentCredential>, Option<String>) {
    let place = auth_place(rc, scope, registry);
    let get = |field: &str| {
        let mut p: Vec<&str> = place.iter().map(String::as_str).collect();
        p.push(field);
        rc.get(&p)
    };
    let always_auth = get("npmAlwaysAuth").is_some_and(|s| s.value == "true");
    if scope.is_none() && !always_auth {
        let why = format!(
            "berry sends a credential for an unscoped package only with `{}: true`",
            display_key(&place, "npmAlwaysAuth")
        );
        return (None, Some(why));
    }
    let found = [("npmAuthToken", "Bearer"), ("npmAuthIdent", "Basic")]
        .into_iter()
        .find_map(|(field, header)| {
            get(field)
                .filter(|s| !s.value.is_empty())
                .map(|s| (field, header, s))
        });
    match found {
        Some((field, header, s)) => (Some(sent(&place, field, header, s)), None),
        None => {
            let key = display_key(&place, "npmAuthToken");
            let why = match get("npmAuthToken") {
                Some(s) if s.uses_variable => {
                    format!("`{key}` ({}) is empty where yarn ran", s.provenance)
                }
                _ => format!("no `{key}` (or npmAuthIdent) in any .yarnrc.yml berry reads"),
            };
            (None, Some(why))
        }
    }
}

/// An unscoped GET whose settings place says `npmAlwaysAuth: true` but holds no usable
/// credential: berry throws YN0033 "No authentication configured for request" before sending
/// it. (plugin-npm's npmHttpUtils `get` uses AuthType.BEST_EFFORT for a scoped package and
/// the CONFIGURATION default, `npmAlwaysAuth`, otherwise; `getAuthenticationHeader` throws
/// when it must authenticate and finds neither npmAuthToken nor npmAuthIdent; read in the
/// 4.18.1 bundle.)
fn always_auth_without_credential(rc: &Yarnrc, registry: &str) -> Option<String> {
    let mut path: Vec<String> = auth_place(rc, None, registry);
    path.push("npmAlwaysAuth".into());
    let key: Vec<&str> = path.iter().map(String::as_str).collect();
    rc.get(&key).filter(|s| s.value == "true").map(|s| {
        format!(
            "yarn berry stops before any request: YN0033 No authentication configured for request ({} is true at {} and no npmAuthToken or npmAuthIdent is set there)",
            display_key(&path[..path.len() - 1], "npmAlwaysAuth"),
            s.provenance
        )
    })
}

fn sent(place: &[String], field: &str, header: &'static str, s: &Setting) -> SentCredential {
    SentCredential {
        key: display_key(place, field),
        source: s.provenance.clone(),
        header,
        redacted: crate::secret::redact(&s.value),
        empty: false,
    }
}

/// Credential and registry lines of the `.npmrc` files npm would read: berry ignores them all.
fn npmrc_lines(ctx: &LoadContext) -> Vec<Ignored> {
    let layers = crate::config::layers::load(ctx);
    let mut out = Vec::new();
    for v in layers.data.values().flat_map(|d| d.values()) {
        let relevant = v.key == "registry"
            || v.key.ends_with(":registry")
            || crate::config::credential::split_key(&v.key).is_some();
        if relevant && matches!(v.provenance, Provenance::File { .. }) {
            out.push(Ignored {
                key: v.key.clone(),
                source: v.provenance.clone(),
                because: IgnoredBecause::NpmrcNotRead,
            });
        }
    }
    out
}
