//! The shim is invisible: the real npm's exit codes, stdout and stderr bytes, and signal deaths
//! come through regauth unchanged (`regauth npm ...` and the `npm` name).

mod support;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::NpmEnv;

const SCRIPTS: &str = r#"{"name":"proj","version":"1.0.0","scripts":{
  "code": "exit $CODE",
  "streams": "echo to-stdout; echo to-stderr >&2; echo more-stdout",
  "bytes": "printf 'caf\\351 \\377\\376 out'; printf 'caf\\351 \\377 err' >&2",
  "args": "node -e \"console.log(JSON.stringify(process.argv.slice(1)))\""
}}"#;

fn env_with_scripts() -> NpmEnv {
    let env = NpmEnv::new();
    std::fs::write(env.project().join("package.json"), SCRIPTS).unwrap();
    env
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run command")
}

/// A directory holding `npm` as a symlink to the built regauth, to put first on PATH.
fn symlink_dir(env: &NpmEnv) -> PathBuf {
    let dir = env.root().join("shimbin");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_regauth"), dir.join("npm")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_regauth"), dir.join("npx")).unwrap();
    dir
}

fn path_with_first(dir: &Path) -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![dir.to_path_buf()];
    paths.extend(std::env::split_paths(&rest));
    std::env::join_paths(paths).unwrap()
}

/// `npm ARGS` through the symlink named npm, first on PATH.
fn shimmed_npm(env: &NpmEnv, dir: &Path) -> Command {
    let mut command = env.command(dir.join("npm"));
    command.env("PATH", path_with_first(dir));
    command
}

fn fake_npm(env: &NpmEnv, body: &str) -> PathBuf {
    let path = env.root().join("fake-npm");
    support::write_executable(&path, &format!("#!/bin/sh\n{body}\n"));
    path
}

#[test]
fn npm_version_is_identical() {
    let env = NpmEnv::new();
    let direct = run(env.npm().arg("--version"));
    let through = run(env.regauth().args(["npm", "--version"]));
    let dir = symlink_dir(&env);
    let by_name = run(shimmed_npm(&env, &dir).arg("--version"));
    assert!(direct.status.success());
    assert!(String::from_utf8_lossy(&direct.stdout)
        .trim()
        .starts_with(char::is_numeric));
    for other in [&through, &by_name] {
        assert_eq!(other.status.code(), Some(0));
        assert_eq!(other.stdout, direct.stdout);
        assert_eq!(other.stderr, direct.stderr);
    }
}

#[test]
fn run_script_exit_codes_pass_through() {
    let env = env_with_scripts();
    let dir = symlink_dir(&env);
    for code in [0, 1, 2, 7, 42, 255] {
        let direct = run(env
            .npm()
            .args(["run", "code"])
            .env("CODE", code.to_string()));
        let shimmed = run(shimmed_npm(&env, &dir)
            .args(["run", "code"])
            .env("CODE", code.to_string()));
        assert_eq!(direct.status.code(), Some(code), "npm itself");
        assert_eq!(shimmed.status.code(), Some(code), "through regauth");
        assert_eq!(shimmed.stdout, direct.stdout, "stdout for exit {code}");
        assert_eq!(
            shimmed.stderr, direct.stderr,
            "stderr for exit {code}: a failing script gets no regauth line"
        );
    }
}

#[test]
fn stdout_and_stderr_stay_separate() {
    let env = env_with_scripts();
    let direct = run(env.npm().args(["run", "streams"]));
    let shimmed = run(env.regauth().args(["npm", "run", "streams"]));
    assert!(String::from_utf8_lossy(&shimmed.stdout).contains("to-stdout\nmore-stdout"));
    assert!(!String::from_utf8_lossy(&shimmed.stdout)
        .lines()
        .any(|l| l == "to-stderr"));
    assert_eq!(shimmed.stderr, b"to-stderr\n");
    assert_eq!(shimmed.stdout, direct.stdout);
    assert_eq!(shimmed.stderr, direct.stderr);
}

