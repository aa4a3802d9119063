//! Which configuration model a pnpm or yarn run followed: the version that ran, from its
//! failure text (berry's `YN0` codes, pnpm's code-line styles), the installed binary's own
//! package.json, or the project's `packageManager` (what a corepack shim runs).

use std::path::Path;

use crate::config::clients::{detect_client, ClientKind};
use crate::detect::Failure;
use crate::types::{ClientId, Run};

/// The model of `run` (a pnpm or yarn run) whose failure is `failure`.
pub(super) fn kind_of(run: &Run, failure: &Failure) -> ClientKind {
    let text = run.stderr_tail.as_deref().unwrap_or("");
    let yarn = run.client != ClientId::Pnpm;
    if yarn && (failure.tool == Some(ClientId::YarnBerry) || text.contains("YN0")) {
        return ClientKind::Berry;
    }
    if let Some(kind) = installed(&run.program).or_else(|| declared(&run.cwd, yarn)) {
        if matches!(kind, ClientKind::Pnpm(_)) != yarn {
            return kind;
        }
    }
    if yarn {
        ClientKind::Yarn1
    } else {
        ClientKind::Pnpm(pnpm_major_from_text(text))
    }
}

/// From the binary's package.json (`node_modules/pnpm/bin/pnpm.cjs` -> `pnpm/package.json`;
/// `@pnpm/exe.linux-x64/pnpm`; `@yarnpkg/cli-dist/bin/yarn.js`).
fn installed(program: &Path) -> Option<ClientKind> {
    let real = std::fs::canonicalize(program).ok()?;
    for dir in real.ancestors().skip(1).take(3) {
        let Ok(text) = std::fs::read_to_string(dir.join("package.json")) else {
            continue;
        };
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        let name = json.get("name")?.as_str()?;
        let version = json.get("version")?.as_str()?;
        let family = match name {
            "pnpm" | "@pnpm/exe" => "pnpm",
            n if n.starts_with("@pnpm/exe.") || n.starts_with("@pnpm/linux") => "pnpm",
            "yarn" | "@yarnpkg/cli-dist" => "yarn",
            // corepack or anything else: its version says nothing about the client
            _ => return None,
        };
        return ClientKind::from_package_manager(&format!("{family}@{version}"));
    }
    None
}

/// From the project's `packageManager` field or lockfile, when it names this family.
fn declared(cwd: &Path, yarn: bool) -> Option<ClientKind> {
    let kind = detect_client(cwd);
    let same = match kind {
        ClientKind::Pnpm(_) => !yarn,
        ClientKind::Yarn1 | ClientKind::Berry => yarn,
        ClientKind::Npm => false,
    };
    same.then_some(kind)
}

/// pnpm's error heading differs per major: 10 ` ERR_PNPM_X `, 11 `[ERR_PNPM_X]`, 12 `Error:
/// ERR_PNPM_X` in a frame.
fn pnpm_major_from_text(text: &str) -> u32 {
    if text.contains("[ERR_PNPM_") {
        11
    } else if text.contains(" ERR_PNPM_") && !text.contains("Error: ERR_PNPM_") {
        10
    } else {
        12
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_headings_tell_the_major() {
        assert_eq!(pnpm_major_from_text(" ERR_PNPM_FETCH_401  GET u"), 10);
        assert_eq!(pnpm_major_from_text("[ERR_PNPM_FETCH_401] GET u"), 11);
        assert_eq!(pnpm_major_from_text("Error: ERR_PNPM_FETCH_401\n"), 12);
    }
}
