//! The failure path, above the stages: after a shimmed call failed (`after_failure`, called by
//! `crate::cli` with the shim's `Run`), the client parses its failure, and for the auth family
//! this machine's configuration and the answers of read-only probes become one explanation on
//! stderr. `regauth explain` uses the same gathering for a saved log (`gather`).
//!
//! Stages, one file each, plain data between them: `first_line` (the one line), `config_facts`
//! (config model -> ConfigFacts for the failing request), `probe_facts` (ProbeRequest from the
//! run and config; Probes -> ProbeFacts), then `diagnose`, then `output` (stderr,
//! `REGAUTH_REPORT`, GitHub annotation).

mod client_facts;
mod client_fix;
pub mod config_facts;
pub mod first_line;
mod known_secrets;
pub mod output;
pub mod probe_facts;
mod yarn1_script;

use std::path::PathBuf;

use crate::clients::{self, Client};
use crate::config::clients::ClientKind;
use crate::config::{Config, LoadContext};
use crate::detect::Failure;
use crate::diagnose::{self, Diagnosis, Facts};
use crate::probe::ProbeSettings;
use crate::types::{ClientId, Run};

pub use probe_facts::RunContext;

/// What to gather besides the text.
#[derive(Debug, Clone)]
struct Gathering {
    /// The configuration's facts go into the diagnosis (it is read for the probes anyway).
    config: bool,
    /// `None`: no probes.
    probes: Option<ProbeSettings>,
    /// The failure happened here and now (the shim): the project's package.json and this
    /// environment's CI variables are the failing run's own.
    here: bool,
    /// The configuration model of the client that failed (npm: the one `config` is).
    client: ClientKind,
    /// The client that failed, whose terms the advice uses (`Facts::client`).
    failed: ClientKind,
}

/// The one gathering path, for the shim and for `regauth explain`: the facts for `failure`
/// from `config` (the configuration npm used for `run`) and the probes' answers; with the
/// probes' summaries for the report.
fn gather(
    failure: Failure,
    run: &RunContext,
    what: &Gathering,
    config: &Config,
) -> (
    Facts,
    Vec<crate::report::ProbeSummary>,
    Option<client_facts::ClientView>,
) {
    let mut facts = Facts::from_failure(failure);
    facts.client = what.failed;
    if what.here {
        add_publish_package(&mut facts.failure, run);
        add_operand_package(&mut facts.failure, run);
    }
    let mut target = config_facts::target(config, &facts.failure);
    let ctx = load_context(run, &run.npm);
    let view = client_facts::view(what.client, &ctx, &target);
    if let Some(view) = &view {
        client_facts::retarget(&mut target, view);
    }
    let mut config_facts = config_facts::gather(config, &target);
    if let Some(view) = &view {
        client_facts::adjust(&mut config_facts, view, &ctx, &target);
    }
    let registry = target.registry;
    let mut summaries = Vec::new();
    if let Some(settings) = &what.probes {
        let (probe_facts, s) = probes(&facts.failure, run, &config_facts, &registry, settings);
        facts.probes = probe_facts;
        summaries = s;
    }
    if what.config {
        facts.config = Some(config_facts);
        facts.client_route = view.as_ref().map(|v| v.route.clone());
    }
    if what.here {
        add_ci(&mut facts);
        facts.env.ci_job =
            crate::diagnose::ci_job::CiJob::from_env(|name| std::env::var(name).ok());
    }
    (facts, summaries, view)
}

/// `regauth explain`'s gathering for a saved failure of the auth family: this machine's
/// configuration as the client the text names reads it (npm, pnpm 10/11/12, yarn 1, berry;
/// unless `use_config` is false, then npm's only for the probes) and the probes' answers (when
/// `use_probes`; never for berry, whose `.yarnrc.yml` npm's probes would not read).
pub fn gather_saved(failure: Failure, use_config: bool, use_probes: bool) -> Saved {
    let mut failure = failure;
    let cwd = std::env::current_dir().ok();
    let kind = clients::kind_of_saved(&failure, cwd.as_deref());
    if kind == ClientKind::Berry {
        failure.tool = Some(ClientId::YarnBerry);
    }
    let use_probes = use_probes && kind != ClientKind::Berry;
    if !diagnose::classify::is_explained(&failure) || !(use_config || use_probes) {
        // the client read from the text words the advice, with or without its configuration
        let mut facts = Facts::from_failure(failure);
        facts.client = kind;
        return Saved::from(facts, Vec::new(), None);
    }
    let machine = this_machine(&failure.command);
    let what = Gathering {
        config: use_config,
        probes: use_probes.then(ProbeSettings::from_env),
        here: false,
        client: if use_config { kind } else { ClientKind::Npm },
        failed: kind,
    };
    let npm = clients::by_id(ClientId::Npm);
    let config = npm.load_config(&load_context(&machine, &machine.npm));
    let (facts, probes, view) = gather(failure, &machine, &what, &config);
    Saved::from(facts, probes, view)
}

