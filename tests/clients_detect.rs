//! Failure extraction for pnpm 10/11/12, yarn 1 and yarn 4 from their real output
//! (tests/data/clients/, made against Verdaccio): `regauth explain` finds the client, the
//! failing request or package, and for the text-decided scenarios the right top cause.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/clients")
        .join(name)
}

/// `regauth explain FILE --no-config --no-probe --format json`.
fn explain(name: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_regauth"))
        .args(["explain", "--no-config", "--no-probe", "--format", "json"])
        .arg(data(name))
        .output()
        .expect("run regauth explain");
    assert!(out.status.success(), "{name}: exit {:?}", out.status);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"))
}

struct Case {
    file: &'static str,
    tool: &'static str,
    status: Option<u64>,
    /// The failing URL, or None when the client prints none (yarn 4's YN0041).
    url: Option<&'static str>,
    package: Option<&'static str>,
    /// The top cause when the text alone decides it.
    top: Option<&'static str>,
}

const PRIV: &str = "http://127.0.0.1:4873/@priv%2Flib";
const PRIV_Y1: &str = "http://127.0.0.1:4873/@priv%2flib";

fn case(
    file: &'static str,
    tool: &'static str,
    status: Option<u64>,
    url: Option<&'static str>,
) -> Case {
    Case {
        file,
        tool,
        status,
        url,
        package: None,
        top: None,
    }
}

fn cases() -> Vec<Case> {
    let pkg = |mut c: Case, p| {
        c.package = Some(p);
        c
    };
    let top = |mut c: Case, t| {
        c.top = Some(t);
        c
    };
    let mut all = Vec::new();
    for v in ["pnpm10", "pnpm11", "pnpm12"] {
        let f = |s: &str| -> &'static str { Box::leak(format!("{v}/{s}.txt").into_boxed_str()) };
        all.push(case(f("token-missing"), "pnpm", Some(401), Some(PRIV)));
        all.push(case(f("wrong-host"), "pnpm", Some(401), Some(PRIV)));
        all.push(case(f("garbage"), "pnpm", Some(401), Some(PRIV)));
        all.push(top(
            case(f("env-unset-user"), "pnpm", Some(401), Some(PRIV)),
            "token-env-unset",
        ));
        all.push(case(f("env-set-project"), "pnpm", Some(401), Some(PRIV)));
        all.push(case(
            f("scope-not-mapped"),
            "pnpm",
            Some(401),
            Some("http://127.0.0.1:4874/@priv%2Flib"),
        ));
        all.push(pkg(
            case(
                f("forbidden"),
                "pnpm",
                Some(403),
                Some("http://127.0.0.1:4873/@team%2Fsecret"),
            ),
            "@team/secret",
        ));
    }
    // pnpm 10 publishes through npm (its output is npm's); pnpm 11 and 12 print their own.
    all.push(top(
        case("pnpm10/publish-forbidden.txt", "npm", Some(403), None),
        "publish-not-allowed",
    ));
    all.push(top(
        case("pnpm11/publish-forbidden.txt", "pnpm", Some(403), None),
        "publish-not-allowed",
    ));
    all.push(top(
        pkg(
            case("pnpm12/publish-forbidden.txt", "pnpm", Some(403), None),
            "@priv/bobs",
        ),
        "publish-not-allowed",
    ));
    all.push(pkg(
        case("pnpm12/publish-notoken.txt", "pnpm", Some(401), None),
        "@priv/nobody",
    ));
    all.push(pkg(
        case("pnpm11/publish-notoken.txt", "pnpm", None, None),
        "@priv/nobody",
    ));
    // pnpm 10 drops a project .npmrc whose ${VAR} is unset, so the request goes elsewhere
    all.push(top(
        case(
            "pnpm10/env-unset-project.txt",
            "pnpm",
            Some(404),
            Some("https://registry.npmjs.org/@priv%2Flib"),
        ),
        "token-env-unset",
    ));
    for s in ["token-missing", "wrong-host", "garbage", "env-empty-user"] {
        let file: &'static str = Box::leak(format!("yarn1/{s}.txt").into_boxed_str());
        all.push(pkg(case(file, "yarn1", None, Some(PRIV_Y1)), "@priv/lib"));
    }
    all.push(top(
        case("yarn1/env-unset-user.txt", "yarn1", None, None),
        "token-env-unset",
    ));
    all.push(top(
        case("yarn1/env-unset-project.txt", "yarn1", None, None),
        "token-env-unset",
    ));
    all.push(top(
        case(
            "yarn1/forbidden.txt",
            "yarn1",
            None,
            Some("http://127.0.0.1:4873/@team%2fsecret"),
        ),
        "insufficient-permission",
    ));
    all.push(top(
        case(
            "yarn1/publish-forbidden.txt",
            "yarn1",
            None,
            Some("http://127.0.0.1:4873/@priv%2fbobs"),
        ),
        "publish-not-allowed",
    ));
    all.push(top(
        case("yarn1/publish-notoken.txt", "yarn1", None, None),
        "token-missing",
    ));
    for s in [
        "token-missing",
        "wrong-host",
        "scope-not-mapped",
        "env-empty-user",
        "garbage",
    ] {
        let file: &'static str = Box::leak(format!("yarn4/{s}.txt").into_boxed_str());
        all.push(pkg(case(file, "yarn-berry", None, None), "@priv/lib"));
    }
    all.push(top(
        case("yarn4/env-unset-user.txt", "yarn-berry", None, None),
        "token-env-unset",
    ));
    all.push(top(
        case("yarn4/env-unset-project.txt", "yarn-berry", None, None),
        "token-env-unset",
    ));
    all.push(pkg(
        case(
            "yarn4/forbidden.txt",
            "yarn-berry",
            Some(403),
            Some("http://127.0.0.1:4873/@team%2fsecret"),
        ),
        "@team/secret",
    ));
    all
}

