//! Proves the test support works with the real npm: isolation, Verdaccio's users, packages and
//! access rules, custom configs, process lifetime, and the fixture server.

mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{FixtureServer, NpmEnv, Response, Verdaccio};

const CANARY_TOKEN: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";

fn run(command: &mut Command) -> Output {
    command.output().expect("run command")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn npm_config_get(env: &NpmEnv, key: &str) -> String {
    let output = run(env.npm().args(["config", "get", key]));
    assert!(
        output.status.success(),
        "npm config get {key}: {}",
        stderr(&output)
    );
    stdout(&output)
}

fn auth_line(port: u16, token: &str) -> String {
    format!("//127.0.0.1:{port}/:_authToken={token}\n")
}

fn npm_view(env: &NpmEnv, registry: &str, package: &str) -> Output {
    run(env
        .npm()
        .args(["view", package, "version", "--registry", registry]))
}

#[test]
fn npm_env_points_npm_at_its_own_config_files_and_cache() {
    let env = NpmEnv::new();
    assert_eq!(
        npm_config_get(&env, "globalconfig"),
        env.globalconfig().to_string_lossy()
    );
    assert_eq!(
        npm_config_get(&env, "userconfig"),
        env.userconfig().to_string_lossy()
    );
    assert_eq!(npm_config_get(&env, "cache"), env.cache().to_string_lossy());
    // This machine's ~/.npmrc and /usr/etc/npmrc would change these.
    assert_eq!(
        npm_config_get(&env, "registry"),
        "https://registry.npmjs.org/"
    );
    assert_eq!(
        npm_config_get(&env, "omit-lockfile-registry-resolved"),
        "false"
    );
    assert_eq!(npm_config_get(&env, "cafile"), "null");
    assert!(env.project().join("package.json").is_file());
}

#[test]
fn npm_env_reads_the_files_it_writes() {
    let env = NpmEnv::new();
    env.write_globalconfig("fetch-retries=7\n");
    env.write_userconfig("fetch-timeout=1234\n");
    env.write_project_npmrc("registry=http://127.0.0.1:9/\n");
    assert_eq!(npm_config_get(&env, "fetch-retries"), "7");
    assert_eq!(npm_config_get(&env, "fetch-timeout"), "1234");
    assert_eq!(npm_config_get(&env, "registry"), "http://127.0.0.1:9/");
}

#[test]
fn npm_env_strips_inherited_npm_settings_in_any_case() {
    for name in [
        "npm_config_registry",
        "NPM_CONFIG_USERCONFIG",
        "Npm_Config_Cache",
        "npm_lifecycle_event",
        "npm_package_name",
        "npm_command",
        "npm_execpath",
        "npm_node_execpath",
        "INIT_CWD",
        "REGAUTH_LOG",
        "PREFIX",
        "NPM_TOKEN",
    ] {
        assert!(support::is_stripped_var(name), "{name} must be stripped");
    }
    for name in ["PATH", "LANG", "NODE_OPTIONS", "npmrc_note"] {
        assert!(!support::is_stripped_var(name), "{name} must be kept");
    }
}

#[test]
fn npm_env_applies_set_and_remove_env_to_every_command() {
    let mut env = NpmEnv::new();
    env.set_env("npm_config_fetch_retries", "5")
        .set_env("KEEP_ME", "1");
    env.remove_env("KEEP_ME");
    assert_eq!(npm_config_get(&env, "fetch-retries"), "5");
    let output = run(&mut env.command("env"));
    let vars = stdout(&output);
    assert!(!vars.lines().any(|l| l.starts_with("KEEP_ME=")));
    assert!(vars
        .lines()
        .any(|l| l == format!("HOME={}", env.home().display())));
    assert!(vars
        .lines()
        .any(|l| l == format!("PREFIX={}", env.prefix().display())));
    let pwd = run(&mut env.command("pwd"));
    assert_eq!(stdout(&pwd), env.project().to_string_lossy());
}

#[test]
fn regauth_command_runs_the_built_binary_in_the_project() {
    let env = NpmEnv::new();
    let output = run(env.regauth().arg("--help"));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("regauth"));
}

#[test]
fn shared_verdaccio_serves_public_package_anonymously() {
    let verdaccio = Verdaccio::shared();
    let output = npm_view(&NpmEnv::new(), &verdaccio.url(), "pub-pkg");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "1.0.0");
}

#[test]
fn anonymous_read_of_private_scope_is_e401() {
    let verdaccio = Verdaccio::shared();
    let output = npm_view(&NpmEnv::new(), &verdaccio.url(), "@priv/lib");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("code E401"), "{}", stderr(&output));
}

#[test]
fn alice_token_reads_private_scope() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(verdaccio.port(), verdaccio.token("alice")));
    let output = npm_view(&env, &verdaccio.url(), "@priv/lib");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "1.0.0");
}

#[test]
fn bob_reads_private_scope_because_access_is_authenticated() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(verdaccio.port(), verdaccio.token("bob")));
    let output = npm_view(&env, &verdaccio.url(), "@priv/lib");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "1.0.0");
}