/// What `gather_saved` found: the facts and probe summaries to diagnose, and the failing
/// client's own view, which words the diagnosis's fix (`adapt`).
pub struct Saved {
    pub facts: Facts,
    pub probes: Vec<crate::report::ProbeSummary>,
    view: Option<client_facts::ClientView>,
}

impl Saved {
    fn from(
        facts: Facts,
        probes: Vec<crate::report::ProbeSummary>,
        view: Option<client_facts::ClientView>,
    ) -> Saved {
        Saved {
            facts,
            probes,
            view,
        }
    }

    /// The diagnosis of the saved failure, its fix in the failing client's terms.
    pub fn diagnose(self) -> Diagnosis {
        let mut diagnosis = diagnose_with(&self.facts, self.probes);
        if let Some(view) = &self.view {
            client_fix::adapt(&mut diagnosis, view, &self.facts);
        }
        diagnosis
    }
}

/// Runs the probes for the failure (under `settings`' budget) and returns their facts and
/// report summaries.
fn probes(
    failure: &Failure,
    run: &RunContext,
    config: &crate::diagnose::facts::ConfigFacts,
    registry: &str,
    settings: &ProbeSettings,
) -> (
    Vec<crate::diagnose::facts::ProbeFact>,
    Vec<crate::report::ProbeSummary>,
) {
    if !settings.enabled {
        return (Vec::new(), Vec::new());
    }
    let request = probe_facts::request(run, failure, registry, Some(config));
    let plan = probe_facts::plan(&request, failure);
    let results = crate::probe::run_plan(&plan, &request, settings);
    let probes = crate::probe::Probes { plan, results };
    (probe_facts::facts(&probes, registry), probes.to_report())
}

/// A publish names its package in package.json, not in npm's message ("You cannot publish over
/// the previously published versions: 1.0.0."): read it where npm did.
fn add_publish_package(failure: &mut Failure, run: &RunContext) {
    if failure.package.is_some() || failure.signals.operation != crate::detect::Operation::Publish {
        return;
    }
    let command = crate::probe::UserCommand::parse(&run.args);
    let local = crate::probe::publish_dir(&run.cwd, command.first_operand())
        .and_then(|d| crate::probe::read_local_package(&d));
    if let Some(local) = local {
        failure.package = Some(local.name);
    }
}

/// A read that names no package in its output (yarn 1's "Failed to replace env in config"):
/// the package is the command's operand, so the target, and the probes, follow that package's
/// route (`@priv:registry`), not the client's default registry, which the request never used.
fn add_operand_package(failure: &mut Failure, run: &RunContext) {
    if failure.package.is_some() {
        return;
    }
    let command = crate::probe::UserCommand::parse(&run.args);
    if command.class != crate::probe::CommandClass::Read {
        return;
    }
    failure.package = command
        .first_operand()
        .and_then(crate::probe::registry_name);
}

/// A CI system from this machine's environment, when the text named none.
fn add_ci(facts: &mut Facts) {
    if facts.env.ci.is_some() || !std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
        return;
    }
    facts.env.ci = Some(
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            "github-actions".to_owned()
        } else {
            "ci".to_owned()
        },
    );
}

/// `regauth explain`'s context: this process's cwd and environment, the npm on PATH, and the
/// command the saved text names.
fn this_machine(args: &[String]) -> RunContext {
    RunContext {
        npm: clients::by_id(ClientId::Npm)
            .locate()
            .unwrap_or_else(|_| "npm".into()),
        cwd: std::env::current_dir().unwrap_or_default(),
        env: std::env::vars_os().collect(),
        extra_env: Vec::new(),
        args: args.to_vec(),
    }
}

/// The diagnosis of gathered facts, with the probes in the report.
pub fn diagnose_with(facts: &Facts, probes: Vec<crate::report::ProbeSummary>) -> Diagnosis {
    let mut d = diagnose::diagnose(facts);
    d.report.probes = probes;
    d
}

