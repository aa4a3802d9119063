//! One organisation-knowledge TOML file: its registries and fix lines, each with the line it
//! came from; a malformed file is one error naming file:line:col.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

/// Where an entry was declared: `/repo/.regauth.toml:4`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A registry the organisation describes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Registry {
    /// A URL pattern; `*` stands for any characters, and the pattern covers every URL it begins.
    pub pattern: String,
    pub name: Option<String>,
    /// The registry kind it behaves like (`artifactory`, `nexus`, ...).
    pub kind: Option<String>,
    pub login: Option<String>,
    /// Where tokens are issued (a portal URL, a command).
    pub tokens: Option<String>,
    /// Who grants access (a team, a channel, a form).
    pub access: Option<String>,
    pub docs: Option<String>,
    pub fixes: BTreeMap<String, FixLines>,
    pub origin: Origin,
}

/// Fix lines for one cause id: added before regauth's own, or replacing them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FixLines {
    pub add: Vec<String>,
    pub replace: Option<Vec<String>>,
    pub origin: Origin,
}

/// Everything one file declares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrgFile {
    pub path: PathBuf,
    pub registries: Vec<Registry>,
    /// Fix lines whatever the registry, by cause id.
    pub fixes: BTreeMap<String, FixLines>,
}

/// A file that could not be used: `path:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(default)]
    registry: Vec<Spanned<RegistryDoc>>,
    #[serde(default)]
    fix: BTreeMap<Spanned<String>, Spanned<FixDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryDoc {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    name: Option<String>,
    kind: Option<Spanned<String>>,
    login: Option<String>,
    tokens: Option<String>,
    access: Option<String>,
    docs: Option<String>,
    #[serde(default)]
    fix: BTreeMap<Spanned<String>, Spanned<FixDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixDoc {
    #[serde(default)]
    add: Vec<String>,
    replace: Option<Vec<String>>,
}

/// Parses `text` (the contents of `path`). `known_causes` and `known_kinds` are the ids a
/// `[fix.ID]` table and a `kind` may name.
pub(crate) fn parse(
    path: &Path,
    text: &str,
    known_causes: &[&str],
    known_kinds: &[&str],
) -> Result<OrgFile, FileError> {
    let at = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        FileError {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    };
    let doc: Doc = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(offset, one_line(e.message()))
    })?;
    let origin = |offset: usize| Origin {
        file: path.to_owned(),
        line: line_col(text, offset).0,
    };
    let fixes = |tables: BTreeMap<Spanned<String>, Spanned<FixDoc>>| {
        let mut out = BTreeMap::new();
        for (id, fix) in tables {
            if !known_causes.contains(&id.get_ref().as_str()) {
                let message = format!(
                    "unknown cause id `{}` in [fix.{0}] (known: {})",
                    id.get_ref(),
                    known_causes.join(", ")
                );
                return Err(at(id.span().start, message));
            }
            let span = fix.span();
            let fix = fix.into_inner();
            let lines = FixLines {
                add: fix.add,
                replace: fix.replace,
                origin: origin(span.start),
            };
            out.insert(id.into_inner(), lines);
        }
        Ok(out)
    };
    let mut registries = Vec::new();
    for entry in doc.registry {
        let span = entry.span();
        let entry = entry.into_inner();
        if entry.pattern.get_ref().trim().is_empty() {
            return Err(at(entry.pattern.span().start, "`match` is empty".into()));
        }
        if let Some(kind) = &entry.kind {
            if !known_kinds.contains(&kind.get_ref().as_str()) {
                let message = format!(
                    "unknown registry kind `{}` (known: {})",
                    kind.get_ref(),
                    known_kinds.join(", ")
                );
                return Err(at(kind.span().start, message));
            }
        }
        registries.push(Registry {
            pattern: entry.pattern.into_inner().trim().to_owned(),
            name: entry.name,
            kind: entry.kind.map(Spanned::into_inner),
            login: entry.login,
            tokens: entry.tokens,
            access: entry.access,
            docs: entry.docs,
            fixes: fixes(entry.fix)?,
            origin: origin(span.start),
        });
    }
    Ok(OrgFile {
        path: path.to_owned(),
        registries,
        fixes: fixes(doc.fix)?,
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAUSES: &[&str] = &["token-missing", "insufficient-permission"];
    const KINDS: &[&str] = &["artifactory", "nexus"];

    fn parsed(text: &str) -> Result<OrgFile, FileError> {
        parse(Path::new("/p/.regauth.toml"), text, CAUSES, KINDS)
    }

    #[test]
    fn every_field_is_read_with_its_line() {
        let file = parsed(
            "# acme\n[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"Acme npm\"\nkind = \"artifactory\"\nlogin = \"acme login\"\ntokens = \"https://portal.acme.example/tokens\"\naccess = \"#platform-npm\"\ndocs = \"https://wiki.acme.example/npm\"\n[registry.fix.token-missing]\nadd = [\"run acme login\"]\n\n[fix.insufficient-permission]\nreplace = [\"ask #platform-npm\"]\n",
        )
        .unwrap();
        let r = &file.registries[0];
        assert_eq!(r.pattern, "https://npm.acme.example/");
        assert_eq!(r.name.as_deref(), Some("Acme npm"));
        assert_eq!(r.kind.as_deref(), Some("artifactory"));
        assert_eq!(r.login.as_deref(), Some("acme login"));
        assert_eq!(
            r.tokens.as_deref(),
            Some("https://portal.acme.example/tokens")
        );
        assert_eq!(r.access.as_deref(), Some("#platform-npm"));
        assert_eq!(r.docs.as_deref(), Some("https://wiki.acme.example/npm"));
        assert_eq!(r.origin.to_string(), "/p/.regauth.toml:2");
        assert_eq!(r.fixes["token-missing"].add, vec!["run acme login"]);
        let fix = &file.fixes["insufficient-permission"];
        assert_eq!(
            fix.replace.as_deref(),
            Some(&["ask #platform-npm".to_owned()][..])
        );
        assert_eq!(fix.origin.line, 13);
    }

    #[test]
    fn malformed_files_are_one_line_with_line_and_column() {
        let cases = [
            (
                "[[registry]]\nmatch = \"x\"\nname = \n",
                3,
                "invalid string",
            ),
            (
                "[[registry]]\nmatch = \"x\"\ncolour = \"red\"\n",
                3,
                "unknown field `colour`",
            ),
            (
                "[[registry]]\nmatch = \"x\"\nkind = \"gitea\"\n",
                3,
                "unknown registry kind `gitea`",
            ),
            (
                "[fix.token-misssing]\nadd = [\"x\"]\n",
                1,
                "unknown cause id `token-misssing`",
            ),
            (
                "[[registry]]\nname = \"no match\"\n",
                1,
                "missing field `match`",
            ),
        ];
        for (text, line, words) in cases {
            let e = parsed(text).unwrap_err();
            let shown = e.to_string();
            assert!(
                shown.starts_with(&format!("/p/.regauth.toml:{line}:")),
                "{text:?}: {shown}"
            );
            assert!(shown.contains(words), "{text:?}: {shown}");
            assert_eq!(shown.lines().count(), 1, "{shown}");
        }
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("ab\ncdé\nx", 7), (2, 4));
        assert_eq!(line_col("", 0), (1, 1));
    }
}
