//! The GitHub Action (action.yml): its `run:` steps executed with bash the way the runner does
//! (GITHUB_PATH, GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY files; `${{ }}` expressions),
//! installing regauth's npm package from a real Verdaccio; then a failing `npm ci` step.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::npm_pack::{shared_registry, text, VERSION};
use support::NpmEnv;

const CANARY: &str = "CANARY_npm_action_0123456789abcdefSECRET";

/// action.yml as JSON, parsed by js-yaml (installed with Verdaccio in tests/verdaccio).
fn action() -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("node")
        .arg("-e")
        .arg("const y = require(process.argv[1]); const fs = require('fs'); console.log(JSON.stringify(y.load(fs.readFileSync(process.argv[2], 'utf8'))))")
        .arg(root.join("tests/verdaccio/node_modules/js-yaml"))
        .arg(root.join("action.yml"))
        .output()
        .expect("run node with js-yaml");
    assert!(
        output.status.success(),
        "parse action.yml: {}",
        text(&output)
    );
    serde_json::from_slice(&output.stdout).expect("action.yml as JSON")
}

/// One simulated job: the runner's files and the environment later steps see.
struct Job {
    env: NpmEnv,
    inputs: BTreeMap<String, String>,
    outputs: BTreeMap<String, BTreeMap<String, String>>,
    path_prefix: Vec<PathBuf>,
    job_env: BTreeMap<String, String>,
}

impl Job {
    fn new(inputs: &[(&str, &str)]) -> Job {
        let mut env = NpmEnv::new();
        let runner = env.root().join("runner");
        for dir in ["temp", "tool-cache", "files"] {
            fs::create_dir_all(runner.join(dir)).unwrap();
        }
        let files = runner.join("files");
        for (var, file) in [
            ("GITHUB_PATH", "path"),
            ("GITHUB_ENV", "env"),
            ("GITHUB_STEP_SUMMARY", "summary.md"),
        ] {
            fs::write(files.join(file), "").unwrap();
            env.set_env(var, files.join(file));
        }
        env.set_env("GITHUB_ACTIONS", "true");
        env.set_env("CI", "true");
        env.set_env("RUNNER_TEMP", runner.join("temp"));
        env.set_env("RUNNER_TOOL_CACHE", runner.join("tool-cache"));
        env.set_env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"));
        let mut defaults: BTreeMap<String, String> = action()["inputs"]
            .as_object()
            .expect("inputs")
            .iter()
            .map(|(k, v)| (k.clone(), v["default"].as_str().unwrap_or("").to_owned()))
            .collect();
        for (k, v) in inputs {
            defaults.insert(k.to_string(), v.to_string());
        }
        Job {
            env,
            inputs: defaults,
            outputs: BTreeMap::new(),
            path_prefix: Vec::new(),
            job_env: BTreeMap::new(),
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.env.root().join("runner/files").join(name)
    }

    fn summary(&self) -> String {
        fs::read_to_string(self.file("summary.md")).unwrap()
    }

    /// `${{ inputs.x }}` / `${{ steps.id.outputs.x }}`, the only expressions action.yml uses.
    fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find("}}").expect("closed expression") + start;
            let expr = rest[start + 3..end].trim();
            let parts: Vec<&str> = expr.split('.').collect();
            let value = match parts.as_slice() {
                ["inputs", name] => self.inputs.get(*name).cloned(),
                ["steps", id, "outputs", name] => {
                    self.outputs.get(*id).and_then(|o| o.get(*name)).cloned()
                }
                _ => panic!("expression the test does not know: {expr}"),
            };
            out.push_str(&value.unwrap_or_else(|| panic!("no value for {expr}")));
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// A command with the job's PATH additions and GITHUB_ENV variables applied.
    fn command(&self, program: &str) -> Command {
        let mut c = self.env.command(program);
        let base = std::env::var("PATH").unwrap_or_default();
        let mut path: Vec<String> = self
            .path_prefix
            .iter()
            .rev()
            .map(|p| p.display().to_string())
            .collect();
        path.push(base);
        c.env("PATH", path.join(":"));
        c.envs(&self.job_env);
        c
    }

    /// Runs one `run:` step like the runner (`bash --noprofile --norc -eo pipefail FILE`), then
    /// takes in what it wrote to GITHUB_OUTPUT, GITHUB_PATH and GITHUB_ENV.
    fn run_step(&mut self, step: &serde_json::Value) -> std::process::Output {
        assert_eq!(step["shell"], "bash", "{step}");
        let script = self.env.root().join("runner/temp/step.sh");
        fs::write(&script, self.expand(step["run"].as_str().unwrap())).unwrap();
        let output_file = self.file("output");
        fs::write(&output_file, "").unwrap();
        let mut c = self.command("bash");
        c.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script);
        c.env("GITHUB_OUTPUT", &output_file);
        for (k, v) in step["env"].as_object().into_iter().flatten() {
            c.env(k, self.expand(v.as_str().unwrap()));
        }
        let output = c.output().expect("run step");
        if let Some(id) = step["id"].as_str() {
            self.outputs.insert(
                id.to_owned(),
                key_values(&fs::read_to_string(&output_file).unwrap()),
            );
        }
        for line in fs::read_to_string(self.file("path")).unwrap().lines() {
            let dir = PathBuf::from(line);
            if !self.path_prefix.contains(&dir) {
                self.path_prefix.push(dir);
            }
        }
        self.job_env
            .extend(key_values(&fs::read_to_string(self.file("env")).unwrap()));
        output
    }

