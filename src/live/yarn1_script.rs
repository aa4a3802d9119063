//! An npm command run by a yarn 1 script: yarn 1 exports its own registry to the scripts it
//! runs as `npm_config_registry` (`https://registry.yarnpkg.com` unless configured), which
//! outranks every `.npmrc` for the npm inside. When the failing npm's registry came from that
//! variable, the explanation says so first.

use crate::config::value::Provenance;
use crate::diagnose::facts::Facts;
use crate::diagnose::Diagnosis;
use crate::report::{Evidence, EvidenceKind};

/// Adds the yarn 1 explanation to the top cause when `env` shows the npm ran inside a yarn 1
/// script and its registry is yarn's.
pub fn adapt(diagnosis: &mut Diagnosis, facts: &Facts, env: impl Fn(&str) -> Option<String>) {
    let Some(agent) = env("npm_config_user_agent").filter(|a| a.starts_with("yarn/1.")) else {
        return;
    };
    let Some(registry) = facts.config.as_ref().and_then(|c| c.registry.as_ref()) else {
        return;
    };
    let from_yarn = matches!(&registry.source, Provenance::Env { name } if name.eq_ignore_ascii_case("npm_config_registry"));
    let Some(top) = diagnosis.report.causes.first_mut() else {
        return;
    };
    if !from_yarn {
        return;
    }
    let what = match facts.failure.signals.operation {
        crate::detect::Operation::Publish => "npm publish",
        _ => "npm command",
    };
    let version = agent.split_whitespace().next().unwrap_or("yarn/1");
    top.evidence.insert(
        0,
        Evidence {
            kind: EvidenceKind::Env,
            text: format!(
                "npm_config_registry={} was set by {version}, which exports its registry to the scripts it runs",
                registry.value
            ),
            source: Some("env:npm_config_registry".into()),
        },
    );
    top.fix.insert(
        0,
        format!(
            "this {what} ran inside a yarn 1 script, which set npm_config_registry to {} (yarn's registry, above every .npmrc): pass --registry <url> to it in the script, or set publishConfig.registry in package.json",
            registry.value
        ),
    );
}
