//! yarn berry's `.yarnrc.yml` files as berry reads them for registries and credentials: the
//! block-mapping subset of YAML those files use (nested `key: value`, quoted keys and values,
//! comments), flattened to setting paths with their line, and berry's `${VAR}`,
//! `${VAR:-fallback}` and `${VAR-fallback}` (an unset `${VAR}` is fatal: "Environment variable
//! not found (VAR)"). Layers (berry's Configuration.find): `~/.yarnrc.yml` lowest, then each
//! directory from the root down to the cwd, then `YARN_*` variables.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::value::{Layer, Provenance};

/// One scalar setting: its path (`["npmScopes", "priv", "npmRegistryServer"]`), its value after
/// `${VAR}` replacement, and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub path: Vec<String>,
    pub value: String,
    pub provenance: Provenance,
    /// The variable berry could not replace (it stops with "Environment variable not found").
    pub unset_variable: Option<String>,
    /// Written with a `${VAR}` reference.
    pub uses_variable: bool,
}

/// The merged settings, highest layer first for each path.
#[derive(Debug, Clone, Default)]
pub struct Yarnrc {
    settings: BTreeMap<Vec<String>, Setting>,
    /// Every setting of every file, in load order (for the fatal check).
    pub all: Vec<Setting>,
    pub files: Vec<PathBuf>,
}

impl Yarnrc {
    /// Loads the files and `YARN_*` variables for a run in `cwd` with `env`.
    pub fn load(cwd: &Path, home: &Path, env: &BTreeMap<String, String>) -> Yarnrc {
        let mut rc = Yarnrc::default();
        let mut dirs: Vec<&Path> = cwd.ancestors().collect();
        dirs.reverse();
        let mut ordered: Vec<(PathBuf, Layer)> = vec![(home.join(".yarnrc.yml"), Layer::User)];
        for dir in dirs {
            let path = dir.join(".yarnrc.yml");
            if dir != home {
                ordered.push((path, Layer::Project));
            }
        }
        for (path, layer) in ordered {
            if let Ok(text) = std::fs::read_to_string(&path) {
                for s in parse(&text, &path, layer, env) {
                    rc.put(s);
                }
                rc.files.push(path);
            }
        }
        for (name, value) in env {
            if let Some(key) = env_setting(name) {
                rc.put(Setting {
                    path: vec![key],
                    value: value.clone(),
                    provenance: Provenance::Env { name: name.clone() },
                    unset_variable: None,
                    uses_variable: false,
                });
            }
        }
        rc
    }

    fn put(&mut self, s: Setting) {
        self.all.push(s.clone());
        self.settings.insert(s.path.clone(), s);
    }

    /// The effective setting at `path`.
    pub fn get(&self, path: &[&str]) -> Option<&Setting> {
        let key: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        self.settings.get(&key)
    }

    /// The first variable berry cannot replace, with the file it is in.
    pub fn fatal_variable(&self) -> Option<(&str, &Provenance)> {
        self.all
            .iter()
            .find_map(|s| s.unset_variable.as_deref().map(|v| (v, &s.provenance)))
    }

    /// The keys under `npmRegistries` (as written, trailing slash removed, as berry normalises).
    pub fn registry_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .settings
            .keys()
            .filter(|p| p.len() == 3 && p[0] == "npmRegistries")
            .map(|p| p[1].clone())
            .collect();
        keys.dedup();
        keys
    }
}

/// `YARN_NPM_AUTH_TOKEN` -> `npmAuthToken` (berry's env settings are camel-cased names).
fn env_setting(name: &str) -> Option<String> {
    let rest = name.strip_prefix("YARN_")?;
    let mut out = String::new();
    for (i, word) in rest.split('_').enumerate() {
        let lower = word.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The scalars of one file, flattened. Registry keys under `npmRegistries` lose a trailing slash.
pub fn parse(
    text: &str,
    path: &Path,
    layer: Layer,
    env: &BTreeMap<String, String>,
) -> Vec<Setting> {
    let mut out = Vec::new();
    // (indent, key) of the open mappings
    let mut stack: Vec<(usize, String)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('-') {
            continue;
        }
        let indent = raw.len() - trimmed.len();
        let Some((key, rest)) = split_key(trimmed) else {
            continue;
        };
        while stack.last().is_some_and(|(d, _)| *d >= indent) {
            stack.pop();
        }
        let mut key = key;
        if stack.len() == 1 && stack[0].1 == "npmRegistries" {
            key = key.trim_end_matches('/').to_owned();
        }
        let value = scalar(rest);
        match value {
            None => stack.push((indent, key)),
            Some(v) => {
                let mut full: Vec<String> = stack.iter().map(|(_, k)| k.clone()).collect();
                full.push(key);
                let (value, unset_variable) = replace_variables(&v, env);
                out.push(Setting {
                    path: full,
                    value,
                    provenance: Provenance::File {
                        layer,
                        path: path.to_owned(),
                        line: i + 1,
                    },
                    unset_variable,
                    uses_variable: v.contains("${"),
                });
            }
        }
    }
    out
}

/// `key: rest` with the key unquoted; None for lines that are not a mapping entry.
fn split_key(line: &str) -> Option<(String, &str)> {
    if let Some(q) = line.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = line[1..].find(q)? + 1;
        let rest = line[end + 1..].trim_start().strip_prefix(':')?;
        return Some((line[1..end].to_owned(), rest));
    }
    let colon = line
        .find(": ")
        .or_else(|| line.strip_suffix(':').map(|s| s.len()))?;
    Some((
        line[..colon].trim().to_owned(),
        &line[(colon + 1).min(line.len())..],
    ))
}

