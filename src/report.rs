//! The report contract (docs/taxonomy.md, "JSON report (schema 1)"): plain data that
//! `diagnose` produces and `render` prints. Field names here are the JSON names.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub schema: u32,
    pub tool: String,
    pub tool_version: Option<String>,
    pub command: Vec<String>,
    pub exit_code: Option<i32>,
    pub auth_failure: bool,
    pub failure: Option<FailureSummary>,
    pub causes: Vec<Cause>,
    pub probes: Vec<ProbeSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct FailureSummary {
    pub code: Option<String>,
    pub http_status: Option<u16>,
    pub method: Option<String>,
    pub url: Option<String>,
    pub registry: Option<String>,
    pub package: Option<String>,
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cause {
    pub id: String,
    pub confidence: Confidence,
    /// The sum of the points the rules gave this cause (`regauth explain --trace` shows them).
    #[serde(default)]
    pub score: i32,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: Vec<String>,
    pub verify: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Config,
    Env,
    Output,
    DebugLog,
    Probe,
    Lockfile,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub text: String,
    /// `~/.npmrc:3`, `output:12`, `debug-log:13`, `env:NPM_TOKEN`, a probe command, ...
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProbeSummary {
    pub command: String,
    pub exit_code: Option<i32>,
    pub duration_ms: u64,
    pub summary: String,
}
