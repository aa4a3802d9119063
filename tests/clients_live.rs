//! The clients through regauth's shim against real Verdaccio (instance A of tests/support):
//! `regauth pnpm|yarn ...` leaves the client's exit status and stdout alone, and for the clients
//! that print their failure on stderr (pnpm 12, yarn 1) the report names the right cause and a
//! fix with the right file, key, variable or package. pnpm 10/11 and yarn 4 print their error
//! report on stdout, which the shim does not tee: for them only passthrough is checked here.

mod support;

use std::process::{Command, Output, Stdio};

use serde_json::Value;
use support::{NpmEnv, Verdaccio};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Client {
    Pnpm10,
    Pnpm11,
    Pnpm12,
    Yarn1,
    Yarn4,
}

const ALL: [Client; 5] = [
    Client::Pnpm10,
    Client::Pnpm11,
    Client::Pnpm12,
    Client::Yarn1,
    Client::Yarn4,
];
/// The clients whose failure text is on stderr (teed), so the shim can explain it.
const EXPLAINED: [Client; 2] = [Client::Pnpm12, Client::Yarn1];

impl Client {
    fn dir(self) -> &'static str {
        match self {
            Client::Pnpm10 => "pnpm10",
            Client::Pnpm11 => "pnpm11",
            Client::Pnpm12 => "pnpm12",
            Client::Yarn1 => "yarn1",
            Client::Yarn4 => "yarn4",
        }
    }
    fn program(self) -> &'static str {
        match self {
            Client::Yarn1 | Client::Yarn4 => "yarn",
            _ => "pnpm",
        }
    }
}

fn env_for(client: Client) -> NpmEnv {
    support::client_env(client.dir(), client.program())
}

fn write(path: &std::path::Path, text: &str) {
    support::write_file(path, text)
}

fn run(mut command: Command) -> Output {
    command.stdin(Stdio::null()).output().expect("spawn")
}

/// The client run directly, then through `regauth <client>`, with the same arguments.
fn both(client: Client, env: &NpmEnv, args: &[&str]) -> (Output, Output, Option<Value>) {
    let mut direct = env.command(client.program());
    direct.args(args);
    let direct = run(direct);
    let report = env.root().join("report.json");
    let mut shimmed = env.regauth();
    shimmed
        .arg(client.program())
        .args(args)
        .env("REGAUTH_REPORT", &report);
    let shimmed = run(shimmed);
    let report = std::fs::read_to_string(&report)
        .ok()
        .map(|t| serde_json::from_str(&t).expect("report JSON"));
    (direct, shimmed, report)
}

#[test]
fn passthrough_version_bytes_and_exit_status_per_client() {
    for client in ALL {
        let env = env_for(client);
        let (direct, shimmed, report) = both(client, &env, &["--version"]);
        assert_eq!(shimmed.status.code(), Some(0), "{client:?}");
        assert_eq!(shimmed.stdout, direct.stdout, "{client:?}: stdout bytes");
        assert_eq!(shimmed.stderr, direct.stderr, "{client:?}: stderr bytes");
        assert!(report.is_none(), "{client:?}: nothing to explain");
        // a failing command that is no auth problem: same status, same stdout, nothing added
        let (direct, shimmed, report) = both(client, &env, &["run", "no-such-script"]);
        assert_ne!(
            direct.status.code(),
            Some(0),
            "{client:?}: the script is missing"
        );
        assert_eq!(
            shimmed.status.code(),
            direct.status.code(),
            "{client:?}: exit status"
        );
        assert_eq!(shimmed.stdout, direct.stdout, "{client:?}: stdout bytes");
        assert!(
            report.is_none(),
            "{client:?}: no report for a missing script"
        );
    }
}

#[test]
fn regauth_off_runs_the_client_untouched() {
    let env = env_for(Client::Pnpm12);
    let mut shimmed = env.regauth();
    shimmed
        .args(["pnpm", "add", "@priv/lib"])
        .env("REGAUTH", "off");
    env.write_project_npmrc(&format!("@priv:registry={}\n", Verdaccio::shared().url()));
    let out = run(shimmed);
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("regauth"),
        "REGAUTH=off adds nothing: {stderr}"
    );
}

