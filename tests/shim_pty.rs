//! The shim on a real pseudo-terminal: the same bytes as npm alone (colours, what scripts see,
//! the spinner), the OTP prompt, Ctrl-C, and window resizes, in the default mode and in the
//! logs-max=0 tee mode (where npm's stderr goes through regauth's own pty).

mod support;

use std::os::unix::process::ExitStatusExt;
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use support::pty::{contains, Pty};
use support::{masked, FixtureServer, NpmEnv, Response, Verdaccio};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0002";

fn in_pty(command: Command) -> (ExitStatus, Vec<u8>) {
    Pty::spawn(command).finish()
}

fn with_scripts(scripts: serde_json::Value) -> NpmEnv {
    let env = NpmEnv::new();
    let package = serde_json::json!({"name": "proj", "version": "1.0.0", "scripts": scripts});
    std::fs::write(env.project().join("package.json"), package.to_string()).unwrap();
    env
}

fn npm_args(env: &NpmEnv, args: &[&str]) -> Command {
    let mut command = env.npm();
    command.args(args).env("TERM", "xterm-256color");
    command
}

fn shim_args(env: &NpmEnv, args: &[&str]) -> Command {
    let mut command = env.regauth();
    command.arg("npm").args(args).env("TERM", "xterm-256color");
    command
}

#[test]
fn identical_bytes_with_colours_on_a_terminal() {
    let env = with_scripts(serde_json::json!({
        "tty": "node -e \"console.log(process.stdout.isTTY, process.stderr.isTTY, process.stdin.isTTY, process.stdout.columns); console.error('\\x1b[31mred on stderr\\x1b[0m')\""
    }));
    for logs_max in ["--logs-max=10", "--logs-max=0"] {
        // The spinner's frame count depends on timing; it is checked on its own below.
        let runs = [
            vec!["ls", logs_max],
            vec!["run", "tty", logs_max],
            vec!["config", "get", "color", logs_max],
        ];
        for mut args in runs {
            args.push("--no-progress");
            let (direct_status, direct) = in_pty(npm_args(&env, &args));
            let (shim_status, shimmed) = in_pty(shim_args(&env, &args));
            assert_eq!(shim_status.code(), direct_status.code(), "{args:?}");
            assert_eq!(
                String::from_utf8_lossy(&shimmed),
                String::from_utf8_lossy(&direct),
                "{args:?}"
            );
            assert_eq!(shimmed, direct, "{args:?}");
        }
    }
    // What a script sees through the tee: a terminal on all three fds, with the real width.
    let (_, seen) = in_pty(shim_args(&env, &["run", "tty", "--logs-max=0"]));
    let plain = regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(&String::from_utf8_lossy(&seen), "")
        .into_owned();
    assert!(plain.contains("true true true 80"), "{plain:?}");
    let (_, ls) = in_pty(shim_args(&env, &["ls"]));
    assert!(
        contains(&ls, b"\x1b["),
        "npm ls is coloured on a terminal: {}",
        String::from_utf8_lossy(&ls)
    );
}

#[test]
fn coloured_auth_failure_is_npms_bytes_then_one_explanation() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = format!("--registry={}", verdaccio.url());
    for extra in ["--logs-max=10", "--logs-max=0"] {
        let args = [
            "view",
            "@priv/lib",
            registry.as_str(),
            "--no-progress",
            extra,
        ];
        let (direct_status, direct) = in_pty(npm_args(&env, &args));
        let (shim_status, shimmed) = in_pty(shim_args(&env, &args));
        assert_eq!(shim_status.code(), Some(1));
        assert_eq!(direct_status.code(), Some(1));
        let (direct, shimmed) = (masked(&direct), masked(&shimmed));
        assert!(
            direct.contains("\x1b[31merror\x1b[39m"),
            "coloured: {direct:?}"
        );
        assert!(
            shimmed.starts_with(&direct),
            "{extra}:\n{direct:?}\n{shimmed:?}"
        );
        let added = &shimmed[direct.len()..];
        assert!(
            added.starts_with("regauth: ")
                && added.contains("401")
                && added.lines().filter(|l| l.starts_with("regauth: ")).count() == 1,
            "{added:?}"
        );
    }
}

