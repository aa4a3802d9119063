//! The clients through regauth's shim against real Verdaccio (one shared instance, and a
//! second one where every read needs a login for the scope-not-mapped case): for pnpm 10, 11,
//! 12, yarn 1 and yarn 4, `regauth pnpm|yarn ...` leaves the client's exit status and stdout
//! alone, and the report names the right cause and a fix with the right file, key, variable or
//! package, each client configured through its own files (`.npmrc`, berry's `.yarnrc.yml`).
//! The five clients of a scenario run in parallel threads.

mod support;

use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;
use support::{durations_masked, each_client, NpmEnv, TestClient, Verdaccio, ALL_CLIENTS};

fn masked(bytes: &[u8]) -> String {
    durations_masked(bytes)
}

fn run(mut command: Command) -> Output {
    command.stdin(Stdio::null()).output().expect("spawn")
}

fn each(clients: &[TestClient], check: impl Fn(TestClient) + Sync) {
    each_client(clients, check)
}

/// The client run directly, then through `regauth <client>`, with the same arguments.
fn both(client: TestClient, env: &NpmEnv, args: &[&str]) -> (Output, Output, Option<Value>) {
    let mut direct = env.command(client.program());
    direct.args(args);
    let direct = run(direct);
    let report = env.root().join("report.json");
    let mut shimmed = env.regauth();
    // a generous probe budget: under load a probe that decides a cause must not time out
    shimmed
        .arg(client.program())
        .args(args)
        .env("REGAUTH_REPORT", &report)
        .env("REGAUTH_PROBE_TIMEOUT", "120");
    let shimmed = run(shimmed);
    let report = std::fs::read_to_string(&report)
        .ok()
        .map(|t| serde_json::from_str(&t).expect("report JSON"));
    (direct, shimmed, report)
}

/// A second Verdaccio where reading anything needs a login (the default registry of the
/// scope-not-mapped case).
static LOGIN_ONLY: OnceLock<Verdaccio> = OnceLock::new();

fn login_only() -> &'static Verdaccio {
    LOGIN_ONLY.get_or_init(|| {
        Verdaccio::builder()
            .packages_yaml(
                "'**': { access: $authenticated, publish: $authenticated, unpublish: $authenticated }\n",
            )
            .publish_fixtures(false)
            .start()
    })
}

#[test]
fn passthrough_version_bytes_and_exit_status_per_client() {
    each(&ALL_CLIENTS, |client| {
        let env = client.env();
        let (direct, shimmed, report) = both(client, &env, &["--version"]);
        assert_eq!(shimmed.status.code(), Some(0), "{client:?}");
        assert_eq!(shimmed.stdout, direct.stdout, "{client:?}: stdout bytes");
        assert_eq!(shimmed.stderr, direct.stderr, "{client:?}: stderr bytes");
        assert!(report.is_none(), "{client:?}: nothing to explain");
        // a failing command that is no auth problem: same status, same bytes, nothing added
        let (direct, shimmed, report) = both(client, &env, &["run", "no-such-script"]);
        assert_ne!(
            direct.status.code(),
            Some(0),
            "{client:?}: the script is missing"
        );
        support::assert_same_run(&format!("{client:?}"), &direct, &shimmed);
        assert!(
            report.is_none(),
            "{client:?}: no report for a missing script"
        );
    });
}

