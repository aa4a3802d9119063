//! Registry hosts that lockfiles pin: `resolved` URLs in `package-lock.json` /
//! `npm-shrinkwrap.json` (lockfileVersion 1 to 3) and `yarn.lock` (v1 `resolved "..."`), counted
//! per origin, with the line of the first occurrence. npm fetches those URLs as written (unless
//! `replace-registry-host` says otherwise), so a host without a credential fails with E401.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// One origin (`scheme://host[:port]`) used by a lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostCount {
    pub origin: String,
    /// A full URL from the file with that origin, to route like npm would.
    pub sample_url: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lockfile {
    pub path: PathBuf,
    /// `package-lock.json v3`, `npm-shrinkwrap.json v1`, `yarn.lock`.
    pub format: String,
    pub hosts: Vec<HostCount>,
}

/// Scans the lockfiles in `dir` (missing or unreadable files are left out).
pub fn scan(dir: &Path) -> Vec<Lockfile> {
    let mut out = Vec::new();
    for name in ["npm-shrinkwrap.json", "package-lock.json"] {
        let path = dir.join(name);
        if let Some(lock) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| scan_npm(&path, name, &t))
        {
            out.push(lock);
        }
    }
    let yarn = dir.join("yarn.lock");
    if let Ok(text) = std::fs::read_to_string(&yarn) {
        out.push(Lockfile {
            path: yarn,
            format: "yarn.lock".into(),
            hosts: count(yarn_urls(&text)),
        });
    }
    out
}

fn scan_npm(path: &Path, name: &str, text: &str) -> Option<Lockfile> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let version = json
        .get("lockfileVersion")
        .and_then(|v| v.as_u64())
        .unwrap_or(1);
    let mut urls = Vec::new();
    // v2 carries both `packages` and the v1 `dependencies` tree; count each package once.
    match json.get("packages").and_then(|p| p.as_object()) {
        Some(packages) => {
            for entry in packages.values() {
                push_resolved(entry, &mut urls);
            }
        }
        None => collect_v1(json.get("dependencies"), &mut urls),
    }
    Some(Lockfile {
        path: path.to_path_buf(),
        format: format!("{name} v{version}"),
        hosts: count(urls),
    })
}

fn push_resolved(entry: &serde_json::Value, urls: &mut Vec<String>) {
    if let Some(url) = entry.get("resolved").and_then(|r| r.as_str()) {
        urls.push(url.to_owned());
    }
}

fn collect_v1(deps: Option<&serde_json::Value>, urls: &mut Vec<String>) {
    let Some(deps) = deps.and_then(|d| d.as_object()) else {
        return;
    };
    for entry in deps.values() {
        push_resolved(entry, urls);
        collect_v1(entry.get("dependencies"), urls);
    }
}

/// `  resolved "https://..."` lines of a yarn v1 lockfile.
fn yarn_urls(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim_start().strip_prefix("resolved "))
        .map(|rest| rest.trim().trim_matches('"').to_owned())
        .collect()
}

/// Counts http(s) URLs per origin; other specs (git, file) are not registry traffic.
fn count(urls: Vec<String>) -> Vec<HostCount> {
    let mut by_origin: BTreeMap<String, HostCount> = BTreeMap::new();
    for raw in urls {
        let Ok(url) = url::Url::parse(&raw) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") {
            continue;
        }
        let origin = url.origin().ascii_serialization();
        by_origin
            .entry(origin.clone())
            .or_insert_with(|| HostCount {
                origin,
                sample_url: raw.clone(),
                count: 0,
            })
            .count += 1;
    }
    let mut hosts: Vec<HostCount> = by_origin.into_values().collect();
    hosts.sort_by(|a, b| b.count.cmp(&a.count).then(a.origin.cmp(&b.origin)));
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_v3_and_yarn() {
        let dir = tempfile::tempdir().unwrap();
        let v3 = r#"{"lockfileVersion":3,"packages":{"":{},"node_modules/a":{"resolved":"http://127.0.0.1:4873/a/-/a-1.0.0.tgz"},
            "node_modules/b":{"resolved":"https://registry.npmjs.org/b/-/b-1.tgz"},"node_modules/c":{"resolved":"http://127.0.0.1:4873/c/-/c-1.tgz"}},
            "dependencies":{"a":{"resolved":"http://127.0.0.1:4873/a/-/a-1.0.0.tgz"}}}"#;
        std::fs::write(dir.path().join("package-lock.json"), v3).unwrap();
        let v1 = r#"{"lockfileVersion":1,"dependencies":{"a":{"resolved":"https://x.example/a.tgz","dependencies":{"b":{"resolved":"https://x.example/b.tgz"}}}}}"#;
        std::fs::write(dir.path().join("npm-shrinkwrap.json"), v1).unwrap();
        std::fs::write(
            dir.path().join("yarn.lock"),
            "a@^1:\n  version \"1\"\n  resolved \"https://registry.yarnpkg.com/a/-/a-1.tgz#abc\"\n",
        )
        .unwrap();
        let got = scan(dir.path());
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].format, "npm-shrinkwrap.json v1");
        assert_eq!(got[0].hosts[0].count, 2);
        assert_eq!(got[1].format, "package-lock.json v3");
        assert_eq!(got[1].hosts[0].origin, "http://127.0.0.1:4873");
        assert_eq!(got[1].hosts[0].count, 2);
        assert_eq!(got[1].hosts[1].count, 1);
        assert_eq!(got[2].hosts[0].origin, "https://registry.yarnpkg.com");
    }
}
