//! Fixes that close the loop: for each scenario, do literally what regauth's first `help:` line
//! says (the test supplies the one thing a person must bring: a valid token), run npm again,
//! and the failure is gone. Commands in the fix are run as written: the backquoted npm commands
//! in order, or the whole line up to its `#` comment.

mod live_common;
mod support;

use live_common::scenarios::{self, shared, Setup};
use live_common::{after_npm_output, nerf_dart, run, write_package_json, Expect, Scenario};
use support::{NpmEnv, Verdaccio};

fn e401() -> Expect<'static> {
    Expect {
        exit: 1,
        code: Some("E401"),
        stderr_has: "Unable to authenticate",
    }
}

/// The first fix of the scenario's top cause, after checking the cause.
fn first_fix(scenario: &Scenario, cause: &str) -> String {
    first_fix_of(scenario, &e401(), cause)
}

fn first_fix_of(scenario: &Scenario, expect: &Expect, cause: &str) -> String {
    let explained = scenario.explain(expect);
    assert_eq!(
        explained.top_id(),
        cause,
        "PRODUCT: {}",
        explained.report_text
    );
    // one screen: regauth's first line, then the short explanation at 80 columns (stderr is no
    // terminal here)
    let human = after_npm_output(&explained.ran.stderr);
    assert!(
        human.lines().count() <= 1 + regauth::render::human::BUDGET,
        "PRODUCT: {} lines:\n{human}",
        human.lines().count()
    );
    assert!(
        human
            .lines()
            .all(|l| console::measure_text_width(l) <= 80 || l.split_whitespace().count() <= 2),
        "PRODUCT: wider than 80:\n{human}"
    );
    explained.top()["fix"][0].as_str().unwrap().to_owned()
}

/// The texts between backticks, in order.
fn quoted(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

fn npm_view_succeeds(env: &NpmEnv) {
    let again = run(env
        .npm()
        .args(["view", "@priv/lib", "version", "--fetch-retries=0"]));
    assert_eq!(
        again.status,
        Some(0),
        "PRODUCT: the fix did not fix it: {}",
        again.stderr
    );
}

#[test]
fn token_missing_add_the_line_and_set_the_variable_it_names() {
    let a = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!("@priv:registry={}\n", a.url()));
    let scenario = Scenario::new(env, &["view", "@priv/lib", "version"]);
    let fix = first_fix(&scenario, "token-missing");
    let line = quoted(&fix)[0];
    let var = line
        .split("${")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .unwrap_or_else(|| panic!("PRODUCT: the fix line names no variable: {fix}"));
    assert!(
        fix.contains(&format!("export {var}=")),
        "PRODUCT: the fix says nothing of setting {var}: {fix}"
    );
    let mut env = scenario.env;
    let npmrc = std::fs::read_to_string(env.userconfig()).unwrap();
    assert!(fix.contains("/.npmrc"), "PRODUCT: which file: {fix}");
    env.write_userconfig(&format!("{npmrc}{line}\n"));
    env.set_env(var, a.token("alice"));
    npm_view_succeeds(&env);
}

#[test]
fn token_env_unset_export_the_variable() {
    let a = Verdaccio::shared();
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!(
        "@priv:registry={}\n{}:_authToken=${{NPM_TOKEN}}\n",
        a.url(),
        nerf_dart(&a.url())
    ));
    env.remove_env("NPM_TOKEN");
    let scenario = Scenario::new(env, &["view", "@priv/lib", "version"]);
    let fix = first_fix(&scenario, "token-env-unset");
    assert!(
        fix.starts_with("export NPM_TOKEN=<token>"),
        "PRODUCT: {fix}"
    );
    let mut env = scenario.env;
    env.set_env("NPM_TOKEN", a.token("alice"));
    npm_view_succeeds(&env);
}

#[test]
fn token_wrong_host_change_the_key_as_told() {
    let a = Verdaccio::shared();
    let env = NpmEnv::new();
    let token = a.token("alice").to_owned();
    env.write_userconfig(&format!(
        "@priv:registry={}\n//localhost:{}/:_authToken={token}\n",
        a.url(),
        a.port()
    ));
    let scenario = Scenario::new(env, &["view", "@priv/lib", "version"]).secret(&token);
    let fix = first_fix(&scenario, "token-wrong-host");
    let parts = quoted(&fix);
    assert!(
        fix.starts_with("change the key") && parts.len() >= 2,
        "PRODUCT: {fix}"
    );
    let (old, new) = (parts[0], parts[1]);
    let npmrc = std::fs::read_to_string(scenario.env.userconfig()).unwrap();
    assert!(
        npmrc.contains(old),
        "PRODUCT: the key {old} is not in the file"
    );
    scenario.env.write_userconfig(&npmrc.replace(old, new));
    npm_view_succeeds(&scenario.env);
}