#[test]
fn regauth_off_runs_the_client_untouched() {
    let env = TestClient::Pnpm12.env();
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
/// words the fix (with the summary) must contain. Returns the report.
fn scenario(client: TestClient, env: &NpmEnv, args: &[&str], top: &str, fix_has: &[&str]) -> Value {
    let (direct, shimmed, report) = both(client, env, args);
    assert_ne!(
        direct.status.code(),
        Some(0),
        "SETUP: {client:?} {args:?} must fail"
    );
    support::assert_same_status_and_stdout(&format!("{client:?} {args:?}"), &direct, &shimmed);
    let stderr = String::from_utf8_lossy(&shimmed.stderr);
    assert!(
        masked(&shimmed.stderr).starts_with(&masked(&direct.stderr)),
        "{client:?} {args:?}: the client's stderr comes first, unchanged: {stderr}"
    );
    let report = report.unwrap_or_else(|| {
        panic!(
            "{client:?} {args:?}: no report; stdout: {}\nstderr: {stderr}",
            String::from_utf8_lossy(&direct.stdout)
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
    probes_ask_only(&format!("{client:?} {args:?} live"), &report);
    // the command as run (yarn 1's banner `yarn add v1.22.22` names no argument, and its
    // version is none)
    assert_eq!(
        report["command"],
        serde_json::json!(args),
        "{client:?}: the command"
    );
    same_explanation_from_the_saved_text(client, env, &direct, &report);
    if client.is_berry() {
        no_npm_wording(&report);
    }
    let all = format!("{report} {stderr}");
    for user in ["alice", "bob"] {
        let token = Verdaccio::shared().token(user);
        assert!(!all.contains(token), "{client:?}: {user}'s token leaked");
    }
    report
}

/// `regauth explain` of the client's own output, saved as a user would (`> out.txt 2>&1`:
/// stdout then stderr), in the same project and environment: the same top cause and the same
/// fix as the live path, so a saved pnpm or yarn text is read with that client's model.
fn same_explanation_from_the_saved_text(
    client: TestClient,
    env: &NpmEnv,
    direct: &Output,
    live: &Value,
) {
    let saved = env.root().join("saved-output.txt");
    std::fs::write(&saved, [&direct.stdout[..], &direct.stderr[..]].concat()).unwrap();
    let out = run({
        let mut c = env.regauth();
        c.arg("explain")
            .arg(&saved)
            .args(["--format", "json"])
            .env("REGAUTH_PROBE_TIMEOUT", "120");
        c
    });
    assert_eq!(out.status.code(), Some(0), "{client:?}: explain: {out:?}");
    let explained: Value = serde_json::from_slice(&out.stdout).expect("explain JSON");
    probes_ask_only(&format!("{client:?} explain"), &explained);
    let (saved_top, live_top) = (&explained["causes"][0], &live["causes"][0]);
    assert_eq!(
        saved_top["id"], live_top["id"],
        "{client:?}: explain of the saved text: {explained:#}"
    );
    assert_eq!(
        saved_top["fix"], live_top["fix"],
        "{client:?}: explain's fix is the live one"
    );
}

/// Every probe of `report` names the registry it asks, and that is one of the scenario's
/// Verdaccios (as 127.0.0.1, or as localhost where a token is keyed so): a probe left to npm's
/// or yarn's default would ask a public registry the client never used.
fn probes_ask_only(what: &str, report: &Value) {
    static URL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"https?://(?:127\.0\.0\.1|localhost)(:\d+)/|https?://").unwrap()
    });
    let ports: Vec<String> = std::iter::once(Verdaccio::shared())
        .chain(LOGIN_ONLY.get())
        .map(|v| v.port().to_string())
        .collect();
    for probe in report["probes"].as_array().into_iter().flatten() {
        let command = probe["command"].as_str().unwrap_or_default();
        let ports_asked: Vec<Option<&str>> = URL
            .captures_iter(command)
            .map(|c| c.get(1).map(|p| &p.as_str()[1..]))
            .collect();
        assert!(
            !ports_asked.is_empty()
                && ports_asked
                    .iter()
                    .all(|p| p.is_some_and(|p| ports.iter().any(|v| v == p))),
            "{what}: a probe asks a registry the client did not use: {command} ({})",
            probe["summary"]
        );
    }
}

/// A berry report says nothing only npm would understand, in any candidate: no `.npmrc` file
/// or line (but "berry ignores .npmrc"), no npm command, no "npm read/sends".
fn no_npm_wording(report: &Value) {
    static NPM_ONLY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?:^|[\s`(])npm (?:whoami|view|config|login|publish|owner|token|profile|access|adduser)\b|npm read|npm does not|npm sen[dt]|:_authToken|_auth=|npm_config_|NPM_CONFIG_|\.npmrc",
        )
        .unwrap()
    });
    static IGNORED_FILE: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\S*/\.npmrc(?::\d+)?").unwrap());
    let causes = report["causes"].as_array().expect("causes");
    for cause in causes {
        let mut lines: Vec<String> = vec![cause["summary"].as_str().unwrap_or_default().to_owned()];
        for key in ["fix", "verify"] {
            lines.extend(
                cause[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|l| l.as_str().unwrap_or_default().to_owned()),
            );
        }
        lines.extend(
            cause["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["kind"] == "config")
                .map(|e| e["text"].as_str().unwrap_or_default().to_owned()),
        );
        for line in lines {
            // naming the ignored file (`/p/.npmrc:2`) is fine, and so is saying berry ignores it
            let allowed = IGNORED_FILE
                .replace_all(&line, "")
                .replace("ignores .npmrc", "")
                .replace("not read .npmrc", "")
                .replace("yarn npm ", "yarn-npm ");
            assert!(
                !NPM_ONLY.is_match(&allowed),
                "berry report ({}) speaks npm: {line}",
                cause["id"]
            );
        }
    }
}

fn mapped(client: TestClient) -> NpmEnv {
    let env = client.env();
    client.map_scopes(&env, &["priv", "team"], &Verdaccio::shared().url());
    env
}

#[test]
fn token_missing_per_client() {
    each(&ALL_CLIENTS, |client| {
        let env = mapped(client);
        let file = client.project_file();
        scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "token-missing",
            &["127.0.0.1", file],
        );
    });
}

#[test]
fn token_env_unset_per_client() {
    each(&ALL_CLIENTS, |client| {
        let env = mapped(client);
        client.user_token(&env, &Verdaccio::shared().url(), "${NPM_TOKEN}");
        let file = if client.is_berry() {
            ".yarnrc.yml"
        } else {
            ".npmrc"
        };
        scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "token-env-unset",
            &["NPM_TOKEN", file],
        );
    });
}

#[test]
fn token_wrong_host_per_client() {
    let a = Verdaccio::shared();
    each(&ALL_CLIENTS, |client| {
        let env = mapped(client);
        let key = a.url().replace("127.0.0.1", "localhost");
        client.user_token(&env, &key, a.token("alice"));
        scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "token-wrong-host",
            &["127.0.0.1", "localhost"],
        );
    });
}

#[test]
fn scope_not_mapped_per_client() {
    let a = Verdaccio::shared();
    let b = login_only();
    each(&ALL_CLIENTS, |client| {
        let env = client.env();
        client.user_token(&env, &a.url(), a.token("alice"));
        client.default_registry(&env, &b.url());
        let key = if client.is_berry() {
            "npmScopes"
        } else {
            "@priv:registry"
        };
        scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "scope-not-mapped",
            &[key, &a.url()],
        );
    });
}

#[test]
fn insufficient_permission_per_client() {
    let a = Verdaccio::shared();
    each(&ALL_CLIENTS, |client| {
        let env = mapped(client);
        client.user_token(&env, &a.url(), a.token("alice"));
        scenario(
            client,
            &env,
            &["add", "@team/secret"],
            "insufficient-permission",
            &["@team/secret"],
        );
    });
}

#[test]
fn publish_not_allowed_per_client() {
    let a = Verdaccio::shared();
    each(&ALL_CLIENTS, |client| {
        let env = client.env();
        client.user_token(&env, &a.url(), a.token("bob"));
        if client.is_berry() {
            let url = a.url();
            support::write_file(
                &env.project().join(".yarnrc.yml"),
                &format!("npmScopes:\n  priv:\n    npmRegistryServer: \"{url}\"\n    npmPublishRegistry: \"{url}\"\n"),
            );
        } else {
            client.map_scopes(&env, &["priv"], &a.url());
        }
        support::write_file(
            &env.project().join("package.json"),
            "{\"name\":\"@priv/bobs\",\"version\":\"1.0.0\"}\n",
        );
        if client.is_berry() {
            // berry publishes only a workspace its lockfile knows
            let install = run({
                let mut c = env.command("yarn");
                c.arg("install");
                c
            });
            assert!(install.status.success(), "SETUP: yarn install: {install:?}");
        }
        let args: &[&str] = match client {
            TestClient::Yarn1 => &["publish", "--non-interactive", "--new-version", "1.0.0"],
            TestClient::Yarn4 => &["npm", "publish"],
            _ => &["publish", "--no-git-checks"],
        };
        scenario(client, &env, args, "publish-not-allowed", &["@priv"]);
    });
}

/// pnpm 10 and 11 never expand `${VAR}` in a project `.npmrc` credential (they warn "Ignored
/// project-level auth setting"), though the variable is set and npm would send it: the fix
/// says so and names the line and ~/.npmrc.
#[test]
fn pnpm_project_variable_credential_is_named_as_ignored() {
    let a = Verdaccio::shared();
    each(&[TestClient::Pnpm10, TestClient::Pnpm11], |client| {
        let mut env = client.env();
        let nerf = a.url().trim_start_matches("http:").to_owned();
        env.write_project_npmrc(&format!(
            "@priv:registry={}\n{nerf}:_authToken=${{NPM_TOKEN}}\n",
            a.url()
        ));
        env.set_env("NPM_TOKEN", a.token("alice"));
        let report = scenario(
            client,
            &env,
            &["add", "@priv/lib"],
            "token-missing",
            &[
                "does not expand ${NPM_TOKEN} in a project .npmrc",
                "~/.npmrc",
                "project/.npmrc:2",
            ],
        );
        let evidence = report["causes"][0]["evidence"].to_string();
        assert!(evidence.contains("ignored"), "{client:?}: {evidence}");
    });
}

/// yarn berry reads no `.npmrc`: a scope mapped only there sends `@priv/lib` to berry's default
/// registry, and the fix is the `.yarnrc.yml` setting.
#[test]
fn berry_ignores_npmrc_and_the_fix_is_yarnrc_yml() {
    let a = Verdaccio::shared();
    let env = TestClient::Yarn4.env();
    let b = login_only();
    TestClient::Yarn4.default_registry(&env, &b.url());
    env.write_project_npmrc(&format!(
        "@priv:registry={}\n{}:_authToken={}\n",
        a.url(),
        a.url().trim_start_matches("http:"),
        a.token("alice")
    ));
    scenario(
        TestClient::Yarn4,
        &env,
        &["add", "@priv/lib"],
        "scope-not-mapped",
        &[
            "yarn berry ignores .npmrc",
            "npmScopes.priv.npmRegistryServer",
            ".yarnrc.yml",
        ],
    );
}

/// `yarn run pub` whose script is `npm publish`, with npm through regauth (a link named npm
/// first on PATH): yarn 1 exports its registry (`.yarnrc`) to the script as
/// `npm_config_registry`, above the project's `.npmrc`, and the explanation says so first.
#[test]
fn npm_publish_inside_a_yarn1_script_names_yarns_registry() {
    let a = Verdaccio::shared();
    let b = login_only();
    let mut env = TestClient::Yarn1.env();
    env.write_project_npmrc(&format!("registry={}\n", a.url()));
    TestClient::Yarn1.user_token(&env, &a.url(), a.token("bob"));
    support::write_file(
        &env.project().join(".yarnrc"),
        &format!("registry \"{}\"\n", b.url()),
    );
    support::write_file(
        &env.project().join("package.json"),
        "{\"name\":\"yarn-script-pkg\",\"version\":\"1.0.0\",\"scripts\":{\"pub\":\"npm publish\"}}\n",
    );
    let shims = env.root().join("shims");
    std::fs::create_dir_all(&shims).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_regauth"), shims.join("npm")).unwrap();
    let path = format!(
        "{}:{}",
        shims.display(),
        env.environment_text()
            .into_iter()
            .find(|(k, _)| k == "PATH")
            .unwrap()
            .1
    );
    env.set_env("PATH", path);
    let report = env.root().join("report.json");
    let out = run({
        let mut c = env.command("yarn");
        c.args(["run", "pub"])
            .env("REGAUTH_REPORT", &report)
            .env("REGAUTH_PROBE", "off");
        c
    });
    assert_ne!(out.status.code(), Some(0), "SETUP: the publish fails");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = std::fs::read_to_string(&report).unwrap_or_else(|_| panic!("no report: {stderr}"));
    let report: Value = serde_json::from_str(&text).unwrap();
    let fix = report["causes"][0]["fix"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        fix.contains("ran inside a yarn 1 script"),
        "{fix}\n{stderr}"
    );
    assert!(fix.contains(&b.url()), "names yarn's registry: {fix}");
    assert!(!text.contains(a.token("bob")), "bob's token leaked");
}
