//! npm: a debug log per run (tee when `logs-max=0` or the log directory is not writable), the
//! `.npmrc` layers read natively, npm's own output and log format, and npm itself for probes.

mod debug_log;
mod settings;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Client, Recording};
use crate::config::{Config, LoadContext};
use crate::types::{ClientId, DebugLog};

pub(super) struct Npm;

impl Client for Npm {
    fn id(&self) -> ClientId {
        ClientId::Npm
    }

    fn override_var(&self) -> &'static str {
        "REGAUTH_NPM"
    }

    fn recording(&self, args: &[OsString], program: &Path) -> Recording {
        recording(args, program)
    }

    fn debug_log(
        &self,
        recording: &Recording,
        started: SystemTime,
        args: &[OsString],
    ) -> Option<DebugLog> {
        debug_log(recording, started, args)
    }

    fn load_config(&self, ctx: &LoadContext) -> Config {
        Config::load(ctx)
    }

    fn probe_program(&self, program: &Path) -> Option<PathBuf> {
        Some(program.to_path_buf())
    }

    fn display_name(&self) -> &'static str {
        "npm"
    }
}

/// npm's debug-log plan for this call (npx shares it: it is npm's `exec`). `npm --version`
/// returns before npm reads its logs settings or opens a log (lib/npm.js), so it needs nothing.
pub(super) fn recording(args: &[OsString], program: &Path) -> Recording {
    if asks_version_only(args) {
        return Recording {
            writes_log: true,
            ..Recording::default()
        };
    }
    settings::log_plan(settings::load(args, program))
}

/// `npm --version` / `npm -v`, flags only: npm prints its version and exits, writing no log.
fn asks_version_only(args: &[OsString]) -> bool {
    let flag = |a: &OsString| a.to_str().is_some_and(|a| a.starts_with('-') && a != "--");
    let flags_only = args.iter().all(flag);
    flags_only && args.iter().any(|a| a == "--version" || a == "-v")
}

/// npm's debug log of the run that started at `started` (npx shares it).
pub(super) fn debug_log(
    recording: &Recording,
    started: SystemTime,
    args: &[OsString],
) -> Option<DebugLog> {
    let dir = recording.logs_dir.as_deref()?;
    debug_log::find(dir, started, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bare_version_query_skips_the_plan() {
        let args = |list: &[&str]| list.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(asks_version_only(&args(&["--version"])));
        assert!(asks_version_only(&args(&["-v", "--loglevel=silent"])));
        for not in [&["view", "-v"][..], &["--", "-v"], &[], &["--verbose"]] {
            assert!(!asks_version_only(&args(not)), "{not:?}");
        }
    }
}
