//! Live scenarios a real Verdaccio cannot answer, served by the loopback fixture server (OTP
//! challenge, policy and account 403 bodies, the public registry's 404, a 407 proxy, a registry
//! that never answers), plus the shim-mode guarantees: silence for non-auth failures and success,
//! no secret in any output, and one explanation for a nested `npm run` -> npm failure.

mod live_common;
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use live_common::{
    after_npm_output, host_port, json_in, nerf_dart, run, write_package_json, Expect, Scenario,
    CANARY, CANARY2, QUIET_GLOBAL_CONFIG,
};
use serde_json::json;
use support::{FixtureServer, NpmEnv, Request, Response, Verdaccio};

/// A fixture registry: `/-/whoami` says carol (the token "works"), `/-/ping` is fine, and every
/// other request gets `reply(request)`.
fn registry(reply: impl Fn(&Request) -> Response + Send + Sync + 'static) -> FixtureServer {
    FixtureServer::start(move |request| match request.path.as_str() {
        "/-/whoami" => Response::new(200).json(json!({"username": "carol"})),
        "/-/ping" => Response::new(200).json(json!({})),
        _ => reply(request),
    })
}

fn not_found() -> Response {
    Response::new(404).json(json!({"error": "Not found"}))
}

/// An env whose ~/.npmrc is `lines` (numbered from 1) and sends no proxy variables.
fn env_with_userconfig(lines: &[String]) -> NpmEnv {
    let mut env = NpmEnv::new();
    env.write_userconfig(&(lines.join("\n") + "\n"));
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        env.remove_env(var);
    }
    env
}

/// ~/.npmrc: the fixture as default registry with a canary token for it.
fn env_on_fixture(fixture: &FixtureServer) -> NpmEnv {
    env_with_userconfig(&[
        format!("registry={}", fixture.url()),
        format!("{}:_authToken={CANARY}", nerf_dart(&fixture.url())),
    ])
}

// --- otp-required, blocked-by-policy, account-issue ----------------------------------------

#[test]
fn otp_required_on_publish_without_a_tty() {
    let fixture = registry(|request| {
        match request.method.as_str() {
        "PUT" => Response::new(401)
            .header("www-authenticate", "OTP")
            .json(json!({"error": "You must provide a one-time pass. Upgrade your client to npm@latest in order to use 2FA."})),
        _ => not_found(),
    }
    });
    let env = env_on_fixture(&fixture);
    write_package_json(&env, "otp-pkg", "1.0.0");
    // stdin is /dev/null, so npm cannot prompt for the code: EOTP.
    let explained = Scenario::new(env, &["publish"]).json().explain(&Expect {
        exit: 1,
        code: Some("EOTP"),
        stderr_has: "one-time password",
    });
    explained.top_is("otp-required", "high").fix_names("--otp");
    let puts = fixture
        .requests()
        .iter()
        .filter(|r| r.method == "PUT")
        .count();
    assert_eq!(
        puts, 2,
        "PRODUCT: a publish must never be repeated by a probe (one PUT by npm directly, one through regauth)"
    );
}

#[test]
fn blocked_by_policy_quarantined_package_despite_a_working_token() {
    // Sonatype Nexus Firewall's wording (corpus c033/c035). whoami answers carol, so a naive
    // "whoami ok + 403" rule would say insufficient-permission; the body says policy.
    let fixture = registry(|request| {
        if request.path == "/evil-pkg" {
            Response::new(403).json(
                json!({"error": "Requested item is quarantined: evil-pkg@1.0.0 (malicious code)"}),
            )
        } else {
            not_found()
        }
    });
    let explained = Scenario::new(env_on_fixture(&fixture), &["view", "evil-pkg", "version"])
        .explain(&Expect {
            exit: 1,
            code: Some("E403"),
            stderr_has: "Requested item is quarantined",
        });
    explained
        .failure_is(Some(403), "/evil-pkg")
        .top_is_at_least_medium("blocked-by-policy");
}

#[test]
fn account_issue_unverified_email_on_publish() {
    // npmjs' reply to a first publish from an account whose email is not verified (corpus c048).
    let fixture = registry(|request| {
        match request.method.as_str() {
        "PUT" => Response::new(403).json(json!({"error": "you must verify your email before publishing a new package: https://www.npmjs.com/email-edit"})),
        _ => not_found(),
    }
    });
    let env = env_on_fixture(&fixture);
    write_package_json(&env, "fresh-pkg", "1.0.0");
    let explained = Scenario::new(env, &["publish"]).explain(&Expect {
        exit: 1,
        code: Some("E403"),
        stderr_has: "you must verify your email",
    });
    explained
        .failure_is(Some(403), "/fresh-pkg")
        .top_is_at_least_medium("account-issue");
}

