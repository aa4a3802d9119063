//! `regauth doctor [PACKAGE...] [--format human|json]`: the registries and credentials npm would
//! use in the current directory and environment, with file:line, the problems found, and each
//! package's route. JSON follows taxonomy.md ("regauth doctor", schema 1); the human form fits
//! 80 columns, honours NO_COLOR, and like the JSON never shows a secret (redacted forms only).

use std::fmt::Write as _;
use std::path::Path;

use console::{measure_text_width, style};
use serde::Serialize;

use crate::config::lockfile::{self, Lockfile};
use crate::config::{problems, Config, FileStatus, LoadContext, Problem};
use crate::render::Format;
use crate::secret::{hide_userinfo, redact_url};

#[derive(clap::Args, Debug)]
pub struct DoctorArgs {
    /// Packages whose route (registry and credential) to show
    pub packages: Vec<String>,
    #[arg(long, value_enum, default_value_t = crate::render::Format::Human)]
    pub format: crate::render::Format,
    /// The client whose routes to show: npm, pnpm, pnpm10, pnpm11, pnpm12, yarn, yarn1, berry
    /// (default: the project's, from `packageManager` or its lockfile)
    #[arg(long)]
    pub client: Option<String>,
    /// npm's own arguments, after `--` (`regauth doctor PKG -- install --registry URL`): the
    /// configuration and routes are those of that npm command line, flags applied as npm's
    /// nopt applies them (`--@s:registry=`, `--userconfig`, `-reg`, `--regis`, ...)
    #[arg(last = true)]
    pub npm_args: Vec<String>,
}

pub(crate) fn run(args: DoctorArgs) -> anyhow::Result<i32> {
    for package in &args.packages {
        check_package_name(package)?;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let client = match &args.client {
        Some(name) => super::doctor_client::parse_client(name, &cwd)?,
        None => crate::config::clients::detect_client(&cwd),
    };
    if client != crate::config::clients::ClientKind::Npm {
        return super::doctor_client::run(client, &args.packages, args.format);
    }
    let knowledge = crate::org::Knowledge::from_process().map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = Config::load(&LoadContext::from_process(args.npm_args.clone()));
    let lockfiles = lockfile::scan(config.local_prefix());
    let mut report = build(&config, &args.packages, &lockfiles);
    report.npm_args = args.npm_args.iter().map(|a| redact_url(a)).collect();
    report.organisation = Some(crate::org::doctor_section_json(
        &knowledge,
        &used_registries(&report),
    ));
    let text = match args.format {
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Human => {
            if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                console::set_colors_enabled(false);
            }
            let mut text = human(&report, &config, &lockfiles);
            if !report.npm_args.is_empty() {
                let shown = report.npm_args.join(" ");
                text = text.replacen('\n', &format!("\n  for: npm {shown}\n"), 1);
            }
            text + &crate::org::doctor_section(&knowledge, &used_registries(&report))
        }
    };
    // the report holds redacted forms only; this also hides any value that reached it otherwise
    let known =
        crate::secret::with_decoded_forms(config.secret_values().iter().map(String::as_str));
    super::stdout::write(&crate::secret::scrub_known(&text, &known))?;
    Ok(0)
}

/// ORG HOOK: the registries npm uses here, as `(label, url)`, for the organisation-knowledge
/// entries that apply to them.
fn used_registries(report: &Report) -> Vec<(String, String)> {
    let mut registries = vec![("default".to_owned(), report.registry.url.clone())];
    registries.extend(
        report
            .scopes
            .iter()
            .map(|s| (s.scope.clone(), s.registry.clone())),
    );
    registries
}

/// A package argument must be a package name: `name` or `@scope/name`.
pub(crate) fn check_package_name(name: &str) -> anyhow::Result<()> {
    let bad = name.is_empty()
        || name.chars().any(|c| c.is_whitespace() || c.is_control())
        || (name.starts_with('@')
            && !name[1..]
                .split_once('/')
                .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty() && !n.contains('/')))
        || (!name.starts_with('@') && name.contains('/'));
    if bad {
        anyhow::bail!("not a package name: {name:?} (expected `name` or `@scope/name`)");
    }
    Ok(())
}

