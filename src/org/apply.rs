//! Puts the organisation's knowledge into a diagnosis: the registry's name (with the file that
//! says so) as evidence, its login command and token portal for credential causes, who grants
//! access for permission causes, its docs, and the team's own fix lines per cause id.

use super::{Knowledge, Registry};
use crate::diagnose::Diagnosis;
use crate::report::{Evidence, EvidenceKind, Report};

/// Causes fixed by getting or sending a (better) credential.
const CREDENTIAL_CAUSES: &[&str] = &[
    "token-missing",
    "token-env-unset",
    "token-invalid-or-expired",
    "token-wrong-host",
    "otp-required",
    "npmrc-misconfig",
];

/// Causes fixed by someone granting access.
const ACCESS_CAUSES: &[&str] = &[
    "insufficient-permission",
    "publish-not-allowed",
    "blocked-by-policy",
    "account-issue",
];

/// What `{registry}`, `{host}`, `{scope}`, `{package}` and `{name}` stand for in the file's text.
struct Words {
    registry: String,
    host: String,
    scope: String,
    package: String,
    name: String,
}

impl Words {
    fn fill(&self, text: &str) -> String {
        text.replace("{registry}", &self.registry)
            .replace("{host}", &self.host)
            .replace("{scope}", &self.scope)
            .replace("{package}", &self.package)
            .replace("{name}", &self.name)
    }
}

/// Adds what `knowledge` says about the failing registry to every cause of `d`.
pub(crate) fn apply(d: &mut Diagnosis, knowledge: &Knowledge) {
    let Some(url) = failure_url(&d.report) else {
        return;
    };
    let registry = knowledge.registry_for(&url);
    let words = words(&d.report, &url, registry);
    for cause in &mut d.report.causes {
        let mut lines = registry.map_or_else(Vec::new, |r| registry_lines(r, &cause.id, &words));
        if let Some(fix) = knowledge.fix_for(registry, &cause.id) {
            lines.extend(fix.add.iter().map(|l| words.fill(l)));
            if let Some(replace) = &fix.replace {
                cause.fix = replace.iter().map(|l| words.fill(l)).collect();
            }
        }
        lines.append(&mut cause.fix);
        cause.fix = lines;
        if let Some(r) = registry {
            cause.evidence.insert(0, named_evidence(r, &words));
        }
    }
}

/// The registry kind the organisation says the failing registry behaves like, for diagnosis
/// (`Facts::registry_kind`), before the causes are ranked.
pub(crate) fn declare_kind(facts: &mut crate::diagnose::Facts, knowledge: &Knowledge) {
    let f = &facts.failure;
    let url = f.url.clone().or_else(|| {
        facts
            .config
            .as_ref()
            .and_then(|c| c.request_registry.clone())
    });
    let Some(url) = url else {
        return;
    };
    facts.registry_kind = knowledge.registry_for(&url).and_then(|r| r.kind.clone());
}

/// The URL the failing request went to, else its registry.
fn failure_url(r: &Report) -> Option<String> {
    let f = r.failure.as_ref()?;
    f.url.clone().or_else(|| f.registry.clone())
}

fn words(r: &Report, url: &str, registry: Option<&Registry>) -> Words {
    let f = r.failure.clone().unwrap_or_default();
    let host = crate::detect::url::host(url).unwrap_or_default();
    let package = f.package.unwrap_or_default();
    let scope = package
        .strip_prefix('@')
        .and_then(|p| p.split('/').next())
        .map(|s| format!("@{s}"))
        .unwrap_or_default();
    Words {
        registry: f.registry.unwrap_or_else(|| url.to_owned()),
        name: registry
            .and_then(|r| r.name.clone())
            .unwrap_or_else(|| host.clone()),
        host,
        scope,
        package,
    }
}

/// The entry's own lines that fit `cause`: login and token portal, who grants access, docs.
fn registry_lines(r: &Registry, cause: &str, words: &Words) -> Vec<String> {
    let mut lines = Vec::new();
    if CREDENTIAL_CAUSES.contains(&cause) {
        if let Some(login) = &r.login {
            lines.push(format!("log in to {}: {}", words.name, words.fill(login)));
        }
        if let Some(tokens) = &r.tokens {
            lines.push(format!(
                "tokens for {} are issued at {}",
                words.name,
                words.fill(tokens)
            ));
        }
    }
    if ACCESS_CAUSES.contains(&cause) {
        if let Some(access) = &r.access {
            lines.push(format!("access to {}: {}", what(words), words.fill(access)));
        }
    }
    if let Some(docs) = &r.docs {
        lines.push(format!("docs: {}", words.fill(docs)));
    }
    lines
}

