//! Whatever regauth meets after npm exits (a garbage or huge debug log, a FIFO where a log
//! should be, no HOME, a closed stderr), npm's exit status and bytes stay exactly npm's, and
//! regauth adds at most one explanation (one `regauth: ` line and the report after it).

mod support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use support::NpmEnv;

/// A shell-script npm that prints to both streams, leaves `log` (if any) in the logs dir under a
/// fresh npm-style name, and exits with `code`.
fn fake_npm(env: &NpmEnv, log: Option<&[u8]>, code: i32) -> PathBuf {
    let body = env.root().join("log-body");
    if let Some(log) = log {
        std::fs::write(&body, log).unwrap();
    }
    let script = format!(
        "#!/bin/sh\nprintf 'out\\377\\n'\nprintf 'err\\n' >&2\n{}exit {code}\n",
        if log.is_some() {
            format!(
                "mkdir -p \"$HOME/.npm/_logs\"\ncp '{}' \"$HOME/.npm/_logs/$(date -u +%Y-%m-%dT%H_%M_%S_%3NZ)-debug-0.log\"\n",
                body.display()
            )
        } else {
            String::new()
        }
    );
    let path = env.root().join("fake-npm");
    support::write_executable(&path, &script);
    path
}

fn run_with_timeout(mut command: Command) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    support::output_within(child, Duration::from_secs(60))
}

fn assert_npm_untouched(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, b"out\xff\n");
    assert!(
        out.stderr.starts_with(b"err\n"),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let added = String::from_utf8_lossy(&out.stderr[4..]).into_owned();
    // at most one explanation (live mode): its first line is the only `regauth: ` line
    assert!(
        added.lines().filter(|l| l.starts_with("regauth: ")).count() <= 1,
        "{added:?}"
    );
    assert!(
        added.is_empty() || added.starts_with("regauth: "),
        "{added:?}"
    );
}

#[test]
fn garbage_and_huge_logs_change_nothing() {
    let mut log =
        b"0 verbose cli /usr/bin/node /usr/bin/npm\n8 verbose argv \"view\" \"x\"\n".to_vec();
    log.extend_from_slice(b"9 error code E401\xff\xfe\x00\n");
    log.extend(std::iter::repeat(b'a').take(8 << 20));
    log.extend_from_slice(b"\n10 http fetch GET 401 \xff\n");
    for code in [1, 7, 255] {
        let env = NpmEnv::new();
        let fake = fake_npm(&env, Some(&log), code);
        let mut command = env.regauth();
        command.args(["npm", "view", "x"]).env("REGAUTH_NPM", &fake);
        assert_npm_untouched(&run_with_timeout(command), code);
    }
}

#[test]
fn a_fifo_named_like_a_log_never_blocks() {
    let env = NpmEnv::new();
    std::fs::create_dir_all(env.logs_dir()).unwrap();
    let fifo = env.logs_dir().join("2999-01-01T00_00_00_000Z-debug-0.log");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    for code in [0, 1] {
        let fake = fake_npm(&env, None, code);
        let mut command = env.regauth();
        command.args(["npm", "view", "x"]).env("REGAUTH_NPM", &fake);
        let out = run_with_timeout(command);
        assert_npm_untouched(&out, code);
        assert_eq!(out.stderr, b"err\n");
    }
}

#[test]
fn no_home_and_no_logs_dir_change_nothing() {
    let env = NpmEnv::new();
    let fake = fake_npm(&env, None, 1);
    let mut command = env.regauth();
    command
        .args(["npm", "view", "x"])
        .env("REGAUTH_NPM", &fake)
        .env_remove("HOME");
    let out = run_with_timeout(command);
    assert_npm_untouched(&out, 1);
}

#[test]
fn a_closed_stderr_changes_nothing() {
    let log = b"8 verbose argv \"view\" \"x\"\n13 http fetch GET 401 http://127.0.0.1:9/x 1ms\n17 error code E401\n";
    let env = NpmEnv::new();
    let fake = fake_npm(&env, Some(log), 1);
    let status = Command::new("sh")
        .args([
            "-c",
            "exec \"$0\" npm view x 2>&-",
            env!("CARGO_BIN_EXE_regauth"),
        ])
        .envs(env.environment())
        .env("REGAUTH_NPM", &fake)
        .current_dir(env.project())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn the_line_comes_from_the_log_of_this_run() {
    let log = b"0 verbose cli /usr/bin/node /usr/bin/npm\n8 verbose argv \"view\" \"x\"\n13 http fetch GET 401 http://127.0.0.1:9/x 1ms\n17 error code E401\n";
    let env = NpmEnv::new();
    // An older log of another run must not be used.
    std::fs::create_dir_all(env.logs_dir()).unwrap();
    std::fs::write(
        env.logs_dir().join("2000-01-01T00_00_00_000Z-debug-0.log"),
        log,
    )
    .unwrap();
    let fake = fake_npm(&env, None, 1);
    let mut command = env.regauth();
    command.args(["npm", "view", "x"]).env("REGAUTH_NPM", &fake);
    let out = run_with_timeout(command);
    assert_eq!(
        out.stderr,
        b"err\n",
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fake = fake_npm(&env, Some(log), 1);
    let mut command = env.regauth();
    command.args(["npm", "view", "x"]).env("REGAUTH_NPM", &fake);
    let out = run_with_timeout(command);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with("err\nregauth: GET http://127.0.0.1:9/x answered 401\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_tee_delivers_every_byte_to_a_pipe_and_to_a_file() {
    let env = NpmEnv::new();
    let gen = env.root().join("gen-npm");
    // 20 MiB of numbered lines on stderr, then an auth failure's text, exit 1.
    support::write_executable(
        &gen,
        "#!/bin/sh\nseq 1 2500000 >&2\necho 'npm error code E401' >&2\nexit 1\n",
    );
    let direct = Command::new(&gen).output().unwrap();
    let out = run_with_timeout({
        let mut c = env.regauth();
        c.args(["npm", "--logs-max=0"]).env("REGAUTH_NPM", &gen);
        c
    });
    assert_eq!(out.status.code(), Some(1));
    let one_regauth_line = |all: &[u8]| {
        let rest = String::from_utf8_lossy(&all[direct.stderr.len()..]).into_owned();
        all.starts_with(&direct.stderr)
            && rest.starts_with("regauth: ")
            && rest.lines().filter(|l| l.starts_with("regauth: ")).count() == 1
    };
    assert!(one_regauth_line(&out.stderr));
    // stderr to a regular file: the copy falls back from tee(2) to read/write.
    let file = env.root().join("stderr.txt");
    let status = env
        .regauth()
        .args(["npm", "--logs-max=0"])
        .env("REGAUTH_NPM", &gen)
        .stderr(std::fs::File::create(&file).unwrap())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let written = std::fs::read(&file).unwrap();
    assert!(one_regauth_line(&written));
}
