//! Fixes that close the loop: for each scenario, do literally what regauth's first `help:` line
//! says (the test supplies the one thing a person must bring: a valid token), run npm again,
//! and the failure is gone.

mod live_common;
mod support;

use live_common::{after_npm_output, nerf_dart, run, Expect, Scenario};
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
    let explained = scenario.explain(&e401());
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
