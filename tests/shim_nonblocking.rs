//! Shim conformance with a non-blocking stderr and a slow reader (issue 10 item 4): the test
//! hands over a pipe with O_NONBLOCK set on its write end, fills it, and reads a little only
//! each time regauth is seen waiting in poll(2) to write (or has exited), never on a timer.
//! No byte of npm's stderr nor of regauth's explanation may be lost, and regauth must wait,
//! not spin: its CPU time (from /proc/PID/stat) stays within npm's own. Both with npm's debug
//! log (node itself sets O_NONBLOCK on the pipe it shares with regauth) and under logs-max=0,
//! where regauth copies all of npm's stderr through its tee. regauth's own commands (`explain`,
//! `doctor --client`, their error line) likewise wait for a full non-blocking stdout or stderr.

mod support;

use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use support::cpu::{finish_with_cpu, CpuTicks};
use support::{masked, FixtureServer, Gate, NpmEnv, Response};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0012";
const ARGS: [&str; 5] = [
    "view",
    "@priv/lib",
    "version",
    "--fetch-retries=0",
    "--loglevel=http",
];
/// What the test writes into the pipe before regauth's bytes, to make it full.
const FILLER: u8 = b'~';
/// How much the slow reader takes each time regauth is seen waiting.
const SIP: usize = 4096;

fn env_for(server: &FixtureServer) -> NpmEnv {
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "@priv:registry={}\n//127.0.0.1:{}/:_authToken={CANARY}\n",
        server.url(),
        server.port()
    ));
    env
}

fn refusal() -> Response {
    Response::new(401).json(serde_json::json!({"error": "authentication required"}))
}

/// A pipe whose write end (for the child's stderr) is non-blocking; the read end blocks.
fn nonblocking_pipe() -> (std::fs::File, OwnedFd) {
    let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC).unwrap();
    fcntl(&write, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
    (std::fs::File::from(read), write)
}

/// Writes FILLER into the non-blocking `write` end until the pipe is full; returns how much.
fn fill(write: &OwnedFd) -> usize {
    let block = [FILLER; 4096];
    let mut total = 0;
    loop {
        match nix::unistd::write(write, &block) {
            Ok(n) => total += n,
            Err(nix::errno::Errno::EAGAIN) => break,
            Err(e) => panic!("filling the pipe: {e}"),
        }
    }
    // a last partial page
    while let Ok(n) = nix::unistd::write(write, &block[..1]) {
        total += n;
    }
    total
}

/// Reads what is in the pipe now, without waiting.
fn read_available(read: &mut std::fs::File) -> Vec<u8> {
    fcntl(read.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).unwrap();
    let mut bytes = Vec::new();
    let _ = read.read_to_end(&mut bytes); // stops at EAGAIN
    fcntl(read.as_fd(), FcntlArg::F_SETFL(OFlag::empty())).unwrap();
    bytes
}

/// Whether a thread of `pid` sleeps in poll/ppoll on one fd: regauth waiting for its full
/// stderr to take more (its copy loop polls two fds, its runtime uses epoll).
fn waiting_to_write(pid: u32) -> bool {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten();
    tasks.flatten().any(|task| {
        let syscall = std::fs::read_to_string(task.path().join("syscall")).unwrap_or_default();
        let fields: Vec<&str> = syscall.split_whitespace().collect();
        let poll = matches!(fields.first(), Some(&"7") | Some(&"271"));
        poll && fields.get(2) == Some(&"0x1")
    })
}

fn has_exited(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].trim().chars().next());
    matches!(state, Some('Z') | Some('X') | None)
}

/// The slow reader: each time regauth is seen waiting to write, takes SIP bytes; once it has
/// exited, the rest. Returns everything read and how often regauth was seen waiting.
fn read_slowly(mut read: std::fs::File, pid: u32) -> (Vec<u8>, usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let (mut bytes, mut waits) = (Vec::new(), 0);
    let mut sip = vec![0u8; SIP];
    loop {
        while !waiting_to_write(pid) && !has_exited(pid) {
            assert!(
                Instant::now() < deadline,
                "regauth neither waited to write nor exited in 120 s (spinning?)"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        if has_exited(pid) {
            read.read_to_end(&mut bytes).unwrap();
            return (bytes, waits);
        }
        waits += 1;
        let n = read.read(&mut sip).unwrap();
        bytes.extend_from_slice(&sip[..n]);
    }
}

/// npm's own run, read at once: the bytes regauth must pass on (or leave) untouched.
fn direct_run(env: &NpmEnv, extra: &[&str]) -> (Option<i32>, String, CpuTicks) {
    let mut child = env
        .npm()
        .args(ARGS)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        bytes
    });
    let (status, cpu) = finish_with_cpu(child, Duration::from_secs(120));
    (status.code(), masked(&reader.join().unwrap()), cpu)
}

