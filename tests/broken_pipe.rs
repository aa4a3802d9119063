//! Every regauth command whose stdout is a pipe nobody reads any more (`regauth doctor | head
//! -1` after head exited) ends quietly, as other Unix tools do: exit 0, nothing on stderr, no
//! panic. The pipe's read end is closed before the command starts, so every write fails with
//! EPIPE, whatever the output size and timing.

mod support;

use std::process::Stdio;

use support::NpmEnv;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn assert_quiet_on_closed_pipe(env: &NpmEnv, args: &[&str]) {
    let (read_end, write_end) = nix::unistd::pipe().expect("pipe");
    drop(read_end);
    let out = env
        .regauth()
        .args(args)
        .stdin(Stdio::null())
        .stdout(write_end)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    assert_eq!(stderr, "", "{args:?}");
}

#[test]
fn doctor_survives_a_closed_pipe() {
    let env = NpmEnv::new();
    env.write_userconfig(
        "@corp:registry=http://127.0.0.1:9/\n//127.0.0.1:9/:_authToken=${NPM_TOKEN}\n",
    );
    assert_quiet_on_closed_pipe(&env, &["doctor"]);
    assert_quiet_on_closed_pipe(&env, &["doctor", "@corp/lib", "--format", "json"]);
}

#[test]
fn init_survives_a_closed_pipe() {
    let env = NpmEnv::new();
    for shell in ["bash", "zsh", "fish"] {
        assert_quiet_on_closed_pipe(&env, &["init", shell]);
    }
}

#[test]
fn explain_survives_a_closed_pipe() {
    let env = NpmEnv::new();
    let file = format!("{DATA}/corpus-npm11/forbidden403.out");
    for format in ["human", "json"] {
        assert_quiet_on_closed_pipe(
            &env,
            &[
                "explain",
                &file,
                "--format",
                format,
                "--no-config",
                "--no-probe",
            ],
        );
    }
}

#[test]
fn explain_eval_survives_a_closed_pipe() {
    let env = NpmEnv::new();
    let cases = format!("{DATA}/corpus/cases.jsonl");
    assert_quiet_on_closed_pipe(&env, &["explain", "--eval", &cases]);
}

#[test]
fn help_and_version_survive_a_closed_pipe() {
    let env = NpmEnv::new();
    for args in [&["--help"][..], &["--version"], &["explain", "--help"]] {
        assert_quiet_on_closed_pipe(&env, args);
    }
}
