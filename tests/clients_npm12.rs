//! npm 12 (tests/clients/bin/npm12, on Node 24) refusing a command for reasons that are no
//! auth problem: an unknown CLI flag and strict-npmrc's unknown key (EUNKNOWNCONFIG), a git
//! dependency under `--allow-git=none` (EALLOWGIT). Through the shim npm's bytes and exit
//! status stay its own and regauth adds nothing; `regauth explain` of the same output says in
//! one sentence what npm refused. None of them sends a request, so no registry is needed.

mod support;

use std::process::{Output, Stdio};

use support::{client_bin, masked, NpmEnv};

fn npm12() -> NpmEnv {
    let mut env = NpmEnv::new();
    let path = format!(
        "{}:{}",
        client_bin("npm12", "npm").display(),
        std::env::var("PATH").unwrap()
    );
    env.set_env("PATH", path);
    support::write_file(
        &env.project().join("package.json"),
        "{\"name\":\"proj\",\"version\":\"1.0.0\"}\n",
    );
    env
}

fn output(mut command: std::process::Command) -> Output {
    command.stdin(Stdio::null()).output().expect("spawn")
}

/// npm directly and through `regauth npm` agree; returns the shim's stderr.
fn quiet_in_the_shim(env: &NpmEnv, args: &[&str]) -> String {
    let mut direct = env.command("npm");
    direct.args(args);
    let direct = output(direct);
    let mut shimmed = env.regauth();
    shimmed.arg("npm").args(args);
    let shimmed = output(shimmed);
    assert_ne!(
        direct.status.code(),
        Some(0),
        "SETUP: npm 12 {args:?} fails"
    );
    assert_eq!(shimmed.status.code(), direct.status.code(), "{args:?}");
    assert_eq!(shimmed.stdout, direct.stdout, "{args:?}: stdout");
    let stderr = masked(&shimmed.stderr);
    assert_eq!(
        stderr,
        masked(&direct.stderr),
        "{args:?}: regauth adds nothing"
    );
    assert!(!stderr.contains("regauth:"), "{stderr}");
    String::from_utf8_lossy(&shimmed.stderr).into_owned()
}

/// `regauth explain` of `text`: one sentence naming `names`, and no explanation.
fn explained_in_one_sentence(env: &NpmEnv, text: &str, code: &str, names: &[&str]) {
    let saved = env.root().join("saved.txt");
    support::write_file(&saved, text);
    let out = output({
        let mut c = env.regauth();
        c.args(["explain", "--no-config", "--no-probe"]).arg(&saved);
        c
    });
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stdout).replace("\n  ", " ");
    assert_eq!(said.lines().count(), 1, "one line: {said}");
    assert!(said.starts_with(&format!("regauth: {code}: npm")), "{said}");
    assert!(
        said.contains("Not an authentication or authorization problem"),
        "{said}"
    );
    for name in names {
        assert!(said.contains(name), "names {name}: {said}");
    }
}

#[test]
fn unknown_cli_flag_is_quiet_in_the_shim_and_named_by_explain() {
    let env = npm12();
    let stderr = quiet_in_the_shim(&env, &["view", "pub-pkg", "--bogus-flag"]);
    assert!(stderr.contains("EUNKNOWNCONFIG"), "SETUP: {stderr}");
    explained_in_one_sentence(&env, &stderr, "EUNKNOWNCONFIG", &["--bogus-flag"]);
}

#[test]
fn strict_npmrc_always_auth_is_quiet_in_the_shim_and_named_by_explain() {
    let env = npm12();
    env.write_userconfig("strict-npmrc=true\nalways-auth=true\n");
    let stderr = quiet_in_the_shim(&env, &["view", "pub-pkg"]);
    assert!(stderr.contains("EUNKNOWNCONFIG"), "SETUP: {stderr}");
    explained_in_one_sentence(&env, &stderr, "EUNKNOWNCONFIG", &["always-auth", ".npmrc"]);
}

#[test]
fn allow_git_none_is_quiet_in_the_shim_and_named_by_explain() {
    let env = npm12();
    let args = [
        "install",
        "x@git+https://127.0.0.1:9/x.git",
        "--allow-git=none",
    ];
    let stderr = quiet_in_the_shim(&env, &args);
    assert!(stderr.contains("EALLOWGIT"), "SETUP: {stderr}");
    explained_in_one_sentence(
        &env,
        &stderr,
        "EALLOWGIT",
        &["allow-git", "git+https://127.0.0.1:9/x.git"],
    );
}
