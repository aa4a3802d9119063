//! `regauth explain [FILE|-] [--format human|json] [--no-config] [--no-probe]`, and
//! `regauth explain --eval CASES.jsonl` (the accuracy report over a labelled corpus).

use std::fs::File;
use std::io::{IsTerminal as _, Read};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{last_log, stdout};
use crate::diagnose;
use crate::render::{self, Format};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A saved output, CI log or npm debug log; `-` or nothing reads stdin
    pub file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = crate::render::Format::Human)]
    pub format: crate::render::Format,
    /// Ignore this machine's configuration (for logs from elsewhere)
    #[arg(long)]
    pub no_config: bool,
    /// Make no network call
    #[arg(long)]
    pub no_probe: bool,
    /// Score every case of a labelled corpus (JSON lines) from its text alone and print the
    /// accuracy report
    #[arg(long, value_name = "CASES.jsonl", conflicts_with = "file")]
    pub eval: Option<PathBuf>,
    /// Explain the newest npm debug log of this machine (npm's logs-dir, default ~/.npm/_logs)
    #[arg(long, conflicts_with_all = ["file", "eval"])]
    pub last: bool,
    /// Also print, on stderr, every rule that fired with its cause, points and evidence
    #[arg(long)]
    pub trace: bool,
    /// The long form: all evidence, every fix and verify step, every other candidate
    /// (also REGAUTH_VERBOSE=1)
    #[arg(long)]
    pub verbose: bool,
}

pub(crate) fn run(args: ExplainArgs) -> anyhow::Result<i32> {
    if let Some(path) = &args.eval {
        return run_eval(path);
    }
    let failure = with_named_debug_log(read_failure(&args)?);
    let mut saved = crate::live::gather_saved(failure, !args.no_config, !args.no_probe);
    if std::env::var_os("REGAUTH_DEBUG_FACTS").is_some() {
        stdout::write_stderr(&format!("{:#?}\n", saved.facts));
    }
    // ORG HOOK: the organisation's registries and fix lines (not with --no-config)
    let knowledge = if args.no_config {
        crate::org::Knowledge::default()
    } else {
        crate::org::Knowledge::from_process().map_err(|e| anyhow::anyhow!("{e}"))?
    };
    crate::org::declare_kind(&mut saved.facts, &knowledge);
    let mut diagnosis = saved.diagnose();
    crate::org::apply(&mut diagnosis, &knowledge);
    let github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    match args.format {
        Format::Human => {
            let verbose = args.verbose || render::human::verbose_from_env();
            let style = render::human::Style::for_stdout(verbose);
            let mut text = render::human::render(&diagnosis, &style);
            if github {
                text.push_str(&render::github::annotation(&diagnosis));
            }
            stdout::write(&text)?;
        }
        Format::Json => {
            stdout::write(&render::json::render(&diagnosis.report))?;
            if github {
                // stdout holds the JSON document; the runner also reads commands from stderr
                stdout::write_stderr(&render::github::annotation(&diagnosis));
            }
        }
    }
    if args.trace {
        stdout::write_stderr(&render::trace::render(&diagnosis));
    }
    Ok(0)
}

/// The failure in the input the arguments name: a file, `--last`, or stdin (with a usage hint
/// first when stdin is a terminal). Input with nothing but white space is an error.
fn read_failure(args: &ExplainArgs) -> anyhow::Result<crate::detect::Failure> {
    let (reader, name): (Box<dyn Read>, String) = match args.file.as_deref() {
        _ if args.last => {
            let dir = last_log::logs_dir();
            let path = last_log::newest(&dir).with_context(|| {
                format!("no npm debug log in {} (npm's logs-dir)", dir.display())
            })?;
            stdout::write_stderr(&format!("regauth: explaining {}\n", path.display()));
            let file =
                last_log::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
            (file, path.display().to_string())
        }
        Some(p) if p != Path::new("-") => {
            let file = File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
            (Box::new(file), p.display().to_string())
        }
        _ => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                stdout::write_stderr(&terminal_hint());
            }
            (Box::new(stdin.lock()), "stdin".to_owned())
        }
    };
    let mut input = NonBlank::new(reader);
    let failure =
        crate::detect::from_reader(&mut input).with_context(|| format!("cannot read {name}"))?;
    if !input.seen {
        anyhow::bail!(
            "nothing to explain: {name} is empty (give npm's output, a log file or --last)"
        );
    }
    Ok(failure)
}

/// The debug log a saved output names, read when that file is on this machine (said in one
/// line on stderr): it holds the failing request the terminal output hides.
fn with_named_debug_log(failure: crate::detect::Failure) -> crate::detect::Failure {
    let from_log = failure
        .lines
        .iter()
        .any(|l| l.origin == crate::detect::Origin::DebugLog);
    let Some(path) = failure.debug_log_path.clone().filter(|_| !from_log) else {
        return failure;
    };
    let Some(log) = File::open(&path)
        .ok()
        .filter(|f| f.metadata().is_ok_and(|m| m.is_file()))
        .and_then(|f| crate::detect::from_reader(f).ok())
    else {
        return failure;
    };
    stdout::write_stderr(&format!(
        "regauth: also read the debug log the output names: {path}\n"
    ));
    crate::detect::with_debug_log(failure, log)
}

/// What `regauth explain` says when it waits for text typed or pasted at a terminal.
fn terminal_hint() -> String {
    let dir = last_log::logs_dir();
    let last = match last_log::newest(&dir) {
        Some(path) => format!("the newest npm debug log, {}", path.display()),
        None => format!("the newest npm debug log in {} (none yet)", dir.display()),
    };
    format!(
        "regauth explain: paste npm's error output, then press Ctrl-D (Ctrl-C cancels)\n  \
         or: regauth explain FILE    a saved output, CI log or npm debug log\n  \
         or: regauth explain --last  {last}\n"
    )
}

/// A reader that notes whether anything but white space went through it.
struct NonBlank<R> {
    inner: R,
    seen: bool,
}

impl<R> NonBlank<R> {
    fn new(inner: R) -> Self {
        NonBlank { inner, seen: false }
    }
}

impl<R: Read> Read for NonBlank<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen = self.seen || buf[..n].iter().any(|b| !b.is_ascii_whitespace());
        Ok(n)
    }
}

fn run_eval(path: &Path) -> anyhow::Result<i32> {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let cases = diagnose::eval::parse_cases(&text)
        .with_context(|| format!("{} is not a case file", path.display()))?;
    let summary = diagnose::eval::evaluate(&cases);
    stdout::write(&diagnose::eval::render(&summary))?;
    Ok(0)
}
