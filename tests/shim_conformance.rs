//! Shim conformance, process side: for the same program run directly and through regauth, the
//! exit status (0-255), the death by each catchable signal, the signal mask and dispositions the
//! program and its children start with, signals sent with kill() (USR1/USR2/ALRM included) and
//! regauth as PID 1 all come out the same.

mod support;

use std::io::{BufRead, BufReader};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use support::signal_state::given_signal_state;
use support::{write_executable, NpmEnv};

/// A stand-in npm (a shell script) at `<root>/bin/npm`.
fn fake_npm(env: &NpmEnv, body: &str) -> PathBuf {
    let path = env.root().join("bin/npm");
    write_executable(&path, &format!("#!/bin/sh\n{body}\n"));
    path
}

/// `program ARGS` directly, and `regauth npm ARGS` with `REGAUTH_NPM=program`.
fn direct_and_shimmed(env: &NpmEnv, program: &PathBuf, args: &[&str]) -> (Command, Command) {
    let mut direct = env.command(program);
    direct.args(args);
    given_signal_state(&mut direct);
    let mut shimmed = env.regauth();
    shimmed.arg("npm").args(args).env("REGAUTH_NPM", program);
    given_signal_state(&mut shimmed);
    (direct, shimmed)
}

fn output_of(mut command: Command) -> (ExitStatus, String) {
    let out = command.stderr(Stdio::inherit()).output().expect("run");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn npm_starts_with_the_same_open_descriptors() {
    let env = NpmEnv::new();
    // builtins only: the shell's own descriptors, not those of a command it forks
    let npm = fake_npm(&env, "cd /proc/$$/fd && echo *");
    for args in [&[][..], &["--logs-max=0"][..]] {
        let (direct, shimmed) = direct_and_shimmed(&env, &npm, args);
        let (direct, shimmed) = (output_of(direct), output_of(shimmed));
        assert!(direct.0.success(), "{direct:?}");
        assert_eq!(shimmed, direct, "descriptors of npm {args:?}");
    }
}

/// The `Sig*` lines of the shell's own /proc/PID/status (blocked, ignored, caught), read with
/// builtins only: a shell blocks every signal for a moment while it forks a command.
const SHOW_SIGNALS: &str =
    "while read -r k v; do case $k in SigBlk:|SigIgn:|SigCgt:) echo $k $v;; esac; done < /proc/$$/status";

#[test]
fn npm_and_its_children_start_with_the_signal_state_regauth_was_given() {
    let env = NpmEnv::new();
    let npm = fake_npm(
        &env,
        &format!(
            "{SHOW_SIGNALS}\nsh -c \"{}\"",
            SHOW_SIGNALS.replace('$', "\\$")
        ),
    );
    let (direct, shimmed) = direct_and_shimmed(&env, &npm, &[]);
    let (direct, shimmed) = (output_of(direct), output_of(shimmed));
    assert!(
        direct
            .1
            .starts_with("SigBlk: 0000000020000000\nSigIgn: 0000000000400000\n"),
        "{}",
        direct.1
    );
    assert_eq!(direct, shimmed, "direct vs through regauth");
}

/// `npm run --silent ARGS` with the given signal state, directly and through regauth.
fn run_script_both_ways(
    env: &NpmEnv,
    args: &[&str],
) -> ((ExitStatus, String), (ExitStatus, String)) {
    let run = |mut command: Command| {
        command.args(["run", "--silent"]).args(args);
        given_signal_state(&mut command);
        output_of(command)
    };
    let mut shimmed = env.regauth();
    shimmed.arg("npm");
    (run(env.npm()), run(shimmed))
}

#[test]
fn the_real_npm_and_its_scripts_start_with_the_same_signal_state() {
    let env = NpmEnv::new();
    let package = format!(
        r#"{{"name":"proj","version":"1.0.0","scripts":{{"sigs":"{SHOW_SIGNALS}; grep -E '^SigIgn' /proc/$PPID/status"}}}}"#
    );
    std::fs::write(env.project().join("package.json"), package).unwrap();
    let (direct, shimmed) = run_script_both_ways(&env, &["sigs"]);
    assert!(direct.0.success(), "{direct:?}");
    assert_eq!(direct.1.lines().count(), 4, "{}", direct.1);
    assert_eq!(direct, shimmed, "direct vs through regauth");
}

/// A run-script that starts children (one in the foreground, one in the background it waits
/// for, one node) which each report the `Sig*` lines of their own /proc/self/status, labelled.
const CHILDREN_REPORT: &str = "grep -E '^Sig(Blk|Ign|Cgt)' /proc/self/status | sed 's/^/fg /'; \
     { grep -E '^Sig(Blk|Ign|Cgt)' /proc/self/status | sed 's/^/bg /'; } & wait; \
     node -e \"for (const l of require('fs').readFileSync('/proc/self/status', 'utf8').split('\\n')) if (/^Sig(Blk|Ign|Cgt)/.test(l)) console.log('node ' + l)\"";

#[test]
fn the_children_of_npm_s_run_scripts_start_with_the_same_signal_state() {
    let env = NpmEnv::new();
    let package = serde_json::json!({
        "name": "proj", "version": "1.0.0", "scripts": {"kids": CHILDREN_REPORT}
    });
    std::fs::write(env.project().join("package.json"), package.to_string()).unwrap();
    // also under logs-max=0, where regauth tees npm's stderr
    for extra in [&[][..], &["--logs-max=0"][..]] {
        let args: Vec<&str> = ["kids"].iter().chain(extra).copied().collect();
        let (direct, shimmed) = run_script_both_ways(&env, &args);
        assert!(direct.0.success(), "{extra:?}: {direct:?}");
        let lines: Vec<&str> = direct.1.lines().collect();
        assert_eq!(lines.len(), 9, "{extra:?}: {}", direct.1);
        // node starts npm with an empty mask and default dispositions; a background job of
        // the script's shell ignores INT and QUIT
        assert_eq!(lines[0], "fg SigBlk:\t0000000000000000", "{}", direct.1);
        assert_eq!(lines[4], "bg SigIgn:\t0000000000000006", "{}", direct.1);
        assert_eq!(direct, shimmed, "{extra:?}: direct vs through regauth");
    }
}

#[test]
fn every_exit_status_comes_through() {
    let env = NpmEnv::new();
    let npm = fake_npm(&env, "exit \"$1\"");
    for code in 0..=255 {
        let (_, shimmed) = direct_and_shimmed(&env, &npm, &[&code.to_string()]);
        let (status, _) = output_of(shimmed);
        assert_eq!(status.code(), Some(code), "exit {code}: {status:?}");
    }
}

#[test]
fn the_real_npm_exit_status_comes_through() {
    let mut env = NpmEnv::new();
    let package = r#"{"name":"proj","version":"1.0.0","scripts":{"code":"exit $CODE"}}"#;
    std::fs::write(env.project().join("package.json"), package).unwrap();
    for code in ["0", "2", "127", "255"] {
        env.set_env("CODE", code);
        let mut direct = env.npm();
        direct.args(["run", "code"]).stdout(Stdio::null());
        let mut shimmed = env.regauth();
        shimmed.args(["npm", "run", "code"]).stdout(Stdio::null());
        let (direct, shimmed) = (output_of(direct).0, output_of(shimmed).0);
        assert_eq!(direct, shimmed, "CODE={code}");
    }
}

/// Every signal whose default action ends the process (the stop signals, SIGCHLD, SIGCONT,
/// SIGURG and SIGWINCH do not; SIGKILL cannot be caught but ends the same way).
fn fatal_signals() -> Vec<i32> {
    let ending = [
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31,
    ];
    let realtime = libc::SIGRTMIN()..=libc::SIGRTMAX();
    ending.into_iter().chain(realtime).collect()
}

#[test]
fn death_by_each_signal_is_mirrored() {
    let env = NpmEnv::new();
    let npm = fake_npm(&env, "kill -$1 $$\necho survived\nexit 0");
    for sig in fatal_signals() {
        let (direct, shimmed) = direct_and_shimmed(&env, &npm, &[&sig.to_string()]);
        let (direct, shimmed) = (output_of(direct), output_of(shimmed));
        // SIGPWR is given blocked: npm survives it, and so must regauth.
        let expected = (sig != libc::SIGPWR).then_some(sig);
        assert_eq!(
            direct.0.signal(),
            expected,
            "direct, signal {sig}: {direct:?}"
        );
        assert_eq!(shimmed, direct, "signal {sig}");
    }
}

/// A fake npm that reports its PID, then waits (interruptibly) for signals; `trap` lines decide
/// what it does with them.
fn waiting_npm(env: &NpmEnv, traps: &str) -> PathBuf {
    fake_npm(
        env,
        &format!("{traps}\nsleep 1000 &\necho $$\nwhile :; do wait $!; done"),
    )
}

/// Spawns `command`, retrying while its freshly written script is still open for writing in a
/// child another test thread is forking (ETXTBSY lasts until that child's exec closes the fd).
fn spawn_when_not_busy(command: &mut Command) -> Child {
    for _ in 0..200 {
        match command.spawn() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => std::thread::yield_now(),
            other => return other.expect("spawn"),
        }
    }
    command.spawn().expect("spawn")
}

