//! The secret-review harness: a registry that echoes the credential it received in many
//! encodings, and everything regauth itself wrote for one failing npm run.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{FixtureServer, NpmEnv, Response};

/// Percent-encoding of every byte that is not alphanumeric (what `encodeURIComponent` does to
/// base64's `+`, `/` and `=`).
pub fn percent(text: &str) -> String {
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
pub fn echoing_registry() -> FixtureServer {
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
pub fn regauth_outputs(env: &mut NpmEnv, args: &[&str], json: bool) -> String {
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

/// Fails when any of `secrets` stands in `output`.
pub fn assert_clean(output: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !output.contains(secret),
            "PRODUCT: secret {secret:?} leaked into regauth's output:\n{output}"
        );
    }
}
