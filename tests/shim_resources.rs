//! Resources (issue 10 item 7): under a memory limit regauth keeps npm's exit status and bytes
//! and its own work stays bounded (CPU ticks against npm's, not wall clock); with huge
//! lockfiles (package-lock.json and yarn.lock) the failure path's peak RSS does not grow with
//! them (npm's and yarn's exit kept); with `HOME` set but empty, an E401 is still explained
//! (npm then keeps its files in `<cwd>/~/`).

mod support;

use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::unistd::Pid;
use support::cpu::finish_with_cpu;
use support::{FixtureServer, Gate, NpmEnv, Response};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0007";

/// A registry answering 401 to everything, each answer held until `gate` opens.
fn refusing_registry(gate: &Gate) -> FixtureServer {
    let gate = gate.clone();
    FixtureServer::start(move |_| {
        gate.wait();
        Response::new(401).json(serde_json::json!({"error": "authentication required"}))
    })
}

fn token_line(server: &FixtureServer) -> String {
    format!(
        "@priv:registry={}\n//127.0.0.1:{}/:_authToken={CANARY}\n",
        server.url(),
        server.port()
    )
}

/// A package-lock.json of about `mb` MB resolving everything to `server` (regauth's failure
/// path scans it; read whole, it would not fit in the limit below).
fn write_big_lockfile(env: &NpmEnv, server: &FixtureServer, mb: usize) {
    let mut text = String::from(
        "{\"name\":\"proj\",\"version\":\"1.0.0\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"proj\"}",
    );
    let mut n = 0;
    while text.len() < mb << 20 {
        let _ = write!(
            text,
            ",\"node_modules/@priv/p{n}\":{{\"version\":\"1.0.{n}\",\"resolved\":\"{}@priv/p{n}/-/p{n}-1.0.{n}.tgz\",\"integrity\":\"sha512-{}\"}}",
            server.url(),
            "A".repeat(86)
        );
        n += 1;
    }
    text.push_str("}}\n");
    std::fs::write(env.project().join("package-lock.json"), text).unwrap();
}

/// Waits (two minutes at most) until a child of `parent` runs node (npm has been exec'd).
fn wait_for_node_child(parent: u32) -> Pid {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let children = std::fs::read_to_string(format!("/proc/{parent}/task/{parent}/children"))
            .unwrap_or_default();
        let node = children.split_whitespace().find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "node")
        });
        if let Some(pid) = node {
            return Pid::from_raw(pid.parse().unwrap());
        }
        assert!(
            Instant::now() < deadline,
            "npm never started below {parent}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The virtual memory `pid` has mapped now (VmSize), in bytes.
fn vm_size(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmSize:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap();
    kb * 1024
}

/// Limits `pid`'s address space (RLIMIT_AS) to `bytes` from now on (its children started
/// before keep theirs).
fn limit_address_space(pid: u32, bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: bytes,
    };
    // SAFETY: prlimit(2) on this test's own child with a valid struct; the old limit is not
    // asked for.
    let done = unsafe { libc::prlimit(pid as i32, libc::RLIMIT_AS, &limit, std::ptr::null_mut()) };
    assert_eq!(done, 0, "prlimit: {}", std::io::Error::last_os_error());
}

