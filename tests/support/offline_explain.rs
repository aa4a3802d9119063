//! `regauth explain - --format json --no-config --no-probe [EXTRA...]` of a saved text, run in a
//! clean environment (its own HOME, no npm or CI variables): the offline explain many tests ask for.

use serde_json::Value;

/// The JSON report and regauth's stderr for `text`; fails unless explain exits 0 with JSON alone
/// on stdout.
pub fn explain_offline(text: &str, extra: &[&str]) -> (Value, String) {
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
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .write_stdin(text)
        .output()
        .expect("run regauth explain");
    assert_eq!(
        out.status.code(),
        Some(0),
        "PRODUCT: explain failed: {out:?}"
    );
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("PRODUCT: stdout is not only the JSON report ({e}): {out:?}"));
    (report, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The report is an auth failure whose top cause is `id`, and that cause (summary, evidence,
/// fix, verify) names every one of `words`.
pub fn assert_top_names(report: &Value, id: &str, words: &[&str]) {
    assert_eq!(
        report["auth_failure"], true,
        "PRODUCT: not an auth failure:\n{report:#}"
    );
    let top = &report["causes"][0];
    assert_eq!(top["id"], id, "PRODUCT: top cause:\n{report:#}");
    let text = top.to_string();
    for word in words {
        assert!(
            text.contains(&word.replace('"', "\\\"")),
            "PRODUCT: the top cause does not name {word:?}:\n{report:#}"
        );
    }
}
