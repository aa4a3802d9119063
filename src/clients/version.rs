//! Which configuration model a pnpm or yarn run followed: the version that ran, from its
//! failure text (berry's `YN0` codes, pnpm's code-line styles), the installed binary's own
//! package.json, or the project's `packageManager` (what a corepack shim runs). A saved text
//! (`regauth explain`) is told apart by its lines alone, then by the project it is explained in.

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

/// The model of a failure text: the client its lines name (pnpm's major from the version the
/// text shows, else its heading style, else from the project in `cwd` when there is one; yarn 1
/// or berry by its `YN0` codes), npm when they name none. `cwd` is `None` for a text judged
/// alone (`explain_text`, `--eval`): then nothing but the text decides.
pub(crate) fn kind_of_saved(failure: &Failure, cwd: Option<&Path>) -> ClientKind {
    let lines = || failure.lines.iter().map(|l| l.text.as_str());
    match failure.tool {
        Some(ClientId::Pnpm) => {
            let shown = failure
                .tool_version
                .as_deref()
                .and_then(|v| v.split('.').next()?.parse().ok());
            let major = shown
                .or_else(|| lines().find_map(pnpm_major_evident))
                .or_else(|| match cwd.and_then(|cwd| declared(cwd, false)) {
                    Some(ClientKind::Pnpm(major)) => Some(major),
                    _ => None,
                });
            ClientKind::Pnpm(major.unwrap_or_else(|| pnpm_major_from_text("")))
        }
        Some(ClientId::YarnBerry) => ClientKind::Berry,
        Some(ClientId::Yarn1) if lines().any(|l| l.contains("YN0")) => ClientKind::Berry,
        Some(ClientId::Yarn1) => ClientKind::Yarn1,
        _ => ClientKind::Npm,
    }
}

/// The major one kept line shows: pnpm 10's code between thin spaces (` ERR_PNPM_X `), 11's
/// in brackets, 12's `Error: ERR_PNPM_X` and its `HTTP status client error` wording.
fn pnpm_major_evident(line: &str) -> Option<u32> {
    let line = line.trim();
    if line.starts_with("[ERR_PNPM_") {
        Some(11)
    } else if line.starts_with("Error: ERR_PNPM_") || line.contains(": HTTP status client error (")
    {
        Some(12)
    } else if line.trim_start_matches('\u{2009}').starts_with("ERR_PNPM_") {
        Some(10)
    } else {
        None
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

    #[test]
    fn a_kept_line_tells_the_pnpm_major() {
        for (line, major) in [
            ("\u{2009}ERR_PNPM_FETCH_401\u{2009} GET http://h/@p%2Flib: Unauthorized - 401", Some(10)),
            ("[ERR_PNPM_FETCH_401] GET http://h/@p%2Flib: Unauthorized - 401", Some(11)),
            ("Error: ERR_PNPM_PACKAGE_MANAGER_ADD_RESOLVE_LATEST", Some(12)),
            ("╰─▶ Failed to fetch metadata from http://h/x: HTTP status client error (401 Unauthorized)", Some(12)),
            ("No authorization header was set for the request.", None),
        ] {
            assert_eq!(pnpm_major_evident(line), major, "{line}");
        }
    }
}
