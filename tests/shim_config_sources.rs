//! One-shot and endless config sources (`--userconfig /dev/stdin`, a FIFO such as `<(...)`,
//! `/dev/zero`) belong to npm: regauth reads its configuration before npm starts, so it must
//! read only regular files of bounded size, or npm finds its config empty (or never starts).

mod support;

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use support::NpmEnv;

/// `npm config get foo` with `args`, directly or through regauth, `stdin` written to its stdin.
fn config_get(env: &NpmEnv, shimmed: bool, args: &[&str], stdin: &[u8]) -> Output {
    let mut command = if shimmed {
        let mut c = env.regauth();
        c.arg("npm");
        c
    } else {
        env.npm()
    };
    command.args(["config", "get", "foo"]).args(args);
    let mut child = spawn_piped(command);
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    drop(input);
    wait_with_deadline(child)
}

fn spawn_piped(mut command: Command) -> Child {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

fn wait_with_deadline(child: Child) -> Output {
    support::output_within(child, Duration::from_secs(60))
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_userconfig_on_stdin_is_npm_s_to_read() {
    let env = NpmEnv::new();
    let args = ["--userconfig", "/dev/stdin"];
    let direct = config_get(&env, false, &args, b"foo=from-stdin\n");
    let shimmed = config_get(&env, true, &args, b"foo=from-stdin\n");
    assert_eq!(stdout(&direct), "from-stdin\n", "{direct:?}");
    assert_eq!(stdout(&shimmed), stdout(&direct), "{shimmed:?}");
    assert_eq!(shimmed.status, direct.status);
}

/// A FIFO at `path` fed `text` once by a thread (as `<(...)` is): whoever opens it first gets
/// the text; the thread ends when the test drops the feeder.
struct Fifo {
    path: PathBuf,
    writer: Option<std::thread::JoinHandle<()>>,
}

impl Fifo {
    fn new(path: PathBuf, text: &'static [u8]) -> Fifo {
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let at = path.clone();
        let writer = std::thread::spawn(move || {
            if let Ok(mut fifo) = std::fs::OpenOptions::new().write(true).open(&at) {
                let _ = fifo.write_all(text);
            }
        });
        Fifo {
            path,
            writer: Some(writer),
        }
    }
}

impl Drop for Fifo {
    fn drop(&mut self) {
        // A writer still waiting for a reader is released by a reader that goes at once.
        use std::os::unix::fs::OpenOptionsExt;
        let release = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.path);
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
        drop(release);
    }
}

#[test]
fn a_userconfig_fifo_reaches_npm_with_its_content() {
    let env = NpmEnv::new();
    let mut outs = Vec::new();
    for (n, shimmed) in [false, true].into_iter().enumerate() {
        let fifo = Fifo::new(env.root().join(format!("fifo{n}")), b"foo=from-fifo\n");
        let path = fifo.path.display().to_string();
        outs.push(config_get(&env, shimmed, &["--userconfig", &path], b""));
    }
    assert_eq!(stdout(&outs[0]), "from-fifo\n", "{:?}", outs[0]);
    assert_eq!(
        stdout(&outs[1]),
        stdout(&outs[0]),
        "through regauth: {:?}",
        outs[1]
    );
}

/// A stand-in npm that reads no config: it shows that it started, and its arguments.
fn npm_that_reads_nothing(env: &NpmEnv) -> PathBuf {
    let path = env.root().join("bin/npm");
    support::write_executable(&path, "#!/bin/sh\necho \"ran $*\"\nexit 3\n");
    path
}

/// Endless config sources (as `--userconfig`, `--globalconfig` or from the environment) do
/// not keep npm from starting, and regauth stays small: its peak RSS (npm's shell included)
/// under 32 MiB, where reading `/dev/zero` would take all of the 1 GiB it is allowed.
#[test]
fn dev_zero_as_a_config_file_never_keeps_npm_from_starting() {
    let mut env = NpmEnv::new();
    let npm = npm_that_reads_nothing(&env);
    env.set_env("REGAUTH_NPM", &npm)
        .set_env("npm_config_globalconfig", "/dev/zero");
    let mut command = env.regauth();
    command.args(["npm", "--userconfig", "/dev/zero", "x"]);
    limit_address_space(&mut command, 1 << 30);
    let (out, max_rss_kib) = support::run_measured(command);
    assert_eq!(stdout(&out), "ran --userconfig /dev/zero x\n", "{out:?}");
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(max_rss_kib < 32 << 10, "peak RSS {max_rss_kib} KiB");
}

fn limit_address_space(command: &mut Command, bytes: u64) {
    // SAFETY: setrlimit(2) between fork and exec is async-signal-safe and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
