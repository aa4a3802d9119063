//! The failing client's own terms, as pieces every cause's fix and verify text is made of: who
//! reads the configuration (`npm`, `pnpm`, `yarn`), its login command, and for yarn berry, which
//! reads `.yarnrc.yml` (`npmScopes`, `npmRegistries`, `npmAuthToken`) and never `.npmrc`, its
//! setting names and `yarn npm` commands. The client (`Context::client`) is an input of each
//! cause's wording: nothing rewrites or filters a sentence afterwards.

use super::context::Context;
use super::registry::nerf;
use crate::config::clients::ClientKind;

/// The failing client is yarn berry (from its text, or the shim's version check).
pub(crate) fn is_berry(cx: &Context) -> bool {
    cx.client == ClientKind::Berry
}

/// Who read the configuration and sent the request, for sentences: `npm`, `pnpm` or `yarn`.
pub(crate) fn tool(cx: &Context) -> &'static str {
    match cx.client {
        ClientKind::Npm => "npm",
        ClientKind::Pnpm(_) => "pnpm",
        ClientKind::Yarn1 | ClientKind::Berry => "yarn",
    }
}

/// The login command that stores a token for the failing registry, in the client's terms
/// (yarn 1 reads the `.npmrc` that `npm login` writes).
pub(crate) fn login(cx: &Context) -> String {
    let reg = cx.registry_or_placeholder();
    match cx.client {
        ClientKind::Pnpm(_) => format!("pnpm login --registry {reg}"),
        ClientKind::Berry => match berry_scope(cx) {
            Some(s) => format!("yarn npm login --scope {s}"),
            None => "yarn npm login".to_owned(),
        },
        ClientKind::Npm | ClientKind::Yarn1 => format!("npm login --registry {reg}"),
    }
}

/// The bare login word (`npm login`, `pnpm login`, `yarn npm login`) for sentences.
pub(crate) fn login_word(cx: &Context) -> &'static str {
    match cx.client {
        ClientKind::Pnpm(_) => "pnpm login",
        ClientKind::Berry => "yarn npm login",
        ClientKind::Npm | ClientKind::Yarn1 => "npm login",
    }
}

/// The publish command in the client's terms.
pub(crate) fn publish_word(cx: &Context) -> &'static str {
    match cx.client {
        ClientKind::Pnpm(_) => "pnpm publish",
        ClientKind::Berry => "yarn npm publish",
        ClientKind::Npm | ClientKind::Yarn1 => "npm publish",
    }
}

/// `priv` for `@priv/lib`: berry's scope names have no `@`.
pub(crate) fn berry_scope(cx: &Context) -> Option<String> {
    cx.scope
        .as_deref()
        .map(|s| s.trim_start_matches('@').to_owned())
}

/// `npmRegistries["//host"]` for the failing registry.
pub(crate) fn berry_registry_entry(cx: &Context) -> String {
    format!(
        "npmRegistries[\"{}\"]",
        nerf(&cx.registry_or_placeholder()).trim_end_matches('/')
    )
}

/// Where berry looks for this request's token: `npmScopes.priv` or `npmRegistries["//h"]`.
pub(crate) fn berry_place(cx: &Context) -> String {
    match berry_scope(cx) {
        Some(s) => format!("npmScopes.{s}"),
        None => berry_registry_entry(cx),
    }
}

/// `yarn npm whoami`, for the scope when there is one (berry picks the registry by scope).
pub(crate) fn berry_whoami(cx: &Context) -> String {
    match berry_scope(cx) {
        Some(s) => format!("yarn npm whoami --scope {s}"),
        None => "yarn npm whoami".to_owned(),
    }
}

/// `yarn npm info PKG --fields FIELDS`, or whoami when no package is known.
pub(crate) fn berry_info(cx: &Context, fields: &str) -> String {
    match &cx.package {
        Some(p) => format!("yarn npm info {p} --fields {fields}"),
        None => berry_whoami(cx),
    }
}