/// The configuration's context for a run of the client binary `program`.
fn load_context(run: &RunContext, program: &std::path::Path) -> LoadContext {
    LoadContext {
        cwd: run.cwd.clone(),
        env: run
            .env
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect(),
        npm_args: run.args.clone(),
        npm_path: Some(program.to_path_buf()),
        node_path: None,
    }
}

/// The shim's run as the probes' context: the binary the client runs its probes with, the
/// user's cwd and environment, and the recursion marker so a probe can never re-enter regauth.
fn run_context(run: &Run, npm: PathBuf) -> RunContext {
    let guard = crate::shim::recursion::Guard::from_env();
    RunContext {
        extra_env: vec![(
            crate::shim::recursion::ENV_VAR.into(),
            guard.for_child(&npm),
        )],
        npm,
        cwd: run.cwd.clone(),
        env: std::env::vars_os().collect(),
        args: run
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
    }
}

/// Everything regauth does once a shimmed client has failed. Prints to stderr only. `loaded`
/// is the configuration the client read before the spawn: used again unless a file changed.
pub fn after_failure(run: &Run, loaded: Option<&Config>) {
    let client = clients::by_id(run.client);
    let failure = client.parse_failure(run);
    if !diagnose::classify::is_explained(&failure) {
        return;
    }
    let source = if run.debug_log.is_some() {
        first_line::Source::DebugLog
    } else {
        first_line::Source::Stderr
    };
    let line = first_line::failure_line(&failure, source, client.display_name());
    explain_run(client, run, failure, line, loaded);
}

/// The whole live path for a failed run: silent unless the failure is in the auth family.
/// `first_line` is the shim's one-line summary, printed before the human report.
fn explain_run(
    client: &dyn Client,
    run: &Run,
    failure: Failure,
    first_line: Option<String>,
    loaded: Option<&Config>,
) {
    let probe_program = client.probe_program(&run.program);
    let kind = client.config_kind(run, &failure);
    let mut failure = failure;
    if kind == ClientKind::Berry {
        // the causes word their advice for berry (its version may be known only from its binary)
        failure.tool = Some(ClientId::YarnBerry);
    }
    let what = Gathering {
        config: true,
        // npm's probes read .npmrc, which berry never does: their answers would mislead
        probes: (probe_program.is_some() && kind != ClientKind::Berry)
            .then(ProbeSettings::from_env),
        here: true,
        client: kind,
        failed: kind,
    };
    let context = run_context(run, probe_program.unwrap_or_else(|| run.program.clone()));
    let reloaded;
    let config = match loaded.filter(|c| !c.changed_on_disk()) {
        Some(config) => config,
        None => {
            reloaded = client.load_config(&load_context(&context, &run.program));
            &reloaded
        }
    };
    let (mut facts, probes, view) = gather(failure, &context, &what, config);
    // ORG HOOK: a malformed file must not cost the explanation; it is one line after it
    let knowledge = crate::org::Knowledge::load(&run.cwd, |k| std::env::var(k).ok());
    if let Ok(knowledge) = &knowledge {
        crate::org::declare_kind(&mut facts, knowledge);
    }
    let mut diagnosis = diagnose_with(&facts, probes);
    if let Some(view) = &view {
        client_fix::adapt(&mut diagnosis, view, &facts);
    }
    yarn1_script::adapt(&mut diagnosis, &facts, |k| std::env::var(k).ok());
    if let Ok(knowledge) = &knowledge {
        crate::org::apply(&mut diagnosis, knowledge);
    }
    // every explanation starts with a `regauth: ` line (what nesting.rs looks for), also when
    // npm's text named no failing request (a client-side refusal such as a version conflict)
    let first_line = first_line.or_else(|| {
        let cause = diagnosis.report.causes.first()?;
        Some(format!(
            "regauth: {} failed: {}",
            client.display_name(),
            cause.id
        ))
    });
    output::emit(
        &diagnosis,
        first_line.as_deref(),
        &output::OutputSettings::from_env(),
        &known_secrets::known_secrets(config, &context),
    );
    if let Err(problem) = knowledge {
        crate::shim::say(&format!("regauth: ignoring {problem}"));
    }
    if std::env::var_os("REGAUTH_TIMING").is_some_and(|v| !v.is_empty() && v != "0") {
        crate::shim::say(&format!(
            "regauth: timing: {:.1} ms from npm's exit to the end of the explanation",
            run.exited.elapsed().as_secs_f64() * 1000.0
        ));
    }
}
