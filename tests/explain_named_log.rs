//! `regauth explain` on a saved output that names its debug log: the log is read when it is on
//! this machine (one line on stderr says so) and its failing request, which the terminal output
//! hid, decides the report; a named log that is not here changes nothing.

mod support;

const LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/corpus-npm11/notoken401.log"
);

/// npm's terminal output for that run, cut to what a user pastes: no URL, no server words.
fn output_naming(log_path: &str) -> String {
    format!(
        "npm error code E401\n\
         npm error Unable to authenticate, your authentication token seems to be invalid.\n\
         npm error To correct this please try logging in again with:\n\
         npm error   npm login\n\
         npm error A complete log of this run can be found in: {log_path}\n"
    )
}

fn explain(output: &str) -> (serde_json::Value, String) {
    support::explain_offline(output, &[])
}

#[test]
fn the_named_log_on_this_machine_is_read_and_decides() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("2026-11-28T02_51_15_608Z-debug-0.log");
    std::fs::copy(LOG, &log).unwrap();
    let log = log.display().to_string();
    let (v, stderr) = explain(&output_naming(&log));
    assert_eq!(
        stderr.lines().filter(|l| l.contains(&log)).count(),
        1,
        "one line names the log read: {stderr}"
    );
    assert!(stderr.contains("debug log"), "{stderr}");
    // the request only the log holds, and its server words
    assert_eq!(
        v["failure"]["url"],
        "http://127.0.0.1:48731/notoken401/@corp%2flib"
    );
    assert_eq!(v["failure"]["package"], "@corp/lib");
    assert_eq!(v["causes"][0]["id"], "token-missing");
    let sources: Vec<&str> = v["causes"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["source"].as_str())
        .collect();
    assert!(
        sources.iter().any(|s| s.starts_with("debug-log:")),
        "{sources:?}"
    );
}

#[test]
fn a_named_log_that_is_not_here_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("gone-debug-0.log").display().to_string();
    let (v, stderr) = explain(&output_naming(&missing));
    assert!(!stderr.contains("debug log"), "{stderr}");
    assert!(v["failure"]["url"].is_null());
    assert_eq!(v["failure"]["code"], "E401");
}