/// A failing scenario for `client`: status and stdout as without regauth, the top cause, and
/// words the fix must contain.
fn scenario(client: Client, env: &NpmEnv, args: &[&str], top: &str, fix_has: &[&str]) {
    let (direct, shimmed, report) = both(client, env, args);
    assert_ne!(
        direct.status.code(),
        Some(0),
        "SETUP: {client:?} {args:?} must fail"
    );
    assert_eq!(
        shimmed.status.code(),
        direct.status.code(),
        "{client:?}: exit status"
    );
    let report = report.unwrap_or_else(|| {
        panic!(
            "{client:?} {args:?}: no report; stderr: {}",
            String::from_utf8_lossy(&shimmed.stderr)
        )
    });
    let cause = &report["causes"][0];
    assert_eq!(cause["id"], top, "{client:?} {args:?}: {report:#}");
    let fix = format!("{} {}", cause["fix"], cause["summary"]);
    for word in fix_has {
        assert!(
            fix.contains(word),
            "{client:?} {args:?}: the fix names {word}: {fix}"
        );
    }
    let all = format!("{report} {}", String::from_utf8_lossy(&shimmed.stderr));
    for user in ["alice", "bob"] {
        let token = Verdaccio::shared().token(user);
        assert!(!all.contains(token), "{client:?}: {user}'s token leaked");
    }
}

fn scoped(env: &NpmEnv) {
    env.write_project_npmrc(&format!(
        "@priv:registry={0}\n@team:registry={0}\n",
        Verdaccio::shared().url()
    ));
}

fn nerf(url: &str) -> String {
    url.trim_start_matches("http:").to_owned()
}

#[test]
fn token_missing_per_client() {
    for client in EXPLAINED {
        let env = env_for(client);
        scoped(&env);
        scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "token-missing",
            &["127.0.0.1"],
        );
    }
}

#[test]
fn token_env_unset_per_client() {
    for client in EXPLAINED {
        let env = env_for(client);
        scoped(&env);
        env.write_userconfig(&format!(
            "{}:_authToken=${{NPM_TOKEN}}\n",
            nerf(&Verdaccio::shared().url())
        ));
        scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "token-env-unset",
            &["NPM_TOKEN", ".npmrc"],
        );
    }
}

#[test]
fn token_wrong_host_pnpm() {
    let a = Verdaccio::shared();
    let env = env_for(Client::Pnpm12);
    scoped(&env);
    let key = nerf(&a.url()).replace("127.0.0.1", "localhost");
    env.write_userconfig(&format!("{key}:_authToken={}\n", a.token("alice")));
    scenario(
        Client::Pnpm12,
        &env,
        &["add", "@priv/lib"],
        "token-wrong-host",
        &["127.0.0.1"],
    );
}

#[test]
fn insufficient_permission_per_client() {
    let a = Verdaccio::shared();
    for client in EXPLAINED {
        let env = env_for(client);
        scoped(&env);
        env.write_userconfig(&format!(
            "{}:_authToken={}\n",
            nerf(&a.url()),
            a.token("alice")
        ));
        let top = "insufficient-permission";
        scenario(
            client,
            &env,
            &["add", "@team/secret"],
            top,
            &["@team/secret"],
        );
    }
}

#[test]
fn publish_not_allowed_per_client() {
    let a = Verdaccio::shared();
    for client in EXPLAINED {
        let env = env_for(client);
        scoped(&env);
        env.write_userconfig(&format!(
            "{}:_authToken={}\n",
            nerf(&a.url()),
            a.token("bob")
        ));
        write(
            &env.project().join("package.json"),
            "{\"name\":\"@priv/bobs\",\"version\":\"1.0.0\"}\n",
        );
        let args: &[&str] = match client {
            Client::Yarn1 => &["publish", "--non-interactive", "--new-version", "1.0.0"],
            _ => &["publish", "--no-git-checks"],
        };
        scenario(client, &env, args, "publish-not-allowed", &["@priv"]);
    }
}
