//! The clients regauth stands in front of, one module each behind one interface (`Client`).
//!
//! Everything client-specific lives in the client's module: where its real binary is, whether
//! its failure is read from a debug log or a stderr tee, how its configuration is read, how its
//! failure is parsed, which binary runs the read-only probes, and how regauth names it. The shim
//! and the failure path only call this interface. Adding a client is one module here plus one
//! line in `CLIENTS` (and its `ClientId` in `crate::types`, when it has none yet).

mod npm;
mod npx;
mod teed;
mod version;

pub(crate) use version::kind_of_saved;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::config::clients::ClientKind;
use crate::config::{Config, LoadContext};
use crate::detect::Failure;
use crate::paths::LocateError;
use crate::types::{ClientId, DebugLog, Run};

/// Every client, in the order argv[0] and `regauth <name>` are matched.
static CLIENTS: &[&dyn Client] = &[
    &npm::Npm,
    &npx::Npx,
    &teed::PNPM,
    &teed::PNPX,
    &teed::YARN,
    &teed::YARNPKG,
];

/// How a run's failure can be read afterwards, decided before the spawn.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// False when the client will write no debug log (or cannot): the shim tees stderr instead.
    pub writes_log: bool,
    /// The client prints its error report on stdout (pnpm 10/11, yarn berry): the tee takes
    /// stdout too (only when `writes_log` is false).
    pub tee_stdout: bool,
    /// Where to look for the debug log after a failure.
    pub logs_dir: Option<PathBuf>,
    /// The configuration read to decide this, for the failure path to reuse (the shim only
    /// carries it): a failing run loads its configuration once unless a file changed meanwhile.
    pub config: Option<Config>,
}

/// One client's behaviour, as the shim and the failure path need it.
pub trait Client: Sync {
    fn id(&self) -> ClientId;

    /// The binary's name: on PATH, as argv[0] for the child, and as regauth's own name.
    fn binary_name(&self) -> &'static str {
        self.id().command_name()
    }

    /// The variable that names the real binary instead of the PATH search (`REGAUTH_NPM`).
    fn override_var(&self) -> &'static str;

    /// The real binary, never regauth itself or one of its shims.
    fn locate(&self) -> Result<PathBuf, LocateError> {
        crate::paths::locate(self.binary_name(), self.override_var())
    }

    /// Before the spawn, and cheap (it runs on every call): where the failure will be recorded.
    fn recording(&self, args: &[OsString], program: &Path) -> Recording;

    /// After a failure: this run's debug log, when `recording` named a place for it.
    fn debug_log(
        &self,
        recording: &Recording,
        started: SystemTime,
        args: &[OsString],
    ) -> Option<DebugLog>;

    /// The client's configuration as it resolves it for a run in `ctx`.
    fn load_config(&self, ctx: &LoadContext) -> Config;

    /// What failed, from the run's debug log or teed stderr.
    fn parse_failure(&self, run: &Run) -> Failure {
        crate::detect::from_run(run)
    }

    /// The configuration model the failing run followed (pnpm's major version, yarn 1 or
    /// berry), for the explanation's routes and fixes.
    fn config_kind(&self, _run: &Run, _failure: &Failure) -> ClientKind {
        ClientKind::Npm
    }

    /// The binary the read-only probes (npm's `whoami`, `view`, `owner ls`) run with, for a run
    /// of `program`; `None`: this client allows no probes.
    fn probe_program(&self, program: &Path) -> Option<PathBuf>;

    /// How regauth's own lines name the client that failed (`regauth: npm failed with E401`).
    fn display_name(&self) -> &'static str;
}

/// The client a binary name (argv[0] file name, or regauth's first argument) stands for.
pub fn by_name(name: &str) -> Option<&'static dyn Client> {
    CLIENTS.iter().copied().find(|c| c.binary_name() == name)
}

/// The client of a run.
pub fn by_id(id: ClientId) -> &'static dyn Client {
    CLIENTS
        .iter()
        .copied()
        .find(|c| c.id() == id)
        .unwrap_or(&npm::Npm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ids_find_their_client() {
        assert_eq!(by_name("npm").map(|c| c.id()), Some(ClientId::Npm));
        assert_eq!(by_name("npx").map(|c| c.id()), Some(ClientId::Npx));
        assert!(by_name("regauth").is_none());
        for client in CLIENTS {
            // an alias (pnpx, yarnpkg) shares its client's id: the id finds that client
            assert_eq!(by_id(client.id()).id(), client.id());
            let named = by_name(client.binary_name()).map(|c| (c.id(), c.binary_name()));
            assert_eq!(named, Some((client.id(), client.binary_name())));
        }
    }
}
