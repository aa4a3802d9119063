//! pnpm and pnpx (pnpm 10 and 11 on Node, 12 a native binary): pnpm writes no debug log, so its
//! stderr is teed and parsed (detect knows pnpm 10/11/12's failure text); its registry and
//! credential settings are `.npmrc` keys npm reads too, so the configuration and the read-only
//! probes are npm's (`npm whoami`/`view` against the same registry answer the same question).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Client, Recording};
use crate::config::{Config, LoadContext};
use crate::detect::Failure;
use crate::types::{ClientId, DebugLog, Run};

pub(super) struct Pnpm;
pub(super) struct Pnpx;

/// pnpm's recording: none to read afterwards, so the shim tees stderr.
fn tee_only() -> Recording {
    Recording {
        writes_log: false,
        logs_dir: None,
    }
}

/// The teed text, with the client named when the text does not (pnpm 10/11 print their error
/// report on stdout, which is not teed: stderr may hold only warnings).
pub(super) fn parse_with_client(run: &Run) -> Failure {
    let mut failure = crate::detect::from_run(run);
    failure.tool.get_or_insert(run.client);
    failure
}

/// The npm on PATH (never regauth's shim), for the probes.
fn npm_for_probes() -> Option<PathBuf> {
    crate::paths::locate("npm", "REGAUTH_NPM").ok()
}

impl Client for Pnpm {
    fn id(&self) -> ClientId {
        ClientId::Pnpm
    }

    fn override_var(&self) -> &'static str {
        "REGAUTH_PNPM"
    }

    fn recording(&self, _args: &[OsString], _program: &Path) -> Recording {
        tee_only()
    }

    fn debug_log(&self, _: &Recording, _: SystemTime, _: &[OsString]) -> Option<DebugLog> {
        None
    }

    fn load_config(&self, ctx: &LoadContext) -> Config {
        Config::load(ctx)
    }

    fn probe_program(&self, _program: &Path) -> Option<PathBuf> {
        npm_for_probes()
    }

    fn parse_failure(&self, run: &Run) -> Failure {
        parse_with_client(run)
    }

    fn display_name(&self) -> &'static str {
        "pnpm"
    }
}

impl Client for Pnpx {
    fn id(&self) -> ClientId {
        ClientId::Pnpm
    }

    fn binary_name(&self) -> &'static str {
        "pnpx"
    }

    fn override_var(&self) -> &'static str {
        "REGAUTH_PNPX"
    }

    fn recording(&self, _args: &[OsString], _program: &Path) -> Recording {
        tee_only()
    }

    fn debug_log(&self, _: &Recording, _: SystemTime, _: &[OsString]) -> Option<DebugLog> {
        None
    }

    fn load_config(&self, ctx: &LoadContext) -> Config {
        Config::load(ctx)
    }

    fn probe_program(&self, _program: &Path) -> Option<PathBuf> {
        npm_for_probes()
    }

    fn parse_failure(&self, run: &Run) -> Failure {
        parse_with_client(run)
    }

    fn display_name(&self) -> &'static str {
        "pnpm"
    }
}
