//! Secrets in every encoding, in every output regauth writes: a password in a registry URL of an
//! `.npmrc`, and credentials a registry echoes back base64-encoded, percent-encoded, cut across
//! lines, or too short to search for everywhere, never reach the human explanation, the JSON,
//! the GitHub annotation, the job summary, the ranking trace or the REGAUTH_REPORT file; and
//! the files regauth writes are owner-only (0600), also when they existed before.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use support::secret_review::{assert_clean, echoing_registry, percent, regauth_outputs};
use support::NpmEnv;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_password_in_the_registry_url_is_a_secret_everywhere() {
    let server = echoing_registry();
    let registry = server
        .url()
        .replace("http://", "http://carol:CANARYurlPW9@");
    let header = STANDARD.encode("carol:CANARYurlPW9");
    for json in [true, false] {
        let mut env = NpmEnv::new();
        env.write_userconfig(&format!("registry={registry}\n"));
        let out = regauth_outputs(&mut env, &["view", "lodash"], json);
        assert_clean(&out, &["CANARYurlPW9", &header, "CANARYurlP"]);
    }
    let sent = server.requests();
    assert!(
        sent.iter()
            .any(|r| r.header("authorization") == Some(&format!("Basic {header}"))),
        "SETUP: npm sends the URL's credentials as Basic"
    );
}

#[test]
fn a_token_echoed_in_any_encoding_is_hidden_in_every_output() {
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let token = "CANARYechoTOKENvalue0042";
    for json in [true, false] {
        let mut env = NpmEnv::new();
        env.write_userconfig(&format!("{nerf}:_authToken={token}\n"));
        let out = regauth_outputs(
            &mut env,
            &["view", "@priv/lib", "--registry", &server.url()],
            json,
        );
        let b64 = STANDARD.encode(token);
        assert_clean(
            &out,
            &[token, &b64[..16], "CANARYechoTOK", "TOKENvalue0042"],
        );
    }
}

#[test]
fn basic_credentials_echoed_url_encoded_or_decoded_are_hidden() {
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let auth = STANDARD.encode("carol:CANARYbasicPW77+/");
    // as written, and URL-encoded in the .npmrc (npm sends that text as it is)
    for (written, json) in [(auth.clone(), true), (percent(&auth), false)] {
        let mut env = NpmEnv::new();
        env.write_userconfig(&format!("{nerf}:_auth={written}\n"));
        let out = regauth_outputs(
            &mut env,
            &["view", "@priv/lib", "--registry", &server.url()],
            json,
        );
        assert_clean(
            &out,
            &[&auth, &percent(&auth), "CANARYbasicPW77", &auth[..12]],
        );
    }
}

#[test]
fn a_short_password_is_hidden_where_it_stands_as_a_secret() {
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let password = "Zq7";
    let header = STANDARD.encode(format!("carol:{password}"));
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!(
        "{nerf}:username=carol\n{nerf}:_password={}\n",
        STANDARD.encode(password)
    ));
    let out = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url()],
        false,
    );
    assert_clean(&out, &[&header, "carol:Zq7", "password Zq7"]);
    assert!(
        !out.split(|c: char| !c.is_alphanumeric())
            .any(|w| w == password),
        "PRODUCT: the short password stands in the output:\n{out}"
    );
}

#[test]
fn the_report_and_the_job_summary_are_owner_only_even_when_they_existed() {
    let server = echoing_registry();
    let nerf = server.url().trim_start_matches("http:").to_owned();
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!("{nerf}:_authToken=CANARYmodeTOKEN01\n"));
    let (report, summary) = (
        env.root().join("report.json"),
        env.root().join("summary.md"),
    );
    for file in [&report, &summary] {
        std::fs::write(file, "old\n").unwrap();
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let _ = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url()],
        true,
    );
    assert_eq!(mode(&report), 0o600, "PRODUCT: REGAUTH_REPORT mode");
    assert_eq!(mode(&summary), 0o600, "PRODUCT: job summary mode");
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .starts_with("old\n"));

    let mut env = NpmEnv::new();
    env.write_userconfig(&format!("{nerf}:_authToken=CANARYmodeTOKEN02\n"));
    let _ = regauth_outputs(
        &mut env,
        &["view", "@priv/lib", "--registry", &server.url()],
        false,
    );
    assert_eq!(
        mode(&env.root().join("report.json")),
        0o600,
        "PRODUCT: a new report"
    );
}