/// Starts `command` with a piped stdout and waits until the fake npm printed its PID.
fn start(mut command: Command) -> (Child, Pid) {
    command.stdout(Stdio::piped()).process_group(0);
    let mut child = spawn_when_not_busy(&mut command);
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .expect("npm's pid line");
    let pid = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("pid: {line:?}"));
    (child, Pid::from_raw(pid))
}

/// Waits for `child`, then kills what is left of its process group (the fake npm's background
/// `sleep` outlives a killed npm and would hold the test's output pipes open).
fn finish(child: Child) -> ExitStatus {
    let group = Pid::from_raw(-(child.id() as i32));
    let status = wait_for(child);
    let _ = kill(group, Signal::SIGKILL);
    status
}

/// Waits for `child`; a run still going after a minute is a failure, not a hung test.
fn wait_for(mut child: Child) -> ExitStatus {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let group = Command::new("ps")
                .args(["-o", "pid,stat,wchan:20,args", "-g"])
                .arg(child.id().to_string())
                .output()
                .map(|o| o.stdout);
            let _ = kill(Pid::from_raw(-(child.id() as i32)), Signal::SIGKILL);
            panic!(
                "still running after 60 s: {}",
                String::from_utf8_lossy(&group.unwrap_or_default())
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// Kills the fake npm's background `sleep` (its only child) so nothing is left behind.
fn reap_sleep(npm: Pid) {
    let children = format!("/proc/{npm}/task/{npm}/children");
    for pid in std::fs::read_to_string(children)
        .unwrap_or_default()
        .split_whitespace()
    {
        let _ = kill(Pid::from_raw(pid.parse().unwrap()), Signal::SIGKILL);
    }
}

#[test]
fn usr1_usr2_and_alrm_sent_to_regauth_reach_npm_and_are_not_fatal() {
    let env = NpmEnv::new();
    for (sig, code) in [
        (Signal::SIGUSR1, 31),
        (Signal::SIGUSR2, 32),
        (Signal::SIGALRM, 33),
    ] {
        let npm = waiting_npm(
            &env,
            &format!("trap 'kill $!; exit {code}' {}", &sig.as_str()[3..]),
        );
        let (direct, shimmed) = direct_and_shimmed(&env, &npm, &[]);
        for (name, command) in [("direct", direct), ("through regauth", shimmed)] {
            let (child, npm_pid) = start(command);
            kill(Pid::from_raw(child.id() as i32), sig).unwrap();
            let status = finish(child);
            reap_sleep(npm_pid);
            assert_eq!(status.code(), Some(code), "{name}, {sig}: {status:?}");
        }
    }
}

/// `unshare --pid --fork` (as root) makes its child PID 1 of a new PID namespace, with its own
/// /proc as in a container.
fn pid1(command: &Command) -> Command {
    let mut outer = Command::new("unshare");
    outer
        .args(["--pid", "--fork", "--mount-proc", "--kill-child"])
        .arg(command.get_program());
    outer
        .args(command.get_args())
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    outer.env_clear();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            outer.env(key, value);
        }
    }
    if let Some(dir) = command.get_current_dir() {
        outer.current_dir(dir);
    }
    given_signal_state(&mut outer);
    outer
}

