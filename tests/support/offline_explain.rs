//! `regauth explain - --format json --no-config --no-probe` of a transcript, as for a CI log from
//! elsewhere, in a clean environment (its own HOME, no npm/CI variables): the JSON report.
//! Included with `#[path]` by the offline explain tests.

use serde_json::Value;

pub fn explain(transcript: &str) -> Value {
    let home = tempfile::tempdir().expect("temp HOME");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_regauth"))
        .args([
            "explain",
            "-",
            "--format",
            "json",
            "--no-config",
            "--no-probe",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .write_stdin(transcript)
        .output()
        .expect("run regauth explain");
    assert!(out.status.success(), "PRODUCT: explain failed: {out:?}");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("PRODUCT: not JSON ({e}): {out:?}"))
}