/// The npm commands a fix line says to run, each as its words after `npm`: the backquoted ones
/// in order, else the line itself up to its `#` comment.
fn fix_commands(fix: &str) -> Vec<Vec<String>> {
    let quoted: Vec<&str> = quoted(fix)
        .into_iter()
        .filter(|q| q.starts_with("npm "))
        .collect();
    let commands = if quoted.is_empty() {
        vec![fix.split('#').next().unwrap().trim()]
    } else {
        quoted
    };
    commands
        .into_iter()
        .map(|c| {
            let words: Vec<String> = c.split_whitespace().map(String::from).collect();
            assert_eq!(
                words.first().map(String::as_str),
                Some("npm"),
                "PRODUCT: not a command to run: {fix}"
            );
            words[1..].to_vec()
        })
        .collect()
}

/// Runs each command of the fix in the project, as written; each must succeed.
fn apply_fix(env: &NpmEnv, fix: &str) {
    for words in fix_commands(fix) {
        let ran = run(env.npm().args(&words));
        assert_eq!(
            ran.status,
            Some(0),
            "PRODUCT: `npm {}` from the fix failed: {}",
            words.join(" "),
            ran.stderr
        );
    }
}

#[test]
fn scope_not_mapped_run_the_config_command() {
    let Setup { scenario, expect } = scenarios::scope_not_mapped_401();
    let fix = first_fix_of(&scenario, &expect, "scope-not-mapped");
    apply_fix(&scenario.env, &fix);
    npm_view_succeeds(&scenario.env);
}

#[test]
fn lockfile_registry_mismatch_run_the_replacing_install() {
    let Setup {
        mut scenario,
        expect,
    } = scenarios::lockfile_mismatch();
    scenario.json_on_stderr = false; // the human text, as a person reads it
    let fix = first_fix_of(&scenario, &expect, "lockfile-registry-mismatch");
    assert!(fix.starts_with("npm ci "), "PRODUCT: {fix}");
    apply_fix(&scenario.env, &fix);
    let installed = scenario
        .env
        .project()
        .join("node_modules/pub-pkg/package.json");
    assert!(installed.exists(), "PRODUCT: the fix installed nothing");
}

/// alice's project `name` at `local`, while `published` are on instance A already.
fn publish_setup(name: &str, local: &str, published: &[&str]) -> Scenario {
    let a = shared();
    for version in published {
        a.publish("alice", name, version);
    }
    let token = a.token("alice").to_owned();
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "registry={}\n{}:_authToken={token}\n",
        a.url(),
        nerf_dart(&a.url())
    ));
    write_package_json(&env, name, local);
    Scenario::new(env, &["publish"]).secret(&token)
}

/// After the fix, `npm publish` succeeds and the registry's latest is the version it proposed.
fn publish_succeeds_with(scenario: &Scenario, name: &str, proposed: &str) {
    let latest =
        run(scenario
            .env
            .npm()
            .args(["view", name, "dist-tags.latest", "--prefer-online"]));
    assert_eq!(
        String::from_utf8_lossy(&latest.stdout).trim(),
        proposed,
        "PRODUCT: latest after the fix; {}",
        latest.stderr
    );
}

#[test]
fn version_exists_with_a_higher_version_publish_above_the_highest() {
    // 1.0.0 is taken and 2.0.0 is latest: `npm version patch` (1.0.1) would next be refused
    // with "Cannot implicitly apply the latest tag"; the fix must propose a version above 2.0.0.
    let name = "follow-bump";
    let scenario = publish_setup(name, "1.0.0", &["1.0.0", "2.0.0"]);
    let expect = Expect {
        exit: 1,
        code: None,
        stderr_has: "You cannot publish over the previously published versions: 1.0.0",
    };
    let fix = first_fix_of(&scenario, &expect, "version-exists");
    assert!(fix.contains("`npm version 2.0.1`"), "PRODUCT: {fix}");
    apply_fix(&scenario.env, &fix);
    publish_succeeds_with(&scenario, name, "2.0.1");
}

#[test]
fn version_below_latest_npm_refuses_the_implicit_tag_publish_above_it() {
    // 1.0.1 is new but below 2.0.0: npm refuses to move `latest` down.
    let name = "follow-implicit";
    let scenario = publish_setup(name, "1.0.1", &["1.0.0", "2.0.0"]);
    let expect = Expect {
        exit: 1,
        code: None,
        stderr_has: "Cannot implicitly apply the \"latest\" tag",
    };
    let fix = first_fix_of(&scenario, &expect, "version-exists");
    apply_fix(&scenario.env, &fix);
    publish_succeeds_with(&scenario, name, "2.0.1");
}
