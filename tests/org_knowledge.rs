//! Organisation knowledge (`.regauth.toml`, the user's config.toml, REGAUTH_CONFIG): every field
//! reaches an explanation, the project file outranks the user file, `regauth doctor` shows what
//! applies from where, and a malformed file is one line (exit 2 for regauth's own commands; in
//! shim mode npm's result is untouched and one line follows the explanation).

mod support;

use std::fs;
use std::path::PathBuf;

use support::{NpmEnv, Verdaccio};

const ACME: &str = r#"
[[registry]]
match = "https://npm.acme.example/"
name = "Acme npm"
kind = "artifactory"
login = "acme-cli login --registry {registry}"
tokens = "https://portal.acme.example/tokens"
access = "ask #platform-npm in Slack to add you to the {scope} team"
docs = "https://wiki.acme.example/npm"

[registry.fix.insufficient-permission]
add = ["or request {package} in https://portal.acme.example/access"]
"#;

const E401: &str = "npm error code E401\nnpm error 401 Unauthorized - GET https://npm.acme.example/@acme%2flib - unauthorized\n";
const E403: &str = "npm error code E403\nnpm error 403 Forbidden - GET https://npm.acme.example/@acme%2flib - user alice is not allowed to access package @acme/lib\n";

fn project_file(env: &NpmEnv, text: &str) -> PathBuf {
    let path = env.project().join(".regauth.toml");
    fs::write(&path, text).unwrap();
    path
}

fn user_file(env: &NpmEnv, text: &str) -> PathBuf {
    let path = env.home().join(".config/regauth/config.toml");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, text).unwrap();
    path
}

/// `regauth explain --no-probe` of a saved transcript: (exit code, stdout, stderr).
fn explain(env: &NpmEnv, transcript: &str) -> (i32, String, String) {
    explain_with(env, transcript, &[])
}

