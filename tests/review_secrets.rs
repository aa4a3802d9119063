//! Adversarial review: secrets of any shape, echoed back by a registry's error body, never reach
//! regauth's own output (stderr explanation, JSON, report file, annotation).

mod support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use support::secret_review::{assert_clean, echoing_registry, regauth_outputs};
use support::NpmEnv;

#[test]
fn a_token_echoed_by_the_registry_is_hidden_whatever_its_shape() {
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let mut env = NpmEnv::new();
    let arg = format!("--{nerf}:_authToken=CANARYonArgv1");
    let out = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url(), &arg],
        true,
    );
    assert_clean(&out, &["CANARYonArgv1"]);

    let mut env = NpmEnv::new();
    env.write_userconfig(&format!("{nerf}:_authToken=${{MY_TOKEN}}\n"));
    env.set_env("MY_TOKEN", "CANARYinEnv22");
    let out = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url()],
        true,
    );
    assert_clean(&out, &["CANARYinEnv22"]);
}

#[test]
fn basic_credentials_echoed_by_the_registry_are_hidden_in_every_form() {
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let auth = STANDARD.encode("carol:CANARYpass33");
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!("{nerf}:_auth={auth}\n"));
    let out = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url()],
        true,
    );
    assert_clean(&out, &[&auth, "CANARYpass33"]);

    let password = STANDARD.encode("CANARYpass44");
    let header = STANDARD.encode("carol:CANARYpass44");
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!(
        "{nerf}:username=carol\n{nerf}:_password={password}\n"
    ));
    let out = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url()],
        true,
    );
    assert_clean(&out, &[&password, &header, "CANARYpass44"]);
}

#[test]
fn a_token_given_as_a_separate_argument_is_hidden_in_the_command() {
    // `--//host/:_authToken VALUE`: npm takes VALUE as a positional (and warns), so it lands in
    // npm's log title and in the report's `command`; the user meant it as the token.
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let mut env = NpmEnv::new();
    let flag = format!("--{nerf}:_authToken");
    let out = regauth_outputs(
        &mut env,
        &[
            "view",
            "@priv/lib",
            "--registry",
            &server.url(),
            &flag,
            "CANARYsplit55",
        ],
        true,
    );
    assert_clean(&out, &["CANARYsplit55"]);
}

#[test]
fn without_a_debug_log_the_command_hides_url_passwords() {
    // `--logs-max=0`: no debug log, so the report's `command` is the user's argv itself.
    let server = echoing_registry();
    let with_password = server.url().replace("http://", "http://carol:CANARYurl66@");
    let mut env = NpmEnv::new();
    let out = regauth_outputs(
        &mut env,
        &[
            "view",
            "@priv/lib",
            "--logs-max=0",
            "--registry",
            &with_password,
        ],
        true,
    );
    assert_clean(&out, &["CANARYurl66"]);
}

#[test]
fn a_token_as_the_user_of_a_url_argument_is_hidden() {
    // `npm install https://TOKEN@host/x.tgz`: npm sends it as Basic base64("TOKEN:"), and the
    // URL is quoted in npm's log title, its http lines and the report's url and command.
    let server = echoing_registry();
    let tarball = server.url().replace("http://", "http://CANARYuser77@") + "x.tgz";
    let header = STANDARD.encode("CANARYuser77:");
    let mut env = NpmEnv::new();
    let out = regauth_outputs(&mut env, &["install", &tarball], true);
    assert_clean(&out, &["CANARYuser77", &header]);
}
