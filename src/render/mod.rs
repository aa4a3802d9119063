//! Reports for people (console, NO_COLOR honoured, stderr) and machines (JSON, GitHub annotations).

/// Output format of regauth's own commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
