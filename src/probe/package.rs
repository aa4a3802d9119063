//! Package names for probes: a registry name from a user's spec (`@priv/lib@^1` -> `@priv/lib`),
//! validated so that nothing but a package name ever reaches a probe's command line, and the
//! name and version of the package a publish would send (its package.json).

use std::path::{Path, PathBuf};

/// npm's length limit for package names (validate-npm-package-name).
const MAX_NAME_LEN: usize = 214;

/// The registry name in a package spec, or `None` for specs that are not registry names
/// (paths, tarballs, git and alias specs) or are not valid names.
pub fn registry_name(spec: &str) -> Option<String> {
    let spec = spec.trim();
    let name = match spec.strip_prefix('@') {
        Some(rest) => {
            let (scope, after) = rest.split_once('/')?;
            let local = after.split('@').next()?;
            format!("@{scope}/{local}")
        }
        None => spec.split('@').next()?.to_string(),
    };
    is_valid_name(&name).then_some(name)
}

/// A name npm would accept: optional `@scope/`, then URL-safe characters, never starting with
/// `-` or `.` (so a name can never be read as an option by npm).
pub fn is_valid_name(name: &str) -> bool {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return false;
    }
    let (scope, local) = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((scope, local)) => (Some(scope), local),
            None => return false,
        },
        None => (None, name),
    };
    scope.map_or(true, is_valid_part) && is_valid_part(local)
}

fn is_valid_part(part: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    !part.is_empty() && !part.starts_with(['.', '-', '_']) && part.chars().all(allowed)
}

/// The package a registry URL is about: a packument (`http://h/@priv%2flib`) or a tarball
/// (`http://h/@priv/lib/-/lib-1.0.0.tgz`, `http://h/path/pub-pkg/-/pub-pkg-1.0.0.tgz`), read by
/// `detect::url::package` and accepted only when it is a valid name.
pub fn name_from_url(url: &str) -> Option<String> {
    crate::detect::url::package(url).filter(|name| is_valid_name(name))
}

/// The package a publish would send: its name and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPackage {
    pub name: String,
    pub version: Option<String>,
    /// `publishConfig.registry`, which overrides the configured registry for publish.
    pub publish_registry: Option<String>,
}

/// The directory `npm publish [operand]` publishes: the operand when it is a directory, the cwd
/// when there is none; `None` for a tarball or a spec (no package.json to read).
pub fn publish_dir(cwd: &Path, operand: Option<&str>) -> Option<PathBuf> {
    match operand {
        None => Some(cwd.to_path_buf()),
        Some(op) => {
            let dir = cwd.join(op);
            dir.is_dir().then_some(dir)
        }
    }
}

/// Reads `dir/package.json`; `None` when it is missing, unreadable or has no valid name.
pub fn read_local_package(dir: &Path) -> Option<LocalPackage> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let name = json.get("name")?.as_str()?.to_string();
    if !is_valid_name(&name) {
        return None;
    }
    let text_field = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(String::from);
    Some(LocalPackage {
        name,
        version: text_field(json.get("version")),
        publish_registry: text_field(json.get("publishConfig").and_then(|p| p.get("registry"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_specs() {
        assert_eq!(
            registry_name("@priv/lib@^1.0.0").as_deref(),
            Some("@priv/lib")
        );
        assert_eq!(registry_name("@priv/lib").as_deref(), Some("@priv/lib"));
        assert_eq!(registry_name("pub-pkg@latest").as_deref(), Some("pub-pkg"));
        assert_eq!(
            registry_name("lodash.merge").as_deref(),
            Some("lodash.merge")
        );
    }

    #[test]
    fn names_from_urls() {
        let name = |u: &str| name_from_url(u);
        assert_eq!(
            name("http://127.0.0.1:4873/@priv%2flib").as_deref(),
            Some("@priv/lib")
        );
        assert_eq!(
            name("http://h/@priv/lib/-/lib-1.0.0.tgz").as_deref(),
            Some("@priv/lib")
        );
        assert_eq!(
            name("https://h/api/npm/feed/pub-pkg/-/pub-pkg-1.0.0.tgz").as_deref(),
            Some("pub-pkg")
        );
        assert_eq!(
            name("http://h/pub-pkg?write=true").as_deref(),
            Some("pub-pkg")
        );
        assert_eq!(name("http://h/"), None);
        assert_eq!(name("http://h/-/whoami"), None);
        assert_eq!(
            name("https://npm.pkg.github.com/download/@a/b/1.0.2/57be").as_deref(),
            Some("@a/b")
        );
    }

    #[test]
    fn non_registry_specs_are_refused() {
        for spec in [
            "./dir",
            "../x",
            "/abs",
            "file:x",
            "git+https://h/r.git",
            "user/repo",
            "npm:alias@1",
            "x.tgz/..",
            "--registry=http://evil/",
            "-g",
            ".hidden",
            "@scope",
            "@/x",
            "a b",
            "http://h/x.tgz",
            "",
        ] {
            assert_eq!(registry_name(spec), None, "{spec}");
        }
    }

    #[test]
    fn reads_name_version_and_publish_registry() {
        let dir = std::env::temp_dir().join(format!("regauth-probe-pkg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"@priv/lib","version":"1.2.0","publishConfig":{"registry":"http://127.0.0.1:1/"}}"#,
        )
        .unwrap();
        let pkg = read_local_package(&dir).unwrap();
        assert_eq!(pkg.name, "@priv/lib");
        assert_eq!(pkg.version.as_deref(), Some("1.2.0"));
        assert_eq!(pkg.publish_registry.as_deref(), Some("http://127.0.0.1:1/"));
        assert_eq!(publish_dir(&dir, None), Some(dir.clone()));
        assert_eq!(publish_dir(&dir, Some("pkg.tgz")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
