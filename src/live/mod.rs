//! The failure path, above the stages: after a shimmed call failed (`after_failure`, called by
//! `crate::cli` with the shim's `Run`), the client parses its failure, and for the auth family
//! this machine's configuration and the answers of read-only probes become one explanation on
//! stderr. `regauth explain` uses the same gathering for a saved log (`gather`).
//!
//! Stages, one file each, plain data between them: `first_line` (the one line), `config_facts`
//! (config model -> ConfigFacts for the failing request), `probe_facts` (ProbeRequest from the
//! run and config; Probes -> ProbeFacts), then `diagnose`, then `output` (stderr,
//! `REGAUTH_REPORT`, GitHub annotation).

pub mod config_facts;
pub mod first_line;
pub mod output;
pub mod probe_facts;

use std::path::PathBuf;

use crate::clients::{self, Client};
use crate::config::{Config, LoadContext};
use crate::detect::Failure;
use crate::diagnose::{self, Diagnosis, Facts};
use crate::probe::ProbeSettings;
use crate::types::{ClientId, Run};

pub use probe_facts::RunContext;

/// What to gather besides the text.
#[derive(Debug, Clone)]
pub struct Gathering {
    pub config: bool,
    /// `None`: no probes.
    pub probes: Option<ProbeSettings>,
}

/// True for a failure regauth explains in shim mode; every other failure stays silent.
pub fn is_explained(failure: &Failure) -> bool {
    failure.is_auth_family() || diagnose::classify::is_auth_failure(failure)
}

/// The facts for `failure` from this machine: the configuration npm used for `run` and the
/// probes' answers; with the probes' summaries for the report.
pub fn gather(
    failure: Failure,
    run: &RunContext,
    what: &Gathering,
) -> (Facts, Vec<crate::report::ProbeSummary>) {
    let mut facts = Facts::from_failure(failure);
    if !what.config && what.probes.is_none() {
        return (facts, Vec::new());
    }
    add_publish_package(&mut facts.failure, run);
    let (config_facts, registry) = machine_config(&facts.failure, run);
    let mut summaries = Vec::new();
    if let Some(settings) = &what.probes {
        let (probe_facts, s) = probes(&facts.failure, run, &config_facts, &registry, settings);
        facts.probes = probe_facts;
        summaries = s;
    }
    if what.config {
        facts.config = Some(config_facts);
    }
    add_ci(&mut facts);
    facts.env.ci_job = crate::diagnose::ci_job::CiJob::from_env(|name| std::env::var(name).ok());
    (facts, summaries)
}

/// This machine's configuration for the failing request, and the registry the request went to.
pub fn machine_config(
    failure: &Failure,
    run: &RunContext,
) -> (crate::diagnose::facts::ConfigFacts, String) {
    let config = Config::load(&load_context(run));
    let target = config_facts::target(&config, failure);
    (config_facts::gather(&config, &target), target.registry)
}

/// Runs the probes for the failure (under `settings`' budget) and returns their facts and
/// report summaries.
pub fn probes(
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
pub fn this_machine(args: &[String]) -> RunContext {
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

/// The secret values npm's configuration holds for this run, with their decoded forms.
fn known_secrets(run: &RunContext) -> Vec<String> {
    let config = Config::load(&load_context(run));
    let mut secrets = config.secret_values();
    secrets.extend(values_after_bare_secret_flags(&run.args));
    secrets.extend(run.args.iter().flat_map(|a| url_userinfo(a)));
    crate::secret::with_decoded_forms(secrets.iter().map(String::as_str))
}

/// The userinfo of a URL argument (`https://TOKEN@host/x.tgz`), as npm sends it: base64 of
/// `user:password` in a Basic header; with its secret part.
fn url_userinfo(arg: &str) -> Vec<String> {
    use base64::Engine;
    let after_flag = arg.split_once('=').map_or(arg, |(_, v)| v);
    let Ok(url) = url::Url::parse(arg).or_else(|_| url::Url::parse(after_flag)) else {
        return Vec::new();
    };
    let secret = match url.password() {
        Some(password) => password.to_owned(),
        None if !url.username().is_empty() => url.username().to_owned(),
        None => return Vec::new(),
    };
    let header = format!("{}:{}", url.username(), url.password().unwrap_or(""));
    let encoded = base64::engine::general_purpose::STANDARD.encode(header);
    vec![secret, encoded]
}

/// `--//host/:_authToken VALUE` (no `=`): npm takes VALUE as a positional argument (and quotes
/// it in its log title), but the user meant it as the secret.
fn values_after_bare_secret_flags(args: &[String]) -> Vec<String> {
    args.windows(2)
        .filter(|pair| {
            let flag = pair[0].trim_start_matches('-');
            pair[0].starts_with("--")
                && !flag.contains('=')
                && crate::config::value::is_secret_key(flag)
                && !pair[1].starts_with('-')
        })
        .map(|pair| pair[1].clone())
        .collect()
}

fn load_context(run: &RunContext) -> LoadContext {
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
        npm_path: Some(run.npm.clone()),
        node_path: None,
    }
}

/// The shim's run as the probes' context: the binary the client runs its probes with, the
/// user's cwd and environment, and the recursion marker so a probe can never re-enter regauth.
pub fn run_context(run: &Run, npm: PathBuf) -> RunContext {
    let guard = crate::shim::recursion::Guard::from_env();
    RunContext {
        extra_env: vec![(
            crate::shim::recursion::ENV_VAR.into(),
            guard.for_child(std::process::id(), &npm),
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

/// Everything regauth does once a shimmed client has failed. Prints to stderr only.
pub fn after_failure(run: &Run) {
    let client = clients::by_id(run.client);
    let failure = client.parse_failure(run);
    let source = if run.debug_log.is_some() {
        first_line::Source::DebugLog
    } else {
        first_line::Source::Stderr
    };
    let line = first_line::failure_line(&failure, source, client.display_name());
    explain_run(client, run, failure, line);
}

/// The whole live path for a failed run: silent unless the failure is in the auth family.
/// `first_line` is the shim's one-line summary, printed before the human report.
fn explain_run(client: &dyn Client, run: &Run, failure: Failure, first_line: Option<String>) {
    if !is_explained(&failure) {
        return;
    }
    let probe_program = client.probe_program(&run.program);
    let what = Gathering {
        config: true,
        probes: probe_program.is_some().then(ProbeSettings::from_env),
    };
    let context = run_context(run, probe_program.unwrap_or_else(|| run.program.clone()));
    let (mut facts, probes) = gather(failure, &context, &what);
    // ORG HOOK: a malformed file must not cost the explanation; it is one line after it
    let knowledge = crate::org::Knowledge::load(&run.cwd, |k| std::env::var(k).ok());
    if let Ok(knowledge) = &knowledge {
        crate::org::declare_kind(&mut facts, knowledge);
    }
    let mut diagnosis = diagnose_with(&facts, probes);
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
        &known_secrets(&context),
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
