//! Where npm's files are: the home directory, node and the npm package directory (for the
//! builtin `npmrc`), the global prefix and `globalconfig`, and the project root (`localPrefix`,
//! workspaces included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::layers::{normalize, resolve, Layers};
use super::value::{Kind, Layer};

/// `env.HOME || os.homedir()`. libuv's homedir returns `$HOME` whenever it is set, so a `HOME`
/// set but empty gives npm an empty home (then `~/.npmrc` and `~/.npm` resolve against the cwd,
/// as `<cwd>/~/.npmrc`); only an unset `HOME` falls back to the account's.
pub(super) fn find_home(env: &BTreeMap<String, String>) -> PathBuf {
    match env.get("HOME") {
        Some(h) => PathBuf::from(h),
        None => dirs::home_dir().unwrap_or_default(),
    }
}

pub(super) fn env_path(env: &BTreeMap<String, String>) -> String {
    env.get("PATH").cloned().unwrap_or_default()
}

/// npm's `process.execPath`. npm starts through `#!/usr/bin/env node`, so it is the first `node`
/// on PATH with symlinks resolved (Node reports the real path). A version-manager shim named
/// `node` (Volta) is a stand-in here for the real node it runs.
pub(super) fn find_node(env: &BTreeMap<String, String>, cwd: &Path) -> Option<PathBuf> {
    let found = which::which_in("node", Some(env_path(env)), cwd).ok()?;
    Some(std::fs::canonicalize(&found).unwrap_or(found))
}

/// The npm package directory (holding `npmrc`, `package.json`, `bin/npm-cli.js`).
pub(super) fn find_npm_dir(
    npm_path: Option<&Path>,
    env: &BTreeMap<String, String>,
) -> Option<PathBuf> {
    let bin = match npm_path {
        Some(p) => p.to_path_buf(),
        None => real_npm_on_path(env)?,
    };
    let real = std::fs::canonicalize(&bin).unwrap_or(bin);
    let from_cli_js = real
        .parent()
        .and_then(Path::parent)
        .filter(|d| d.join("package.json").is_file());
    from_cli_js.map(Path::to_path_buf).or_else(|| {
        let sibling = real.parent()?.parent()?.join("lib/node_modules/npm");
        sibling.is_dir().then_some(sibling)
    })
}

/// The first `npm` on the env's PATH that is not regauth (installed as `npm`, a hard link, or
/// one of its shim scripts): the shim's own search.
pub(super) fn real_npm_on_path(env: &BTreeMap<String, String>) -> Option<PathBuf> {
    let me = crate::paths::SelfIdentity::current();
    crate::paths::search_path("npm", Some(env_path(env).into()), &me).ok()
}

/// `$PREFIX`, else `dirname(dirname(execPath))` with `$DESTDIR` in front.
pub(super) fn default_global_prefix(
    env: &BTreeMap<String, String>,
    node: Option<&Path>,
) -> PathBuf {
    if let Some(p) = prefix_from_env(env) {
        return PathBuf::from(p);
    }
    let prefix = node
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/usr/local"));
    match env.get("DESTDIR").filter(|d| !d.is_empty()) {
        Some(destdir) => {
            normalize(&PathBuf::from(destdir).join(prefix.strip_prefix("/").unwrap_or(&prefix)))
        }
        None => prefix,
    }
}

/// A non-empty `$PREFIX`, which makes node's location irrelevant to the global prefix.
pub(super) fn prefix_from_env(env: &BTreeMap<String, String>) -> Option<&String> {
    env.get("PREFIX").filter(|p| !p.is_empty())
}

/// The default `globalconfig`: `<effective prefix>/etc/npmrc`.
pub(super) fn default_globalconfig(layers: &Layers) -> String {
    let prefix = layers
        .text_of("prefix")
        .unwrap_or_else(|| layers.global_prefix.display().to_string());
    resolve(&layers.cwd, &prefix)
        .join("etc/npmrc")
        .display()
        .to_string()
}

