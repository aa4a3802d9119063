//! npx: npm's `exec` under its own name, so npm's debug log, configuration and failure text;
//! its probes run with the `npm` next to it (`npx whoami` would run a package called whoami).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{npm, Client, Recording};
use crate::config::{Config, LoadContext};
use crate::types::{ClientId, DebugLog};

pub(super) struct Npx;

impl Client for Npx {
    fn id(&self) -> ClientId {
        ClientId::Npx
    }

    fn override_var(&self) -> &'static str {
        "REGAUTH_NPX"
    }

    fn recording(&self, args: &[OsString], program: &Path) -> Recording {
        npm::recording(args, program)
    }

    fn debug_log(
        &self,
        recording: &Recording,
        started: SystemTime,
        args: &[OsString],
    ) -> Option<DebugLog> {
        npm::debug_log(recording, started, args)
    }

    fn load_config(&self, ctx: &LoadContext) -> Config {
        Config::load(ctx)
    }

    fn probe_program(&self, program: &Path) -> Option<PathBuf> {
        let npm = program.with_file_name("npm");
        npm.is_file().then_some(npm)
    }

    fn display_name(&self) -> &'static str {
        "npm"
    }
}