#[test]
fn alice_reading_bobs_scope_is_e403() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(verdaccio.port(), verdaccio.token("alice")));
    let output = npm_view(&env, &verdaccio.url(), "@team/secret");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("code E403"), "{err}");
    assert!(
        err.contains("user alice is not allowed to access package @team/secret"),
        "{err}"
    );
}

#[test]
fn published_packages_install_with_valid_integrity() {
    let verdaccio = Verdaccio::start();
    verdaccio.publish("bob", "@team/extra", "2.0.0");
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(verdaccio.port(), verdaccio.token("bob")));
    let registry = verdaccio.url();
    let output =
        run(env
            .npm()
            .args(["install", "pub-pkg", "@team/extra", "--registry", &registry]));
    assert!(output.status.success(), "{}", stderr(&output));
    let installed = env.project().join("node_modules/@team/extra/index.js");
    assert_eq!(
        std::fs::read_to_string(installed).unwrap(),
        "module.exports = \"2.0.0\";\n"
    );
    assert!(env
        .project()
        .join("node_modules/pub-pkg/package.json")
        .is_file());
}

#[test]
fn custom_packages_section_applies() {
    let verdaccio = Verdaccio::builder()
        .packages_yaml("'**': { access: $authenticated, publish: $authenticated }\n")
        .start();
    let anonymous = npm_view(&NpmEnv::new(), &verdaccio.url(), "pub-pkg");
    assert!(
        stderr(&anonymous).contains("code E401"),
        "{}",
        stderr(&anonymous)
    );
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(verdaccio.port(), verdaccio.token("bob")));
    assert_eq!(
        stdout(&npm_view(&env, &verdaccio.url(), "pub-pkg")),
        "1.0.0"
    );
}

#[test]
fn own_instance_is_killed_on_drop() {
    let verdaccio = Verdaccio::builder().publish_fixtures(false).start();
    let pid = verdaccio.pid();
    let ping = format!("{}-/ping", verdaccio.url());
    assert_eq!(
        support::http_request("GET", &ping, &[], None)
            .unwrap()
            .status,
        200
    );
    drop(verdaccio);
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    assert!(support::http_request("GET", &ping, &[], None).is_err());
}

/// Also run by `shared_verdaccio_dies_with_the_test_process` in a child test process.
#[test]
fn shared_verdaccio_answers_ping() {
    let verdaccio = Verdaccio::shared();
    let ping = format!("{}-/ping", verdaccio.url());
    assert_eq!(
        support::http_request("GET", &ping, &[], None)
            .unwrap()
            .status,
        200
    );
    println!("shared-verdaccio-pid={}", verdaccio.pid());
}

#[test]
fn shared_verdaccio_dies_with_the_test_process() {
    let output = run(Command::new(std::env::current_exe().unwrap()).args([
        "--exact",
        "shared_verdaccio_answers_ping",
        "--nocapture",
        "--test-threads=1",
    ]));
    assert!(output.status.success(), "{}", stderr(&output));
    let pid = stdout(&output)
        .lines()
        .find_map(|l| l.split("shared-verdaccio-pid=").nth(1))
        .map(str::to_string)
        .expect("child printed the Verdaccio pid");
    let proc_dir = format!("/proc/{pid}/cmdline");
    let deadline = Instant::now() + Duration::from_secs(5);
    let still_running = || {
        std::fs::read(&proc_dir)
            .is_ok_and(|cmdline| String::from_utf8_lossy(&cmdline).contains("verdaccio"))
    };
    while still_running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !still_running(),
        "Verdaccio {pid} outlived its test process"
    );
}

#[test]
fn fixture_server_records_the_authorization_npm_sends() {
    let server = FixtureServer::start(|_| Response::new(404).json(json!({"error": "not found"})));
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(server.port(), CANARY_TOKEN));
    let output = npm_view(&env, &server.url(), "some-pkg");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("code E404"), "{}", stderr(&output));
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/some-pkg");
    assert_eq!(
        requests[0].header("Authorization"),
        Some(format!("Bearer {CANARY_TOKEN}").as_str())
    );
}

#[test]
fn fixture_server_otp_challenge_gives_eotp() {
    let server = FixtureServer::start(|_| {
        Response::new(401)
            .header("www-authenticate", "OTP")
            .json(json!({"error": "one-time pass required"}))
    });
    let env = NpmEnv::new();
    env.write_userconfig(&auth_line(server.port(), CANARY_TOKEN));
    let output = npm_view(&env, &server.url(), "some-pkg");
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("code EOTP"), "{}", stderr(&output));
}

#[test]
fn fixture_server_serves_keep_alive_requests_and_bodies() {
    let server = FixtureServer::start(|request| {
        Response::new(200)
            .header("x-echo", request.method.as_str())
            .body(request.body_text())
    });
    let put =
        support::http_request("PUT", &format!("{}x", server.url()), &[], Some(b"hello")).unwrap();
    assert_eq!((put.status, put.text().as_str()), (200, "hello"));
    let requests = server.requests();
    assert_eq!(requests[0].body_text(), "hello");
    assert_eq!(requests[0].header("content-length"), Some("5"));
}
