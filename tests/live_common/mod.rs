//! The scenario harness of the live tests (tests/live_*.rs): run a failing npm command once
//! directly (proving the setup really fails the way the scenario means) and once through
//! `regauth npm ...` with `REGAUTH_REPORT`, then check the schema-1 report it wrote.
//!
//! Assertion messages start with `SETUP:` when plain npm did not fail as the scenario needs (the
//! test's fault) and with `PRODUCT:` when regauth's behaviour differs from the contract.
#![allow(dead_code)]

pub mod scenarios;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::NpmEnv;

/// Obvious fake tokens; never shaped like a real one without CANARY in them.
pub const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";
pub const CANARY2: &str = "npm_CANARYcanaryCANARYcanaryCANARY0002";

/// Settings every scenario's npm gets from the global config (so regauth's probes get them too):
/// no retries, no audit/fund requests, no update check.
pub const QUIET_GLOBAL_CONFIG: &str =
    "fetch-retries=0\naudit=false\nfund=false\nupdate-notifier=false\n";

/// Arguments appended to every scenario's npm command line.
pub const FAST_ARGS: [&str; 1] = ["--fetch-retries=0"];

/// How npm ended, as seen by the caller.
#[derive(Debug)]
pub struct Ran {
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Ran {
    /// npm's `npm error code X` line, if any.
    pub fn npm_code(&self) -> Option<String> {
        self.stderr
            .lines()
            .find_map(|l| l.strip_prefix("npm error code "))
            .map(|c| c.trim().to_owned())
    }
}

/// A failing npm command in an isolated environment, checked with and without regauth.
pub struct Scenario {
    pub env: NpmEnv,
    pub args: Vec<String>,
    /// Secret values that must never appear in anything regauth prints or writes.
    pub secrets: Vec<String>,
    /// `REGAUTH_FORMAT=json`: the report is printed on stderr instead of the human text.
    pub json_on_stderr: bool,
}

/// What plain npm must do for the scenario to be the one it claims to be.
pub struct Expect<'a> {
    pub exit: i32,
    /// npm's `npm error code` line; `None` when npm prints none (e.g. a version that exists).
    pub code: Option<&'a str>,
    /// Text npm's stderr must contain (the message that makes the scenario this one).
    pub stderr_has: &'a str,
}

impl Scenario {
    /// `env` should already hold the scenario's config; the global config gets the quiet settings.
    pub fn new(env: NpmEnv, args: &[&str]) -> Scenario {
        if !env.globalconfig().exists() {
            env.write_globalconfig(QUIET_GLOBAL_CONFIG);
        }
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.extend(FAST_ARGS.iter().map(|a| a.to_string()));
        Scenario {
            env,
            args,
            secrets: vec![CANARY.into(), CANARY2.into(), "CANARY".into()],
            json_on_stderr: false,
        }
    }

    pub fn secret(mut self, value: &str) -> Scenario {
        self.secrets.push(value.to_owned());
        self
    }

    pub fn json(mut self) -> Scenario {
        self.json_on_stderr = true;
        self
    }

    pub fn report_path(&self) -> PathBuf {
        self.env.root().join("regauth-report.json")
    }

    /// Runs plain npm and asserts it fails as `expect` says.
    pub fn npm_directly(&self, expect: &Expect) -> Ran {
        let ran = run(self.env.npm().args(&self.args));
        let context = format!("npm {:?}\nstderr:\n{}", self.args, ran.stderr);
        assert_eq!(
            ran.status,
            Some(expect.exit),
            "SETUP: exit status of {context}"
        );
        assert_eq!(
            ran.npm_code().as_deref(),
            expect.code,
            "SETUP: error code of {context}"
        );
        assert!(
            ran.stderr.contains(expect.stderr_has),
            "SETUP: expected {:?} in {context}",
            expect.stderr_has
        );
        ran
    }

    /// Runs `regauth npm <args>` with `REGAUTH_REPORT` (and `REGAUTH_FORMAT=json` if asked).
    pub fn through_regauth(&self) -> Ran {
        let _ = std::fs::remove_file(self.report_path());
        let mut command = self.env.regauth();
        command
            .arg("npm")
            .args(&self.args)
            .env("REGAUTH_REPORT", self.report_path());
        if self.json_on_stderr {
            command.env("REGAUTH_FORMAT", "json");
        }
        run(&mut command)
    }

