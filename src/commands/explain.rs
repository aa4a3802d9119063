//! `regauth explain [FILE|-] [--format human|json] [--no-config] [--no-probe]`, and
//! `regauth explain --eval CASES.jsonl` (the accuracy report over a labelled corpus).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

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
}

pub(crate) fn run(args: ExplainArgs) -> anyhow::Result<i32> {
    if let Some(path) = &args.eval {
        return run_eval(path);
    }
    let failure = match args.file.as_deref() {
        Some(p) if p != Path::new("-") => {
            let file = File::open(p).with_context(|| format!("cannot read {}", p.display()))?;
            crate::detect::from_reader(file)
                .with_context(|| format!("cannot read {}", p.display()))?
        }
        _ => crate::detect::from_reader(std::io::stdin().lock()).context("cannot read stdin")?,
    };
    let (facts, probes) = crate::live::gather_saved(failure, !args.no_config, !args.no_probe);
    if std::env::var_os("REGAUTH_DEBUG_FACTS").is_some() {
        eprintln!("{facts:#?}");
    }
    let diagnosis = crate::live::diagnose_with(&facts, probes);
    let github = std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true");
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Human => {
            let style = render::human::Style::for_stdout();
            stdout.write_all(render::human::render(&diagnosis, &style).as_bytes())?;
            if github {
                stdout.write_all(render::github::annotation(&diagnosis).as_bytes())?;
            }
        }
        Format::Json => {
            stdout.write_all(render::json::render(&diagnosis.report).as_bytes())?;
            if github {
                // stdout holds the JSON document; the runner also reads commands from stderr
                eprint!("{}", render::github::annotation(&diagnosis));
            }
        }
    }
    Ok(0)
}

fn run_eval(path: &Path) -> anyhow::Result<i32> {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .with_context(|| format!("cannot read {}", path.display()))?;
    let cases = diagnose::eval::parse_cases(&text)
        .with_context(|| format!("{} is not a case file", path.display()))?;
    let summary = diagnose::eval::evaluate(&cases);
    print!("{}", diagnose::eval::render(&summary));
    Ok(0)
}
