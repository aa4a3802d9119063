//! The failure hook against a real Verdaccio on 127.0.0.1 (and a fixture server for replies
//! Verdaccio cannot give): npm's bytes and exit status unchanged, then exactly one regauth line
//! for the auth family, nothing for any other failure; the debug log or, under logs-max=0, the
//! stderr tee.

mod support;

use std::process::{Command, Output};

use support::{masked, FixtureServer, NpmEnv, Response, Verdaccio};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";

fn output(command: &mut Command) -> Output {
    command.output().expect("run")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs `args` with npm directly and through regauth; checks npm's part is unchanged and
/// returns the lines regauth added after it.
fn added_lines(env: &NpmEnv, args: &[&str]) -> Vec<String> {
    let direct = output(env.npm().args(args));
    let shimmed = output(env.regauth().arg("npm").args(args));
    assert_eq!(
        shimmed.status.code(),
        direct.status.code(),
        "exit status for {args:?}"
    );
    assert_eq!(shimmed.stdout, direct.stdout, "stdout for {args:?}");
    let (npm_part, ours) = (masked(&direct.stderr), masked(&shimmed.stderr));
    assert!(
        ours.starts_with(&npm_part),
        "npm's stderr changed for {args:?}:\n{npm_part}\n---\n{ours}"
    );
    ours[npm_part.len()..].lines().map(str::to_owned).collect()
}

fn registry_arg(url: &str) -> String {
    format!("--registry={url}")
}

fn priv_lib_line(verdaccio: &Verdaccio, status: u16) -> String {
    format!(
        "regauth: GET http://127.0.0.1:{}/@priv%2flib answered {status}",
        verdaccio.port()
    )
}

#[test]
fn anonymous_view_of_a_private_package_names_the_401() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = registry_arg(&verdaccio.url());
    let added = added_lines(&env, &["view", "@priv/lib", &registry]);
    assert_eq!(added[..1], [priv_lib_line(verdaccio, 401)]);
    // the live explanation follows the line
    assert!(added[1].starts_with("error[E401]"), "{added:?}");
}

#[test]
fn silent_loglevel_still_gets_the_line_from_the_debug_log() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = registry_arg(&verdaccio.url());
    let out =
        output(
            env.regauth()
                .args(["npm", "view", "@priv/lib", &registry, "--loglevel=silent"]),
        );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).starts_with(&format!("{}\n", priv_lib_line(verdaccio, 401))),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn logs_dir_and_cache_settings_are_followed() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = registry_arg(&verdaccio.url());
    let logs = env.root().join("elsewhere-logs");
    let logs_arg = format!("--logs-dir={}", logs.display());
    let added = added_lines(&env, &["view", "@priv/lib", &registry, &logs_arg]);
    assert_eq!(added[..1], [priv_lib_line(verdaccio, 401)]);
    assert!(std::fs::read_dir(&logs).unwrap().count() >= 1);
    env.write_userconfig(&format!("cache={}/other-cache\n", env.root().display()));
    let added = added_lines(&env, &["view", "@priv/lib", &registry, "--loglevel=silent"]);
    assert_eq!(added[..1], [priv_lib_line(verdaccio, 401)]);
    assert!(env.root().join("other-cache/_logs").is_dir());
}

#[test]
fn forbidden_is_named_too() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    let host = format!(
        "//127.0.0.1:{}/:_authToken={}\n",
        verdaccio.port(),
        verdaccio.token("alice")
    );
    env.write_userconfig(&host);
    let registry = registry_arg(&verdaccio.url());
    let added = added_lines(&env, &["view", "@team/secret", &registry]);
    assert_eq!(
        added[..1],
        [format!(
            "regauth: GET http://127.0.0.1:{}/@team%2fsecret answered 403",
            verdaccio.port()
        )]
    );
}

#[test]
fn otp_challenge_without_a_terminal_is_named() {
    let server = FixtureServer::start(|_| {
        Response::new(401)
            .header("www-authenticate", "OTP")
            .body("{}")
    });
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "//127.0.0.1:{}/:_authToken={CANARY}\n",
        server.port()
    ));
    let registry = registry_arg(&server.url());
    let added = added_lines(&env, &["view", "some-pkg", &registry]);
    assert_eq!(
        added[..1],
        [format!(
            "regauth: GET http://127.0.0.1:{}/some-pkg answered 401",
            server.port()
        )]
    );
    let out = output(env.regauth().args(["npm", "view", "some-pkg", &registry]));
    assert!(!text(&out.stderr).contains("CANARY") && !text(&out.stdout).contains("CANARY"));
}

#[test]
fn non_auth_failures_get_nothing_from_regauth() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"proj","version":"1.0.0","scripts":{"fail":"echo failing >&2; exit 3"}}"#,
    )
    .unwrap();
    let registry = registry_arg(&verdaccio.url());
    assert_eq!(added_lines(&env, &["run", "fail"]), Vec::<String>::new());
    // ETARGET: no such version.
    assert_eq!(
        added_lines(&env, &["install", "pub-pkg@9.9.9", &registry, "--no-save"]),
        Vec::<String>::new()
    );
    // E404 of an unscoped package.
    assert_eq!(
        added_lines(&env, &["view", "no-such-pkg-xyz", &registry]),
        Vec::<String>::new()
    );
    // ECONNREFUSED on a closed loopback port, without npm's 70 s of retries.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = format!("--registry=http://127.0.0.1:{port}/");
    assert_eq!(
        added_lines(&env, &["view", "pub-pkg", &closed, "--fetch-retries=0"]),
        Vec::<String>::new()
    );
}