    /// Every step of the action; `uses:` steps (actions/cache) are the runner's, not run here.
    fn run_action(&mut self) -> Vec<std::process::Output> {
        let steps = action()["runs"]["steps"].as_array().expect("steps").clone();
        let mut outputs = Vec::new();
        for step in &steps {
            if let Some(uses) = step["uses"].as_str() {
                assert!(uses.starts_with("actions/cache@"), "unexpected step {uses}");
                continue;
            }
            let output = self.run_step(step);
            let failed = !output.status.success();
            outputs.push(output);
            if failed {
                break;
            }
        }
        outputs
    }
}

fn key_values(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn all_text(outputs: &[std::process::Output]) -> String {
    outputs.iter().map(text).collect()
}

#[test]
fn later_npm_steps_run_through_regauth_and_an_auth_failure_gets_annotation_and_summary() {
    let verdaccio = shared_registry();
    let mut job = Job::new(&[("registry", &verdaccio.url())]);
    let outputs = job.run_action();
    assert!(
        outputs.iter().all(|o| o.status.success()),
        "{}",
        all_text(&outputs)
    );
    let shims = PathBuf::from(&job.outputs["where"]["shims"]);
    assert_eq!(job.path_prefix, vec![shims.clone()]);
    assert!(
        job.job_env.is_empty(),
        "probe on, format human set nothing: {:?}",
        job.job_env
    );

    // The next step: `npm` is the shim, a link to the native binary.
    let (npm, _) = {
        let o = job
            .command("bash")
            .args(["-c", "command -v npm"])
            .output()
            .unwrap();
        (String::from_utf8_lossy(&o.stdout).trim().to_owned(), o)
    };
    assert_eq!(PathBuf::from(&npm), shims.join("npm"));
    let target = fs::canonicalize(&npm).unwrap();
    assert!(
        target.ends_with("@regauth/linux-x64-gnu/bin/regauth"),
        "{}",
        target.display()
    );

    // The classic CI mistake: setup-node's .npmrc reads ${NODE_AUTH_TOKEN}, the step sets none.
    // The user config also holds a token for another registry: it must not leak.
    let host = verdaccio.url().trim_start_matches("http:").to_owned();
    write_locked_project(&job.env, &verdaccio.url(), verdaccio.token("alice"));
    job.env.write_project_npmrc(&format!(
        "registry={}\n{host}:_authToken=${{NODE_AUTH_TOKEN}}\n",
        verdaccio.url()
    ));
    job.env
        .write_userconfig(&format!("//npm.pkg.github.com/:_authToken={CANARY}\n"));
    let failed = job
        .command("bash")
        .args(["-c", "npm ci --no-audit --no-fund"])
        .output()
        .unwrap();
    let log = text(&failed);
    assert!(!failed.status.success(), "{log}");
    let annotation = log
        .lines()
        .find(|l| l.starts_with("::error title=regauth%3A "))
        .unwrap_or_else(|| panic!("no annotation in {log}"));
    let cause = annotation["::error title=regauth%3A ".len()..]
        .split("::")
        .next()
        .unwrap();
    // The top cause is the diagnosis' business (tests/live_*.rs); here: the same cause in the
    // annotation and the summary, and the unset variable among the candidates.
    assert!(regauth::diagnose::CAUSE_IDS.contains(&cause), "{log}");
    let summary = job.summary();
    assert!(
        summary.starts_with("### regauth: `npm ci` failed: 401 from 127.0.0.1:"),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("**Cause:** `{cause}`")),
        "{summary}"
    );
    assert!(
        summary.contains("**Evidence**") && summary.contains("**Fix**"),
        "{summary}"
    );
    assert!(summary.contains("`token-env-unset`"), "{summary}");
    assert!(
        annotation.contains(summary_cause_sentence(&summary)),
        "{annotation}\n{summary}"
    );
    assert!(
        !log.contains(CANARY) && !summary.contains(CANARY),
        "the token leaked:\n{log}\n{summary}"
    );
}