#[test]
fn spinner_survives_in_both_modes() {
    // The registry answers only once the test has seen a spinner frame (or after 60 s).
    let (seen, answer) = std::sync::mpsc::channel::<()>();
    let answer = std::sync::Mutex::new(answer);
    let server = FixtureServer::start(move |_| {
        let _ = answer.lock().unwrap().recv_timeout(Duration::from_secs(60));
        Response::new(404).body("{}")
    });
    let env = NpmEnv::new();
    let registry = format!("--registry={}", server.url());
    for extra in ["--logs-max=10", "--logs-max=0"] {
        let pty = Pty::spawn(shim_args(
            &env,
            &["view", "slow-pkg", registry.as_str(), extra],
        ));
        pty.wait_for("\x1b[1G\x1b[0K", Duration::from_secs(60));
        seen.send(()).unwrap();
        let (status, out) = pty.finish();
        assert_eq!(status.code(), Some(1));
        assert!(
            contains(&out, "\x1b[1G\x1b[0K".as_bytes()),
            "{extra}: no spinner frame: {:?}",
            String::from_utf8_lossy(&out)
        );
    }
}

#[test]
fn otp_prompt_appears_and_the_otp_is_sent() {
    let server = FixtureServer::start(|request| {
        match (request.method.as_str(), request.header("npm-otp")) {
            ("PUT", Some("123456")) => Response::new(200).body("{}"),
            ("PUT", _) => Response::new(401)
                .header("www-authenticate", "OTP")
                .body("{\"error\":\"otp required\"}"),
            _ => Response::new(404).body("{}"),
        }
    });
    for extra in ["--logs-max=10", "--logs-max=0"] {
        let env = NpmEnv::new();
        std::fs::write(
            env.project().join("package.json"),
            r#"{"name":"otp-pkg","version":"1.0.0"}"#,
        )
        .unwrap();
        env.write_userconfig(&format!(
            "//127.0.0.1:{}/:_authToken={CANARY}\n",
            server.port()
        ));
        let registry = format!("--registry={}", server.url());
        let mut pty = Pty::spawn(shim_args(&env, &["publish", registry.as_str(), extra]));
        pty.wait_for("Enter OTP:", Duration::from_secs(30));
        pty.type_in(b"123456\r");
        let (status, out) = pty.finish();
        let out = String::from_utf8_lossy(&out);
        assert_eq!(status.code(), Some(0), "{extra}: {out}");
        assert!(
            out.contains("This operation requires a one-time password"),
            "{out}"
        );
        assert!(
            !out.contains("regauth:") && !out.contains("CANARY"),
            "{out}"
        );
    }
    let otps: Vec<_> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("npm-otp").map(str::to_owned))
        .collect();
    assert_eq!(otps, vec!["123456", "123456"]);
}

