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
use support::{FixtureServer, NpmEnv, Response};

/// Percent-encoding of every byte that is not alphanumeric (what `encodeURIComponent` does to
/// base64's `+`, `/` and `=`).
fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A registry that answers 401 with the credential it received echoed in many encodings: the
/// header value, its base64, its percent-encoding, the value cut across two lines, and for
/// Basic the decoded `user:password` and the password alone.
fn echoing_registry() -> FixtureServer {
    FixtureServer::start(|request| {
        let sent = request.header("authorization").unwrap_or("").to_owned();
        let value = sent.rsplit(' ').next().unwrap_or("").to_owned();
        let half = value.len() / 2;
        let mut echoes = vec![
            format!("got {value}"),
            format!("b64 {}", STANDARD.encode(&value)),
            format!("pct {}", percent(&value)),
            format!("cut {}\n{}", &value[..half], &value[half..]),
        ];
        if let Some(plain) = STANDARD
            .decode(&value)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        {
            let password = plain.split_once(':').map(|(_, p)| p).unwrap_or("");
            echoes.push(format!("user {plain}"));
            echoes.push(format!("password {password}"));
        }
        Response::new(401).json(serde_json::json!({ "error": echoes.join("; ") }))
    })
}

/// Everything regauth itself wrote for one failing `npm ARGS`: its stderr lines (npm's own
/// `npm ...` lines left out: they are npm's), the report file and the job summary; with the
/// JSON format, the annotation and the ranking trace switched on as `json` says.
fn regauth_outputs(env: &mut NpmEnv, args: &[&str], json: bool) -> String {
    let report = env.root().join("report.json");
    let summary = env.root().join("summary.md");
    env.set_env("REGAUTH_REPORT", &report);
    env.set_env("GITHUB_ACTIONS", "true");
    env.set_env("GITHUB_STEP_SUMMARY", &summary);
    env.set_env("REGAUTH_TRACE", "1");
    env.set_env("REGAUTH_VERBOSE", "1");
    env.set_env("REGAUTH_PROBE_TIMEOUT", "4");
    env.set_env("REGAUTH_FORMAT", if json { "json" } else { "human" });
    let out = env.regauth().arg("npm").args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "SETUP: npm should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("E401"),
        "SETUP: expected an E401:\n{stderr}"
    );
    let ours: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("npm ")).collect();
    let report_text = std::fs::read_to_string(&report).expect("PRODUCT: no report file");
    let summary_text = std::fs::read_to_string(&summary).expect("PRODUCT: no job summary");
    assert!(
        ours.iter().any(|l| l.starts_with("::error title=regauth")),
        "SETUP: no annotation in:\n{stderr}"
    );
    format!("{}\n{report_text}\n{summary_text}", ours.join("\n"))
}

fn assert_clean(output: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !output.contains(secret),
            "PRODUCT: secret {secret:?} leaked into regauth's output:\n{output}"
        );
    }
}

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