#[test]
fn non_utf8_output_bytes_pass_through() {
    let env = env_with_scripts();
    let direct = run(env.npm().args(["run", "--silent", "bytes"]));
    let shimmed = run(env.regauth().args(["npm", "run", "--silent", "bytes"]));
    assert_eq!(direct.stdout, b"caf\xe9 \xff\xfe out");
    assert_eq!(shimmed.stdout, direct.stdout);
    assert_eq!(shimmed.stderr, direct.stderr);
    assert_eq!(shimmed.stderr, b"caf\xe9 \xff err");
}

#[test]
fn non_utf8_arguments_reach_npm_untouched() {
    let env = NpmEnv::new();
    let dump = env.root().join("argv.bin");
    let fake = fake_npm(
        &env,
        &format!(
            "for a in \"$@\"; do printf '%s\\0' \"$a\"; done > '{}'",
            dump.display()
        ),
    );
    let raw = OsStr::from_bytes(b"caf\xe9\xff");
    let status = env
        .regauth()
        .arg("npm")
        .args([
            OsStr::new("view"),
            raw,
            OsStr::new("--help"),
            OsStr::new(""),
        ])
        .env("REGAUTH_NPM", &fake)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read(&dump).unwrap(),
        b"view\0caf\xe9\xff\0--help\0\0"
    );

    // And the real npm gets the same bytes as without regauth (node decodes them its own way).
    let env = env_with_scripts();
    let direct =
        run(env
            .npm()
            .args([OsStr::new("run"), OsStr::new("args"), OsStr::new("--"), raw]));
    let shimmed = run(env.regauth().args([
        OsStr::new("npm"),
        OsStr::new("run"),
        OsStr::new("args"),
        OsStr::new("--"),
        raw,
    ]));
    assert!(direct.status.success());
    assert_eq!(shimmed.stdout, direct.stdout);
}

#[test]
fn npm_help_goes_to_npm_not_to_regauth() {
    let env = NpmEnv::new();
    let direct = run(env.npm().arg("--help"));
    let shimmed = run(env.regauth().args(["npm", "--help"]));
    assert_eq!(shimmed.status.code(), direct.status.code());
    assert_eq!(shimmed.stdout, direct.stdout);
    assert!(String::from_utf8_lossy(&shimmed.stdout).contains("npm <command>"));
}

#[test]
fn npx_is_shimmed_the_same_way() {
    let env = NpmEnv::new();
    let dir = symlink_dir(&env);
    let direct = run(env.command("npx").arg("--version"));
    let mut npx = env.command(dir.join("npx"));
    npx.env("PATH", path_with_first(&dir)).arg("--version");
    let shimmed = run(&mut npx);
    let named = run(env.regauth().args(["npx", "--version"]));
    assert!(direct.status.success());
    assert_eq!(shimmed.stdout, direct.stdout);
    assert_eq!(named.stdout, direct.stdout);
}

#[test]
fn fake_npm_dying_by_sigterm_kills_regauth_by_sigterm() {
    let env = NpmEnv::new();
    let fake = fake_npm(&env, "kill -TERM $$\nexit 3");
    let status = env
        .regauth()
        .args(["npm", "x"])
        .env("REGAUTH_NPM", &fake)
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert_eq!(status.code(), None);
}

#[test]
fn fake_npm_dying_by_sigkill_kills_regauth_by_sigkill() {
    let env = NpmEnv::new();
    let fake = fake_npm(&env, "kill -KILL $$\nexit 3");
    let status = env
        .regauth()
        .args(["npm", "x"])
        .env("REGAUTH_NPM", &fake)
        .status()
        .unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status:?}");
}

#[test]
fn no_npm_on_path_is_one_line_and_127() {
    let env = NpmEnv::new();
    let empty = env.root().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let out = run(env.regauth().args(["npm", "--version"]).env("PATH", &empty));
    assert_eq!(out.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("regauth: no npm found: searched PATH="),
        "{stderr}"
    );
    assert!(stderr.contains(&empty.display().to_string()));
    assert!(out.stdout.is_empty());
}

