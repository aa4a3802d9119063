//! The probe request the live integration would build for a failed npm command, for the probe
//! tests (tests/probe.rs, tests/probe_budget.rs).

use std::path::PathBuf;
use std::time::Duration;

use regauth::probe::{CredentialKind, ProbeRequest, ProbeSettings};

use super::NpmEnv;

pub const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";

pub fn real_npm() -> PathBuf {
    which::which("npm").expect("npm on PATH")
}

/// A request as the integration would build it for `command` failing against `registry`.
pub fn request(env: &NpmEnv, command: &[&str], registry: &str) -> ProbeRequest {
    ProbeRequest {
        npm: real_npm(),
        cwd: env.project(),
        env: env.environment(),
        command: command.iter().map(|s| s.to_string()).collect(),
        registry: Some(registry.to_string()),
        credential: Some(CredentialKind::Token),
        ..ProbeRequest::default()
    }
}

pub fn token_config(registry_port: u16, token: &str) -> String {
    format!("//127.0.0.1:{registry_port}/:_authToken={token}\n")
}

/// Probes that are expected to get an answer run under a budget of their own, long enough for
/// a loaded machine: the default (8 s) is what users get, not what a test on 2 busy cores needs.
pub fn answering() -> ProbeSettings {
    ProbeSettings {
        budget: Duration::from_secs(120),
        ..ProbeSettings::default()
    }
}
