//! Per-client passthrough: pnpm 10, 11, 12, yarn 1 and yarn 4 (the real binaries in
//! tests/clients) run directly and through `regauth pnpm|yarn` give the same wait status (exit
//! codes 0-255, a script killed by a signal, the client itself killed by a signal), the same
//! bytes on stdout and stderr, and at a terminal the same coloured output, with the client and
//! its scripts seeing a tty. Each client runs in its own thread.

mod support;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Output, Stdio};

use support::pty::Pty;
use support::{durations_masked, each_client, NpmEnv, TestClient, ALL_CLIENTS};

/// A script for every case: exit with $CODE, kill itself with $SIG, kill its process group
/// (the client with it) with $SIG, write 1 MiB of non-UTF-8 bytes, report what it sees at a
/// terminal.
fn scripts() -> serde_json::Value {
    serde_json::json!({
        "code": "node -e \"process.stdout.write('to stdout\\n'); process.stderr.write('to stderr\\n'); process.exit(+process.env.CODE)\"",
        "selfkill": "node -e \"process.kill(process.pid, process.env.SIG)\"",
        "groupkill": "node -e \"process.kill(0, process.env.SIG)\"",
        "bulk": "node -e \"process.stdout.write(Buffer.alloc(1 << 20, 0xff)); process.stderr.write(Buffer.from([0xfe, 0x00, 0x0a]))\"",
        "tty": "node -e \"console.log([process.stdout.isTTY, process.stderr.isTTY, process.stdin.isTTY, process.stdout.columns].join(' ')); console.error('\\x1b[31mred on stderr\\x1b[0m')\"",
    })
}

