//! `regauth explain` as a user runs it: file or stdin, formats, exit codes, colour switches,
//! the GitHub annotation, bad input.

use assert_cmd::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus-npm11");

fn regauth() -> Command {
    let mut c = Command::cargo_bin("regauth").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k == "NO_COLOR" || k.starts_with("CLICOLOR") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn explains_a_file_in_json_per_schema_1() {
    let out = regauth()
        .args([
            "explain",
            &format!("{DIR}/forbidden403.out"),
            "--format",
            "json",
            "--no-config",
            "--no-probe",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["tool"], "npm");
    assert_eq!(v["auth_failure"], true);
    assert_eq!(v["failure"]["code"], "E403");
    assert_eq!(v["failure"]["http_status"], 403);
    assert_eq!(v["failure"]["method"], "GET");
    assert_eq!(v["failure"]["package"], "@team/secret");
    assert!(v["failure"]["registry"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert!(v["exit_code"].is_null(), "unknown fields are null");
    let cause = &v["causes"][0];
    assert_eq!(cause["id"], "insufficient-permission");
    assert_eq!(cause["confidence"], "high");
    for key in ["summary", "evidence", "fix", "verify"] {
        assert!(!cause[key].is_null(), "{key}");
    }
    assert!(cause["evidence"][0]["source"]
        .as_str()
        .unwrap()
        .starts_with("output:"));
    assert_eq!(v["probes"], serde_json::json!([]));
}

#[test]
fn reads_stdin_with_a_dash_or_no_file() {
    let text = std::fs::read_to_string(format!("{DIR}/otp401.out")).unwrap();
    for args in [vec!["explain", "-"], vec!["explain"]] {
        let out = regauth()
            .args(&args)
            .arg("--no-probe")
            .write_stdin(text.clone())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(out.status.success());
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.starts_with("error[EOTP]:"), "{s}");
        assert!(s.contains("cause: otp-required"));
        assert!(s.contains("help: npm publish --otp=<code"), "{s}");
    }
}

#[test]
fn human_output_fits_80_columns_and_honours_no_color_and_clicolor_force() {
    let file = format!("{DIR}/needauth.out");
    let plain = regauth()
        .args(["explain", &file])
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(!plain.contains('\u{1b}'), "NO_COLOR wins");
    for line in plain.lines() {
        assert!(line.chars().count() <= 80, "too wide: {line}");
    }
    let forced = regauth()
        .args(["explain", &file])
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(
        String::from_utf8(forced.stdout).unwrap().contains('\u{1b}'),
        "CLICOLOR_FORCE colours a pipe"
    );
    let piped = regauth().args(["explain", &file]).output().unwrap();
    assert!(
        !String::from_utf8(piped.stdout).unwrap().contains('\u{1b}'),
        "no colour into a pipe"
    );
}

#[test]
fn github_actions_gets_one_error_annotation() {
    let file = format!("{DIR}/notoken401.out");
    let out = regauth()
        .args(["explain", &file])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    let annotations: Vec<&str> = s.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(annotations.len(), 1, "{s}");
    assert!(
        annotations[0].starts_with("::error title=regauth%3A token-missing::"),
        "{}",
        annotations[0]
    );
    let json = regauth()
        .args(["explain", &file, "--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    serde_json::from_slice::<serde_json::Value>(&json.stdout)
        .expect("stdout stays one JSON document");
    assert!(String::from_utf8(json.stderr)
        .unwrap()
        .starts_with("::error title="));
    let quiet = regauth()
        .args(["explain", &format!("{DIR}/busy429.out")])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert!(
        !String::from_utf8(quiet.stdout).unwrap().contains("::error"),
        "no annotation for non-auth failures"
    );
}

#[test]
fn non_auth_failures_say_so_and_exit_zero() {
    let out = regauth()
        .args(["explain", &format!("{DIR}/refused.out"), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["auth_failure"], false);
    assert_eq!(v["causes"], serde_json::json!([]));
    assert_eq!(v["failure"]["code"], "ECONNREFUSED");
}

/// Issue 11: empty input was a report ("no failure found", exit 0); now it is a one-line error.
#[test]
fn empty_input_is_a_one_line_error_also_in_json_mode() {
    let out = regauth()
        .args(["explain", "-", "--format", "json"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no report on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("regauth: error: nothing to explain"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_one_line_and_non_zero() {
    let out = regauth()
        .args(["explain", "/nonexistent/npm-output.txt"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/npm-output.txt"));
    let bad_eval = regauth()
        .args(["explain", "--eval", &format!("{DIR}/otp401.out")])
        .output()
        .unwrap();
    assert!(!bad_eval.status.success());
    assert_eq!(
        String::from_utf8(bad_eval.stderr)
            .unwrap()
            .trim_end()
            .lines()
            .count(),
        1
    );
}

/// The fix lines of `regauth explain` of a saved pnpm 10 text, in a clean HOME and project with
/// no `.npmrc`; with `--no-config` too when `no_config`.
fn pnpm_fix(no_config: bool) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let text = " ERR_PNPM_FETCH_401  GET http://127.0.0.1:4873/@priv%2Flib: Unauthorized - 401\n\n\
                No authorization header was set for the request.\n\n\
                No authorization settings were found in the configs.\n";
    let mut c = regauth();
    c.args(["explain", "-", "--format", "json", "--no-probe"]);
    if no_config {
        c.arg("--no-config");
    }
    let out = c
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .current_dir(home.path())
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tool"], "pnpm", "{v:#}");
    assert_eq!(v["causes"][0]["id"], "token-missing", "{v:#}");
    v["causes"][0]["fix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_owned())
        .collect()
}

/// A saved pnpm text is worded for pnpm with or without this machine's configuration: the
/// login step is `pnpm login` both ways, never npm's, and every fix line the text alone gives
/// is one the configured explain gives too.
#[test]
fn a_saved_pnpm_text_gets_pnpm_words_with_and_without_config() {
    let (with, without) = (pnpm_fix(false), pnpm_fix(true));
    let npm_login = regex::Regex::new(r"(?:^|[^p])npm login").unwrap();
    for (how, fix) in [("with config", &with), ("--no-config", &without)] {
        assert!(
            fix.iter()
                .any(|l| l.contains("pnpm login --registry http://127.0.0.1:4873/")),
            "{how}: {fix:#?}"
        );
        assert!(
            !fix.iter().any(|l| npm_login.is_match(l)),
            "{how}: {fix:#?}"
        );
    }
    for line in &without {
        assert!(with.contains(line), "{line:?} not in {with:#?}");
    }
}
