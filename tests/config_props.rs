//! Property tests: the `.npmrc` parser and the whole config load never panic on arbitrary bytes,
//! and no secret (token, password, `_auth`, URL password) ever reaches doctor's output, human or
//! JSON, whatever form and place it is configured in.

mod support;

use base64::Engine;
use proptest::prelude::*;
use regauth::commands::doctor;
use regauth::config::{expand, ini, Config, LoadContext};
use support::{config_context, config_dirs};

fn context(dir: &std::path::Path, env: Vec<(String, String)>) -> LoadContext {
    let mut env = env;
    env.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
    config_context(dir, env, vec![])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let parsed = ini::parse(&text);
        let _ = parsed.top_level();
        let env = [("A".to_string(), "x".to_string())].into_iter().collect();
        let _ = expand::expand(&text, &env);
    }

    #[test]
    fn parser_never_panics_on_npmrc_like_text(text in "([ \\t;#\\[\\]=\"'\\\\${}?:/@_a-zA-Z0-9\u{2028}\u{FEFF}é]{0,40}(\r\n|\n|\r)){0,12}") {
        let _ = ini::parse(&text).top_level();
        let env = Default::default();
        let _ = expand::expand(&text, &env);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn config_load_and_doctor_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), pkg in "(@[a-z]{1,5}/)?[a-z]{1,6}") {
        let dir = config_dirs();
        std::fs::write(dir.path().join("home/.npmrc"), &bytes).unwrap();
        std::fs::write(dir.path().join("project/.npmrc"), &bytes).unwrap();
        let config = Config::load(&context(dir.path(), vec![]));
        let report = doctor::build(&config, &[pkg], &[]);
        let _ = doctor::human(&report, &config, &[]);
        let _ = serde_json::to_string(&report).unwrap();
    }

    /// The shim loads the config on every npm call: odd arguments and variable names (any
    /// characters, any case, any position of a multi-byte character) must not panic it.
    #[test]
    fn config_load_never_panics_on_odd_argv_and_env(
        args in proptest::collection::vec("-{0,2}(no-)?[a-zA-Z_=:/@é€😀-]{0,12}", 0..6),
        names in proptest::collection::vec("(npm_config|NPM_CONFIG|npm_confi)[_a-zA-Zé€😀-]{0,8}", 0..4),
    ) {
        let dir = config_dirs();
        let env = names.into_iter().map(|n| (n, "0".to_string())).collect();
        let mut ctx = context(dir.path(), env);
        ctx.npm_args = args;
        let config = Config::load(&ctx);
        let _ = config.get("logs-max");
    }
}

/// A secret and the forms of it that must never appear in output.
struct Canary {
    forbidden: Vec<String>,
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn jwt(core: &str) -> String {
    let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    format!(
        "{}.{}.CANARY{core}sig",
        e(r#"{"alg":"HS256"}"#),
        e(&format!(r#"{{"exp":1,"sub":"CANARY{core}"}}"#))
    )
}

/// Which form a secret takes in the configuration.
#[derive(Debug, Clone, Copy)]
enum Form {
    NpmToken,
    GithubToken,
    GitlabToken,
    Jwt,
    Plain,
    Auth,
    Password,
    UrlPassword,
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        Just(Form::NpmToken),
        Just(Form::GithubToken),
        Just(Form::GitlabToken),
        Just(Form::Jwt),
        Just(Form::Plain),
        Just(Form::Auth),
        Just(Form::Password),
        Just(Form::UrlPassword),
    ]
}

/// Where the line goes.
#[derive(Debug, Clone, Copy)]
enum Place {
    UserFile,
    ProjectFile,
    TopLevel,
    Section,
    EnvVariable,
    NpmConfigEnv,
}

fn place() -> impl Strategy<Value = Place> {
    prop_oneof![
        Just(Place::UserFile),
        Just(Place::ProjectFile),
        Just(Place::TopLevel),
        Just(Place::Section),
        Just(Place::EnvVariable),
        Just(Place::NpmConfigEnv),
    ]
}

/// (config key suffix, value, forbidden substrings)
fn secret(form: Form, core: &str) -> (&'static str, String, Canary) {
    let token = |prefix: &str| format!("{prefix}CANARY{core}0001");
    let (field, value) = match form {
        Form::NpmToken => ("_authToken", token("npm_")),
        Form::GithubToken => ("_authToken", token("ghp_")),
        Form::GitlabToken => ("_authToken", token("glpat-")),
        Form::Jwt => ("_authToken", jwt(core)),
        Form::Plain => ("_authToken", token("")),
        Form::Auth => ("_auth", b64(&format!("alice:CANARY{core}"))),
        Form::Password => ("_password", b64(&format!("CANARY{core}"))),
        Form::UrlPassword => (
            "registry-url",
            format!("http://alice:CANARY{core}@127.0.0.1:4873/"),
        ),
    };
    let mut forbidden = vec![format!("CANARY{core}"), core.to_owned()];
    if matches!(form, Form::Auth | Form::Password | Form::Jwt) {
        forbidden.push(value.chars().take(12).collect());
    }
    (field, value, Canary { forbidden })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn secrets_never_reach_doctor_output(
        lines in proptest::collection::vec((form(), place(), "[A-Za-z0-9]{12,20}"), 1..5),
        packages in proptest::collection::vec("(@s/)?[a-z]{1,5}", 0..3),
    ) {
        let dir = config_dirs();
        let (mut user, mut project, mut env) = (String::new(), String::new(), Vec::new());
        let mut canaries = Vec::new();
        for (i, (form, place, core)) in lines.iter().enumerate() {
            let (field, value, canary) = secret(*form, core);
            canaries.push(canary);
            let host = format!("//127.0.0.1:48{i:02}/");
            if field == "registry-url" {
                user.push_str(&format!("@s:registry={value}\nregistry={value}\n"));
                continue;
            }
            match place {
                Place::UserFile => user.push_str(&format!("{host}:{field}={value}\n//127.0.0.1:48{i:02}/:username=alice\n")),
                Place::ProjectFile => project.push_str(&format!("{host}:{field}={value}\n")),
                Place::TopLevel => user.push_str(&format!("{field}={value}\n")),
                Place::Section => user.push_str(&format!("[sec{i}]\n{host}:{field}={value}\n")),
                Place::EnvVariable => {
                    user.push_str(&format!("{host}:{field}=${{TOKEN_{i}}}\n"));
                    env.push((format!("TOKEN_{i}"), value.clone()));
                }
                Place::NpmConfigEnv => env.push((format!("npm_config_{host}:{field}"), value.clone())),
            }
        }
        // Sections swallow everything after them: keep the user file's sections last.
        std::fs::write(dir.path().join("home/.npmrc"), &user).unwrap();
        std::fs::write(dir.path().join("project/.npmrc"), &project).unwrap();
        let config = Config::load(&context(dir.path(), env));
        let report = doctor::build(&config, &packages, &[]);
        let outputs = [
            doctor::human(&report, &config, &[]),
            serde_json::to_string(&report).unwrap(),
            format!("{:?}", config.credentials()),
            format!("{:?}", config.problems()),
        ];
        for out in &outputs {
            for canary in &canaries {
                for bad in &canary.forbidden {
                    prop_assert!(!out.contains(bad.as_str()), "a secret reached the output");
                }
            }
        }
    }
}