/// A cause's verify steps for this client: berry's first step is always its whoami for the
/// scope (it shows which credential yarn sends; berry has no `npm profile`, `owner` or
/// `config get` for `.npmrc`), then the cause's own steps.
pub(crate) fn checks(cx: &Context, steps: Vec<String>) -> Vec<String> {
    if !is_berry(cx) {
        return steps;
    }
    let whoami = berry_whoami(cx);
    std::iter::once(whoami.clone())
        .chain(steps.into_iter().filter(|s| *s != whoami))
        .collect()
}

/// The fix berry users get when a token is what is missing: the `.yarnrc.yml` setting.
pub(crate) fn berry_token_fix(cx: &Context, var: &str) -> String {
    format!(
        "set npmAuthToken: \"${{{var}}}\" under {} in ~/.yarnrc.yml for {} (or run `{}`)",
        berry_place(cx),
        cx.host_or_registry_word(),
        login(cx)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::causes::{self, CAUSE_IDS};
    use crate::diagnose::facts::Facts;

    fn berry_facts(text: &str) -> Facts {
        let mut facts = Facts::from_failure(crate::detect::from_text(text));
        facts.client = ClientKind::Berry;
        facts
    }

    /// Words a berry user cannot act on: npm's files, keys, commands and wording.
    fn npm_wording(line: &str) -> bool {
        let trimmed = line.trim_start();
        trimmed.starts_with("npm ")
            || line.contains("`npm ")
            || line.contains("(npm ")
            || line.contains(".npmrc")
                && !line.contains("ignores .npmrc")
                && !line.contains("not read .npmrc")
            || line.contains(":_authToken")
            || line.contains(":_auth=")
            || line.contains("NPM_CONFIG_")
            || line.contains("npm_config_")
            || line.contains("npm read")
            || line.contains("npm does not")
            || line.contains("npm sent")
    }

    #[test]
    fn no_cause_speaks_npm_to_a_berry_user() {
        let texts = [
            "➤ YN0041: Invalid authentication (as an anonymous user)\n➤ YN0041:   Request URL: http://127.0.0.1:4873/@priv%2flib\n",
            "➤ YN0035: Package not found\n➤ YN0035:   Response Code: 404 (Not Found)\n➤ YN0035:   Request Method: GET\n➤ YN0035:   Request URL: http://127.0.0.1:4873/@team%2fsecret\n",
            "Usage Error: Environment variable not found (NPM_TOKEN) in /home/u/.yarnrc.yml\n",
        ];
        for text in texts {
            let facts = berry_facts(text);
            let cx = Context::new(&facts);
            for id in CAUSE_IDS {
                let (advice, live) = (causes::advice(id, &cx), causes::fix_live(id, &cx));
                let mut lines: Vec<&String> = advice
                    .fix
                    .iter()
                    .chain(&advice.verify)
                    .chain(&live)
                    .collect();
                // every cause's meaning and deciding fact are berry's own
                lines.push(&advice.summary);
                lines.push(&advice.decider);
                for line in lines {
                    assert!(!npm_wording(line), "{id}: {line}");
                }
                assert!(!advice.fix.is_empty(), "{id}: a fix remains");
                assert!(advice.verify[0].starts_with("yarn npm whoami"), "{id}");
            }
        }
    }

    #[test]
    fn berry_names_its_own_settings() {
        let mut facts = berry_facts("➤ YN0041: Invalid authentication (as an anonymous user)\n");
        facts.failure.package = Some("@priv/lib".into());
        let cx = Context::new(&facts);
        let advice = causes::advice("token-missing", &cx);
        assert!(
            advice.decider.contains("npmScopes.priv"),
            "{}",
            advice.decider
        );
        assert_eq!(advice.verify[0], "yarn npm whoami --scope priv");
        assert!(advice.fix[0].contains(".yarnrc.yml"), "{:?}", advice.fix);
    }

    #[test]
    fn pnpm_logs_in_with_pnpm() {
        let mut facts = Facts::from_failure(crate::detect::from_text(
            " ERR_PNPM_FETCH_401  GET http://127.0.0.1:4873/@priv%2flib: Unauthorized - 401\n",
        ));
        facts.client = ClientKind::Pnpm(10);
        let cx = Context::new(&facts);
        assert_eq!(login(&cx), "pnpm login --registry http://127.0.0.1:4873/");
    }
}