/// npm's `localPrefix`: `--prefix` from the command line, else the nearest directory up from the
/// cwd with a `package.json` or a `node_modules` directory, else the cwd; unless in global mode
/// or with `--no-workspaces`, a workspace root above it that lists it wins.
/// Also returns the workspace member directory when a workspace root took over.
pub(super) fn local_prefix(layers: &Layers, global: bool) -> (PathBuf, Option<PathBuf>) {
    if let Some(prefix) = layers.data.get(&Layer::Cli).and_then(|d| d.get("prefix")) {
        return (PathBuf::from(prefix.expanded.expose()), None);
    }
    let no_workspaces = layers
        .data
        .get(&Layer::Cli)
        .and_then(|d| d.get("workspaces"))
        .is_some_and(|v| v.kind == Kind::Bool(false));
    let cwd = normalize(&layers.cwd);
    let mut found: Option<PathBuf> = None;
    for dir in cwd.ancestors() {
        let has_package_json = dir.join("package.json").is_file();
        match &found {
            None if has_package_json || dir.join("node_modules").is_dir() => {
                if global || no_workspaces {
                    return (dir.to_path_buf(), None);
                }
                found = Some(dir.to_path_buf());
            }
            Some(member) if has_package_json && lists_workspace(dir, member) => {
                return (dir.to_path_buf(), Some(member.clone()));
            }
            _ => {}
        }
    }
    (found.unwrap_or(cwd), None)
}

/// Whether the `package.json` in `root` declares `member` as one of its workspaces.
pub(super) fn lists_workspace(root: &Path, member: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(root.join("package.json")) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    let patterns = match json.get("workspaces") {
        Some(serde_json::Value::Array(a)) => a.clone(),
        Some(serde_json::Value::Object(o)) => match o.get("packages") {
            Some(serde_json::Value::Array(a)) => a.clone(),
            _ => return false,
        },
        _ => return false,
    };
    let Ok(relative) = member.strip_prefix(root) else {
        return false;
    };
    let relative = relative.display().to_string();
    member.join("package.json").is_file()
        && patterns
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with('!'))
            .any(|p| glob_match(p.trim_start_matches("./").trim_end_matches('/'), &relative))
}

/// Minimal glob for workspace patterns: `*` within a segment, `**` across segments.
pub(super) fn glob_match(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    glob_segments(&pat, &segs)
}

pub(super) fn glob_segments(pat: &[&str], segs: &[&str]) -> bool {
    match pat.split_first() {
        None => segs.is_empty(),
        Some((&"**", rest)) => (0..=segs.len()).any(|skip| glob_segments(rest, &segs[skip..])),
        Some((first, rest)) => segs
            .split_first()
            .is_some_and(|(s, more)| wildcard(first, s) && glob_segments(rest, more)),
    }
}

pub(super) fn wildcard(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (head.len()..=text.len())
                    .any(|at| text.is_char_boundary(at) && wildcard(tail, &text[at..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_npm_dir_is_found_past_a_shim_script_on_path() {
        let tmp = tempfile::tempdir().unwrap();
        let (shims, npm) = (tmp.path().join("shims"), tmp.path().join("npm"));
        for (path, text) in [
            (
                shims.join("npm"),
                format!("#!/bin/sh\n# {}\n", crate::paths::SHIM_MARKER),
            ),
            (npm.join("bin/npm"), "#!/bin/sh\n".to_owned()),
        ] {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(npm.join("package.json"), "{}").unwrap();
        let path = format!("{}:{}", shims.display(), npm.join("bin").display());
        let env = BTreeMap::from([("PATH".to_owned(), path)]);
        assert_eq!(find_npm_dir(None, &env), Some(npm));
    }

    #[test]
    fn workspace_globs() {
        assert!(glob_match("packages/*", "packages/a"));
        assert!(glob_match("packages/**", "packages/a/b"));
        assert!(glob_match("apps/web", "apps/web"));
        assert!(!glob_match("packages/*", "other/a"));
        assert!(glob_match("pkg-*", "pkg-one"));
    }
}
