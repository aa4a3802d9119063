//! pnpm and pnpx (pnpm 10 and 11 on Node, 12 a native binary), and yarn and yarnpkg (yarn 1, or
//! berry behind the same name: the output says which): none of them writes a debug log, so
//! stderr is teed and parsed (detect knows their failure text; pnpm 10/11 and berry print their
//! error report on stdout, which is not teed). pnpm's and yarn 1's registry and credential
//! settings are `.npmrc` keys npm reads too, so the configuration and the read-only probes are
//! npm's (`npm whoami`/`view` against the same registry answer the same question).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Client, Recording};
use crate::config::clients::ClientKind;
use crate::config::{Config, LoadContext};
use crate::detect::Failure;
use crate::types::{ClientId, DebugLog, Run};

/// One of these clients under one of its names.
pub(super) struct Teed {
    id: ClientId,
    binary: &'static str,
    override_var: &'static str,
    display: &'static str,
}

pub(super) const PNPM: Teed = Teed {
    id: ClientId::Pnpm,
    binary: "pnpm",
    override_var: "REGAUTH_PNPM",
    display: "pnpm",
};
pub(super) const PNPX: Teed = Teed {
    id: ClientId::Pnpm,
    binary: "pnpx",
    override_var: "REGAUTH_PNPX",
    display: "pnpm",
};
pub(super) const YARN: Teed = Teed {
    id: ClientId::Yarn1,
    binary: "yarn",
    override_var: "REGAUTH_YARN",
    display: "yarn",
};
pub(super) const YARNPKG: Teed = Teed {
    id: ClientId::Yarn1,
    binary: "yarnpkg",
    override_var: "REGAUTH_YARNPKG",
    display: "yarn",
};

impl Client for Teed {
    fn id(&self) -> ClientId {
        self.id
    }

    fn binary_name(&self) -> &'static str {
        self.binary
    }

    fn override_var(&self) -> &'static str {
        self.override_var
    }

    fn recording(&self, _args: &[OsString], _program: &Path) -> Recording {
        // which version runs is known only from its output: stdout is teed for every version
        Recording {
            writes_log: false,
            tee_stdout: true,
            logs_dir: None,
            config: None,
        }
    }

    fn debug_log(&self, _: &Recording, _: SystemTime, _: &[OsString]) -> Option<DebugLog> {
        None
    }

    fn load_config(&self, ctx: &LoadContext) -> Config {
        Config::load(ctx)
    }

    /// The teed text, with the client named when the text does not (stderr may hold only
    /// warnings).
    fn parse_failure(&self, run: &Run) -> Failure {
        let mut failure = crate::detect::from_run(run);
        failure.tool.get_or_insert(run.client);
        failure
    }

    fn config_kind(&self, run: &Run, failure: &Failure) -> ClientKind {
        super::version::kind_of(run, failure)
    }

    /// The npm on PATH (never regauth's shim).
    fn probe_program(&self, _program: &Path) -> Option<PathBuf> {
        crate::paths::locate("npm", "REGAUTH_NPM").ok()
    }

    fn display_name(&self) -> &'static str {
        self.display
    }
}

#[cfg(test)]
mod tests {
    use crate::clients::by_name;
    use crate::types::ClientId;

    #[test]
    fn every_name_finds_its_client() {
        for (name, id) in [
            ("pnpm", ClientId::Pnpm),
            ("pnpx", ClientId::Pnpm),
            ("yarn", ClientId::Yarn1),
            ("yarnpkg", ClientId::Yarn1),
        ] {
            let client = by_name(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!((client.binary_name(), client.id()), (name, id));
        }
    }
}