#[test]
fn tee_fallback_under_logs_max_0_in_argv_env_and_npmrc() {
    let verdaccio = Verdaccio::shared();
    let registry = registry_arg(&verdaccio.url());
    let check = |env: &NpmEnv, extra: &[&str]| {
        let mut args = vec!["view", "@priv/lib", registry.as_str()];
        args.extend_from_slice(extra);
        let added = added_lines(env, &args);
        assert_eq!(
            added.iter().filter(|l| l.starts_with("regauth: ")).count(),
            1,
            "{added:?}"
        );
        assert!(
            added[0].starts_with("regauth: ") && added[0].contains("401"),
            "{added:?}"
        );
        assert!(
            std::fs::read_dir(env.logs_dir())
                .map(|d| d.count())
                .unwrap_or(0)
                == 0,
            "npm wrote no log"
        );
    };
    check(&NpmEnv::new(), &["--logs-max=0"]);
    check(&NpmEnv::new(), &["--logs-max", "0"]);
    let mut env = NpmEnv::new();
    env.set_env("npm_config_logs_max", "0");
    check(&env, &[]);
    let mut env = NpmEnv::new();
    env.set_env("NPM_CONFIG_LOGS_MAX", "0");
    check(&env, &[]);
    let env = NpmEnv::new();
    env.write_userconfig("logs-max=0\n");
    check(&env, &[]);
    let env = NpmEnv::new();
    env.write_project_npmrc("logs-max = 0\n");
    check(&env, &[]);
    let env = NpmEnv::new();
    env.write_globalconfig("logs-max=0\n");
    check(&env, &[]);
    // With the HTTP lines on stderr the tee sees the failing request too.
    let env = NpmEnv::new();
    check(&env, &["--logs-max=0", "--loglevel=http"]);
}

#[test]
fn tee_fallback_passes_non_auth_failures_silently() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"proj","version":"1.0.0","scripts":{"fail":"echo failing >&2; exit 3"}}"#,
    )
    .unwrap();
    assert_eq!(
        added_lines(&env, &["run", "fail", "--logs-max=0"]),
        Vec::<String>::new()
    );
    let registry = registry_arg(&verdaccio.url());
    let args = ["view", "no-such-pkg-xyz", registry.as_str(), "--logs-max=0"];
    assert_eq!(added_lines(&env, &args), Vec::<String>::new());
}

#[test]
fn nested_npm_failure_is_explained_once() {
    let verdaccio = Verdaccio::shared();
    let links = |env: &NpmEnv| {
        let dir = env.root().join("links");
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_regauth"), dir.join("npm")).unwrap();
        let mut paths = vec![dir.clone()];
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        (dir, std::env::join_paths(paths).unwrap())
    };
    for logs_max_zero in [false, true] {
        let mut env = NpmEnv::new();
        if logs_max_zero {
            env.set_env("npm_config_logs_max", "0");
        }
        let script = format!("npm view @priv/lib --registry={}", verdaccio.url());
        let package =
            serde_json::json!({"name": "proj", "version": "1.0.0", "scripts": {"outer": script}});
        std::fs::write(env.project().join("package.json"), package.to_string()).unwrap();
        let (dir, path) = links(&env);
        let out = output(
            env.command(dir.join("npm"))
                .args(["run", "outer"])
                .env("PATH", path),
        );
        assert_eq!(out.status.code(), Some(1));
        let lines: Vec<String> = text(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("regauth:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(lines.len(), 1, "logs-max=0: {logs_max_zero}: {lines:?}");
        assert!(lines[0].contains("401"), "{lines:?}");
    }
}

#[test]
fn tee_fallback_when_npm_cannot_write_its_log() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    // A logs-dir below a regular file: npm's mkdir fails even for root.
    let blocker = env.root().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let logs = format!("--logs-dir={}", blocker.join("logs").display());
    let registry = registry_arg(&verdaccio.url());
    let added = added_lines(&env, &["view", "@priv/lib", &registry, &logs]);
    assert_eq!(
        added.iter().filter(|l| l.starts_with("regauth: ")).count(),
        1,
        "{added:?}"
    );
    assert!(
        added[0].starts_with("regauth: ") && added[0].contains("E401"),
        "{added:?}"
    );
}

#[test]
fn npx_failures_are_named_the_same_way() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    let registry = registry_arg(&verdaccio.url());
    let out = output(env.regauth().args(["npx", "--yes", &registry, "@priv/lib"]));
    assert_eq!(out.status.code(), Some(1));
    let ours: Vec<String> = text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("regauth: "))
        .map(str::to_owned)
        .collect();
    assert_eq!(ours, [priv_lib_line(verdaccio, 401)]);
}