/// The doctor report: exactly taxonomy.md's schema.
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: u32,
    pub registry: RegistryOut,
    pub scopes: Vec<ScopeOut>,
    pub credentials: Vec<CredentialOut>,
    pub problems: Vec<ProblemOut>,
    pub routes: Vec<RouteOut>,
    /// npm's arguments after `--` (URL passwords masked): the command line whose flags the
    /// registries, credentials and routes above apply. Absent without `--`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub npm_args: Vec<String>,
    /// The organisation knowledge read here and the entries that apply (as the human output's
    /// "Organisation knowledge" section).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) organisation: Option<crate::org::SectionJson>,
}

/// A configuration problem as the doctor schema has it: its cause id, its sentence, its source.
#[derive(Debug, Serialize)]
pub struct ProblemOut {
    pub id: &'static str,
    pub message: String,
    pub source: Option<String>,
}

fn problem_out(p: &Problem) -> ProblemOut {
    ProblemOut {
        id: p.id(),
        message: crate::diagnose::problem_text::message(p),
        source: p.source.as_ref().map(ToString::to_string),
    }
}

#[derive(Debug, Serialize)]
pub struct RegistryOut {
    pub url: String,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct ScopeOut {
    pub scope: String,
    pub registry: String,
    pub source: String,
}

#[derive(Debug, Serialize)]
pub struct CredentialOut {
    pub key: String,
    pub kind: &'static str,
    pub redacted: String,
    pub source: String,
    pub variables: Vec<VariableOut>,
}

#[derive(Debug, Serialize)]
pub struct VariableOut {
    pub name: String,
    pub state: &'static str,
}

#[derive(Debug, Serialize)]
pub struct RouteOut {
    pub package: String,
    pub registry: String,
    pub credential: Option<String>,
    pub reason: String,
    #[serde(skip)]
    pub url: String,
    #[serde(skip)]
    pub header: crate::config::HeaderKind,
    #[serde(skip)]
    pub credential_source: Option<String>,
}

/// Builds the report for `packages` (already validated).
pub fn build(config: &Config, packages: &[String], lockfiles: &[Lockfile]) -> Report {
    let (url, source) = config.default_registry();
    let mut problems = config.problems();
    problems.extend(config.lockfile_problems(lockfiles));
    problems.extend(
        packages
            .iter()
            .filter_map(|p| problems::unmapped_scope(config, p, config.credentials())),
    );
    Report {
        schema: 1,
        registry: RegistryOut {
            url: hide_userinfo(&url),
            source: source.to_string(),
        },
        scopes: config
            .scopes()
            .into_iter()
            .map(|s| ScopeOut {
                scope: s.scope,
                registry: hide_userinfo(&s.registry),
                source: s.provenance.to_string(),
            })
            .collect(),
        credentials: config.credentials().iter().map(credential_out).collect(),
        problems: problems.iter().map(problem_out).collect(),
        routes: packages.iter().map(|p| route_out(config, p)).collect(),
        npm_args: Vec::new(),
        organisation: None,
    }
}

fn credential_out(c: &crate::config::Credential) -> CredentialOut {
    CredentialOut {
        key: c.key.clone(),
        kind: c.kind.as_str(),
        redacted: c.redacted.clone(),
        source: c.source.to_string(),
        variables: c
            .variables
            .iter()
            .map(|v| VariableOut {
                name: v.name.clone(),
                state: v.state.as_str(),
            })
            .collect(),
    }
}

fn route_out(config: &Config, package: &str) -> RouteOut {
    let route = config.route_package(package);
    let r = &route.routed.route;
    RouteOut {
        package: package.to_owned(),
        registry: hide_userinfo(&route.registry.url),
        credential: r.key.clone().or_else(|| {
            let from_url = route.routed.credential.filter(|_| r.sends_credential());
            from_url.map(|c| format!("{} (its URL's user info)", c.key))
        }),
        reason: r.reason.clone(),
        url: hide_userinfo(&r.url),
        header: r.header,
        credential_source: route.routed.credential.map(|c| c.source.to_string()),
    }
}

const WIDTH: usize = 80;

/// The human form: sections, two-space indents, wrapped to 80 columns.
pub fn human(report: &Report, config: &Config, lockfiles: &[Lockfile]) -> String {
    let home = config.home();
    let short = |s: &str| shorten_home(s, home);
    let mut out = String::new();
    let where_ = short(&config.local_prefix().display().to_string());
    let _ = writeln!(
        out,
        "{} npm configuration for {where_}",
        style("regauth doctor:").bold()
    );

    heading(&mut out, "Registries");
    row(
        &mut out,
        "default",
        &report.registry.url,
        &short(&report.registry.source),
    );
    for s in &report.scopes {
        row(&mut out, &s.scope, &s.registry, &short(&s.source));
    }

    heading(&mut out, "Credentials");
    if report.credentials.is_empty() {
        line(&mut out, "  ", "none configured");
    }
    for (c, full) in report.credentials.iter().zip(config.credentials()) {
        let _ = writeln!(out, "  {}", style(&c.key).cyan());
        let mut facts = format!("{} {}  {}", c.kind, c.redacted, short(&c.source));
        if let Some(detail) = &full.detail {
            let _ = write!(facts, "; {detail}");
        }
        for v in &c.variables {
            let _ = write!(facts, "; ${{{}}} {}", v.name, v.state);
        }
        line(&mut out, "      ", &facts);
    }

    if !report.routes.is_empty() {
        heading(&mut out, "Routes");
        for r in &report.routes {
            let _ = writeln!(out, "  {}", style(&r.package).bold());
            line(&mut out, "      ", &format!("GET {}", r.url));
            let sends = match (&r.credential, &r.credential_source) {
                (Some(k), Some(src)) => format!("sends {k} ({:?}) from {}", r.header, short(src)),
                (Some(k), None) => format!("sends {k} ({:?})", r.header),
                (None, _) => "sends no credential".to_owned(),
            };
            line(&mut out, "      ", &sends);
            line(&mut out, "      ", &format!("why: {}", r.reason));
        }
    }

    heading(&mut out, &format!("Problems ({})", report.problems.len()));
    if report.problems.is_empty() {
        line(&mut out, "  ", &style("none found").green().to_string());
    }
    for p in &report.problems {
        let src = p.source.as_deref().map(short).unwrap_or_default();
        let head = format!("  {} {}  {src}", style("✗").red(), style(p.id).red().bold());
        let _ = writeln!(out, "{}", head.trim_end());
        line(&mut out, "      ", &short(&p.message));
    }

    heading(&mut out, "Config files (highest priority first)");
    let mut files: Vec<_> = config.files_read().iter().collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.layer));
    for f in files {
        let status = match &f.status {
            FileStatus::Read => "read".to_owned(),
            FileStatus::Missing => "not present".to_owned(),
            FileStatus::Unreadable => "unreadable".to_owned(),
            FileStatus::Skipped(why) => format!("skipped: {why}"),
        };
        let path = short(&f.path.display().to_string());
        line(
            &mut out,
            "  ",
            &format!("{:<8} {path}  ({status})", f.layer.as_str()),
        );
    }

    if lockfiles.iter().any(|l| !l.hosts.is_empty()) {
        heading(&mut out, "Lockfile hosts");
        for l in lockfiles {
            for h in &l.hosts {
                line(
                    &mut out,
                    "  ",
                    &format!(
                        "{:<24} {} ({} packages)",
                        l.format,
                        hide_userinfo(&h.origin),
                        h.count
                    ),
                );
            }
        }
    }
    out
}

