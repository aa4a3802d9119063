//! yarn and yarnpkg (yarn 1, and berry through the same name: which one ran is read from its
//! output): no debug log, so stderr is teed; the configuration npm's (yarn 1 reads `.npmrc`);
//! probes with the npm on PATH.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{Client, Recording};
use crate::config::{Config, LoadContext};
use crate::detect::Failure;
use crate::types::{ClientId, DebugLog, Run};

pub(super) struct Yarn;
pub(super) struct Yarnpkg;

macro_rules! yarn_client {
    ($ty:ty, $name:expr, $var:expr) => {
        impl Client for $ty {
            fn id(&self) -> ClientId {
                ClientId::Yarn1
            }

            fn binary_name(&self) -> &'static str {
                $name
            }

            fn override_var(&self) -> &'static str {
                $var
            }

            fn recording(&self, _args: &[OsString], _program: &Path) -> Recording {
                Recording {
                    writes_log: false,
                    logs_dir: None,
                }
            }

            fn debug_log(&self, _: &Recording, _: SystemTime, _: &[OsString]) -> Option<DebugLog> {
                None
            }

            fn load_config(&self, ctx: &LoadContext) -> Config {
                Config::load(ctx)
            }

            fn probe_program(&self, _program: &Path) -> Option<PathBuf> {
                crate::paths::locate("npm", "REGAUTH_NPM").ok()
            }

            fn parse_failure(&self, run: &Run) -> Failure {
                // yarn 1 or berry: the text says which; berry prints its errors on stdout
                super::pnpm::parse_with_client(run)
            }

            fn display_name(&self) -> &'static str {
                "yarn"
            }
        }
    };
}

yarn_client!(Yarn, "yarn", "REGAUTH_YARN");
yarn_client!(Yarnpkg, "yarnpkg", "REGAUTH_YARNPKG");