#[test]
fn regauth_npm_pointing_nowhere_is_one_line() {
    let env = NpmEnv::new();
    let out = run(env
        .regauth()
        .args(["npm", "--version"])
        .env("REGAUTH_NPM", env.root().join("nope")));
    assert_eq!(out.status.code(), Some(127));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("REGAUTH_NPM="), "{stderr}");
}

#[test]
fn regauth_off_is_a_pure_passthrough() {
    let env = env_with_scripts();
    let fake = fake_npm(
        &env,
        "echo \"pid=$$ ppid=$PPID guard=$REGAUTH_RECURSION\"; exit 9",
    );
    let out = run(env
        .regauth()
        .args(["npm", "x"])
        .env("REGAUTH", "off")
        .env("REGAUTH_NPM", &fake));
    assert_eq!(out.status.code(), Some(9));
    let text = String::from_utf8_lossy(&out.stdout);
    // exec: the fake npm *is* the process the test started, and the guard is still set.
    assert!(text.contains("guard=1:"), "{text}");
    assert!(out.stderr.is_empty());
    let direct = run(env.npm().args(["run", "streams"]));
    let off = run(env
        .regauth()
        .args(["npm", "run", "streams"])
        .env("REGAUTH", "off"));
    assert_eq!(off.stdout, direct.stdout);
    assert_eq!(off.stderr, direct.stderr);
}

#[test]
fn regauth_own_cli_still_works() {
    let env = NpmEnv::new();
    let out = run(env.regauth().arg("--version"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("regauth "));
    let help = run(env.regauth().arg("--help"));
    assert!(String::from_utf8_lossy(&help.stdout).contains("npm"));
}

/// Kills the background process whose PID is in `file` when the test ends (also on panic).
struct KillAtEnd(std::path::PathBuf);

impl Drop for KillAtEnd {
    fn drop(&mut self) {
        if let Some(pid) = background_pid(&self.0) {
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL);
        }
    }
}

fn background_pid(file: &std::path::Path) -> Option<nix::unistd::Pid> {
    let text = std::fs::read_to_string(file).ok()?;
    Some(nix::unistd::Pid::from_raw(text.trim().parse().ok()?))
}

#[test]
fn a_background_process_left_by_a_script_does_not_hold_regauth() {
    // Direct npm returns at once; so must regauth, in both modes (the tee drains for at most
    // ~100 ms and never waits for the daemon to close stderr). The daemon holds stdout and
    // stderr for 10 minutes: regauth returned without waiting for it when it is still alive.
    let env = NpmEnv::new();
    let package = r#"{"name":"proj","version":"1.0.0","scripts":{"bg":"(sleep 600 & echo $! > bg.pid); echo started-bg"}}"#;
    std::fs::write(env.project().join("package.json"), package).unwrap();
    for extra in ["--logs-max=10", "--logs-max=0"] {
        let pid_file = env.project().join("bg.pid");
        let _ = std::fs::remove_file(&pid_file);
        let _daemon = KillAtEnd(pid_file.clone());
        let out_file = std::fs::File::create(env.root().join("out.txt")).unwrap();
        let err_file = std::fs::File::create(env.root().join("err.txt")).unwrap();
        let child = env
            .regauth()
            .args(["npm", "run", "bg", extra])
            .stdout(out_file)
            .stderr(err_file)
            .spawn()
            .unwrap();
        let status = support::output_within(child, std::time::Duration::from_secs(120)).status;
        assert_eq!(status.code(), Some(0));
        let daemon = background_pid(&pid_file).expect("the script started its daemon");
        assert!(
            nix::sys::signal::kill(daemon, None).is_ok(),
            "{extra}: the daemon had ended before regauth returned (regauth waited for it)"
        );
        let out = std::fs::read_to_string(env.root().join("out.txt")).unwrap();
        assert!(out.contains("started-bg"), "{out}");
    }
}