fn heading(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n{}", style(title).bold().underlined());
}

fn row(out: &mut String, name: &str, url: &str, source: &str) {
    line(out, "  ", &format!("{name:<10} {url}  ({source})"));
}

/// Writes `text` wrapped at 80 columns, every line starting with `indent`.
fn line(out: &mut String, indent: &str, text: &str) {
    for l in wrap(text, WIDTH - indent.len()) {
        let _ = writeln!(out, "{indent}{l}");
    }
}

/// Greedy word wrap by display width; a word longer than the width gets a line of its own.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    if measure_text_width(text) <= width {
        return vec![text.to_owned()];
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = measure_text_width(&current)
            + usize::from(!current.is_empty())
            + measure_text_width(word);
        if !current.is_empty() && needed > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

/// `~` for the home directory in human output.
fn shorten_home(text: &str, home: &Path) -> String {
    let home = home.display().to_string();
    if home.len() <= 1 {
        return text.to_owned();
    }
    text.replace(&format!("{home}/"), "~/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        for ok in ["lodash", "@priv/lib", "a.b-c"] {
            assert!(check_package_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "@priv", "@/x", "a/b", "a b", "@s/a/b"] {
            assert!(check_package_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wraps_to_width() {
        let text = "word ".repeat(40);
        assert!(wrap(&text, 20).iter().all(|l| l.len() <= 20));
        assert_eq!(wrap("", 10), vec![String::new()]);
    }
}
