//! The sample failures in examples/ (real npm 11 runs against a local Verdaccio, recorded by
//! examples/make.sh): each one, output or debug log, explains to the cause it is named after,
//! with no configuration and no registry.

use std::path::PathBuf;

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The cause ids the examples are named after (`<cause>.log` and `<cause>.out`).
fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".log").map(str::to_owned)
        })
        .collect();
    cases.sort();
    cases
}

fn top_cause(file: &std::path::Path) -> String {
    let out = assert_cmd::Command::cargo_bin("regauth")
        .unwrap()
        .arg("explain")
        .arg(file)
        .args(["--format", "json", "--no-config", "--no-probe"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", file.display());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    report["causes"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

#[test]
fn there_are_several_examples_each_with_output_and_debug_log() {
    let cases = cases();
    assert!(cases.len() >= 4, "{cases:?}");
    for case in &cases {
        assert!(
            examples().join(format!("{case}.out")).is_file(),
            "{case}.out"
        );
    }
}

#[test]
fn each_example_explains_to_the_cause_it_is_named_after() {
    for case in cases() {
        for ext in ["log", "out"] {
            let file = examples().join(format!("{case}.{ext}"));
            assert_eq!(top_cause(&file), case, "{}", file.display());
        }
    }
}

#[test]
fn the_examples_show_npm_11_and_no_machine_paths() {
    for case in cases() {
        let log = std::fs::read_to_string(examples().join(format!("{case}.log"))).unwrap();
        assert!(log.contains("info using npm@11."), "{case}");
        assert!(
            !log.contains("/tmp/"),
            "{case}: temp paths are replaced by /home/you"
        );
        assert!(log.contains("127.0.0.1:4873"), "{case}");
    }
}
