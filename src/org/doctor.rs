//! The "Organisation knowledge" section of `regauth doctor`: the files read, each registry entry
//! with the registries it applies to here, and the fix lines declared per cause id; as text, and
//! as the JSON report's `organisation` object (the same facts).

use std::fmt::Write as _;

use serde::Serialize;

use super::{pattern_matches, Knowledge, Registry};

/// The section as the JSON report has it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct SectionJson {
    /// The files read, highest precedence first.
    pub files: Vec<String>,
    pub registries: Vec<EntryJson>,
    /// Fix lines whatever the registry: `{ "id": cause id, "source": file:line }`.
    pub fixes: Vec<FixJson>,
}

/// One `[[registry]]` entry and where it applies here.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct EntryJson {
    pub name: Option<String>,
    #[serde(rename = "match")]
    pub pattern: String,
    pub source: String,
    /// The labels (`default`, `@acme`) of the registries it applies to here.
    pub applies_to: Vec<String>,
    /// The entry that wins for a registry this one matches, when this one applies nowhere.
    pub outranked_by: Option<String>,
    pub kind: Option<String>,
    pub login: Option<String>,
    pub tokens: Option<String>,
    pub access: Option<String>,
    pub docs: Option<String>,
    /// Cause ids with their own fix lines for this registry.
    pub fixes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub(crate) struct FixJson {
    pub id: String,
    pub source: String,
}

/// The section's facts, for the registries npm uses here as `(label, url)`: `("default",
/// "https://registry.npmjs.org/")`, `("@acme", ...)`.
pub(crate) fn section_json(knowledge: &Knowledge, registries: &[(String, String)]) -> SectionJson {
    SectionJson {
        files: knowledge
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect(),
        registries: knowledge
            .files
            .iter()
            .flat_map(|f| &f.registries)
            .map(|r| entry(knowledge, r, registries))
            .collect(),
        fixes: knowledge
            .files
            .iter()
            .flat_map(|f| &f.fixes)
            .map(|(id, fix)| FixJson {
                id: id.clone(),
                source: fix.origin.to_string(),
            })
            .collect(),
    }
}

/// The section's text (two-space indents like the rest of doctor).
pub(crate) fn section(knowledge: &Knowledge, registries: &[(String, String)]) -> String {
    let mut out = String::from("\nOrganisation knowledge\n");
    if knowledge.files.is_empty() {
        out.push_str(
            "  no .regauth.toml here, no ~/.config/regauth/config.toml, no REGAUTH_CONFIG\n",
        );
        return out;
    }
    let json = section_json(knowledge, registries);
    for file in &json.files {
        let _ = writeln!(out, "  read {file}");
    }
    for e in &json.registries {
        entry_text(&mut out, e);
    }
    for fix in &json.fixes {
        let _ = writeln!(out, "  fix lines for {}  ({})", fix.id, fix.source);
    }
    out
}

fn entry(knowledge: &Knowledge, r: &Registry, registries: &[(String, String)]) -> EntryJson {
    let matched: Vec<&(String, String)> = registries
        .iter()
        .filter(|(_, url)| pattern_matches(&r.pattern, url))
        .collect();
    let applies_to: Vec<String> = matched
        .iter()
        .filter(|(_, url)| knowledge.registry_for(url) == Some(r))
        .map(|(label, _)| label.clone())
        .collect();
    let outranked_by = match applies_to.is_empty() {
        true => matched
            .iter()
            .find_map(|(_, url)| knowledge.registry_for(url).filter(|w| *w != r))
            .map(|w| w.origin.to_string()),
        false => None,
    };
    EntryJson {
        name: r.name.clone(),
        pattern: r.pattern.clone(),
        source: r.origin.to_string(),
        applies_to,
        outranked_by,
        kind: r.kind.clone(),
        login: r.login.clone(),
        tokens: r.tokens.clone(),
        access: r.access.clone(),
        docs: r.docs.clone(),
        fixes: r.fixes.keys().cloned().collect(),
    }
}

fn entry_text(out: &mut String, e: &EntryJson) {
    let name = e.name.as_deref().unwrap_or("(no name)");
    let _ = writeln!(out, "  {name}  {}  ({})", e.pattern, e.source);
    let applies = match (&e.applies_to[..], &e.outranked_by) {
        ([], Some(winner)) => format!("nothing here (outranked by {winner})"),
        ([], None) => "no registry configured here".to_owned(),
        (labels, _) => labels.join(", "),
    };
    let _ = writeln!(out, "      applies to: {applies}");
    let fields = [
        ("behaves like", &e.kind),
        ("login", &e.login),
        ("tokens", &e.tokens),
        ("access", &e.access),
        ("docs", &e.docs),
    ];
    for (label, value) in fields {
        if let Some(value) = value {
            let _ = writeln!(out, "      {label}: {value}");
        }
    }
    for id in &e.fixes {
        let _ = writeln!(out, "      fix lines for {id}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::file::parse;
    use std::path::Path;

    #[test]
    fn entries_show_their_file_and_where_they_apply() {
        let project = parse(
            Path::new("/repo/.regauth.toml"),
            "[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"Acme npm\"\naccess = \"#platform-npm\"\n",
            &crate::diagnose::CAUSE_IDS,
            &[],
        )
        .unwrap();
        let user = parse(
            Path::new("/home/u/.config/regauth/config.toml"),
            "[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"Old name\"\n[fix.token-missing]\nadd = [\"x\"]\n",
            &crate::diagnose::CAUSE_IDS,
            &[],
        )
        .unwrap();
        let k = Knowledge {
            files: vec![project, user],
        };
        let registries = vec![
            (
                "default".to_owned(),
                "https://registry.npmjs.org/".to_owned(),
            ),
            ("@acme".to_owned(), "https://npm.acme.example/".to_owned()),
        ];
        let text = section(&k, &registries);
        assert!(
            text.contains(
                "  read /repo/.regauth.toml\n  read /home/u/.config/regauth/config.toml\n"
            ),
            "{text}"
        );
        assert!(text.contains("  Acme npm  https://npm.acme.example/  (/repo/.regauth.toml:1)\n      applies to: @acme\n      access: #platform-npm\n"), "{text}");
        assert!(text.contains("  Old name  https://npm.acme.example/  (/home/u/.config/regauth/config.toml:1)\n      applies to: nothing here (outranked by /repo/.regauth.toml:1)\n"), "{text}");
        assert!(
            text.contains(
                "  fix lines for token-missing  (/home/u/.config/regauth/config.toml:4)\n"
            ),
            "{text}"
        );
        assert!(section(&Knowledge::default(), &registries).contains("no .regauth.toml here"));
        let json = section_json(&k, &registries);
        assert_eq!(json.files.len(), 2);
        assert_eq!(json.registries[0].applies_to, ["@acme"]);
        assert_eq!(json.registries[0].access.as_deref(), Some("#platform-npm"));
        assert_eq!(
            json.registries[1].outranked_by.as_deref(),
            Some("/repo/.regauth.toml:1")
        );
        assert_eq!(json.fixes[0].id, "token-missing");
        let value = serde_json::to_value(&json).unwrap();
        assert_eq!(value["registries"][0]["match"], "https://npm.acme.example/");
    }
}
