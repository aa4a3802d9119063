//! `regauth explain` for a person at a terminal: the usage hint when it waits on a terminal,
//! one Ctrl-D ending pasted text, empty input as a one-line error, and `--last` (the newest npm
//! debug log of the machine, wherever npm's `logs-dir`/`cache` put it).

mod support;

use std::path::Path;
use std::time::Duration;

use support::pty::Pty;
use support::NpmEnv;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/corpus-npm11");
const WAIT: Duration = Duration::from_secs(30);

fn explain(env: &NpmEnv, args: &[&str]) -> std::process::Command {
    let mut command = env.regauth();
    command.arg("explain").args(args).env("NO_COLOR", "1");
    command
}

fn copy_log(case: &str, dir: &Path, run_id: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        format!("{DATA}/{case}.log"),
        dir.join(format!("{run_id}-debug-0.log")),
    )
    .unwrap();
}

#[test]
fn at_a_terminal_it_says_how_to_use_it_and_one_ctrl_d_ends_pasted_text() {
    let env = NpmEnv::new();
    copy_log("otp401", &env.logs_dir(), "2026-11-28T09_00_00_000Z");
    let mut pty = Pty::spawn(explain(&env, &["--no-config", "--no-probe"]));
    pty.wait_for("press Ctrl-D", WAIT);
    pty.wait_for("regauth explain --last", WAIT);
    pty.wait_for("2026-11-28T09_00_00_000Z-debug-0.log", WAIT);
    let pasted = std::fs::read_to_string(format!("{DATA}/needauth.out")).unwrap();
    // a paste arrives as one burst; the terminal turns "\n" into line ends itself
    pty.type_in(pasted.as_bytes());
    pty.type_in(b"\x04");
    pty.wait_for("cause: ", WAIT);
    let (status, out) = pty.finish();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(status.code(), Some(0), "{out}");
    assert!(out.contains("error[ENEEDAUTH]"), "{out}");
}

#[test]
fn ctrl_d_at_once_is_a_one_line_error_with_exit_2() {
    let env = NpmEnv::new();
    let mut pty = Pty::spawn(explain(&env, &["--no-config", "--no-probe"]));
    pty.wait_for("press Ctrl-D", WAIT);
    pty.type_in(b"\x04");
    let (status, out) = pty.finish();
    let out = String::from_utf8_lossy(&out);
    assert_eq!(status.code(), Some(2), "{out}");
    // after the hint (and the echoed ^D): exactly one line, the error
    let after_hint = out.split("regauth explain --last").nth(1).unwrap();
    let lines: Vec<&str> = after_hint
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{out:?}");
    assert!(
        lines[0]
            .trim_start_matches("^D")
            .starts_with("regauth: error: nothing to explain: stdin is empty"),
        "{out:?}"
    );
}

#[test]
fn empty_or_blank_input_is_a_one_line_error_with_exit_2() {
    let env = NpmEnv::new();
    let blank = env.project().join("blank.log");
    std::fs::write(&blank, "\n  \n").unwrap();
    let cases: [(&[&str], &str); 2] = [(&[], ""), (&[blank.to_str().unwrap()], "")];
    for (args, stdin) in cases {
        let out = assert_cmd::Command::from_std(explain(&env, args))
            .write_stdin(stdin)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("nothing to explain"), "{args:?}: {stderr}");
        // no hint when stdin is not a terminal (a pipe or a file says what it is)
        assert!(!stderr.contains("Ctrl-D"), "{stderr}");
    }
}

#[test]
fn last_explains_the_newest_debug_log_in_the_default_logs_dir() {
    let env = NpmEnv::new();
    copy_log("needauth", &env.logs_dir(), "2026-11-28T08_00_00_000Z");
    copy_log("otp401", &env.logs_dir(), "2026-11-28T09_00_00_000Z");
    let out = explain(&env, &["--last", "--no-config", "--no-probe"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("cause: otp-required"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("regauth: explaining ") && stderr.contains("T09_00_00_000Z-debug-0.log"),
        "says which log: {stderr}"
    );
}

#[test]
fn last_honours_npms_logs_dir_and_cache_settings() {
    let env = NpmEnv::new();
    // a newer log in the default place must not win over the configured one
    copy_log("needauth", &env.logs_dir(), "2026-11-28T10_00_00_000Z");
    let cache = env.root().join("elsewhere-cache");
    copy_log("otp401", &cache.join("_logs"), "2026-11-28T09_00_00_000Z");
    env.write_userconfig(&format!("cache={}\n", cache.display()));
    let out = explain(&env, &["--last", "--no-config", "--no-probe"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cause: otp-required"),
        "cache: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs = env.root().join("my-logs");
    copy_log("otp401", &logs, "2026-11-28T09_00_00_000Z");
    let mut env = env;
    env.set_env("npm_config_logs_dir", &logs);
    let out = explain(&env, &["--last", "--no-config", "--no-probe"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(logs.to_str().unwrap()),
        "logs-dir: {stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("cause: otp-required"));
}

#[test]
fn last_without_any_log_is_a_one_line_error_naming_the_directory() {
    let env = NpmEnv::new();
    let out = explain(&env, &["--last"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(env.logs_dir().to_str().unwrap()),
        "{stderr}"
    );
}
