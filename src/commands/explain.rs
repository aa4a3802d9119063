//! `regauth explain [FILE|-] [--format human|json] [--no-config] [--no-probe]`.

use std::path::PathBuf;

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
}

pub fn run(args: ExplainArgs) -> anyhow::Result<i32> {
    let _ = args;
    anyhow::bail!("explain is not built yet")
}