/// `@acme/lib on Acme npm`, or the registry's name alone.
fn what(words: &Words) -> String {
    if words.package.is_empty() {
        words.name.clone()
    } else {
        format!("{} on {}", words.package, words.name)
    }
}

fn named_evidence(r: &Registry, words: &Words) -> Evidence {
    let mut text = format!("{} is {}", words.host, words.name);
    if let Some(kind) = &r.kind {
        text.push_str(&format!(" (behaves like {kind})"));
    }
    Evidence {
        kind: EvidenceKind::Config,
        text,
        source: Some(r.origin.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::file::parse;
    use std::path::Path;

    fn knowledge(text: &str) -> Knowledge {
        let file = parse(
            Path::new("/repo/.regauth.toml"),
            text,
            &crate::diagnose::CAUSE_IDS,
            &["artifactory"],
        )
        .unwrap();
        Knowledge { files: vec![file] }
    }

    const ACME: &str = "[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"Acme npm\"\nkind = \"artifactory\"\nlogin = \"acme-cli login --registry {registry}\"\ntokens = \"https://portal.acme.example/tokens\"\naccess = \"ask #platform-npm in Slack to add you to the {scope} team\"\ndocs = \"https://wiki.acme.example/npm\"\n";

    fn explained(status_line: &str) -> Diagnosis {
        crate::diagnose::explain_text(&format!(
            "npm error code E{}\nnpm error {status_line}\n",
            &status_line[..3]
        ))
    }

    #[test]
    fn a_credential_cause_gets_login_tokens_docs_and_the_name() {
        let mut d =
            explained("401 Unauthorized - GET https://npm.acme.example/@acme%2flib - unauthorized");
        apply(&mut d, &knowledge(ACME));
        let top = &d.report.causes[0];
        assert!(CREDENTIAL_CAUSES.contains(&top.id.as_str()), "{top:?}");
        assert_eq!(
            top.fix[0],
            "log in to Acme npm: acme-cli login --registry https://npm.acme.example/"
        );
        assert_eq!(
            top.fix[1],
            "tokens for Acme npm are issued at https://portal.acme.example/tokens"
        );
        assert_eq!(top.fix[2], "docs: https://wiki.acme.example/npm");
        assert!(
            top.fix.len() > 3,
            "regauth's own fix lines stay: {:?}",
            top.fix
        );
        assert_eq!(
            top.evidence[0].text,
            "npm.acme.example is Acme npm (behaves like artifactory)"
        );
        assert_eq!(
            top.evidence[0].source.as_deref(),
            Some("/repo/.regauth.toml:1")
        );
    }

    #[test]
    fn a_permission_cause_gets_who_grants_access() {
        let mut d = explained("403 Forbidden - GET https://npm.acme.example/@acme%2flib - user alice is not allowed to access package @acme/lib");
        apply(&mut d, &knowledge(ACME));
        let top = &d.report.causes[0];
        assert!(ACCESS_CAUSES.contains(&top.id.as_str()), "{top:?}");
        assert_eq!(
            top.fix[0],
            "access to @acme/lib on Acme npm: ask #platform-npm in Slack to add you to the @acme team"
        );
        assert!(
            !top.fix.iter().any(|l| l.starts_with("log in")),
            "{:?}",
            top.fix
        );
    }

    #[test]
    fn fix_lines_per_cause_are_added_or_replace_regauths() {
        let mut d =
            explained("401 Unauthorized - GET https://npm.acme.example/@acme%2flib - unauthorized");
        let id = d.report.causes[0].id.clone();
        let text = format!("{ACME}[registry.fix.{id}]\nreplace = [\"acme-cli doctor {{package}}\"]\n[fix.{id}]\nadd = [\"never used: the registry's own wins\"]\n");
        apply(&mut d, &knowledge(&text));
        let fix = &d.report.causes[0].fix;
        assert_eq!(
            fix.last().map(String::as_str),
            Some("acme-cli doctor @acme/lib"),
            "{fix:?}"
        );
        assert!(!fix.iter().any(|l| l.contains("never used")), "{fix:?}");

        let mut d = explained("401 Unauthorized - GET https://other.example/@x%2fy - unauthorized");
        let before = d.report.causes[0].fix.clone();
        apply(
            &mut d,
            &knowledge(&format!("[fix.{id}]\nadd = [\"see go/npm-auth\"]\n")),
        );
        assert_eq!(d.report.causes[0].fix[0], "see go/npm-auth");
        assert_eq!(d.report.causes[0].fix[1..], before[..]);
    }

    #[test]
    fn another_registry_is_left_alone() {
        let mut d =
            explained("401 Unauthorized - GET https://registry.npmjs.org/@x%2fy - unauthorized");
        let before = d.clone();
        apply(&mut d, &knowledge(ACME));
        assert_eq!(d.report, before.report);
    }
}