/// The summary's sentence about the cause (the annotation carries the same one).
fn summary_cause_sentence(summary: &str) -> &str {
    let line = summary
        .lines()
        .find(|l| l.starts_with("**Cause:**"))
        .expect("a cause line");
    line.split(" confidence). ")
        .nth(1)
        .expect("a summary sentence")
}

/// package.json + package-lock.json for @priv/lib, made by an install that had a valid token.
fn write_locked_project(env: &NpmEnv, registry: &str, token: &str) {
    let host = registry.trim_start_matches("http:");
    let npmrc = env.root().join("lock.npmrc");
    fs::write(
        &npmrc,
        format!("registry={registry}\n{host}:_authToken={token}\n"),
    )
    .unwrap();
    let locked = env
        .npm()
        .args([
            "install",
            "@priv/lib",
            "--package-lock-only",
            "--no-audit",
            "--no-fund",
            "--userconfig",
        ])
        .arg(&npmrc)
        .output()
        .unwrap();
    assert!(locked.status.success(), "{}", text(&locked));
    fs::remove_file(npmrc).unwrap();
}

#[test]
fn probe_off_and_json_go_to_github_env_and_bad_inputs_fail_with_an_annotation() {
    let verdaccio = shared_registry();
    let mut job = Job::new(&[
        ("registry", &verdaccio.url()),
        ("probe", "off"),
        ("format", "json"),
    ]);
    let outputs = job.run_action();
    assert!(
        outputs.iter().all(|o| o.status.success()),
        "{}",
        all_text(&outputs)
    );
    assert_eq!(
        job.job_env.get("REGAUTH_PROBE").map(String::as_str),
        Some("off")
    );
    assert_eq!(
        job.job_env.get("REGAUTH_FORMAT").map(String::as_str),
        Some("json")
    );
    assert!(job.outputs["where"]["version"] == VERSION);

    let mut bad = Job::new(&[("registry", &verdaccio.url()), ("probe", "sometimes")]);
    let outputs = bad.run_action();
    assert_eq!(outputs.len(), 1);
    assert!(!outputs[0].status.success());
    assert!(text(&outputs[0])
        .contains("::error title=regauth action::input probe must be on or off, not 'sometimes'"));
    assert!(bad.path_prefix.is_empty());

    // regauth is not on npmjs: without a registry the action says so and installs nothing
    let mut unnamed = Job::new(&[]);
    let outputs = unnamed.run_action();
    assert_eq!(outputs.len(), 1);
    assert!(!outputs[0].status.success());
    assert!(text(&outputs[0]).contains(
        "::error title=regauth action::input registry is required: the registry you published \
         regauth's npm package to (it is not on npmjs)"
    ));
    assert!(unnamed.path_prefix.is_empty());
}
