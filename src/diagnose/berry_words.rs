//! Yarn berry's words for every cause: berry reads `.yarnrc.yml` (`npmScopes`,
//! `npmRegistries`, `npmAuthToken`), never `.npmrc`, and has its own commands (`yarn npm
//! whoami`, `yarn npm info`, `yarn npm login`, `yarn config get`). The causes' advice is npm's;
//! for a berry failure the meaning and deciding fact of the causes a berry run reaches are
//! berry's own, and fix or verify steps that are npm commands or `.npmrc` lines are replaced.

use super::advice::Advice;
use super::context::Context;
use super::registry::nerf;
use crate::types::ClientId;

/// Whether the failing client is yarn berry (from its text, or the shim's version check).
pub(crate) fn is_berry(cx: &Context) -> bool {
    cx.failure.tool == Some(ClientId::YarnBerry)
}

/// `npm`'s advice and live fix steps for cause `id`, in berry's terms.
pub(crate) fn for_berry(
    id: &str,
    cx: &Context,
    npm: Advice,
    live: Vec<String>,
) -> (Advice, Vec<String>) {
    let words = Words::new(cx);
    let (summary, decider) = words.meaning(id).unwrap_or((npm.summary, npm.decider));
    let mut fix: Vec<String> = npm.fix.into_iter().filter(|l| !npm_only(l)).collect();
    if fix.is_empty() {
        fix = words.fix(id);
    }
    let live = live.into_iter().filter(|l| !npm_only(l)).collect();
    let verify = std::iter::once(words.whoami())
        .chain(words.info())
        .chain(npm.verify.into_iter().filter(|l| !npm_only(l)))
        .collect();
    let advice = Advice {
        summary,
        fix,
        verify,
        decider,
    };
    (advice, live)
}

/// A step only npm understands: an npm command, an `.npmrc` line or file, npm's config
/// variables.
pub(crate) fn npm_only(line: &str) -> bool {
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
}

/// The names berry's sentences use.
struct Words {
    host: String,
    registry: String,
    /// `priv` for `@priv/lib`.
    scope: Option<String>,
    package: Option<String>,
    variable: String,
}

impl Words {
    fn new(cx: &Context) -> Words {
        Words {
            host: cx.host_or_registry_word(),
            registry: cx.registry_or_placeholder(),
            scope: cx
                .scope
                .as_deref()
                .map(|s| s.trim_start_matches('@').to_owned()),
            package: cx.package.clone(),
            variable: cx
                .variable
                .clone()
                .unwrap_or_else(|| "NPM_TOKEN".to_owned()),
        }
    }

    /// Where berry looks for this request's token: `npmScopes.priv` or `npmRegistries["//h"]`.
    fn place(&self) -> String {
        match &self.scope {
            Some(s) => format!("npmScopes.{s}"),
            None => format!(
                "npmRegistries[\"{}\"]",
                nerf(&self.registry).trim_end_matches('/')
            ),
        }
    }

    fn whoami(&self) -> String {
        match &self.scope {
            Some(s) => format!("yarn npm whoami --scope {s}"),
            None => "yarn npm whoami".to_owned(),
        }
    }

    fn info(&self) -> Option<String> {
        self.package
            .as_ref()
            .map(|p| format!("yarn npm info {p} --fields version"))
    }

    /// The meaning and the deciding fact of causes a berry run reaches.
    fn meaning(&self, id: &str) -> Option<(String, String)> {
        let (host, place, var) = (&self.host, self.place(), &self.variable);
        let whoami = self.whoami();
        let pair = match id {
            "token-missing" => (
                format!("No credential was sent to {host}: yarn found no npmAuthToken or npmAuthIdent for it in the .yarnrc.yml files or YARN_* variables it read."),
                format!("no npmAuthToken under {place} (or npmRegistries, or top level) in any .yarnrc.yml yarn reads (`yarn config get npmAuthToken`), or `{whoami}` says it is not logged in"),
            ),
            "token-env-unset" => (
                format!("The .yarnrc.yml credential for {host} comes from ${{{var}}}, which was unset or empty where yarn ran: berry stops at an unset variable without a `:-` fallback."),
                format!("the .yarnrc.yml npmAuthToken for {host} uses ${{{var}}} and {var} is unset or empty in that shell/step"),
            ),
            "token-wrong-host" => (
                format!("A credential exists in .yarnrc.yml, but it is keyed to another host or path than {}, so yarn does not send it there.", self.registry),
                format!("the npmRegistries keys in .yarnrc.yml vs {}: same host but another path, port or protocol", nerf(&self.registry)),
            ),
            "scope-not-mapped" => {
                let s = self.scope.clone().unwrap_or_else(|| "<scope>".into());
                (
                    format!("{} went to yarn's default registry ({host}) because no npmScopes.{s}.npmRegistryServer sends it to the registry that has it.", self.package.clone().unwrap_or_else(|| "The package".into())),
                    format!("`yarn config get npmScopes` has no entry for {s} (berry ignores .npmrc mappings)"),
                )
            }
            "npmrc-misconfig" => (
                format!("The configuration does not give {host} a usable credential: it sits where yarn berry does not look (berry ignores .npmrc), under another npmScopes/npmRegistries key, or the registry URL itself is wrong."),
                "which .yarnrc.yml files yarn read (`yarn config`) and whether npmAuthToken is set for the registry in use".to_owned(),
            ),
            "token-invalid-or-expired" => (
                format!("A credential was sent to {host} and refused: it is expired, revoked or wrong."),
                format!("`{whoami}` fails (or the token's expiry date is past)"),
            ),
            "insufficient-permission" => (
                format!("The credential is valid but lacks access to {} on {host}.", self.package.clone().unwrap_or_else(|| "this package".into())),
                format!("`{whoami}` succeeds (the token is valid) while the package request is refused"),
            ),
            "publish-not-allowed" => (
                format!("{host} refused the publish: this account may not publish {}, or the name/scope belongs to someone else.", self.package.clone().unwrap_or_else(|| "this package".into())),
                "the server's 403 text on the PUT, and who the registry lists as the package's owners".to_owned(),
            ),
            _ => return None,
        };
        Some(pair)
    }