/// An isolated env for `client` whose project has the scripts above (installed for berry,
/// which runs no script in a project it has not installed).
fn project(client: TestClient) -> NpmEnv {
    let env = client.env();
    let package = serde_json::json!({"name": "proj", "version": "1.0.0", "scripts": scripts()});
    support::write_file(&env.project().join("package.json"), &package.to_string());
    if client.is_berry() {
        let out = env
            .command(client.program())
            .arg("install")
            .stdin(Stdio::null())
            .output()
            .expect("spawn yarn install");
        assert!(
            out.status.success(),
            "SETUP: yarn install: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    env
}

/// `<client> run <script>` directly (`shim` false) or through `regauth <client>`, with `vars`.
fn command(
    client: TestClient,
    env: &NpmEnv,
    shim: bool,
    script: &str,
    vars: &[(&str, &str)],
) -> Command {
    let mut command = if shim {
        let mut c = env.regauth();
        c.arg(client.program());
        c
    } else {
        env.command(client.program())
    };
    command.args(["run", script]).envs(vars.iter().copied());
    command
}

/// Runs `command` in a process group of its own (a script that kills its group kills no test).
fn output(mut command: Command) -> Output {
    command
        .stdin(Stdio::null())
        .process_group(0)
        .output()
        .expect("spawn")
}

fn masked(bytes: &[u8]) -> String {
    durations_masked(bytes)
}

/// The script run directly and through the shim: the same wait status (exit code or signal,
/// compared raw) and the same stdout and stderr. Returns the direct status.
fn same_both_ways(
    client: TestClient,
    env: &NpmEnv,
    script: &str,
    vars: &[(&str, &str)],
) -> ExitStatus {
    let direct = output(command(client, env, false, script, vars));
    let shimmed = output(command(client, env, true, script, vars));
    let what = format!("{client:?} run {script} {vars:?}");
    assert_eq!(
        shimmed.status.into_raw(),
        direct.status.into_raw(),
        "{what}: wait status {:?} vs {:?}",
        shimmed.status,
        direct.status
    );
    for (name, ours, theirs) in [
        ("stdout", &shimmed.stdout, &direct.stdout),
        ("stderr", &shimmed.stderr, &direct.stderr),
    ] {
        let (ours, theirs) = (masked(ours), masked(theirs));
        if script == "groupkill" {
            // the group's signal ends the client wherever its own asynchronous writes have got
            // to (pnpm 10 and yarn 1 buffer theirs), directly as through regauth: the one output
            // must be the other cut short, never other bytes
            let (short, long) = if ours.len() <= theirs.len() {
                (&ours, &theirs)
            } else {
                (&theirs, &ours)
            };
            assert!(
                long.starts_with(short.as_str()),
                "{what}: {name}\n{ours:?}\nvs direct\n{theirs:?}"
            );
        } else {
            assert_eq!(ours, theirs, "{what}: {name}");
        }
    }
    direct.status
}

/// Each client of `clients` in its own thread, with its own project.
fn each(clients: &[TestClient], check: impl Fn(TestClient, &NpmEnv) + Sync) {
    each_client(clients, |client| check(client, &project(client)))
}

/// All the codes on pnpm 12 (the native one, cheapest to start), a few on each other client.
fn codes_for(client: TestClient) -> &'static [u8] {
    match client {
        TestClient::Pnpm12 => &[
            0, 1, 2, 3, 42, 99, 125, 126, 127, 128, 129, 130, 143, 200, 254, 255,
        ],
        TestClient::Pnpm10 => &[1, 126, 255],
        TestClient::Pnpm11 => &[2, 128, 143],
        TestClient::Yarn1 => &[1, 127, 254],
        TestClient::Yarn4 => &[0, 2, 126, 255],
    }
}

#[test]
fn script_exit_codes_give_the_same_status_and_bytes() {
    each(&ALL_CLIENTS, |client, env| {
        let mut statuses = Vec::new();
        for &code in codes_for(client) {
            let code = code.to_string();
            let status = same_both_ways(client, env, "code", &[("CODE", &code)]);
            statuses.push(status.code());
        }
        // the spread reached the client: not every status is the same
        if codes_for(client).len() > 2 {
            assert!(
                statuses.windows(2).any(|w| w[0] != w[1]),
                "{client:?}: {statuses:?}"
            );
        }
    });
}

#[test]
fn a_script_killed_by_a_signal_gives_the_same_status() {
    each(&ALL_CLIENTS, |client, env| {
        for sig in ["SIGTERM", "SIGINT", "SIGKILL"] {
            let status = same_both_ways(client, env, "selfkill", &[("SIG", sig)]);
            assert!(!status.success(), "{client:?} {sig}: {status:?}");
        }
    });
}

#[test]
fn the_client_killed_by_a_signal_kills_regauth_the_same_way() {
    each(&ALL_CLIENTS, |client, env| {
        for (sig, number) in [
            ("SIGTERM", libc::SIGTERM),
            ("SIGINT", libc::SIGINT),
            ("SIGKILL", libc::SIGKILL),
        ] {
            let status = same_both_ways(client, env, "groupkill", &[("SIG", sig)]);
            // a signal sent to the group reaches the client itself; KILL cannot be caught
            if number == libc::SIGKILL {
                assert_eq!(status.signal(), Some(number), "{client:?}: {status:?}");
            }
        }
    });
}

#[test]
fn a_megabyte_of_non_utf8_bytes_passes_through_exactly() {
    each(&ALL_CLIENTS, |client, env| {
        let direct = output(command(client, env, false, "bulk", &[]));
        let shimmed = output(command(client, env, true, "bulk", &[]));
        assert_eq!(shimmed.status.code(), direct.status.code(), "{client:?}");
        let ones = direct.stdout.iter().filter(|&&b| b == 0xff).count();
        assert_eq!(
            ones,
            1 << 20,
            "{client:?}: SETUP: the script's bytes reach stdout"
        );
        // the bytes around the script's can hold a duration (yarn 1's `Done in`)
        let what = format!("{client:?}");
        support::assert_same_stream(&what, "stdout", &direct.stdout, &shimmed.stdout);
        assert!(
            shimmed
                .stdout
                .windows(1 << 20)
                .any(|w| w.iter().all(|&b| b == 0xff)),
            "{client:?}: the 1 MiB arrives in one piece"
        );
        support::assert_same_stream(&what, "stderr", &direct.stderr, &shimmed.stderr);
        assert!(
            shimmed.stderr.windows(3).any(|w| w == [0xfe, 0x00, 0x0a]),
            "{client:?}: raw stderr bytes"
        );
    });
}

/// `command` on an 80x24 pty with TERM set: its status and masked output.
fn in_pty(mut command: Command) -> (ExitStatus, String) {
    // the pty makes the child a session leader (setsid), so no process_group here
    command.env("TERM", "xterm-256color");
    let (status, out) = Pty::spawn(command).finish();
    (status, masked(&out))
}

/// pnpm 10/11 and yarn 1 colour a failed script's report at a terminal (pnpm 12 and yarn 4
/// print none for a script's exit code).
fn colours_its_errors(client: TestClient) -> bool {
    matches!(
        client,
        TestClient::Pnpm10 | TestClient::Pnpm11 | TestClient::Yarn1
    )
}

#[test]
fn at_a_terminal_the_client_sees_a_tty_and_its_colours_are_identical() {
    each(&ALL_CLIENTS, |client, env| {
        for (script, vars) in [("tty", vec![]), ("code", vec![("CODE", "3")])] {
            let (direct_status, direct) = in_pty(command(client, env, false, script, &vars));
            let (shim_status, shimmed) = in_pty(command(client, env, true, script, &vars));
            assert_eq!(
                shim_status.into_raw(),
                direct_status.into_raw(),
                "{client:?} {script}"
            );
            assert_eq!(shimmed, direct, "{client:?} {script}: terminal bytes");
            if script == "tty" {
                assert!(
                    shimmed.contains("true true true 80"),
                    "{client:?}: the script sees a terminal: {shimmed}"
                );
                assert!(
                    shimmed.contains("\x1b[31mred on stderr"),
                    "{client:?}: {shimmed}"
                );
            } else if colours_its_errors(client) {
                // the client's own colours (its ELIFECYCLE / `error` label), not the script's
                assert!(
                    shimmed.contains("\x1b[3"),
                    "{client:?}: no colour: {shimmed}"
                );
            }
        }
    });
}
