//! Shim conformance, stdio side, with the real npm run directly and through regauth (with its
//! debug log, and under logs-max=0 where regauth tees npm's stderr): stdin, stdout and stderr
//! closed (each alone and all three) give the same exit status and the same bytes on the
//! streams that stay open; and whether fds 0/1/2 are a terminal or a pipe is the same for npm
//! and for its run-script on a pty, on a pty with stdout piped, and on pipes.

mod support;

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use support::pty::Pty;
use support::{masked, FixtureServer, NpmEnv, Response};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0011";

/// The two ways npm is run through regauth: with its debug log, and with the stderr tee.
const MODES: [&[&str]; 2] = [&[], &["--logs-max=0"]];

fn with_scripts(scripts: serde_json::Value) -> NpmEnv {
    let env = NpmEnv::new();
    let package = serde_json::json!({"name": "proj", "version": "1.0.0", "scripts": scripts});
    std::fs::write(env.project().join("package.json"), package.to_string()).unwrap();
    env
}

fn shim(env: &NpmEnv) -> Command {
    let mut command = env.regauth();
    command.arg("npm");
    command
}

/// What a run left on the streams that were open (`None` for a closed one).
#[derive(Debug, PartialEq)]
struct Seen {
    status: ExitStatus,
    stdout: Option<String>,
    stderr: Option<String>,
}

/// Runs `command` with the fds in `closed` closed when it starts (as `npm ... >&-` does), the
/// others piped; `input` is written to an open stdin.
fn run_with_closed(mut command: Command, closed: &'static [i32], input: &[u8]) -> Seen {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: close(2) only, between fork and exec; std has set up fds 0-2 already.
    unsafe {
        command.pre_exec(move || {
            for &fd in closed {
                libc::close(fd);
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    // a closed stdin makes this a broken pipe, which is fine (SIGPIPE is ignored here)
    let _ = stdin.write_all(input);
    drop(stdin);
    let out = support::output_within(child, Duration::from_secs(120));
    let open = |fd: i32, bytes: &[u8]| (!closed.contains(&fd)).then(|| masked(bytes));
    Seen {
        status: out.status,
        stdout: open(1, &out.stdout),
        stderr: open(2, &out.stderr),
    }
}

const CLOSED_SETS: [&[i32]; 4] = [&[0], &[1], &[2], &[0, 1, 2]];

#[test]
fn closed_stdio_gives_the_same_status_and_bytes_on_the_open_streams() {
    let env = with_scripts(serde_json::json!({
        "io": "read -r line; echo \"out:$line\"; echo \"err:$line\" >&2; exit 3"
    }));
    for mode in MODES {
        for closed in CLOSED_SETS {
            let run = |mut command: Command| {
                command.args(["run", "--silent", "io"]).args(mode);
                run_with_closed(command, closed, b"hello\n")
            };
            let direct = run(env.npm());
            assert_eq!(
                direct.status.code(),
                Some(3),
                "{mode:?} {closed:?}: {direct:?}"
            );
            if !closed.contains(&1) {
                let expected = if closed.contains(&0) {
                    "out:\n"
                } else {
                    "out:hello\n"
                };
                assert_eq!(direct.stdout.as_deref(), Some(expected), "{closed:?}");
            }
            // exit 3 of a script is no auth failure: regauth adds nothing anywhere
            assert_eq!(run(shim(&env)), direct, "{mode:?} {closed:?}");
        }
    }
}

/// A registry refusing everything with 401.
fn refusing_registry() -> FixtureServer {
    FixtureServer::start(|_| {
        Response::new(401).json(serde_json::json!({"error": "authentication required"}))
    })
}

#[test]
fn closed_stdio_on_an_auth_failure_keeps_npm_s_bytes_and_regauth_only_adds_to_stderr() {
    let server = refusing_registry();
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!(
        "@priv:registry={}\n//127.0.0.1:{}/:_authToken={CANARY}\n",
        server.url(),
        server.port()
    ));
    env.set_env("REGAUTH_PROBE", "off");
    for mode in MODES {
        for closed in CLOSED_SETS {
            let run = |mut command: Command| {
                command
                    .args(["view", "@priv/lib", "version", "--fetch-retries=0"])
                    .args(mode);
                run_with_closed(command, closed, b"")
            };
            let direct = run(env.npm());
            let shimmed = run(shim(&env));
            let what = format!("{mode:?} {closed:?}");
            assert_eq!(direct.status.code(), Some(1), "{what}: {direct:?}");
            assert_eq!(shimmed.status, direct.status, "{what}");
            assert_eq!(shimmed.stdout, direct.stdout, "{what}: stdout is npm's");
            let (Some(npm), Some(ours)) = (&direct.stderr, &shimmed.stderr) else {
                continue;
            };
            assert!(
                ours.starts_with(npm.as_str()),
                "{what}:\n{npm}\n---\n{ours}"
            );
            let added = &ours[npm.len()..];
            assert!(added.starts_with("regauth: GET "), "{what}: {added}");
            assert!(added.contains("error[E401]"), "{what}: {added}");
            assert!(!added.contains("internal error"), "{what}: {added}");
            assert!(!added.contains(CANARY), "{what}: {added}");
        }
    }
}

/// For each of fds 0-2: whether the script sees a terminal (`[ -t N ]`), and what npm's own fd
/// is (the script's parent is npm's node process); then npm's `COLOR` (it follows whether
/// npm's stdout is a terminal).
const TTY_REPORT: &str = "for fd in 0 1 2; do \
     if [ -t $fd ]; then s=tty; else s=pipe; fi; \
     case $(readlink /proc/$PPID/fd/$fd) in /dev/pts/*) n=tty;; pipe:*) n=pipe;; *) n=other;; esac; \
     echo \"fd$fd script=$s npm=$n\"; done; echo \"npm $(cat /proc/$PPID/comm) COLOR=$COLOR\"";

/// The report's lines from a run's output (a pty adds `\r`).
fn report_lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| l.trim_end_matches('\r').to_owned())
        .filter(|l| l.starts_with("fd") || l.starts_with("npm "))
        .collect()
}

/// `command` on a pty; with `pipe_stdout`, its stdout goes through `| cat` (stdin and stderr
/// stay the terminal), as in `npm run x | less`.
fn on_pty(command: &Command, pipe_stdout: bool) -> (ExitStatus, Vec<String>) {
    let mut outer = Command::new("sh");
    let script = if pipe_stdout {
        "\"$0\" \"$@\" | cat"
    } else {
        "exec \"$0\" \"$@\""
    };
    outer.arg("-c").arg(script).arg(command.get_program());
    outer.args(command.get_args()).env_clear();
    outer.envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))));
    if let Some(dir) = command.get_current_dir() {
        outer.current_dir(dir);
    }
    let (status, bytes) = Pty::spawn(outer).finish();
    (status, report_lines(&bytes))
}

