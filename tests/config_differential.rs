//! Differential test: for each configuration situation, regauth's native config load must give
//! the same `registry`, `@scope:registry`, `userconfig` and `globalconfig` as the real npm's
//! `npm config get` in the same isolated environment (one npm call per situation).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use regauth::config::{Config, LoadContext};
use regauth::diagnose::problem_text::message;
use support::NpmEnv;

const KEYS: &[&str] = &[
    "registry",
    "@a:registry",
    "@b:registry",
    "userconfig",
    "globalconfig",
];

/// What a situation changes besides files and variables.
#[derive(Default)]
struct Run {
    args: Vec<String>,
    cwd: Option<PathBuf>,
}

fn args(list: &[&str]) -> Run {
    Run {
        args: list.iter().map(|s| s.to_string()).collect(),
        cwd: None,
    }
}

fn in_dir(dir: PathBuf) -> Run {
    Run {
        cwd: Some(dir),
        ..Run::default()
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

type Setup = fn(&mut NpmEnv) -> Run;

fn cases() -> Vec<(&'static str, Setup)> {
    vec![
        ("nothing configured", |_| Run::default()),
        ("user registry", |e| {
            e.write_userconfig("registry=http://user.example/\n");
            Run::default()
        }),
        ("global registry only", |e| {
            e.write_globalconfig(
                "registry=http://global.example/\n@a:registry=http://ga.example/\n",
            );
            Run::default()
        }),
        ("user overrides global", |e| {
            e.write_globalconfig("registry=http://global.example/\n");
            e.write_userconfig("registry=http://user.example/\n");
            Run::default()
        }),
        ("project overrides user", |e| {
            e.write_userconfig("registry=http://user.example/\n@a:registry=http://ua.example/\n");
            e.write_project_npmrc("registry=http://project.example/\n");
            Run::default()
        }),
        ("env lower case overrides project", |e| {
            e.write_project_npmrc("registry=http://project.example/\n");
            e.set_env("npm_config_registry", "http://env.example/");
            Run::default()
        }),
        ("env upper case", |e| {
            e.write_userconfig("registry=http://user.example/\n");
            e.set_env("NPM_CONFIG_REGISTRY", "http://ENV-UPPER.example/");
            Run::default()
        }),
        ("env mixed case", |e| {
            e.set_env("Npm_Config_Registry", "http://mixed.example/");
            Run::default()
        }),
        ("env empty value is ignored", |e| {
            e.write_userconfig("registry=http://user.example/\n");
            e.set_env("npm_config_registry", "");
            Run::default()
        }),
        ("cli overrides env", |e| {
            e.set_env("npm_config_registry", "http://env.example/");
            args(&["--registry=http://cli.example/"])
        }),
        ("cli registry with space, no slash", |_| {
            args(&["--registry", "HTTP://Cli.Example:8080"])
        }),
        ("cli --reg shorthand", |_| {
            args(&["--reg", "http://short.example/"])
        }),
        ("scopes in user and project", |e| {
            e.write_userconfig("@a:registry=http://ua.example/\n@b:registry=http://ub.example/\n");
            e.write_project_npmrc("@b:registry=http://pb.example/\n");
            Run::default()
        }),
        ("scope on the command line", |e| {
            e.write_userconfig("@a:registry=http://ua.example/\n");
            args(&["--@a:registry=http://cli-a.example/"])
        }),
        ("scope from the environment", |e| {
            e.set_env("npm_config_@b:registry", "http://env-b.example/");
            e.set_env("NPM_CONFIG_@A:REGISTRY", "http://env-a.example/");
            Run::default()
        }),
        ("${VAR} set in a value", |e| {
            e.set_env("REG_URL", "http://from-var.example/");
            e.write_userconfig("registry=${REG_URL}\n@a:registry=${REG_URL}a/\n");
            Run::default()
        }),
        ("${VAR} unset stays literal", |e| {
            e.write_userconfig("@a:registry=${UNSET_REG}\n");
            Run::default()
        }),
        ("${VAR?} unset becomes empty", |e| {
            e.write_userconfig(
                "@a:registry=http://x.example/${UNSET_PART?}path/\n@b:registry=${UNSET_B?}\n",
            );
            Run::default()
        }),
        ("${VAR} set but empty", |e| {
            e.set_env("EMPTY_PART", "");
            e.write_userconfig("@a:registry=http://x.example/${EMPTY_PART}p/\n");
            Run::default()
        }),
        ("${VAR} in a key", |e| {
            e.set_env("SCOPE_NAME", "@a");
            e.write_userconfig("${SCOPE_NAME}:registry=http://keyvar.example/\n");
            Run::default()
        }),
        ("${VAR} unset in a key", |e| {
            e.write_userconfig(
                "${NO_SCOPE}:registry=http://keyvar.example/\n@b:registry=http://b.example/\n",
            );
            Run::default()
        }),
        ("escaped ${VAR}", |e| {
            e.set_env("REG_URL", "http://from-var.example/");
            e.write_userconfig("@a:registry=\\${REG_URL}\n@b:registry=\\\\${REG_URL}\n");
            Run::default()
        }),
        ("userconfig moved by env", |e| {
            let alt = e.root().join("alt/npmrc");
            write(&alt, "registry=http://alt-user.example/\n");
            e.write_userconfig("registry=http://home-user.example/\n");
            e.set_env("NPM_CONFIG_USERCONFIG", &alt);
            Run::default()
        }),
        ("userconfig moved by cli", |e| {
            let alt = e.root().join("alt/npmrc");
            write(&alt, "@a:registry=http://alt-a.example/\n");
            args(&["--userconfig", alt.to_str().unwrap()])
        }),
        ("userconfig from cli with ~/", |e| {
            write(
                &e.home().join("alt-npmrc"),
                "@a:registry=http://tilde.example/\n",
            );
            args(&["--userconfig", "~/alt-npmrc"])
        }),
        ("userconfig relative to the cwd", |e| {
            write(
                &e.project().join("rel/npmrc"),
                "@b:registry=http://relative.example/\n",
            );
            e.set_env("npm_config_userconfig", "rel/npmrc");
            Run::default()
        }),
        ("userconfig moved by the project file", |e| {
            let alt = e.root().join("alt/npmrc");
            write(&alt, "@b:registry=http://alt-b.example/\n");
            e.write_project_npmrc(&format!("userconfig={}\n", alt.display()));
            Run::default()
        }),
        ("globalconfig moved by env", |e| {
            let alt = e.root().join("alt/global");
            write(&alt, "registry=http://alt-global.example/\n");
            e.set_env("npm_config_globalconfig", &alt);
            Run::default()
        }),
        ("globalconfig moved by cli", |e| {
            let alt = e.root().join("alt/global");
            write(&alt, "@a:registry=http://alt-global-a.example/\n");
            args(&[&format!("--globalconfig={}", alt.display())])
        }),
        ("cli globalconfig loses to env globalconfig", |e| {
            let (a, b) = (e.root().join("alt/a"), e.root().join("alt/b"));
            write(&a, "@a:registry=http://cli-global.example/\n");
            write(&b, "@a:registry=http://env-global.example/\n");
            e.set_env("npm_config_globalconfig", &b);
            args(&[&format!("--globalconfig={}", a.display())])
        }),
        ("globalconfig moved by the user file", |e| {
            let alt = e.root().join("alt/global");
            write(&alt, "@b:registry=http://alt-global-b.example/\n");
            e.write_userconfig(&format!("globalconfig={}\n", alt.display()));
            Run::default()
        }),
        ("global prefix from PREFIX", |e| {
            let other = e.root().join("other-prefix");
            write(
                &other.join("etc/npmrc"),
                "registry=http://other-prefix.example/\n",
            );
            e.set_env("PREFIX", &other);
            Run::default()
        }),
        ("cli --prefix moves globalconfig and project", |e| {
            let p = e.root().join("cli-prefix");
            write(
                &p.join("etc/npmrc"),
                "@a:registry=http://prefix-global.example/\n",
            );
            write(
                &p.join(".npmrc"),
                "@b:registry=http://prefix-project.example/\n",
            );
            e.write_project_npmrc("registry=http://not-read.example/\n");
            args(&["--prefix", p.to_str().unwrap()])
        }),
        ("project found from a subdirectory", |e| {
            e.write_project_npmrc("registry=http://project.example/\n");
            let sub = e.project().join("src/deep");
            std::fs::create_dir_all(&sub).unwrap();
            in_dir(sub)
        }),
        ("nested package.json wins over the parent", |e| {
            e.write_project_npmrc("registry=http://parent.example/\n");
            let nested = e.project().join("packages/inner");
            write(&nested.join("package.json"), "{\"name\":\"inner\"}\n");
            write(
                &nested.join(".npmrc"),
                "@a:registry=http://inner.example/\n",
            );
            in_dir(nested)
        }),
        ("node_modules marks the project root", |e| {
            let dir = e.root().join("loose");
            std::fs::create_dir_all(dir.join("node_modules")).unwrap();
            write(&dir.join(".npmrc"), "@a:registry=http://loose.example/\n");
            let sub = dir.join("x");
            std::fs::create_dir_all(&sub).unwrap();
            in_dir(sub)
        }),
        ("global mode skips the project", |e| {
            e.write_project_npmrc("registry=http://project.example/\n");
            e.write_userconfig("@a:registry=http://user-a.example/\n");
            args(&["-g"])
        }),
        ("--location=global skips the project", |e| {
            e.write_project_npmrc("registry=http://project.example/\n");
            args(&["--location=global"])
        }),
        ("npm_config_global=true skips the project", |e| {
            e.write_project_npmrc("registry=http://project.example/\n");
            e.set_env("npm_config_global", "true");
            Run::default()
        }),
        ("project file in home is the user file", |e| {
            write(&e.home().join("package.json"), "{}\n");
            e.write_userconfig("registry=http://home.example/\n");
            in_dir(e.home())
        }),
        ("quotes", |e| {
            e.write_userconfig("registry = \"http://dq.example/\"\n@a:registry='http://sq.example/'\n@b:registry=\"http://semi;colon.example/\"\n");
            Run::default()
        }),
        ("comments and inline comments", |e| {
            e.write_userconfig("; registry=http://no.example/\n# @a:registry=http://no.example/\nregistry=http://c.example/ ; trailing\n@a:registry=http://d.example/#x\n@b:registry=http://e.example/\\#x\n");
            Run::default()
        }),
        ("duplicates: last wins", |e| {
            e.write_userconfig("registry=http://first.example/\nregistry=http://second.example/\n@a:registry=http://a1.example/\n@a:registry=http://a2.example/\n");
            Run::default()
        }),
        ("whitespace and CRLF", |e| {
            e.write_userconfig(
                "  registry   =   http://ws.example/   \r\n\t@a:registry=http://crlf.example/\r\n",
            );
            Run::default()
        }),
        ("sections are ignored", |e| {
            e.write_userconfig("@a:registry=http://top.example/\n[section]\n@b:registry=http://in-section.example/\n");
            Run::default()
        }),
        ("invalid registry text is shown raw", |e| {
            e.write_userconfig("registry=not a url\n");
            Run::default()
        }),
    ]
}

fn npm_config_get(env: &NpmEnv, run: &Run) -> BTreeMap<String, String> {
    let mut cmd = env.npm();
    cmd.args(["config", "get"]).args(KEYS).args(&run.args);
    if let Some(dir) = &run.cwd {
        cmd.current_dir(dir);
    }
    let out = cmd.output().expect("run npm");
    assert!(
        out.status.success(),
        "npm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn regauth_config(env: &NpmEnv, run: &Run) -> Config {
    let mut npm_args: Vec<String> = vec!["config".into(), "get".into()];
    npm_args.extend(KEYS.iter().map(|k| k.to_string()));
    npm_args.extend(run.args.iter().cloned());
    let ctx = LoadContext {
        cwd: run.cwd.clone().unwrap_or_else(|| env.project()),
        env: env.environment_text(),
        npm_args,
        npm_path: None,
        node_path: None,
    };
    Config::load(&ctx)
}

fn regauth_get(config: &Config, key: &str) -> String {
    config
        .get(key)
        .map(|v| v.expanded.expose().to_owned())
        .unwrap_or_else(|| "undefined".into())
}

#[test]
fn registries_match_npm_config_get() {
    let cases = cases();
    assert!(cases.len() >= 30);
    let mut failures = Vec::new();
    for (name, setup) in cases {
        let mut env = NpmEnv::new();
        let run = setup(&mut env);
        let npm = npm_config_get(&env, &run);
        let config = regauth_config(&env, &run);
        for key in KEYS {
            let want = npm
                .get(*key)
                .cloned()
                .unwrap_or_else(|| panic!("{name}: npm printed no {key}"));
            let got = regauth_get(&config, key);
            if got != want {
                failures.push(format!("{name}: {key}: npm {want:?}, regauth {got:?}"));
            }
        }
        // npm's commands use the URL-checked form of `registry`.
        let effective = config.default_registry().0;
        if let Some(url) = regauth::config::layers::normalize_registry(&npm["registry"]) {
            if effective != url {
                failures.push(format!(
                    "{name}: effective registry {effective:?} vs npm's {url:?}"
                ));
            }
        }
    }
    support::assert_no_disagreement("regauth's config vs npm config get", &failures, "\n");
}

/// `npm config` refuses to run inside a workspace, so this one asks npm through a script's
/// environment (npm exports its config to scripts as `npm_config_*`).
#[test]
fn workspace_member_uses_the_root_npmrc() {
    let env = NpmEnv::new();
    write(
        &env.project().join("package.json"),
        "{\"name\":\"root\",\"workspaces\":[\"packages/*\"]}\n",
    );
    env.write_project_npmrc("registry=http://ws-root.example/\n");
    let member = env.project().join("packages/m1");
    let script = "{\"name\":\"m1\",\"version\":\"1.0.0\",\"scripts\":{\"show\":\"node -p process.env.npm_config_registry\"}}\n";
    write(&member.join("package.json"), script);
    write(
        &member.join(".npmrc"),
        "registry=http://ws-member.example/\n",
    );
    let out = env
        .npm()
        .args(["run", "-s", "show"])
        .current_dir(&member)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let npm_says = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(npm_says, "http://ws-root.example/");
    let run = Run {
        args: vec![],
        cwd: Some(member),
    };
    let config = regauth_config(&env, &run);
    assert_eq!(config.local_prefix(), env.project().as_path());
    assert_eq!(regauth_get(&config, "registry"), npm_says);
    let problems = config.problems();
    assert!(
        problems
            .iter()
            .any(|p| message(p).contains("workspace config, ignored")
                && message(p).contains("`registry`")),
        "{problems:?}"
    );
}

/// A loopback server that answers 404 to everything and records what npm sent.
fn capture() -> support::FixtureServer {
    support::FixtureServer::start(|_| support::Response::new(404).json(serde_json::json!({})))
}

/// `regauth doctor ARGS` in the situation's environment, as JSON.
fn doctor(env: &NpmEnv, args: &[&str]) -> serde_json::Value {
    let out = env
        .regauth()
        .arg("doctor")
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "PRODUCT: doctor failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("PRODUCT: doctor JSON")
}

fn npm_view(env: &NpmEnv, args: &[&str]) -> String {
    let out = env
        .npm()
        .args(["view", "--fetch-retries=0"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn problem_messages(report: &serde_json::Value) -> String {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["id"], p["message"]))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_registry_that_is_no_url_stops_npm_and_doctor_says_so() {
    for (rc, env_value, npm_says) in [
        ("registry=${UNSET_NPM_REGISTRY}\n", None, "ERR_INVALID_URL"),
        ("registry=\n", None, "ERR_INVALID_URL"),
        ("registry=127.0.0.1:4873/x\n", None, "ERR_INVALID_URL"),
        ("", Some("\"http://127.0.0.1:9/\""), "ERR_INVALID_URL"),
        (
            "registry=localhost:4873\n",
            None,
            "Only HTTP(S) protocols are supported",
        ),
    ] {
        let mut env = NpmEnv::new();
        env.write_userconfig(rc);
        if let Some(value) = env_value {
            env.set_env("npm_config_registry", value);
        }
        let stderr = npm_view(&env, &["lodash"]);
        assert!(stderr.contains(npm_says), "SETUP: npm {rc:?}: {stderr}");
        let report = doctor(&env, &["lodash"]);
        let problems = problem_messages(&report);
        assert!(
            problems.contains(npm_says) && problems.contains("npm keeps it"),
            "PRODUCT: {rc:?} {env_value:?}: doctor does not say npm stops with {npm_says}:\n{problems}"
        );
    }
}

#[test]
fn a_file_loaded_as_two_layers_stops_npm_and_doctor_says_so() {
    let env = NpmEnv::new();
    env.write_userconfig("registry=http://127.0.0.1:9/\n");
    let user = env.userconfig().display().to_string();
    let global = format!("--globalconfig={user}");
    let stderr = npm_view(&env, &["lodash", &global]);
    assert!(stderr.contains("double-loading"), "SETUP: {stderr}");
    let report = doctor(&env, &["lodash", "--", &global]);
    assert!(
        problem_messages(&report).contains("double-loading config"),
        "PRODUCT: {report}"
    );
    let env = NpmEnv::new();
    let project = env.project().join(".npmrc").display().to_string();
    env.write_userconfig(&format!("globalconfig={project}\n"));
    env.write_project_npmrc("registry=http://127.0.0.1:9/\n");
    assert!(npm_view(&env, &["lodash"]).contains("double-loading"));
    assert!(problem_messages(&doctor(&env, &["lodash"])).contains("double-loading config"));
}

#[test]
fn credentials_in_the_registry_url_are_sent_as_basic_and_doctor_routes_them() {
    use base64::Engine;
    let server = capture();
    let registry = server.url().replace("http://", "http://carol:CANARYpw1@");
    let env = NpmEnv::new();
    env.write_userconfig(&format!("registry={registry}\n"));
    npm_view(&env, &["lodash"]);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("carol:CANARYpw1")
    );
    let sent = server.requests();
    assert!(
        sent.iter()
            .any(|r| r.header("authorization") == Some(expected.as_str())),
        "SETUP: npm sends the URL's user info as Basic"
    );
    let report = doctor(&env, &["lodash"]);
    let route = &report["routes"][0];
    assert_eq!(
        route["credential"], "registry (its URL's user info)",
        "PRODUCT: {report}"
    );
    assert!(
        !report.to_string().contains("CANARYpw1"),
        "PRODUCT: {report}"
    );
}

#[test]
fn the_scope_setting_sends_unscoped_and_unmapped_names_to_its_registry() {
    let server = capture();
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "scope=s\n@s:registry={}\nregistry=http://127.0.0.1:9/\n",
        server.url()
    ));
    npm_view(&env, &["lodash"]);
    npm_view(&env, &["@other/x"]);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert!(
        paths.iter().any(|p| p == "/lodash") && paths.iter().any(|p| p == "/@other%2fx"),
        "SETUP: npm sends both to the scope's registry: {paths:?}"
    );
    let report = doctor(&env, &["lodash", "@other/x"]);
    for route in report["routes"].as_array().unwrap() {
        assert_eq!(route["registry"], server.url(), "PRODUCT: {route}");
    }
}

#[test]
fn a_token_for_a_registry_written_without_its_slash_is_sent_and_not_a_problem() {
    let server = capture();
    let registry = format!("{}api/npm/repo", server.url());
    let nerf = format!("{}/", registry.trim_start_matches("http:"));
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry={registry}\n{nerf}:_authToken=CANARYslash1\n"
    ));
    npm_view(&env, &["lodash"]);
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.header("authorization") == Some("Bearer CANARYslash1")),
        "SETUP: npm sends the token"
    );
    let report = doctor(&env, &["lodash"]);
    assert_eq!(
        report["routes"][0]["credential"],
        format!("{nerf}:_authToken")
    );
    assert!(
        !problem_messages(&report).contains("token-wrong-host"),
        "PRODUCT: {report}"
    );
}

