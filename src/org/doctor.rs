//! The "Organisation knowledge" section of `regauth doctor`: the files read, each registry entry
//! with the registries it applies to here, and the fix lines declared per cause id.

use std::fmt::Write as _;

use super::{pattern_matches, Knowledge, Registry};

/// The section's text (two-space indents like the rest of doctor), for the registries npm uses
/// here as `(label, url)`: `("default", "https://registry.npmjs.org/")`, `("@acme", ...)`.
pub(crate) fn section(knowledge: &Knowledge, registries: &[(String, String)]) -> String {
    let mut out = String::from("\nOrganisation knowledge\n");
    if knowledge.files.is_empty() {
        out.push_str(
            "  no .regauth.toml here, no ~/.config/regauth/config.toml, no REGAUTH_CONFIG\n",
        );
        return out;
    }
    for file in &knowledge.files {
        let _ = writeln!(out, "  read {}", file.path.display());
    }
    for file in &knowledge.files {
        for r in &file.registries {
            entry(&mut out, knowledge, r, registries);
        }
        for (id, fix) in &file.fixes {
            let _ = writeln!(out, "  fix lines for {id}  ({})", fix.origin);
        }
    }
    out
}

fn entry(out: &mut String, knowledge: &Knowledge, r: &Registry, registries: &[(String, String)]) {
    let name = r.name.as_deref().unwrap_or("(no name)");
    let _ = writeln!(out, "  {name}  {}  ({})", r.pattern, r.origin);
    let matched: Vec<&(String, String)> = registries
        .iter()
        .filter(|(_, url)| pattern_matches(&r.pattern, url))
        .collect();
    let applied: Vec<&str> = matched
        .iter()
        .filter(|(_, url)| knowledge.registry_for(url) == Some(r))
        .map(|(label, _)| label.as_str())
        .collect();
    let outranked_by = matched
        .iter()
        .find_map(|(_, url)| knowledge.registry_for(url).filter(|w| *w != r));
    let applies = match (applied.is_empty(), outranked_by) {
        (false, _) => applied.join(", "),
        (true, Some(winner)) => format!("nothing here (outranked by {})", winner.origin),
        (true, None) => "no registry configured here".to_owned(),
    };
    let _ = writeln!(out, "      applies to: {applies}");
    let fields = [
        ("behaves like", &r.kind),
        ("login", &r.login),
        ("tokens", &r.tokens),
        ("access", &r.access),
        ("docs", &r.docs),
    ];
    for (label, value) in fields {
        if let Some(value) = value {
            let _ = writeln!(out, "      {label}: {value}");
        }
    }
    for id in r.fixes.keys() {
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
    }
}