// --- the public registry's 404 for a private package ---------------------------------------

/// A stand-in for registry.npmjs.org: 404 `{"error":"Not found"}` for any package it will not
/// show (private or missing: npmjs does not tell them apart), 401 for whoami without a login.
fn public_registry() -> FixtureServer {
    FixtureServer::start(|request| match request.path.as_str() {
        "/-/whoami" => Response::new(401).json(json!({"error": "Unauthorized"})),
        _ => not_found(),
    })
}

#[test]
fn public_registry_404_for_a_scope_that_lives_on_a_configured_private_registry() {
    // The user has a token for A (where @priv/lib lives) but no `@priv:registry` line, so the
    // scoped request went to the public registry, which answers 404 (never 401) for a package
    // it does not show. The missing mapping is the cause: scope-not-mapped, and the fix names
    // the scope and the registry that holds the credential.
    let a = Verdaccio::shared();
    let public = public_registry();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", public.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    let explained = Scenario::new(env, &["view", "@priv/lib", "version"])
        .secret(&token)
        .json()
        .explain(&Expect {
            exit: 1,
            code: Some("E404"),
            stderr_has: "could not be found or you do not have permission to access it",
        });
    explained
        .failure_is(Some(404), "/@priv%2flib")
        .top_is_at_least_medium("scope-not-mapped")
        .fix_names("@priv:registry")
        .fix_names(&host_port(&a.url()));
}

#[test]
fn public_registry_404_for_a_scoped_package_with_nothing_configured() {
    // No credential and no scope mapping anywhere. npmjs answers 404 both for a private package
    // of someone else's org and for a name that does not exist, so nothing here proves which:
    // the package may need a login (token-missing) or another registry (scope-not-mapped).
    // Either is acceptable as the top cause, but never with high confidence.
    let public = public_registry();
    let env = env_with_userconfig(&[format!("registry={}", public.url())]);
    let explained =
        Scenario::new(env, &["view", "@acme/internal-tool", "version"]).explain(&Expect {
            exit: 1,
            code: Some("E404"),
            stderr_has: "/@acme%2finternal-tool",
        });
    assert!(
        matches!(explained.top_id(), "token-missing" | "scope-not-mapped"),
        "PRODUCT: top cause {}; report:\n{}",
        explained.top_id(),
        explained.report_text
    );
    assert_ne!(
        explained.confidence(),
        "high",
        "PRODUCT: nothing proves the cause of a public 404; report:\n{}",
        explained.report_text
    );
    explained.names("@acme");
}

// --- proxy-auth ----------------------------------------------------------------------------

#[test]
fn proxy_answering_407() {
    let proxy = FixtureServer::start(|_| {
        Response::new(407)
            .header("proxy-authenticate", "Basic realm=\"corp-proxy\"")
            .body("Proxy Authentication Required")
    });
    let a = Verdaccio::shared();
    // npm uses `https-proxy` before `proxy`, even for an http:// registry (measured with npm
    // 11.19.1: with both set, only the https-proxy one is contacted). `proxy` here points at a
    // closed port, so the explanation must name line 3 and the fixture, not line 2.
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        "proxy=http://127.0.0.1:9/".to_owned(),
        format!("https-proxy={}", proxy.url()),
    ]);
    let userconfig = env.userconfig();
    let explained = Scenario::new(env, &["view", "pub-pkg", "version"]).explain(&Expect {
        exit: 1,
        code: Some("E407"),
        stderr_has: "407",
    });
    assert!(
        proxy
            .requests()
            .iter()
            .any(|r| r.path.contains(&format!("{}pub-pkg", a.url()))),
        "SETUP: npm did not go through the proxy: {:?}",
        proxy.requests()
    );
    explained
        .top_is("proxy-auth", "high")
        .names(&host_port(&proxy.url()))
        .names_line(&userconfig, 3);
}

// --- a registry that never answers the probes ----------------------------------------------