fn pid_namespaces_work() -> bool {
    let ok = Command::new("unshare")
        .args(["--pid", "--fork", "true"])
        .status();
    ok.is_ok_and(|s| s.success())
}

/// The PID (in this namespace) of unshare's one child, the namespace's PID 1.
fn init_of(unshare: &Child) -> Pid {
    first_child(Pid::from_raw(unshare.id() as i32))
}

fn first_child(pid: Pid) -> Pid {
    let text = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    Pid::from_raw(text.split_whitespace().next().unwrap().parse().unwrap())
}

/// The newest child of `pid` (the kernel lists children oldest first).
fn last_child(pid: Pid) -> Pid {
    let text = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    Pid::from_raw(text.split_whitespace().last().unwrap().parse().unwrap())
}

/// Waits (a minute at most) until node's main thread `pid` sleeps in its event loop.
fn wait_until_idle(pid: Pid) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        let wchan = std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
        if wchan.contains("epoll_wait") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    panic!("{pid} never went back to its event loop");
}

#[test]
fn as_pid_1_signals_npm_does_not_catch_are_dropped_as_for_npm_itself() {
    assert!(
        pid_namespaces_work(),
        "unshare --pid needs root (CI runs as root)"
    );
    let env = NpmEnv::new();
    let npm = waiting_npm(&env, "trap 'kill $!; exit 5' TERM");
    let (direct, shimmed) = direct_and_shimmed(&env, &npm, &[]);
    for (name, command) in [("direct", direct), ("through regauth", shimmed)] {
        let (child, npm_pid) = start(pid1(&command));
        let init = init_of(&child);
        // PID 1 does not get signals it has no handler for: the HUP does nothing to npm.
        kill(init, Signal::SIGHUP).unwrap();
        kill(init, Signal::SIGTERM).unwrap();
        let status = finish(child);
        let _ = npm_pid; // the namespace's processes end with its PID 1
        assert_eq!(status.code(), Some(5), "{name}: {status:?}");
    }
}