fn shimmed(env: &NpmEnv, extra: &[&str], stderr: OwnedFd) -> Child {
    let mut command: Command = env.regauth();
    command
        .arg("npm")
        .args(ARGS)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::from(stderr));
    command.spawn().unwrap()
}

/// Checks a shimmed run's stderr (`before` + the filler + `after`) against npm's own, and that
/// regauth stayed within npm's CPU time.
fn check(
    direct: &(Option<i32>, String, CpuTicks),
    status: Option<i32>,
    npm_part: &str,
    after: &str,
    regauth_cpu: CpuTicks,
) {
    assert_eq!(status, direct.0, "exit status: {npm_part}{after}");
    assert_eq!(npm_part, direct.1, "npm's stderr");
    assert!(after.starts_with("regauth: GET "), "{after}");
    assert!(after.contains("error[E401]"), "{after}");
    let last = after.lines().last().unwrap_or_default();
    assert!(
        after.ends_with('\n') && after.contains("\nverify: "),
        "the explanation is cut ({last:?}): {after}"
    );
    assert!(!after.contains(CANARY), "{after}");
    let npm_alone = direct.2.own + direct.2.children;
    assert!(
        regauth_cpu.own <= npm_alone.max(10),
        "regauth used {} ticks itself, npm alone {npm_alone}",
        regauth_cpu.own
    );
}

#[test]
fn a_full_nonblocking_stderr_after_npm_exits_loses_nothing_and_regauth_waits() {
    // npm's own request is refused at once; the probes that follow its exit are held until the
    // test has filled the pipe, so regauth's explanation meets a full non-blocking stderr.
    let gate = Gate::new(Duration::from_secs(120));
    let _open_at_end = gate.opened_on_drop();
    let (probed, probe_seen) = mpsc::channel();
    let requests = Arc::new(AtomicUsize::new(0));
    let server = {
        let (gate, requests) = (gate.clone(), Arc::clone(&requests));
        let probed = std::sync::Mutex::new(probed);
        FixtureServer::start(move |_| {
            if requests.fetch_add(1, Ordering::SeqCst) > 0 {
                let _ = probed.lock().unwrap().send(());
                gate.wait();
            }
            refusal()
        })
    };
    let mut env = env_for(&server);
    env.set_env("REGAUTH_PROBE_TIMEOUT", "120");
    gate.open();
    let direct = direct_run(&env, &[]);
    requests.store(0, Ordering::SeqCst);
    gate.close();

    let (mut read, write) = nonblocking_pipe();
    let filler_end = write.try_clone().unwrap();
    let child = shimmed(&env, &[], write);
    let pid = child.id();
    probe_seen
        .recv_timeout(Duration::from_secs(120))
        .expect("regauth's probes never reached the registry");
    let npm_part = masked(&read_available(&mut read));
    let filled = fill(&filler_end);
    drop(filler_end);
    gate.open();
    let reader = std::thread::spawn(move || read_slowly(read, pid));
    let (status, cpu) = finish_with_cpu(child, Duration::from_secs(180));
    let (rest, waits) = reader.join().unwrap();
    assert!(rest[..filled].iter().all(|&b| b == FILLER));
    let after = masked(&rest[filled..]);
    assert!(
        waits > 0,
        "regauth exited without waiting for its full stderr: {after}"
    );
    check(&direct, status.code(), &npm_part, &after, cpu);
}