#[test]
fn probes_against_a_silent_registry_end_within_the_budget() {
    // The package GET answers 401 twice (npm directly, then npm through regauth); every later
    // request (the probes: whoami, view) is never answered. npm's own fetch-timeout is long, so
    // only regauth's probe budget can end them. The margin (6 s) is generous for a loaded
    // machine and still far below the 120 s the fixture would keep a probe waiting.
    let package_gets = Arc::new(AtomicUsize::new(0));
    let gets = Arc::clone(&package_gets);
    // The probes' requests are held until the test ends (the gate opens when `_answer_at_end`
    // drops), 120 s at most.
    let silence = support::Gate::new(Duration::from_secs(120));
    let _answer_at_end = silence.opened_on_drop();
    let fixture = FixtureServer::start(move |request| {
        if request.path == "/@priv%2flib" && gets.fetch_add(1, Ordering::SeqCst) < 2 {
            return Response::new(401).json(json!({"error": "authentication required"}));
        }
        silence.wait();
        Response::new(503)
    });
    let mut env = env_with_userconfig(&[
        format!("@priv:registry={}", fixture.url()),
        format!("{}:_authToken={CANARY}", nerf_dart(&fixture.url())),
    ]);
    env.write_globalconfig(&format!("{QUIET_GLOBAL_CONFIG}fetch-timeout=60000\n"));
    let budget = 1.5;
    env.set_env("REGAUTH_PROBE_TIMEOUT", budget.to_string());
    let home = env.home();
    let scenario = Scenario::new(env, &["view", "@priv/lib", "version"]);
    let explained = scenario.explain(&Expect {
        exit: 1,
        code: Some("E401"),
        stderr_has: "401",
    });
    // The probes did run (against the silent registry) and were stopped at the budget.
    let probes = explained.report["probes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !probes.is_empty(),
        "PRODUCT: no probe was planned, so the budget was not exercised:\n{}",
        explained.report_text
    );
    for probe in &probes {
        let ms = probe["duration_ms"].as_f64().unwrap_or(f64::MAX);
        assert!(
            ms <= (budget + 1.0) * 1000.0,
            "PRODUCT: a probe outlived the budget: {probe}"
        );
    }
    let left = processes_with_home(&home);
    assert!(
        left.is_empty(),
        "PRODUCT: probe processes outlived regauth: {left:?}"
    );
    let allowed = explained.direct.elapsed + Duration::from_secs_f64(budget + 6.0);
    assert!(
        explained.ran.elapsed <= allowed,
        "PRODUCT: regauth took {:?} (npm alone {:?}, probe budget {budget} s)",
        explained.ran.elapsed,
        explained.direct.elapsed
    );
}

/// Command lines of running processes whose HOME is `home` (this scenario's npm and probes).
fn processes_with_home(home: &std::path::Path) -> Vec<String> {
    let wanted = format!("HOME={}", home.display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().parse::<u32>().is_ok())
        .filter(|e| {
            std::fs::read(e.path().join("environ"))
                .map(|env| env.split(|b| *b == 0).any(|var| var == wanted.as_bytes()))
                .unwrap_or(false)
        })
        .map(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).replace('\0', " ")
        })
        .collect()
}

// --- silence: success and non-auth failures ------------------------------------------------

/// stderr without the lines that name npm's debug log (its file name has a timestamp).
fn stable_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| !l.contains("_logs/")).collect()
}

#[test]
fn non_auth_failure_is_silent() {
    // A typo'd unscoped name: E404, not an auth problem. The contract: regauth adds nothing to
    // stderr. REGAUTH_REPORT: the user asked for a file, so writing one that says
    // `"auth_failure": false` with no causes is allowed (it prints nothing); so is writing none.
    // What is not allowed is a file that claims an auth cause.
    let a = Verdaccio::shared();
    let env = env_with_userconfig(&[format!("registry={}", a.url())]);
    let scenario = Scenario::new(env, &["view", "pub-pkgg", "version"]);
    let direct = scenario.npm_directly(&Expect {
        exit: 1,
        code: Some("E404"),
        stderr_has: "404 Not Found - GET",
    });
    let shimmed = scenario.through_regauth();
    assert_eq!(shimmed.status, direct.status, "PRODUCT: exit status");
    assert_eq!(shimmed.stdout, direct.stdout, "PRODUCT: stdout");
    assert_eq!(
        stable_lines(&shimmed.stderr),
        stable_lines(&direct.stderr),
        "PRODUCT: regauth printed something for a non-auth failure"
    );
    if let Ok(text) = std::fs::read_to_string(scenario.report_path()) {
        let report: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("PRODUCT: report is not JSON ({e}): {text}"));
        assert_eq!(report["auth_failure"], false, "PRODUCT: {text}");
        assert_eq!(report["causes"], json!([]), "PRODUCT: {text}");
    }
}

#[test]
fn success_is_untouched_and_writes_no_report() {
    let a = Verdaccio::shared();
    let env = env_with_userconfig(&[format!("registry={}", a.url())]);
    let scenario = Scenario::new(env, &["view", "pub-pkg", "version"]);
    let direct = run(scenario.env.npm().args(&scenario.args));
    assert_eq!(direct.status, Some(0), "SETUP: {}", direct.stderr);
    assert_eq!(direct.stdout, b"1.0.0\n", "SETUP");
    let shimmed = scenario.through_regauth();
    assert_eq!(shimmed.status, Some(0), "PRODUCT: {}", shimmed.stderr);
    assert_eq!(shimmed.stdout, direct.stdout, "PRODUCT: stdout");
    assert_eq!(shimmed.stderr, direct.stderr, "PRODUCT: stderr");
    assert!(
        !scenario.report_path().exists(),
        "PRODUCT: a report was written for a successful npm call"
    );
}