    /// The whole check: npm fails as expected; through regauth the exit status and stdout are
    /// npm's, an explanation follows npm's output on stderr, the report file is schema 1 and no
    /// secret appears anywhere.
    pub fn explain(&self, expect: &Expect) -> Explained {
        let direct = self.npm_directly(expect);
        let shimmed = self.through_regauth();
        let context = format!("regauth npm {:?}\nstderr:\n{}", self.args, shimmed.stderr);
        assert_eq!(
            shimmed.status, direct.status,
            "PRODUCT: exit status changed; {context}"
        );
        assert_eq!(
            String::from_utf8_lossy(&shimmed.stdout),
            String::from_utf8_lossy(&direct.stdout),
            "PRODUCT: stdout changed; {context}"
        );
        assert_eq!(
            shimmed.npm_code(),
            direct.npm_code(),
            "PRODUCT: npm's error differs through regauth; {context}"
        );
        let regauth_part = after_npm_output(&shimmed.stderr);
        assert!(
            !regauth_part.trim().is_empty(),
            "PRODUCT: nothing printed after npm's output; {context}"
        );
        let report_text = std::fs::read_to_string(self.report_path()).unwrap_or_else(|e| {
            panic!(
                "PRODUCT: REGAUTH_REPORT={} not written ({e}); {context}",
                self.report_path().display()
            )
        });
        self.assert_no_secret("stderr", &shimmed.stderr);
        self.assert_no_secret("stdout", &String::from_utf8_lossy(&shimmed.stdout));
        self.assert_no_secret("the report file", &report_text);
        let report: Value = serde_json::from_str(&report_text)
            .unwrap_or_else(|e| panic!("PRODUCT: report file is not JSON ({e}):\n{report_text}"));
        assert_eq!(report["schema"], 1, "PRODUCT: schema; {report_text}");
        assert_eq!(
            report["auth_failure"], true,
            "PRODUCT: auth_failure; {report_text}"
        );
        assert_eq!(
            report["exit_code"],
            direct.status.unwrap(),
            "PRODUCT: exit_code in the report; {report_text}"
        );
        if self.json_on_stderr {
            assert_only_json(regauth_part, &report, &context);
        } else {
            assert!(
                json_in(regauth_part).is_none(),
                "PRODUCT: JSON on stderr without REGAUTH_FORMAT=json; {context}"
            );
        }
        Explained {
            report,
            report_text,
            ran: shimmed,
            direct,
            home: self.env.home(),
            npm_logs: debug_logs(&self.env),
        }
    }

    fn assert_no_secret(&self, place: &str, text: &str) {
        for secret in &self.secrets {
            assert!(
                !text.contains(secret.as_str()),
                "PRODUCT: secret {secret:?} leaked into {place}:\n{text}"
            );
        }
    }
}

/// `REGAUTH_FORMAT=json`: regauth's part of stderr is the report (the same as the file), "instead
/// of the human text", followed at most by GitHub annotation lines.
fn assert_only_json(regauth_part: &str, report: &Value, context: &str) {
    let mut stream = serde_json::Deserializer::from_str(regauth_part.trim_start()).into_iter();
    let printed: Value = match stream.next() {
        Some(Ok(value)) => value,
        _ => panic!(
            "PRODUCT: with REGAUTH_FORMAT=json stderr should end with the JSON report; {context}"
        ),
    };
    let rest = &regauth_part.trim_start()[stream.byte_offset()..];
    assert!(
        rest.lines()
            .all(|l| l.trim().is_empty() || l.starts_with("::error")),
        "PRODUCT: with REGAUTH_FORMAT=json, text besides the JSON: {rest:?}; {context}"
    );
    assert_eq!(
        &printed, report,
        "PRODUCT: the JSON on stderr and the report file differ; {context}"
    );
}

/// A report regauth wrote for a scenario, with assertions on its top cause.
pub struct Explained {
    pub report: Value,
    pub report_text: String,
    pub ran: Ran,
    pub direct: Ran,
    home: PathBuf,
    /// npm's debug logs of both runs, concatenated.
    npm_logs: String,
}

impl Explained {
    /// SETUP: npm's own debug log shows `needle` (e.g. `GET 401 <url>`): the scenario fails at
    /// the request it means to, whatever regauth says.
    pub fn npm_logged(&self, needle: &str) -> &Self {
        assert!(
            self.npm_logs.contains(needle),
            "SETUP: npm's debug logs do not show {needle:?}:\n{}",
            self.npm_logs
        );
        self
    }

    pub fn causes(&self) -> &Vec<Value> {
        self.report["causes"]
            .as_array()
            .unwrap_or_else(|| panic!("PRODUCT: no causes array:\n{}", self.report_text))
    }

    pub fn top(&self) -> &Value {
        self.causes()
            .first()
            .unwrap_or_else(|| panic!("PRODUCT: no cause at all:\n{}", self.report_text))
    }

    pub fn top_id(&self) -> &str {
        self.top()["id"].as_str().unwrap_or("")
    }

    pub fn confidence(&self) -> &str {
        self.top()["confidence"].as_str().unwrap_or("")
    }

    /// The top cause is `id` with exactly `confidence`.
    pub fn top_is(&self, id: &str, confidence: &str) -> &Self {
        assert_eq!(
            (self.top_id(), self.confidence()),
            (id, confidence),
            "PRODUCT: top cause; report:\n{}",
            self.report_text
        );
        self
    }