fn on_pipes(mut command: Command) -> (ExitStatus, Vec<String>) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdin.take());
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stdout.read_to_end(&mut bytes);
        bytes
    });
    let out = support::output_within(child, Duration::from_secs(120));
    (out.status, report_lines(&reader.join().unwrap()))
}

/// One way to run a command (its name, and the runner giving its status and report lines).
type Mode = (&'static str, fn(Command) -> (ExitStatus, Vec<String>));

#[test]
fn terminal_or_pipe_is_the_same_for_npm_and_its_script_through_regauth() {
    let env = with_scripts(serde_json::json!({ "tty": TTY_REPORT }));
    let cases: [Mode; 3] = [
        ("pty", |c| on_pty(&c, false)),
        ("pty, stdout piped", |c| on_pty(&c, true)),
        ("pipes", on_pipes),
    ];
    for mode in MODES {
        for (name, run) in cases {
            let with_args = |mut command: Command| {
                command
                    .args(["run", "--silent", "tty"])
                    .args(mode)
                    .env("TERM", "xterm-256color");
                run(command)
            };
            let direct = with_args(env.npm());
            assert!(direct.0.success(), "{name} {mode:?}: {direct:?}");
            assert_eq!(direct.1.len(), 4, "{name} {mode:?}: {direct:?}");
            let expected_stdout = if name == "pty" { "tty" } else { "pipe" };
            assert_eq!(
                direct.1[1],
                format!("fd1 script={expected_stdout} npm={expected_stdout}"),
                "{name}"
            );
            assert_eq!(with_args(shim(&env)), direct, "{name} {mode:?}");
        }
    }
}
