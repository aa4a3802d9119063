//! Concurrent runs share npm's logs directory: each regauth explains its own npm's failure (the
//! debug log its npm held open), never another run's, even when another run's log cleaning
//! deleted its log before npm exited; when it cannot tell its log from others', it says so in
//! one line instead of explaining another run.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use support::{FixtureServer, NpmEnv, Response};

/// Held until `parties` requests have arrived (two minutes at most): all npm runs are then in
/// flight at once, their debug logs all open in the same directory.
#[derive(Clone)]
struct Meeting(Arc<(Mutex<usize>, Condvar)>, usize);

impl Meeting {
    fn new(parties: usize) -> Meeting {
        Meeting(Arc::default(), parties)
    }

    fn arrive(&self) {
        let (count, all_here) = &*self.0;
        let mut here = count.lock().unwrap();
        *here += 1;
        all_here.notify_all();
        let _ = all_here
            .wait_timeout_while(here, Duration::from_secs(120), |n| *n < self.1)
            .unwrap();
    }
}

/// A registry that answers 401 to the package's GET once every run has asked; then, before
/// answering, it deletes every log in `logs` (as another npm's log cleaning would).
fn registry(meeting: &Meeting, logs: PathBuf) -> FixtureServer {
    let meeting = meeting.clone();
    FixtureServer::start(move |request| {
        if request.path == "/pkg" {
            meeting.arrive();
            for entry in std::fs::read_dir(&logs).into_iter().flatten().flatten() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Response::new(401).json(serde_json::json!({"error": "authentication required"}))
    })
}

/// A project whose `.npmrc` routes everything to `server`.
fn project_for(env: &NpmEnv, n: usize, server: &FixtureServer) -> PathBuf {
    let project = env.root().join(format!("p{n}"));
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{"name":"p","version":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(
        project.join(".npmrc"),
        format!("registry={}\n", server.url()),
    )
    .unwrap();
    project
}

/// `regauth npm view pkg` in `project`, same arguments for every run.
fn view_in(env: &NpmEnv, project: &Path) -> Command {
    let mut command = env.regauth();
    command
        .args(["npm", "view", "pkg", "--fetch-retries=0"])
        .current_dir(project)
        .env("REGAUTH_PROBE", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Kills and reaps still-running children when the test ends (also on panic).
struct Runs(Vec<Option<Child>>);

impl Runs {
    fn start(&mut self, mut command: Command) {
        self.0.push(Some(command.spawn().expect("spawn")));
    }

    /// Run `n`'s stderr; it must have failed as npm does (exit 1).
    fn stderr_of(&mut self, n: usize) -> String {
        let child = self.0[n].take().expect("not yet finished");
        let out = support::output_within(child, Duration::from_secs(120));
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        stderr
    }
}

impl Drop for Runs {
    fn drop(&mut self) {
        for mut child in self.0.drain(..).flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The debug log npm's own last line names.
fn log_named(stderr: &str) -> Option<&str> {
    let marker = "A complete log of this run can be found in: ";
    let line = stderr.lines().find(|l| l.contains(marker))?;
    Some(line.split_once(marker)?.1.trim())
}

const MIXED: &str = "also holds another npm run's entries (npm names its log by the millisecond a run starts); not explaining from a mixed log";

fn explains(stderr: &str, server: &FixtureServer) -> bool {
    stderr.contains(&format!("regauth: GET {}pkg answered 401", server.url()))
}

const COULD_NOT_TELL: &str = "regauth: could not tell this run's npm debug log from ";

const CANNOT_TELL: &str = "regauth: could not tell this run's npm debug log from the 2 that other npm runs wrote meanwhile in ";

/// `trials` rounds of two concurrent failing runs against two registries that delete every log
/// before answering; `npm` (if any) is what the runs start as npm. Each must explain its own
/// host and never the other's.
fn each_run_explains_its_own_host(trials: usize, npm: Option<&dyn Fn(&NpmEnv) -> PathBuf>) {
    for trial in 0..trials {
        let env = NpmEnv::new();
        let npm = npm.map(|make| make(&env));
        // Half the trials start with no logs directory (npm's first run makes it).
        if trial % 2 == 1 {
            std::fs::create_dir_all(env.logs_dir()).unwrap();
        }
        let meeting = Meeting::new(2);
        let servers = [
            registry(&meeting, env.logs_dir()),
            registry(&meeting, env.logs_dir()),
        ];
        let mut runs = Runs(Vec::new());
        for (n, server) in servers.iter().enumerate() {
            let mut command = view_in(&env, &project_for(&env, n, server));
            if let Some(npm) = &npm {
                command.env("REGAUTH_NPM", npm);
            }
            runs.start(command);
        }
        let stderrs = [runs.stderr_of(0), runs.stderr_of(1)];
        // Two npm runs that start in the same millisecond write one log (npm names it by that
        // millisecond): then neither can be explained from it, and each must say so.
        let shared =
            log_named(&stderrs[0]).is_some() && log_named(&stderrs[0]) == log_named(&stderrs[1]);
        for (n, (server, stderr)) in servers.iter().zip(&stderrs).enumerate() {
            if shared {
                // Seen held (the log is mixed) or not (another run made it first): either way
                // the run says it cannot explain from it.
                assert!(
                    stderr.contains(MIXED) || stderr.contains(COULD_NOT_TELL),
                    "trial {trial}, run {n}: a shared log is not said to be unusable:\n{stderr}"
                );
            } else {
                assert!(
                    explains(stderr, server),
                    "trial {trial}, run {n}: its own host is not explained:\n{stderr}"
                );
            }
            let other = &servers[1 - n];
            assert!(
                !stderr.contains(&other.url()),
                "trial {trial}, run {n}: names the other run's host:\n{stderr}"
            );
        }
    }
}

#[test]
fn concurrent_failing_runs_each_explain_their_own_host_even_with_their_logs_deleted() {
    each_run_explains_its_own_host(6, None);
}

/// A `/bin/sh` npm wrapper that runs the real npm as its child (not by exec), as a version
/// manager's shim or a site wrapper does: the debug log is held by a grandchild of regauth.
fn wrapper_running_npm_as_a_child(env: &NpmEnv) -> PathBuf {
    let wrapper = env.root().join("npm-wrapper");
    let npm = which::which("npm").expect("npm on PATH");
    support::write_executable(
        &wrapper,
        &format!("#!/bin/sh\n'{}' \"$@\"\nexit $?\n", npm.display()),
    );
    wrapper
}

#[test]
fn behind_a_wrapper_that_runs_npm_as_its_child_each_run_explains_its_own_host() {
    each_run_explains_its_own_host(4, Some(&wrapper_running_npm_as_a_child));
}

/// Waits (two minutes at most) until a debug log is in `dir`.
fn wait_for_a_log(dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let has_log = || {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().ends_with(".log"))
    };
    while !has_log() {
        assert!(
            Instant::now() < deadline,
            "npm never wrote a log in {dir:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_run_that_cannot_tell_its_log_says_so_instead_of_explaining_another() {
    // The "npm" is a wrapper that detaches the real npm (a double fork: npm is no descendant
    // of the process regauth started, so the log is held by no process regauth can see) and
    // hands back its exit code through a FIFO. Run 0 starts first; once its npm has made its
    // log, run 1 starts: run 0 then sees two logs it cannot tell apart, run 1 sees only its own.
    let env = NpmEnv::new();
    std::fs::create_dir_all(env.logs_dir()).unwrap();
    let wrapper = env.root().join("npm-wrapper");
    let npm = which::which("npm").expect("npm on PATH");
    support::write_executable(
        &wrapper,
        &format!(
            "#!/bin/sh\nfifo=$(mktemp -u) && mkfifo \"$fifo\" || exit 70\n\
             ( ( '{}' \"$@\"; echo $? > \"$fifo\" ) & )\n\
             read code < \"$fifo\"; rm -f \"$fifo\"; exit \"$code\"\n",
            npm.display()
        ),
    );
    let meeting = Meeting::new(2);
    // No deleting here: run 1 finds its log by time and arguments after the exit.
    let servers = [
        registry(&meeting, env.root().join("none")),
        registry(&meeting, env.root().join("none")),
    ];
    let mut runs = Runs(Vec::new());
    for (n, server) in servers.iter().enumerate() {
        let mut command = view_in(&env, &project_for(&env, n, server));
        command.env("REGAUTH_NPM", &wrapper);
        runs.start(command);
        if n == 0 {
            wait_for_a_log(&env.logs_dir());
        }
    }
    let first = runs.stderr_of(0);
    assert!(
        first.contains(CANNOT_TELL),
        "run 0 does not say it cannot tell:\n{first}"
    );
    assert_eq!(first.matches("regauth: ").count(), 1, "{first}");
    assert!(
        !explains(&first, &servers[0]) && !first.contains(&servers[1].url()),
        "{first}"
    );
    let second = runs.stderr_of(1);
    assert!(explains(&second, &servers[1]), "{second}");
    assert!(!second.contains(&servers[0].url()), "{second}");
}

/// The "npm" appends, to one log it holds open, the entries of two runs that started in the same
/// millisecond (as npm does: it names its log by that millisecond and opens it to append), the
/// other run's 401 first. regauth must say the log is mixed, not explain the other run's 401.
#[test]
fn a_log_that_another_run_appended_to_is_not_explained_from() {
    let env = NpmEnv::new();
    let npm = env.root().join("npm-sharing-its-log");
    let both = |line: &str| format!("printf '%s\\n' '{line}' '{line}' >&3\n");
    support::write_executable(
        &npm,
        &format!(
            "#!/bin/sh\nmkdir -p \"$HOME/.npm/_logs\" || exit 70\n\
             exec 3>>\"$HOME/.npm/_logs/$(date -u +%Y-%m-%dT%H_%M_%S_%3NZ)-debug-0.log\"\n\
             {}{}{}\
             printf '%s\\n' '12 http fetch GET 401 http://127.0.0.1:1/pkg 5ms' >&3\n\
             printf '%s\\n' '12 http fetch GET 401 http://127.0.0.1:9/pkg 5ms' >&3\n\
             {}echo 'npm error code E401' >&2\nexit 1\n",
            both("0 verbose cli /usr/bin/node /usr/bin/npm"),
            both("1 info using npm@11.19.1"),
            both("8 verbose argv \"view\" \"pkg\""),
            both("13 error code E401"),
        ),
    );
    let project = env.root().join("p");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join(".npmrc"), "registry=http://127.0.0.1:1/\n").unwrap();
    let mut command = view_in(&env, &project);
    command.env("REGAUTH_NPM", &npm);
    let mut runs = Runs(Vec::new());
    runs.start(command);
    let stderr = runs.stderr_of(0);
    assert!(stderr.starts_with("npm error code E401\n"), "{stderr}");
    assert!(stderr.contains(MIXED), "{stderr}");
    assert_eq!(stderr.matches("regauth: ").count(), 1, "{stderr}");
    assert!(
        !stderr.contains("127.0.0.1:9"),
        "names the other run's host:\n{stderr}"
    );
}