fn spawn(mut command: Command) -> Child {
    command
        .args(["view", "@priv/lib", "version", "--fetch-retries=0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// npm's own stderr lines, without the log path and timings that differ between two runs.
fn npm_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with("npm error") && !l.contains("_logs/"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn under_a_memory_limit_npm_s_exit_and_bytes_stay_and_regauth_s_work_is_bounded() {
    let gate = Gate::new(Duration::from_secs(120));
    let _open_at_end = gate.opened_on_drop();
    let server = refusing_registry(&gate);
    let mut env = NpmEnv::new();
    env.write_userconfig(&token_line(&server));
    write_big_lockfile(&env, &server, LOCKFILE_MB);
    env.set_env("REGAUTH_PROBE_TIMEOUT", "0.5");

    gate.open();
    let direct = finish_with_output(spawn(env.npm()));
    // Through regauth: the limit goes on once npm runs (npm keeps its own limits), with
    // HEADROOM_MB above what regauth has mapped then; npm's request is answered only after that.
    gate.close();
    let mut command = env.regauth();
    command.arg("npm");
    let regauth = spawn(command);
    let regauth_pid = regauth.id();
    wait_for_node_child(regauth_pid);
    limit_address_space(regauth_pid, vm_size(regauth_pid) + (HEADROOM_MB << 20));
    gate.open();
    let shimmed = finish_with_output(regauth);

    let added = text(&shimmed.stderr);
    assert_eq!(shimmed.status.code(), direct.status.code(), "{added}");
    assert_eq!(shimmed.stdout, direct.stdout, "stdout is npm's");
    assert_eq!(npm_lines(&shimmed.stderr), npm_lines(&direct.stderr));
    assert!(
        added.lines().filter(|l| l.starts_with("regauth: ")).count() <= 1,
        "{added}"
    );
    assert!(!added.contains(CANARY), "{added}");
    assert!(
        !added.contains("memory allocation of"),
        "Rust's abort: {added}"
    );
    // regauth's own CPU (without its children: npm, the probes) is bounded by npm's.
    let npm_alone = direct.cpu.own + direct.cpu.children;
    assert!(
        shimmed.cpu.own <= npm_alone.max(10),
        "regauth used {} ticks itself, npm alone {npm_alone}: {added}",
        shimmed.cpu.own
    );
}

/// The lockfile's size and the address space left to regauth above what it has mapped once
/// npm runs: the lockfile read whole would not fit.
const LOCKFILE_MB: usize = 4;
const HEADROOM_MB: u64 = 2;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Finished {
    status: std::process::ExitStatus,
    cpu: support::cpu::CpuTicks,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// `child`'s status, CPU ticks and output (read on threads so a full pipe cannot block it).
fn finish_with_output(mut child: Child) -> Finished {
    let read_all = |mut stream: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = stream.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().unwrap()));
    let stderr = read_all(Box::new(child.stderr.take().unwrap()));
    let (status, cpu) = finish_with_cpu(child, Duration::from_secs(120));
    Finished {
        status,
        cpu,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

#[test]
fn with_home_set_but_empty_an_e401_is_still_explained() {
    // npm's home is then "", so its userconfig is <cwd>/~/.npmrc and its logs <cwd>/~/.npm/_logs
    // (both inside the test's project directory).
    let open = Gate::new(Duration::from_secs(120));
    open.open();
    let server = refusing_registry(&open);
    let mut env = NpmEnv::new();
    env.set_env("HOME", "");
    let tilde = env.project().join("~");
    std::fs::create_dir_all(&tilde).unwrap();
    std::fs::write(tilde.join(".npmrc"), token_line(&server)).unwrap();
    let mut command = env.regauth();
    command.arg("npm").env("REGAUTH_PROBE", "off");
    let out = support::output_within(spawn(command), Duration::from_secs(120));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        tilde.join(".npm/_logs").is_dir(),
        "SETUP: npm's logs are not where an empty home puts them:\n{stderr}"
    );
    let line = format!("regauth: GET {}@priv%2flib answered 401", server.url());
    assert!(stderr.contains(&line), "{line:?} not in:\n{stderr}");
    assert!(
        stderr.contains("~/.npmrc"),
        "the explanation names the .npmrc npm read:\n{stderr}"
    );
    assert!(!stderr.contains(CANARY), "{stderr}");
}

/// A stand-in npm (a shell script, so its RSS stays out of the figure) that leaves an npm 11
/// E401 debug log and fails as npm does.
const FAILING_NPM: &str = r#"#!/bin/sh
log="$HOME/.npm/_logs/$(date -u +%Y-%m-%dT%H_%M_%S_%3NZ)-debug-0.log"
printf '0 verbose cli /usr/bin/node /usr/bin/npm\n8 verbose argv "install"\n12 http fetch GET 401 http://127.0.0.1:4873/@priv%%2flib 5ms\n13 error code E401\n' > "$log"
echo "npm error code E401" >&2
exit 1
"#;

/// A stand-in yarn 1 that fails with its 401 line.
const FAILING_YARN: &str = r#"#!/bin/sh
echo 'error An unexpected error occurred: "http://127.0.0.1:4873/@priv%2flib: Request failed \"401 Unauthorized\"".' >&2
exit 1
"#;

/// `text` repeated into `path` until it holds `bytes`, between `head` and `tail`.
fn write_repeated(path: &std::path::Path, head: &str, entry: &str, tail: &str, bytes: usize) {
    use std::io::Write;
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    file.write_all(head.as_bytes()).unwrap();
    let mut written = head.len();
    let mut n = 0;
    while written < bytes {
        let line = entry.replace("{n}", &n.to_string());
        file.write_all(line.as_bytes()).unwrap();
        written += line.len();
        n += 1;
    }
    file.write_all(tail.as_bytes()).unwrap();
}

fn write_huge_lockfiles(dir: &std::path::Path, bytes: usize) {
    write_repeated(
        &dir.join("package-lock.json"),
        r#"{"name":"proj","lockfileVersion":3,"packages":{"":{"name":"proj"}"#,
        r#","node_modules/@priv/p{n}":{"version":"1.0.0","resolved":"http://127.0.0.1:4873/@priv/p{n}/-/p{n}-1.0.0.tgz","integrity":"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="}"#,
        "}}\n",
        bytes,
    );
    write_repeated(
        &dir.join("yarn.lock"),
        "# yarn lockfile v1\n\n",
        "\"@priv/p{n}@^1.0.0\":\n  version \"1.0.0\"\n  resolved \"http://127.0.0.1:4873/@priv/p{n}/-/p{n}-1.0.0.tgz#0123456789abcdef\"\n\n",
        "",
        bytes,
    );
}

/// Runs `command` to its end; its exit code, stderr, and peak RSS in bytes (regauth's own, or
/// a reaped child's if larger; the stand-in clients are small shells).
fn run_with_peak_rss(command: Command) -> (Option<i32>, String, u64) {
    let (output, max_rss_kib) = support::run_measured(command);
    (
        output.status.code(),
        text(&output.stderr),
        max_rss_kib as u64 * 1024,
    )
}

#[test]
fn huge_lockfiles_do_not_grow_the_failure_path_s_memory() {
    const LOCK_BYTES: usize = 32 << 20;
    let baseline = NpmEnv::new();
    let huge = NpmEnv::new();
    write_huge_lockfiles(&huge.project(), LOCK_BYTES);
    let clients = [
        ("npm", "REGAUTH_NPM", FAILING_NPM),
        ("yarn", "REGAUTH_YARN", FAILING_YARN),
    ];
    for (client, variable, script) in clients {
        let peak = |env: &NpmEnv| {
            std::fs::create_dir_all(env.logs_dir()).unwrap();
            let program = env.root().join(format!("bin/{client}"));
            support::write_executable(&program, script);
            let mut command = env.regauth();
            command
                .arg(client)
                .arg("install")
                .env(variable, &program)
                .env("REGAUTH_PROBE", "off");
            run_with_peak_rss(command)
        };
        let (base_code, base_text, base_rss) = peak(&baseline);
        let (code, text, rss) = peak(&huge);
        assert_eq!(base_code, Some(1), "{client}: {base_text}");
        assert_eq!(code, Some(1), "{client}: the client's exit is kept: {text}");
        assert!(text.contains("regauth: "), "{client}: explained: {text}");
        // read whole, one lockfile alone would add 64 MiB
        assert!(
            rss < base_rss + (LOCK_BYTES / 16) as u64,
            "{client}: peak RSS {} MiB with 2 x {} MiB of lockfiles, {} MiB without",
            rss >> 20,
            LOCK_BYTES >> 20,
            base_rss >> 20
        );
    }
}