/// The scalar after `key:`; None when a nested mapping follows (nothing after the colon).
fn scalar(rest: &str) -> Option<String> {
    let rest = rest.trim();
    if rest.is_empty() {
        return None;
    }
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let inner = &rest[1..];
        let end = inner.find(q).unwrap_or(inner.len());
        return Some(inner[..end].to_owned());
    }
    let plain = match rest.find(" #") {
        Some(at) => &rest[..at],
        None => rest,
    };
    Some(plain.trim().to_owned())
}

/// berry's replaceEnvVariables: the text, and the first variable with no value and no fallback.
pub fn replace_variables(text: &str, env: &BTreeMap<String, String>) -> (String, Option<String>) {
    let mut out = String::new();
    let mut unset = None;
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return (out, unset);
        };
        let inner = &after[..end];
        let (name, operator, fallback) = match inner.find(":-").or_else(|| inner.find('-')) {
            Some(at) if inner[at..].starts_with(":-") => {
                (&inner[..at], ":-", Some(&inner[at + 2..]))
            }
            Some(at) => (&inner[..at], "-", Some(&inner[at + 1..])),
            None => (inner, "", None),
        };
        let value = env.get(name);
        let usable = match operator {
            ":-" => value.filter(|v| !v.is_empty()),
            _ => value,
        };
        match (usable, fallback) {
            (Some(v), _) => out.push_str(v),
            (None, Some(f)) => out.push_str(f),
            (None, None) => {
                unset.get_or_insert_with(|| name.to_owned());
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (out, unset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn nested_mappings_flatten_with_their_lines() {
        let text = "# rc\nnpmRegistryServer: \"http://a/\"\nnpmScopes:\n  priv:\n    npmRegistryServer: http://b/ # c\nnpmRegistries:\n  \"//h:1/\":\n    npmAuthToken: '${T}'\n";
        let s = parse(
            text,
            Path::new("/p/.yarnrc.yml"),
            Layer::Project,
            &env(&[("T", "x")]),
        );
        let paths: Vec<(String, String, String)> = s
            .iter()
            .map(|s| (s.path.join("."), s.value.clone(), s.provenance.to_string()))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "npmRegistryServer".into(),
                    "http://a/".into(),
                    "/p/.yarnrc.yml:2".into()
                ),
                (
                    "npmScopes.priv.npmRegistryServer".into(),
                    "http://b/".into(),
                    "/p/.yarnrc.yml:5".into()
                ),
                (
                    "npmRegistries.//h:1.npmAuthToken".into(),
                    "x".into(),
                    "/p/.yarnrc.yml:8".into()
                ),
            ]
        );
    }

    #[test]
    fn variables_as_berry_replaces_them() {
        let e = env(&[("E", ""), ("S", "v")]);
        assert_eq!(replace_variables("${S}", &e), ("v".into(), None));
        assert_eq!(replace_variables("${E}", &e), ("".into(), None));
        assert_eq!(replace_variables("${E:-d}", &e), ("d".into(), None));
        assert_eq!(replace_variables("${E-d}", &e), ("".into(), None));
        assert_eq!(replace_variables("${U-d}", &e), ("d".into(), None));
        assert_eq!(
            replace_variables("a${U}b", &e),
            ("ab".into(), Some("U".into()))
        );
    }

    #[test]
    fn yarn_variables_name_settings() {
        assert_eq!(
            env_setting("YARN_NPM_AUTH_TOKEN").as_deref(),
            Some("npmAuthToken")
        );
        assert_eq!(
            env_setting("YARN_NPM_REGISTRY_SERVER").as_deref(),
            Some("npmRegistryServer")
        );
        assert_eq!(env_setting("NPM_TOKEN"), None);
    }
}
