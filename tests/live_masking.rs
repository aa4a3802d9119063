//! Secrets are masked by value, names never: with `//host/:_authToken=${NPM_TOKEN}`, every
//! output of a live explanation (the human text, the JSON on stderr, the GitHub annotation, the
//! report file) shows `${NPM_TOKEN}` as written, whether NPM_TOKEN is unset (npm then sends the
//! literal text, which is no secret) or set to a canary (which never appears).

mod live_common;
mod support;

use live_common::{after_npm_output, nerf_dart, Expect, Scenario, CANARY};
use support::{NpmEnv, Verdaccio};

/// What regauth printed and wrote for one run, by output.
struct Outputs {
    human: String,
    json: String,
    annotation: String,
    report_file: String,
}

fn scenario(token: Option<&str>) -> Scenario {
    let a = Verdaccio::shared();
    let mut env = NpmEnv::new();
    env.write_userconfig(&format!(
        "@priv:registry={}\n{}:_authToken=${{NPM_TOKEN}}\n",
        a.url(),
        nerf_dart(&a.url())
    ));
    match token {
        Some(value) => env.set_env("NPM_TOKEN", value),
        None => env.remove_env("NPM_TOKEN"),
    };
    env.set_env("GITHUB_ACTIONS", "true");
    Scenario::new(env, &["view", "@priv/lib", "version"])
}

fn e401() -> Expect<'static> {
    Expect {
        exit: 1,
        code: Some("E401"),
        stderr_has: "Unable to authenticate",
    }
}

/// Runs the scenario in human and in JSON mode (each checked by the harness, which also fails on
/// a leaked canary in any output) and collects every output.
fn outputs(token: Option<&str>) -> Outputs {
    let human_run = scenario(token).explain(&e401());
    let human_part = after_npm_output(&human_run.ran.stderr).to_owned();
    let json_run = scenario(token).json().explain(&e401());
    let json_part = after_npm_output(&json_run.ran.stderr).to_owned();
    let annotation = human_part
        .lines()
        .chain(json_part.lines())
        .filter(|l| l.starts_with("::error"))
        .collect::<Vec<_>>()
        .join("\n");
    let human = human_part
        .lines()
        .filter(|l| !l.starts_with("::error"))
        .collect::<Vec<_>>()
        .join("\n");
    let json = json_part
        .lines()
        .filter(|l| !l.starts_with("::error"))
        .collect::<Vec<_>>()
        .join("\n");
    Outputs {
        human,
        json,
        annotation,
        report_file: human_run.report_text.clone(),
    }
}

fn each(outputs: &Outputs) -> [(&'static str, &str); 4] {
    [
        ("human", &outputs.human),
        ("JSON", &outputs.json),
        ("GitHub annotation", &outputs.annotation),
        ("report file", &outputs.report_file),
    ]
}

#[test]
fn an_unset_variable_is_named_in_every_output_and_nothing_is_masked() {
    let outputs = outputs(None);
    for (place, text) in each(&outputs) {
        assert!(!text.trim().is_empty(), "PRODUCT: no {place} output");
        assert!(
            text.contains("${NPM_TOKEN}") || text.contains("NPM_TOKEN"),
            "PRODUCT: the variable is not named in the {place}:\n{text}"
        );
        assert!(
            !text.contains("****"),
            "PRODUCT: something is masked in the {place} though no secret is set:\n{text}"
        );
    }
    assert!(
        outputs.human.contains("${NPM_TOKEN}"),
        "PRODUCT: the .npmrc reference as written:\n{}",
        outputs.human
    );
}

#[test]
fn a_set_variable_is_named_and_its_canary_value_never_shown() {
    let outputs = outputs(Some(CANARY));
    for (place, text) in each(&outputs) {
        assert!(!text.contains(CANARY), "PRODUCT: canary in the {place}");
        assert!(
            !text.contains("CANARY"),
            "PRODUCT: part of the canary in the {place}"
        );
        assert!(
            text.contains("NPM_TOKEN"),
            "PRODUCT: the variable is not named in the {place}:\n{text}"
        );
    }
}