#[test]
fn through_the_tee_a_full_nonblocking_stderr_loses_nothing_and_regauth_waits() {
    // logs-max=0: regauth copies npm's stderr; the pipe is full before npm starts.
    let server = FixtureServer::start(|_| refusal());
    let mut env = env_for(&server);
    env.set_env("REGAUTH_PROBE", "off");
    let extra = ["--logs-max=0"];
    let direct = direct_run(&env, &extra);

    let (read, write) = nonblocking_pipe();
    let filled = fill(&write);
    let child = shimmed(&env, &extra, write);
    let pid = child.id();
    let reader = std::thread::spawn(move || read_slowly(read, pid));
    let (status, cpu) = finish_with_cpu(child, Duration::from_secs(180));
    let (rest, waits) = reader.join().unwrap();
    assert!(rest[..filled].iter().all(|&b| b == FILLER));
    assert!(waits > 0, "regauth never waited for its full stderr");
    let rest = masked(&rest[filled..]);
    let Some(at) = rest.find("regauth: GET ") else {
        panic!("no explanation after npm's stderr: {rest}");
    };
    check(&direct, status.code(), &rest[..at], &rest[at..], cpu);
}

/// regauth's own commands with `stream` (1: stdout, 2: stderr) a full non-blocking pipe and a
/// slow reader (the other stream to /dev/null): exit status, what came after the filler, and
/// how often regauth was seen waiting.
fn own_command_into_full_pipe(
    env: &NpmEnv,
    args: &[&str],
    stream: u8,
) -> (Option<i32>, String, usize) {
    let (read, write) = nonblocking_pipe();
    let filled = fill(&write);
    let mut command = env.regauth();
    command.args(args).stdin(Stdio::null());
    match stream {
        1 => command.stdout(Stdio::from(write)).stderr(Stdio::null()),
        _ => command.stdout(Stdio::null()).stderr(Stdio::from(write)),
    };
    let child = command.spawn().unwrap();
    drop(command); // its copy of the write end: the reader sees the end once regauth is gone
    let pid = child.id();
    let reader = std::thread::spawn(move || read_slowly(read, pid));
    let (status, _) = finish_with_cpu(child, Duration::from_secs(120));
    let (rest, waits) = reader.join().unwrap();
    assert!(rest[..filled].iter().all(|&b| b == FILLER));
    let after = String::from_utf8_lossy(&rest[filled..]).into_owned();
    (status.code(), after, waits)
}

#[test]
fn regauths_own_commands_wait_for_a_full_nonblocking_output() {
    let env = NpmEnv::new();
    let saved = env.root().join("saved.txt");
    std::fs::write(
        &saved,
        "npm error code E401\nnpm error 401 Unauthorized - GET http://127.0.0.1:9/@a%2fb - no\n",
    )
    .unwrap();
    let saved = saved.display().to_string();
    let json = [
        "explain",
        "--format",
        "json",
        "--no-config",
        "--no-probe",
        &saved,
    ];
    let (status, out, waits) = own_command_into_full_pipe(&env, &json, 1);
    assert_eq!(status, Some(0), "explain --format json: {out}");
    serde_json::from_str::<serde_json::Value>(&out).expect("the whole JSON report");
    assert!(waits > 0, "regauth never waited for its full stdout");

    let routes = ["doctor", "--client", "pnpm12", "--format", "json", "lib"];
    let (status, out, _) = own_command_into_full_pipe(&env, &routes, 1);
    assert_eq!(status, Some(0), "doctor --client: {out}");
    serde_json::from_str::<serde_json::Value>(&out).expect("the whole JSON routes");

    let missing = ["explain", "--no-probe", "/nonexistent/saved.txt"];
    let (status, err, waits) = own_command_into_full_pipe(&env, &missing, 2);
    assert_eq!(status, Some(2), "{err}");
    assert!(
        err.starts_with("regauth: error: cannot read /nonexistent/saved.txt"),
        "{err}"
    );
    assert!(err.ends_with('\n') && waits > 0, "{err}");

    // clap's usage error and --help
    let (status, err, waits) = own_command_into_full_pipe(&env, &["--no-such-flag"], 2);
    assert_eq!(status, Some(2), "{err}");
    assert!(
        err.contains("--no-such-flag") && err.contains("Usage: regauth"),
        "{err}"
    );
    assert!(err.ends_with('\n') && waits > 0, "{err}");
    let (status, out, _) = own_command_into_full_pipe(&env, &["doctor", "--help"], 1);
    assert_eq!(status, Some(0), "{out}");
    assert!(
        out.contains("Usage: regauth doctor") && out.ends_with('\n'),
        "{out}"
    );
}