/// `explain` with extra flags (`--verbose`: the long form, every fix line).
fn explain_with(env: &NpmEnv, transcript: &str, flags: &[&str]) -> (i32, String, String) {
    let file = env.root().join("transcript.txt");
    fs::write(&file, transcript).unwrap();
    let out = env
        .regauth()
        .args(["explain", "--no-probe"])
        .args(flags)
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON report's top cause's first evidence: (text, source).
fn first_evidence(env: &NpmEnv, transcript: &str) -> (String, String) {
    let file = env.root().join("transcript.txt");
    fs::write(&file, transcript).unwrap();
    let out = env
        .regauth()
        .args(["explain", "--no-probe", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let evidence = &report["causes"][0]["evidence"][0];
    (
        evidence["text"].as_str().unwrap_or("").to_owned(),
        evidence["source"].as_str().unwrap_or("").to_owned(),
    )
}

/// `regauth doctor`'s human output (it must succeed).
fn doctor(env: &NpmEnv) -> String {
    let out = env
        .regauth()
        .arg("doctor")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The explanation as one line of words (the human form wraps at 80 columns).
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_field_reaches_the_explanation() {
    let env = NpmEnv::new();
    let file = project_file(&env, ACME);
    // The short form keeps one fix: the organisation's login command.
    let (code, short, err) = explain(&env, E401);
    assert_eq!(code, 0, "{err}");
    let login = "help: log in to Acme npm: acme-cli login --registry https://npm.acme.example/";
    assert!(
        words(&short).contains(login),
        "missing {login:?} in:\n{short}"
    );
    // The long form carries every field.
    let (code, out, err) = explain_with(&env, E401, &["--verbose"]);
    assert_eq!(code, 0, "{err}");
    let text = words(&out);
    for wanted in [
        login,
        "help: tokens for Acme npm are issued at https://portal.acme.example/tokens",
        "help: docs: https://wiki.acme.example/npm",
    ] {
        assert!(text.contains(wanted), "missing {wanted:?} in:\n{out}");
    }
    let evidence = first_evidence(&env, E401);
    assert_eq!(
        evidence,
        (
            "npm.acme.example is Acme npm (behaves like artifactory)".to_owned(),
            format!("{}:2", file.display())
        )
    );
    // `kind`: the fixes are Artifactory's, which the URL alone would not tell
    assert!(text.contains("'Set Me Up' page"), "{out}");
    fs::write(&file, ACME.replace("kind = \"artifactory\"\n", "")).unwrap();
    let (_, out, _) = explain(&env, E401);
    assert!(!out.contains("Set Me Up"), "{out}");
    fs::write(&file, ACME).unwrap();

    let (_, out, _) = explain(&env, E403);
    let text = words(&out);
    assert!(
        text.contains("access to @acme/lib on Acme npm: ask #platform-npm in Slack to add you to the @acme team"),
        "{out}"
    );
    assert!(!text.contains("log in to Acme npm"), "{out}");
    // The second access line is in the long form.
    let (_, out, _) = explain_with(&env, E403, &["--verbose"]);
    assert!(
        words(&out).contains("or request @acme/lib in https://portal.acme.example/access"),
        "{out}"
    );
}

#[test]
fn replacement_fix_lines_replace_regauths_own() {
    let env = NpmEnv::new();
    let (_, plain, _) = explain(&env, E401);
    let cause = plain
        .lines()
        .find_map(|l| l.trim().strip_prefix("= cause: "))
        .and_then(|c| c.split_whitespace().next())
        .unwrap_or_else(|| panic!("no cause in {plain}"))
        .to_owned();
    project_file(
        &env,
        &format!("[fix.{cause}]\nreplace = [\"run go/npm-auth for {{host}}\"]\n"),
    );
    let (_, out, _) = explain(&env, E401);
    let helps: Vec<&str> = out.lines().filter(|l| l.starts_with("help: ")).collect();
    assert_eq!(
        helps,
        vec!["help: run go/npm-auth for npm.acme.example"],
        "{out}"
    );
}

#[test]
fn the_project_file_outranks_the_user_file_and_regauth_config_replaces_the_user_file() {
    let mut env = NpmEnv::new();
    let entry = |name: &str| {
        format!("[[registry]]\nmatch = \"https://npm.acme.example/\"\nname = \"{name}\"\n")
    };
    user_file(&env, &entry("User npm"));
    assert_eq!(first_evidence(&env, E401).0, "npm.acme.example is User npm");

    project_file(&env, &entry("Project npm"));
    assert_eq!(
        first_evidence(&env, E401).0,
        "npm.acme.example is Project npm"
    );

    fs::remove_file(env.project().join(".regauth.toml")).unwrap();
    let custom = env.root().join("team.toml");
    fs::write(&custom, entry("Team npm")).unwrap();
    env.set_env("REGAUTH_CONFIG", &custom);
    assert_eq!(first_evidence(&env, E401).0, "npm.acme.example is Team npm");

    let text = doctor(&env);
    assert!(
        text.contains(&format!("  read {}\n", custom.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  Team npm  https://npm.acme.example/  ({}:1)\n",
            custom.display()
        )),
        "{text}"
    );
}

#[test]
fn doctor_shows_which_entries_apply_here() {
    let env = NpmEnv::new();
    env.write_userconfig("@acme:registry=https://npm.acme.example/\n");
    let file = project_file(&env, ACME);
    let text = doctor(&env);
    assert!(
        text.contains(&format!(
            "Organisation knowledge\n  read {}\n  Acme npm  https://npm.acme.example/  ({}:2)\n      applies to: @acme\n      behaves like: artifactory\n",
            file.display(),
            file.display()
        )),
        "{text}"
    );
    assert!(
        text.contains("      fix lines for insufficient-permission\n"),
        "{text}"
    );
}

#[test]
fn doctor_json_has_the_entries_the_human_output_shows() {
    let env = NpmEnv::new();
    env.write_userconfig("@acme:registry=https://npm.acme.example/\n");
    let file = project_file(&env, ACME);
    let out = env
        .regauth()
        .args(["doctor", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let org = &json["organisation"];
    assert_eq!(
        org["files"],
        serde_json::json!([file.display().to_string()])
    );
    let entry = &org["registries"][0];
    assert_eq!(entry["name"], "Acme npm", "{org:#}");
    assert_eq!(entry["match"], "https://npm.acme.example/", "{org:#}");
    assert_eq!(entry["source"], format!("{}:2", file.display()), "{org:#}");
    assert_eq!(entry["applies_to"], serde_json::json!(["@acme"]), "{org:#}");
    assert_eq!(entry["kind"], "artifactory", "{org:#}");
    assert!(
        entry["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "insufficient-permission"),
        "{org:#}"
    );
}

#[test]
fn a_malformed_file_is_one_line_with_file_line_and_column() {
    let env = NpmEnv::new();
    let file = project_file(
        &env,
        "[[registry]]\nmatch = \"https://npm.acme.example/\"\nkind = \"gitea\"\n",
    );
    let (code, out, err) = explain(&env, E401);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "regauth: error: {}:3:8: unknown registry kind `gitea`",
            file.display()
        )),
        "{err}"
    );

    fs::write(&file, "[[registry]\n").unwrap();
    let doctor = env.regauth().arg("doctor").output().unwrap();
    let err = String::from_utf8_lossy(&doctor.stderr);
    assert_eq!(doctor.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("regauth: error: {}:1:", file.display())),
        "{err}"
    );
}

#[test]
fn in_shim_mode_a_malformed_file_leaves_npm_alone_and_adds_one_line_after_the_explanation() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!("registry={}\n", verdaccio.url()));
    let file = project_file(&env, "[[registry]]\nmatch = 4873\n");

    let direct = env
        .npm()
        .args(["install", "@priv/lib", "--no-audit", "--no-fund"])
        .output()
        .unwrap();
    let shimmed = env
        .regauth()
        .args(["npm", "install", "@priv/lib", "--no-audit", "--no-fund"])
        .env("REGAUTH_PROBE", "off")
        .output()
        .unwrap();
    assert_eq!(shimmed.status.code(), direct.status.code());
    assert_eq!(shimmed.stdout, direct.stdout);
    let err = String::from_utf8_lossy(&shimmed.stderr);
    assert!(
        err.contains("= cause: "),
        "the explanation goes on without the file:\n{err}"
    );
    let last = err.lines().last().unwrap_or("");
    assert!(
        last.starts_with(&format!("regauth: ignoring {}:2:9: ", file.display())),
        "{err}"
    );
    assert_eq!(err.matches("regauth: ignoring").count(), 1, "{err}");

    // a successful call reads no such file: nothing is added
    let ok = env.regauth().args(["npm", "--version"]).output().unwrap();
    assert!(ok.status.success());
    assert_eq!(String::from_utf8_lossy(&ok.stderr), "");
}

#[test]
fn a_matching_entry_names_the_registry_in_a_live_explanation() {
    let verdaccio = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!("registry={}\n", verdaccio.url()));
    project_file(
        &env,
        &format!(
            "[[registry]]\nmatch = \"{}\"\nname = \"Team registry\"\naccess = \"ask the team\"\nlogin = \"npm login --registry {{registry}}\"\n",
            verdaccio.url()
        ),
    );
    let shimmed = env
        .regauth()
        .args(["npm", "install", "@priv/lib", "--no-audit", "--no-fund"])
        .env("REGAUTH_PROBE", "off")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&shimmed.stderr);
    let text = words(&err);
    assert!(
        text.contains(&format!(
            ".regauth.toml:1: 127.0.0.1:{} is Team",
            verdaccio.port()
        )),
        "{err}"
    );
    assert!(
        text.contains(&format!(
            "help: log in to Team registry: npm login --registry {}",
            verdaccio.url()
        )),
        "{err}"
    );
}