#[test]
fn as_pid_1_a_sigterm_during_npm_run_gives_npm_s_own_exit_status() {
    assert!(
        pid_namespaces_work(),
        "unshare --pid needs root (CI runs as root)"
    );
    let env = NpmEnv::new();
    let package =
        r#"{"name":"proj","version":"1.0.0","scripts":{"wait":"echo $$; exec sleep 1000"}}"#;
    std::fs::write(env.project().join("package.json"), package).unwrap();
    let mut direct = env.npm();
    direct.args(["run", "--silent", "wait"]);
    let mut shimmed = env.regauth();
    shimmed.args(["npm", "run", "--silent", "wait"]);
    let mut statuses = Vec::new();
    for command in [direct, shimmed] {
        let (child, _script) = start(pid1(&command));
        let init = init_of(&child);
        // npm catches SIGTERM once its run-script has spawned the script; the script's line
        // can come first. Before that a PID 1 npm would drop the signal (and wait forever).
        let npm = if command.get_program() == "npm" {
            init
        } else {
            last_child(init) // regauth's witness comes first, then npm
        };
        wait_until_idle(npm);
        kill(init, Signal::SIGTERM).unwrap();
        statuses.push(finish(child));
    }
    assert_eq!(
        statuses[0].code(),
        Some(1),
        "npm alone as PID 1: {:?}",
        statuses[0]
    );
    assert_eq!(statuses[1], statuses[0], "through regauth as PID 1");
}