// --- canaries ------------------------------------------------------------------------------

#[test]
fn canary_secrets_never_appear_in_any_output_or_annotation() {
    // Every credential form npm reads, each holding a canary: a token, `${NPM_TOKEN}` set to a
    // canary, `_auth` and `_password` (base64 of canary passwords), for the failing host and
    // for others. The run fails E401 (the token is not valid on A).
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let a = Verdaccio::shared();
    let auth = STANDARD.encode("carol:CANARYpassword1");
    let password = STANDARD.encode("CANARYpassword2");
    let lines = [
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken={CANARY}", nerf_dart(&a.url())),
        "//127.0.0.1:9/:_authToken=${NPM_TOKEN}".to_owned(),
        format!("//localhost:{}/:_auth={auth}", a.port()),
        "//127.0.0.2:9/:username=carol".to_owned(),
        format!("//127.0.0.2:9/:_password={password}"),
    ];
    for json_mode in [false, true] {
        let mut env = env_with_userconfig(&lines);
        env.set_env("NPM_TOKEN", CANARY2);
        env.set_env("GITHUB_ACTIONS", "true");
        let mut scenario = Scenario::new(env, &["view", "@priv/lib", "version"])
            .secret(&auth)
            .secret(&password)
            .secret("CANARYpassword");
        scenario.json_on_stderr = json_mode;
        let explained = scenario.explain(&Expect {
            exit: 1,
            code: Some("E401"),
            stderr_has: "Unable to authenticate",
        });
        let regauth_part = after_npm_output(&explained.ran.stderr);
        assert!(
            regauth_part.lines().any(|l| l.starts_with("::error")),
            "PRODUCT: no GitHub Actions annotation (json mode {json_mode}):\n{regauth_part}"
        );
        assert_eq!(
            regauth_part
                .lines()
                .filter(|l| l.starts_with("::error"))
                .count(),
            1,
            "PRODUCT: one annotation, not several:\n{regauth_part}"
        );
    }
}

// --- nested: npm run -> npm, through the shim first on PATH --------------------------------

#[test]
fn nested_npm_in_a_script_explains_the_failure_once() {
    let a = Verdaccio::shared();
    let mut env = env_with_userconfig(&[format!("@priv:registry={}", a.url())]);
    env.write_globalconfig(QUIET_GLOBAL_CONFIG);
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"proj","version":"1.0.0","scripts":{"fetch-lib":"npm view @priv/lib version --fetch-retries=0"}}"#,
    )
    .unwrap();
    let links = env.root().join("links");
    std::fs::create_dir_all(&links).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_regauth"), links.join("npm")).unwrap();
    let path = std::env::join_paths([links.clone(), "/usr/bin".into(), "/bin".into()]).unwrap();
    env.set_env("PATH", &path);
    let report_path = env.root().join("report.json");
    env.set_env("REGAUTH_REPORT", &report_path);
    env.set_env("REGAUTH_FORMAT", "json");

    let direct = run(env
        .npm()
        .env("PATH", "/usr/bin:/bin")
        .args(["run", "fetch-lib"]));
    assert_eq!(direct.status, Some(1), "SETUP: {}", direct.stderr);
    assert!(
        direct.stderr.contains("npm error code E401"),
        "SETUP: the inner npm should fail E401:\n{}",
        direct.stderr
    );

    let nested = run(env.command(links.join("npm")).args(["run", "fetch-lib"]));
    assert_eq!(nested.status, direct.status, "PRODUCT: exit status");
    assert_eq!(
        String::from_utf8_lossy(&nested.stdout),
        String::from_utf8_lossy(&direct.stdout),
        "PRODUCT: stdout"
    );
    let reports = nested.stderr.matches("\"schema\"").count();
    assert_eq!(
        reports, 1,
        "PRODUCT: the failure must be explained exactly once:\n{}",
        nested.stderr
    );
    let printed = json_in(&nested.stderr).expect("PRODUCT: a JSON report on stderr");
    assert_eq!(
        printed["causes"][0]["id"], "token-missing",
        "PRODUCT: {printed:#}"
    );
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).expect("PRODUCT: report file"))
            .unwrap();
    assert_eq!(
        file["causes"][0]["id"], "token-missing",
        "PRODUCT: {file:#}"
    );
}