#[test]
fn doctor_with_npm_arguments_routes_like_that_npm_command_line() {
    let (a, b) = (capture(), capture());
    let env = NpmEnv::new();
    let alt = env.root().join("alt-npmrc");
    write(&alt, &format!("@u:registry={}\n", b.url()));
    let alt = alt.display().to_string();
    let scoped = format!("--@s:registry={}", b.url());
    let regis = format!("--regis={}", a.url());
    for (packages, args, expect) in [
        (
            vec!["lodash"],
            vec!["--registry", a.url().as_str()],
            a.url(),
        ),
        (vec!["lodash"], vec!["-reg", a.url().as_str()], a.url()),
        (vec!["lodash"], vec![regis.as_str()], a.url()),
        (vec!["@s/x"], vec![scoped.as_str()], b.url()),
        (vec!["@u/x"], vec!["--userconfig", alt.as_str()], b.url()),
    ] {
        let (seen_a, seen_b) = (a.requests().len(), b.requests().len());
        npm_view(&env, &[&packages[..], &args[..]].concat());
        let sent_to = if a.requests().len() > seen_a {
            a.url()
        } else if b.requests().len() > seen_b {
            b.url()
        } else {
            "nowhere".to_owned()
        };
        assert_eq!(sent_to, expect, "SETUP: npm {args:?}");
        let mut doctor_args = packages.clone();
        doctor_args.push("--");
        doctor_args.extend(&args);
        let report = doctor(&env, &doctor_args);
        assert_eq!(
            report["routes"][0]["registry"], expect,
            "PRODUCT: doctor {doctor_args:?}: {report}"
        );
    }
}
