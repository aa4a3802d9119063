//! Safe read-only probes ("the verbose retry"): planned from a failure, run in parallel on tokio
//! with one time budget, only after a failure. A write is never repeated: a plan can only hold
//! `ProbeKind`s, each a whitelisted read-only npm subcommand.
//!
//! Use: build a `ProbeRequest`, then `probe(&request, &ProbeSettings::from_env())`, or
//! `plan` + `run_plan` to inspect the plan first.

mod cli_config;
mod command;
mod kind;
mod outcome;
mod package;
mod parse;
mod plan;
mod request;
mod run;
mod settings;

/// URL userinfo masking (owned by `crate::secret`).
pub use crate::secret::redact_url;
pub use cli_config::carried_config;
pub use command::{CommandClass, UserCommand};
pub use kind::{is_read_only, Probe, ProbeKind, READ_ONLY_SUBCOMMANDS};
pub use outcome::{
    sanitize, Access, HttpLine, NpmError, Outcome, Owners, ProbeResult, Versions, View, Whoami,
};
pub use package::{
    is_valid_name, name_from_url, publish_dir, read_local_package, registry_name, LocalPackage,
};
pub use plan::{plan, Plan};
pub use request::{CredentialKind, ProbeRequest, MAX_OTHER_REGISTRIES};
pub use run::{run_plan, run_plan_async};
pub use settings::{ProbeSettings, DEFAULT_BUDGET};

/// What the probes found, in plan order, with helpers for the questions rules ask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Probes {
    pub plan: Plan,
    pub results: Vec<ProbeResult>,
}

impl Probes {
    /// The user `npm whoami` named, when it succeeded.
    pub fn whoami_user(&self) -> Option<&str> {
        self.results.iter().find_map(|r| match &r.outcome {
            Outcome::Whoami(Whoami::Ok(user)) => Some(user.as_str()),
            _ => None,
        })
    }

    /// Whether the logged-in user maintains the package: `None` unless whoami named a user and
    /// owner ls listed at least one maintainer (Verdaccio, for one, records none).
    pub fn user_is_maintainer(&self) -> Option<bool> {
        let user = self.whoami_user()?;
        self.results.iter().find_map(|r| match &r.outcome {
            Outcome::Owners(Owners::Listed(names)) if !names.is_empty() => {
                Some(names.iter().any(|n| n == user))
            }
            _ => None,
        })
    }

    /// The schema-1 `probes` array.
    pub fn to_report(&self) -> Vec<crate::report::ProbeSummary> {
        self.results.iter().map(ProbeResult::to_report).collect()
    }
}

/// Plans and runs the probes for a failed npm call. With probes disabled nothing is planned,
/// no runtime is created and no process is spawned.
pub fn probe(request: &ProbeRequest, settings: &ProbeSettings) -> Probes {
    if !settings.enabled {
        return Probes::default();
    }
    let plan = plan(request);
    let results = run_plan(&plan, request, settings);
    Probes { plan, results }
}