    /// The top cause is `id`, at least medium confidence (body text, not config, decides it).
    pub fn top_is_at_least_medium(&self, id: &str) -> &Self {
        assert_eq!(
            self.top_id(),
            id,
            "PRODUCT: top cause; report:\n{}",
            self.report_text
        );
        assert!(
            matches!(self.confidence(), "medium" | "high"),
            "PRODUCT: confidence of {id}; report:\n{}",
            self.report_text
        );
        self
    }

    /// Summary, evidence (text and source), fix and verify of the top cause, as one text.
    pub fn top_text(&self) -> String {
        cause_text(self.top())
    }

    /// The top cause's explanation names `needle` (case-sensitive).
    pub fn names(&self, needle: &str) -> &Self {
        assert!(
            self.top_text().contains(needle),
            "PRODUCT: the top cause does not name {needle:?}; report:\n{}",
            self.report_text
        );
        self
    }

    /// The top cause's fix (the steps, not the evidence) names `needle`.
    pub fn fix_names(&self, needle: &str) -> &Self {
        let fix = self.top()["fix"].to_string();
        assert!(
            fix.contains(needle),
            "PRODUCT: the fix does not name {needle:?}; report:\n{}",
            self.report_text
        );
        self
    }

    /// The top cause names `path:line`, written absolute or with `~/` for the home directory.
    pub fn names_line(&self, path: &Path, line: usize) -> &Self {
        let text = self.top_text();
        let candidates = file_line_forms(path, line, &self.home);
        assert!(
            candidates.iter().any(|c| text.contains(c.as_str())),
            "PRODUCT: the top cause names none of {candidates:?}; report:\n{}",
            self.report_text
        );
        self
    }

    /// The failure block says which request failed.
    pub fn failure_is(&self, status: Option<u16>, url_ends_with: &str) -> &Self {
        let failure = &self.report["failure"];
        assert_eq!(
            failure["http_status"].as_u64().map(|s| s as u16),
            status,
            "PRODUCT: failure.http_status; report:\n{}",
            self.report_text
        );
        let url = failure["url"].as_str().unwrap_or("");
        assert!(
            url.ends_with(url_ends_with),
            "PRODUCT: failure.url {url:?} should end with {url_ends_with:?}; report:\n{}",
            self.report_text
        );
        self
    }
}

/// All of npm's debug logs in `env`, concatenated.
pub fn debug_logs(env: &NpmEnv) -> String {
    let Ok(entries) = std::fs::read_dir(env.logs_dir()) else {
        return String::new();
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect()
}

/// `path:line` as regauth may print it.
pub fn file_line_forms(path: &Path, line: usize, home: &Path) -> Vec<String> {
    let mut forms = vec![format!("{}:{line}", path.display())];
    if let Ok(rest) = path.strip_prefix(home) {
        forms.push(format!("~/{}:{line}", rest.display()));
    }
    forms
}

pub fn cause_text(cause: &Value) -> String {
    let mut parts = vec![cause["summary"].as_str().unwrap_or("").to_owned()];
    for evidence in cause["evidence"].as_array().into_iter().flatten() {
        parts.push(evidence["text"].as_str().unwrap_or("").to_owned());
        parts.push(evidence["source"].as_str().unwrap_or("").to_owned());
    }
    for key in ["fix", "verify"] {
        for step in cause[key].as_array().into_iter().flatten() {
            parts.push(step.as_str().unwrap_or("").to_owned());
        }
    }
    parts.join("\n")
}

/// What follows npm's own last `npm error` / `npm warn` line on stderr: regauth's part.
pub fn after_npm_output(stderr: &str) -> &str {
    let mut end = 0;
    let mut offset = 0;
    for line in stderr.split_inclusive('\n') {
        offset += line.len();
        if line.starts_with("npm error") || line.starts_with("npm warn") {
            end = offset;
        }
    }
    &stderr[end..]
}

/// The first JSON object in `text` that starts at the beginning of a line.
pub fn json_in(text: &str) -> Option<Value> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with('{') {
            let mut stream = serde_json::Deserializer::from_str(&text[offset..]).into_iter();
            if let Some(Ok(value)) = stream.next() {
                return Some(value);
            }
        }
        offset += line.len();
    }
    None
}

/// Runs a command with stdin closed (never a tty), capturing stdout and stderr.
pub fn run(command: &mut Command) -> Ran {
    let started = Instant::now();
    let out = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {command:?}: {e}"));
    Ran {
        status: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// "//127.0.0.1:PORT/" for a registry URL "http://127.0.0.1:PORT/".
pub fn nerf_dart(url: &str) -> String {
    url.trim_start_matches("http:").to_owned()
}

/// "127.0.0.1:PORT" of a URL.
pub fn host_port(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned()
}

/// Writes a package.json for `npm publish` in the project.
pub fn write_package_json(env: &NpmEnv, name: &str, version: &str) {
    std::fs::write(
        env.project().join("package.json"),
        format!("{{\"name\":\"{name}\",\"version\":\"{version}\",\"main\":\"index.js\"}}\n"),
    )
    .unwrap();
    std::fs::write(env.project().join("index.js"), "module.exports = 1;\n").unwrap();
}
