//! regauth: runs the real npm untouched and, when a registry refuses it, explains why.
//!
//! The pipeline, one module per stage:
//! `shim` -> `detect` -> `config` / `probe` -> `diagnose` -> `render`.
//! `regauth explain` enters at `detect` with text; `regauth doctor` uses `config` and `render`.

pub mod civil;
pub mod cli;
pub mod commands;
pub mod config;
pub mod detect;
pub mod diagnose;
pub mod live;
pub mod probe;
pub mod registry_url;
pub mod render;
pub mod report;
pub mod secret;
pub mod shim;

/// The package manager a run or a transcript belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    Npm,
    Pnpm,
    Yarn1,
    YarnBerry,
}

impl Tool {
    pub fn as_str(self) -> &'static str {
        match self {
            Tool::Npm => "npm",
            Tool::Pnpm => "pnpm",
            Tool::Yarn1 => "yarn1",
            Tool::YarnBerry => "yarn-berry",
        }
    }
}