    /// Fix steps when every one of npm's was an npm command or `.npmrc` line.
    fn fix(&self, id: &str) -> Vec<String> {
        let (place, var, host) = (self.place(), &self.variable, &self.host);
        let login = match &self.scope {
            Some(s) => format!("yarn npm login --scope {s}"),
            None => "yarn npm login".to_owned(),
        };
        match id {
            "token-env-unset" => vec![format!(
                "export {var}=<token> where yarn runs (or write ${{{var}:-}} in .yarnrc.yml to make it optional)"
            )],
            "scope-not-mapped" => vec![format!(
                "set npmScopes.{}.npmRegistryServer to your private registry's URL in .yarnrc.yml",
                self.scope.clone().unwrap_or_else(|| "<scope>".into())
            )],
            "token-wrong-host" => vec![format!(
                "key the token to the registry yarn uses: npmAuthToken under {place} (npmRegistries[\"{}\"])",
                nerf(&self.registry).trim_end_matches('/')
            )],
            "insufficient-permission" => vec![format!(
                "ask the admin of {host} to give your account read (or publish) access to {}",
                self.package.clone().unwrap_or_else(|| "the package".into())
            )],
            "publish-not-allowed" => vec![format!(
                "ask an owner of {} on {host} to add your account, or publish under a scope you own",
                self.package.clone().unwrap_or_else(|| "the package".into())
            )],
            _ => vec![format!(
                "set npmAuthToken: \"${{{var}}}\" under {place} in ~/.yarnrc.yml for {host} (or run `{login}`)"
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::causes::{self, CAUSE_IDS};
    use crate::diagnose::facts::Facts;

    fn berry_facts(text: &str) -> Facts {
        let mut facts = Facts::from_failure(crate::detect::from_text(text));
        facts.failure.tool = Some(ClientId::YarnBerry);
        facts
    }

    /// Words a berry user cannot act on (npm's files, commands and wording).
    fn npm_wording(text: &str) -> bool {
        npm_only(text)
            || text.contains("npm read")
            || text.contains("npm does not")
            || text.contains("npm sent")
            || text.contains("`npm ")
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
                let (advice, live) =
                    for_berry(id, &cx, causes::advice(id, &cx), causes::fix_live(id, &cx));
                let reached = matches!(
                    id,
                    "token-missing"
                        | "token-env-unset"
                        | "token-wrong-host"
                        | "scope-not-mapped"
                        | "npmrc-misconfig"
                        | "token-invalid-or-expired"
                        | "insufficient-permission"
                        | "publish-not-allowed"
                );
                let mut lines: Vec<&String> = advice
                    .fix
                    .iter()
                    .chain(&advice.verify)
                    .chain(&live)
                    .collect();
                if reached {
                    lines.push(&advice.summary);
                    lines.push(&advice.decider);
                }
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
        let facts = berry_facts("➤ YN0041: Invalid authentication (as an anonymous user)\n");
        let mut facts = facts;
        facts.failure.package = Some("@priv/lib".into());
        let cx = Context::new(&facts);
        let (advice, _) = for_berry("token-missing", &cx, Advice::default(), Vec::new());
        assert!(
            advice.decider.contains("npmScopes.priv"),
            "{}",
            advice.decider
        );
        assert_eq!(advice.verify[0], "yarn npm whoami --scope priv");
        assert!(advice.fix[0].contains(".yarnrc.yml"), "{:?}", advice.fix);
    }
}
