//! pnpm's credential lookup by registry URL, read from the settings list it prints.

use crate::detect::url;
use crate::diagnose::context::Context;

/// pnpm (before 8.11: pnpm/pnpm#7337, @pnpm/network.auth-header 2.0.6 "Fix missing auth tokens in
/// registries with paths specified") looked a credential up by the registry URL itself, where
/// npm walks up its path: a token keyed to `//host/` was not sent to a registry configured as
/// `https://host/some/path/`. On GitHub Packages (documented URL `https://npm.pkg.github.com`,
/// no owner path) the fix is the registry URL; on registries whose path is part of the
/// repository (Artifactory, Nexus, Azure) it is the credential key, so callers check the kind.
pub(crate) fn pnpm_registry_path_under_credential(cx: &Context) -> bool {
    let settings = &cx.failure.signals.auth_settings;
    let credential_paths: Vec<(String, &str)> = settings
        .iter()
        .filter(|k| k.starts_with("//") && k.contains(":_"))
        .filter_map(|k| {
            let key = k.split(":_").next()?;
            Some((url::host(&format!("https:{key}"))?, key_path(key)))
        })
        .collect();
    settings
        .iter()
        .filter_map(|k| k.split_once("registry=").map(|(_, u)| u.trim()))
        .filter(|u| url::host(u).as_deref() == cx.host.as_deref())
        .any(|u| {
            let reg_path = url::path(u).trim_end_matches('/');
            credential_paths.iter().any(|(h, p)| {
                Some(h.as_str()) == cx.host.as_deref()
                    && reg_path.len() > p.trim_end_matches('/').len()
                    && reg_path.starts_with(p.trim_end_matches('/'))
            })
        })
}

/// The path part of a nerf-dart key (`//host/path/` -> `/path/`).
fn key_path(key: &str) -> &str {
    let rest = key.trim_start_matches('/');
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// Does pnpm's settings list hold a credential for the failing host?
pub(crate) fn pnpm_listed_credential_for_host(cx: &Context) -> bool {
    let Some(host) = cx.host.as_deref() else {
        return false;
    };
    cx.failure.signals.auth_settings.iter().any(|k| {
        k.starts_with("//")
            && k.contains(":_")
            && url::host(&format!("https:{k}")).as_deref() == Some(host)
    })
}
