//! Plain data several stages share (a leaf: it uses no other regauth module): the client id,
//! a finished run of the real client, how it ended, and the debug log it wrote.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Instant;

/// The package manager a run or a transcript belongs to. The behaviour of each one lives in
/// `crate::clients` (one module per client); this is only its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientId {
    Npm,
    Npx,
    Pnpm,
    Yarn1,
    YarnBerry,
}

impl ClientId {
    /// The id as reports write it (`npm`, `yarn-berry`).
    pub fn as_str(self) -> &'static str {
        match self {
            ClientId::Npm => "npm",
            ClientId::Npx => "npx",
            ClientId::Pnpm => "pnpm",
            ClientId::Yarn1 => "yarn1",
            ClientId::YarnBerry => "yarn-berry",
        }
    }

    /// The command a user types to run this client (`yarn` for both yarns).
    pub fn command_name(self) -> &'static str {
        match self {
            ClientId::Npm => "npm",
            ClientId::Npx => "npx",
            ClientId::Pnpm => "pnpm",
            ClientId::Yarn1 | ClientId::YarnBerry => "yarn",
        }
    }
}

/// How the child ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
}

/// The client's debug log for this run, read after exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugLog {
    pub path: PathBuf,
    pub text: String,
}

/// A finished run of the real client: what later stages need, nothing more.
#[derive(Debug, Clone)]
pub struct Run {
    pub client: ClientId,
    /// The path of the real binary that ran.
    pub program: PathBuf,
    /// The user's arguments, exactly as given (after `npm`).
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    pub exit: Exit,
    pub debug_log: Option<DebugLog>,
    /// The end of the client's stderr, where it was teed (no debug log available).
    pub stderr_tail: Option<String>,
    /// When the client exited (the live explanation's timing starts here).
    pub exited: Instant,
}