/// Waits (a minute at most) until a process named `name` runs below `pid`.
fn wait_for_descendant(pid: u32, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !has_descendant(pid, name) {
        assert!(Instant::now() < deadline, "no {name} ever ran below {pid}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn has_descendant(pid: u32, name: &str) -> bool {
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"));
    children
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|c| c.parse::<u32>().ok())
        .any(|child| {
            let comm = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
            comm.trim() == name || has_descendant(child, name)
        })
}

/// Ctrl-C typed into the terminal while `npm run` waits on a script.
fn ctrl_c(command: Command) -> (ExitStatus, String, Duration) {
    let mut pty = Pty::spawn(command);
    pty.wait_for("> sleep 30", Duration::from_secs(30));
    // npm's SIGINT handler is in place once its script runs: wait for the `sleep` itself.
    wait_for_descendant(pty.pid(), "sleep");
    let pressed = Instant::now();
    pty.type_in(b"\x03");
    let (status, out) = pty.finish();
    (status, masked(&out), pressed.elapsed())
}

#[test]
fn ctrl_c_gives_what_npm_alone_gives() {
    let env = with_scripts(serde_json::json!({"sleep": "sleep 30"}));
    let (direct_status, direct, _) = ctrl_c(npm_args(&env, &["run", "sleep"]));
    let (shim_status, shimmed, took) = ctrl_c(shim_args(&env, &["run", "sleep"]));
    assert_eq!(
        shim_status.signal(),
        direct_status.signal(),
        "{direct_status:?} vs {shim_status:?}"
    );
    assert_eq!(
        shim_status.code(),
        direct_status.code(),
        "{direct_status:?} vs {shim_status:?}"
    );
    assert!(
        direct_status.signal() == Some(libc::SIGINT) || direct_status.code() == Some(130),
        "{direct_status:?}"
    );
    assert_eq!(shimmed, direct);
    assert!(
        took < Duration::from_secs(5),
        "regauth took {took:?} to end after Ctrl-C"
    );
}

#[test]
fn window_resize_reaches_a_script_through_the_tee_pty() {
    let env = with_scripts(serde_json::json!({
        "cols": "node -e \"console.error('ready ' + process.stderr.columns); process.stderr.on('resize', () => { console.error('cols=' + process.stderr.columns); process.exit(0) }); setTimeout(() => process.exit(2), 60000)\""
    }));
    for command in [
        npm_args(&env, &["run", "cols", "--logs-max=0"]),
        shim_args(&env, &["run", "cols", "--logs-max=0"]),
    ] {
        let pty = Pty::spawn(command);
        pty.wait_for("ready 80", Duration::from_secs(30));
        pty.resize(123, 40);
        let (status, out) = pty.finish();
        assert_eq!(status.code(), Some(0));
        assert!(
            contains(&out, b"cols=123"),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }
}

#[test]
fn ctrl_c_at_an_npm_init_prompt_cancels_as_with_npm_alone() {
    for extra in ["--logs-max=10", "--logs-max=0"] {
        let env = NpmEnv::new();
        let mut outcomes = Vec::new();
        for command in [
            npm_args(&env, &["init", extra]),
            shim_args(&env, &["init", extra]),
        ] {
            let mut pty = Pty::spawn(command);
            pty.wait_for("package name:", Duration::from_secs(30));
            pty.type_in(b"ab\x1b[Dc");
            // the edited line is echoed back: `c` was read after the arrow key
            pty.wait_for_after("package name:", "cb", Duration::from_secs(30));
            pty.type_in(b"\x03");
            let (status, out) = pty.finish();
            let out = String::from_utf8_lossy(&out).into_owned();
            assert!(out.contains("canceled"), "{extra}: {out:?}");
            assert!(!out.contains("^[[D"), "line editing works: {out:?}");
            outcomes.push((status.code(), status.signal()));
        }
        assert_eq!(outcomes[0], outcomes[1], "{extra}");
    }
}

#[test]
fn legacy_login_keeps_the_password_hidden() {
    let verdaccio = Verdaccio::shared();
    for extra in ["--logs-max=10", "--logs-max=0"] {
        let env = NpmEnv::new();
        let registry = format!("--registry={}", verdaccio.url());
        let mut pty = Pty::spawn(shim_args(
            &env,
            &["login", "--auth-type=legacy", registry.as_str(), extra],
        ));
        pty.wait_for("Username:", Duration::from_secs(30));
        pty.type_in(b"alice\r");
        pty.wait_for("Password:", Duration::from_secs(30));
        let password = Verdaccio::password("alice");
        pty.type_in(format!("{password}\r").as_bytes());
        let (status, out) = pty.finish();
        let out = String::from_utf8_lossy(&out).into_owned();
        assert_eq!(status.code(), Some(0), "{extra}: {out}");
        assert!(
            !out.contains(&password),
            "{extra}: the password was echoed: {out:?}"
        );
        assert!(
            out.contains("alice"),
            "the username is echoed as usual: {out:?}"
        );
        let npmrc = std::fs::read_to_string(env.userconfig()).unwrap();
        assert!(npmrc.contains(&format!("//127.0.0.1:{}/:_authToken=", verdaccio.port())));
    }
}