/// A fake npm that counts the SIGINTs it gets (a line `int` each) and on SIGTERM prints the
/// count and ends; it starts by printing its PID. Its `sleep` ignores SIGINT (a background job).
fn counting_npm(env: &NpmEnv) -> PathBuf {
    waiting_npm(
        env,
        "n=0\ntrap 'n=$((n+1)); echo int' INT\ntrap 'echo \"count $n\"; kill $!; exit 0' TERM",
    )
}

/// Reads `child`'s stdout lines until one equals `want`; returns every line read.
fn read_until(lines: &mut impl Iterator<Item = String>, want: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let done = line == want || line.starts_with("count");
        seen.push(line);
        if done {
            break;
        }
    }
    seen
}

#[test]
fn a_signal_sent_to_the_whole_process_group_reaches_npm_once() {
    let env = NpmEnv::new();
    let npm = counting_npm(&env);
    let (direct, shimmed) = direct_and_shimmed(&env, &npm, &[]);
    for (name, mut command) in [("direct", direct), ("through regauth", shimmed)] {
        let mut child = command
            .stdout(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("spawn");
        let top = Pid::from_raw(child.id() as i32);
        let mut lines = BufReader::new(child.stdout.take().unwrap())
            .lines()
            .map_while(Result::ok);
        let npm_pid = lines.next().expect("npm's pid line");
        // Sent to the group, as `kill -INT -PGID` does; once npm has counted it, a SIGTERM to
        // the started process (regauth passes it on after anything it passed on before).
        kill(Pid::from_raw(-top.as_raw()), Signal::SIGINT).unwrap();
        let mut seen = read_until(&mut lines, "int");
        kill(top, Signal::SIGTERM).unwrap();
        seen.extend(read_until(&mut lines, "count"));
        let status = finish(child);
        reap_sleep(Pid::from_raw(npm_pid.parse().unwrap()));
        assert_eq!(
            seen.last().map(String::as_str),
            Some("count 1"),
            "{name}: {seen:?}"
        );
        assert_eq!(status.code(), Some(0), "{name}: {status:?}");
    }
}

/// The `State:` letter of /proc/PID/status (`T` stopped, `S` sleeping, ...).
fn state(pid: Pid) -> char {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("State:"))
        .and_then(|s| s.trim().chars().next())
        .unwrap_or('?')
}

/// Waits (a minute at most) until `pid` is in `want` state.
fn wait_for_state(pid: Pid, want: char) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while state(pid) != want {
        assert!(
            std::time::Instant::now() < deadline,
            "{pid} never reached state {want}: {}",
            state(pid)
        );
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

#[test]
fn sigtstp_to_regauth_stops_npm_and_regauth_and_sigcont_continues_both() {
    let env = NpmEnv::new();
    let npm = waiting_npm(&env, "trap 'kill $!; exit 7' TERM");
    let (_, shimmed) = direct_and_shimmed(&env, &npm, &[]);
    let (child, npm_pid) = start(shimmed);
    let regauth = Pid::from_raw(child.id() as i32);
    kill(regauth, Signal::SIGTSTP).unwrap();
    wait_for_state(npm_pid, 'T');
    wait_for_state(regauth, 'T');
    kill(regauth, Signal::SIGCONT).unwrap();
    wait_for_state(npm_pid, 'S');
    wait_for_state(regauth, 'S');
    kill(regauth, Signal::SIGTERM).unwrap();
    let status = finish(child);
    reap_sleep(npm_pid);
    assert_eq!(status.code(), Some(7), "{status:?}");
}