#[test]
fn every_real_client_failure_is_an_auth_failure_with_its_request() {
    let cases = cases();
    // one regauth per case, in parallel: the 2-core machine is otherwise idle waiting on spawns
    let reports: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = cases.iter().map(|c| s.spawn(|| explain(c.file))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut wrong = Vec::new();
    for (c, r) in cases.iter().zip(reports) {
        let f = &r["failure"];
        let mut check = |what: &str, ok: bool, got: &Value| {
            if !ok {
                wrong.push(format!("{}: {what} is {got}", c.file));
            }
        };
        check(
            "auth_failure",
            r["auth_failure"] == true,
            &r["auth_failure"],
        );
        check("tool", r["tool"] == c.tool, &r["tool"]);
        if let Some(status) = c.status {
            check("http_status", f["http_status"] == status, &f["http_status"]);
        }
        if let Some(url) = c.url {
            check("url", f["url"] == url, &f["url"]);
        }
        if let Some(package) = c.package {
            check("package", f["package"] == package, &f["package"]);
        }
        if let Some(top) = c.top {
            check(
                "top cause",
                r["causes"][0]["id"] == top,
                &r["causes"][0]["id"],
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "{} mismatches:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn pnpm_lists_the_variable_it_could_not_replace_and_the_setting_it_ignored() {
    for v in ["pnpm10", "pnpm11", "pnpm12"] {
        let r = explain(&format!("{v}/env-unset-user.txt"));
        let text = r.to_string();
        assert!(
            text.contains("NPM_TOKEN"),
            "{v}: the variable is named: {text}"
        );
        let r = explain(&format!("{v}/env-set-project.txt"));
        let evidence = r["causes"][0]["evidence"].to_string();
        assert!(
            evidence.contains("Ignored project-level auth setting"),
            "{v}: pnpm's own warning is the evidence: {evidence}"
        );
    }
}

#[test]
fn npm12_config_and_fetch_policy_errors_are_not_auth_failures() {
    for (file, code) in [
        ("npm12/unknown-cli-flag.txt", "EUNKNOWNCONFIG"),
        ("npm12/strict-npmrc-always-auth.txt", "EUNKNOWNCONFIG"),
        ("npm12/allow-git-none.txt", "EALLOWGIT"),
        ("npm12/lockfile-remote-host.txt", "EALLOWREMOTE"),
    ] {
        let r = explain(file);
        assert_eq!(r["auth_failure"], false, "{file}");
        assert_eq!(r["failure"]["code"], code, "{file}");
        assert_eq!(
            r["causes"].as_array().map(Vec::len),
            Some(0),
            "{file}: no cause"
        );
    }
}
