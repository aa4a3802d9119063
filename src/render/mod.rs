//! Reports for people (console, NO_COLOR/CLICOLOR_FORCE honoured, the terminal's width),
//! machines (JSON schema 1), GitHub Actions (one `::error` annotation, a Markdown job summary)
//! and the ranking trace.

pub mod github;
pub mod human;
pub mod json;
pub(crate) mod summary;
pub(crate) mod trace;
pub(crate) mod width;

/// Output format of regauth's own commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}
