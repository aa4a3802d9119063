//! The probe runner with the real npm against a real Verdaccio on 127.0.0.1, and fixture servers
//! for replies Verdaccio cannot give (a 401 on whoami). The budget's tests: tests/probe_budget.rs.

mod support;

use regauth::probe::{
    probe, run_plan, Outcome, Owners, Plan, Probe, ProbeKind, ProbeRequest, Versions, View, Whoami,
};
use support::{FixtureServer, NpmEnv, Response, Verdaccio};

use support::probe_request::{answering, request, token_config, CANARY};

fn only(kind: ProbeKind, registry: &str) -> Plan {
    Plan {
        probes: vec![Probe {
            kind,
            registry: Some(registry.to_string()),
        }],
        skipped: vec![],
    }
}

fn run_one(env: &NpmEnv, kind: ProbeKind, registry: &str) -> regauth::probe::ProbeResult {
    let req = request(env, &["install"], registry);
    let mut results = run_plan(&only(kind, registry), &req, &answering());
    assert_eq!(results.len(), 1);
    results.remove(0)
}

#[test]
fn whoami_with_a_valid_token_names_the_user() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(v.port(), v.token("alice")));
    let result = run_one(&env, ProbeKind::Whoami, &v.url());
    assert_eq!(
        result.outcome,
        Outcome::Whoami(Whoami::Ok("alice".into())),
        "{result:?}"
    );
    assert_eq!(result.exit_code, Some(0));
    assert_eq!(result.summary(), "logged in as alice");
    assert_eq!(result.command, format!("npm whoami --registry {}", v.url()));
    assert!(result
        .requests
        .iter()
        .any(|r| r.url.ends_with("/-/whoami") && r.status == 200));
}

#[test]
fn whoami_with_a_garbage_token_is_needauth_after_a_request_on_verdaccio() {
    // Verdaccio treats an unknown token as anonymous: GET /-/whoami answers 200 {}, and npm
    // then says ENEEDAUTH (not E401).
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(v.port(), CANARY));
    let result = run_one(&env, ProbeKind::Whoami, &v.url());
    assert_eq!(
        result.outcome,
        Outcome::Whoami(Whoami::NeedAuth { request_sent: true }),
        "{result:?}"
    );
    assert_eq!(result.exit_code, Some(1));
    assert!(!result.summary().contains("CANARY"));
}

#[test]
fn whoami_without_a_token_at_the_exact_key_sends_nothing() {
    // A key without the trailing slash works for requests (npm walks up the path) but not for
    // whoami, which looks up the registry's exact nerf dart.
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "//127.0.0.1:{}:_authToken={}\n",
        v.port(),
        v.token("alice")
    ));
    let result = run_one(&env, ProbeKind::Whoami, &v.url());
    assert_eq!(
        result.outcome,
        Outcome::Whoami(Whoami::NeedAuth {
            request_sent: false
        }),
        "{result:?}"
    );
    assert!(result.requests.is_empty());
}

#[test]
fn whoami_against_a_registry_answering_401_is_rejected() {
    let fixture = FixtureServer::start(|_| {
        Response::new(401)
            .header("www-authenticate", "Bearer realm=\"fixture\"")
            .json(serde_json::json!({"error": "token expired"}))
    });
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(fixture.port(), CANARY));
    let result = run_one(&env, ProbeKind::Whoami, &fixture.url());
    let Outcome::Whoami(Whoami::Rejected(error)) = &result.outcome else {
        panic!("{result:?}")
    };
    assert_eq!(error.code.as_deref(), Some("E401"));
    assert_eq!(error.status, Some(401));
    assert_eq!(
        error.url.as_deref(),
        Some(format!("{}-/whoami", fixture.url()).as_str())
    );
    let seen = fixture.requests();
    assert_eq!(seen.len(), 1, "one request, no retries");
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {CANARY}").as_str())
    );
    assert!(!format!("{:?}", result.to_report()).contains("CANARY"));
}

#[test]
fn anonymous_view_of_a_private_package_gives_401_and_the_exact_url() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    let result = run_one(
        &env,
        ProbeKind::ViewVersion {
            package: "@priv/lib".into(),
        },
        &v.url(),
    );
    let Outcome::View(View::Failed(error)) = &result.outcome else {
        panic!("{result:?}")
    };
    assert_eq!(error.status, Some(401));
    assert_eq!(error.code.as_deref(), Some("E401"));
    assert_eq!(error.method.as_deref(), Some("GET"));
    assert_eq!(
        error.url.as_deref(),
        Some(format!("{}@priv%2flib", v.url()).as_str())
    );
    assert!(
        result
            .summary()
            .contains(&format!("401 GET {}@priv%2flib", v.url())),
        "{}",
        result.summary()
    );
}

#[test]
fn read_failure_probes_tell_permission_from_identity() {
    // alice's token is valid (whoami names her) yet @team/secret answers 403: a permission
    // problem, not a token problem. bob, who may read it, gets the version.
    let v = Verdaccio::shared();
    let alice = NpmEnv::new();
    alice.write_userconfig(&token_config(v.port(), v.token("alice")));
    let found = probe(
        &request(&alice, &["install", "@team/secret"], &v.url()),
        &answering(),
    );
    assert_eq!(found.whoami_user(), Some("alice"));
    let view = &found.results[1];
    let Outcome::View(View::Failed(error)) = &view.outcome else {
        panic!("{found:?}")
    };
    assert_eq!(error.status, Some(403));
    assert_eq!(
        error.url.as_deref(),
        Some(format!("{}@team%2fsecret", v.url()).as_str())
    );
    assert_eq!(
        error.message.as_deref(),
        Some("user alice is not allowed to access package @team/secret")
    );

    let bob = NpmEnv::new();
    bob.write_userconfig(&token_config(v.port(), v.token("bob")));
    let result = run_one(
        &bob,
        ProbeKind::ViewVersion {
            package: "@team/secret".into(),
        },
        &v.url(),
    );
    assert_eq!(
        result.outcome,
        Outcome::View(View::Found {
            version: "1.0.0".into()
        }),
        "{result:?}"
    );
}

/// Publishes `name@version` from a fresh project with the real `npm publish` as `user` (npm
/// records the publisher as maintainer).
fn npm_publish(v: &Verdaccio, user: &str, name: &str, version: &str) {
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(v.port(), v.token(user)));
    let manifest = format!(r#"{{"name":"{name}","version":"{version}"}}"#);
    std::fs::write(env.project().join("package.json"), manifest).unwrap();
    let out = env
        .npm()
        .args(["publish", "--registry", &v.url(), "--fetch-retries=0"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn publish_failure_probes_find_the_existing_version_and_the_maintainers() {
    let v = Verdaccio::shared();
    npm_publish(v, "alice", "probe-owned", "1.0.0");
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(v.port(), v.token("bob")));
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"probe-owned","version":"1.0.0"}"#,
    )
    .unwrap();
    let found = probe(&request(&env, &["publish"], &v.url()), &answering());
    let labels: Vec<_> = found.results.iter().map(|r| r.probe.kind.label()).collect();
    // (the publish presence probes, anonymous-view and access-status, come after: 3476e09)
    assert_eq!(
        labels,
        [
            "whoami",
            "view-versions",
            "owner-ls",
            "anonymous-view",
            "access-status"
        ]
    );
    assert_eq!(found.whoami_user(), Some("bob"));
    match &found.results[1].outcome {
        Outcome::Versions(Versions::Listed {
            versions,
            local_published,
            ..
        }) => {
            assert_eq!(versions, &["1.0.0"]);
            assert_eq!(*local_published, Some(true));
        }
        other => panic!("{other:?}"),
    }
    assert!(found.results[1]
        .summary()
        .contains("1.0.0 (package.json) already exists"));
    // Verdaccio 6.8 keeps no top-level `maintainers` (npmjs adds them server-side), so npm
    // prints "no admin found" and membership stays unknown.
    let Outcome::Owners(Owners::Listed(owners)) = &found.results[2].outcome else {
        panic!("{found:?}")
    };
    assert!(owners.is_empty(), "{owners:?}");
    assert_eq!(found.results[2].summary(), "no maintainers listed");
    assert_eq!(found.user_is_maintainer(), None);
}

#[test]
fn owner_ls_lists_the_maintainers_a_registry_records() {
    let fixture = FixtureServer::start(|req| {
        match req.path.as_str() {
        "/-/whoami" => Response::new(200).json(serde_json::json!({"username": "bob"})),
        "/owned" => Response::new(200).json(serde_json::json!({
            "name": "owned",
            "dist-tags": {"latest": "1.0.0"},
            "versions": {"1.0.0": {"name": "owned", "version": "1.0.0"}},
            "maintainers": [{"name": "alice", "email": "a@example.test"}, {"name": "bob", "email": "b@example.test"}],
        })),
        _ => Response::new(404).json(serde_json::json!({"error": "not found"})),
    }
    });
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(fixture.port(), CANARY));
    let req = ProbeRequest {
        package: Some("owned".into()),
        ..request(
            &env,
            &["dist-tag", "add", "owned@1.0.0", "next"],
            &fixture.url(),
        )
    };
    let found = probe(&req, &answering());
    let labels: Vec<_> = found.results.iter().map(|r| r.probe.kind.label()).collect();
    assert_eq!(labels, ["whoami", "owner-ls"]);
    assert_eq!(
        found.results[1].outcome,
        Outcome::Owners(Owners::Listed(vec!["alice".into(), "bob".into()]))
    );
    assert_eq!(found.results[1].summary(), "maintainers: alice, bob");
    assert_eq!(found.user_is_maintainer(), Some(true));
    assert!(
        fixture.requests().iter().all(|r| r.method == "GET"),
        "probes only read"
    );
}

#[test]
fn publish_of_a_new_version_is_seen_as_not_yet_published() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(v.port(), v.token("alice")));
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"pub-pkg","version":"2.0.0"}"#,
    )
    .unwrap();
    let found = probe(&request(&env, &["publish"], &v.url()), &answering());
    match &found.results[1].outcome {
        Outcome::Versions(Versions::Listed {
            versions,
            local_published,
            ..
        }) => {
            assert_eq!(versions, &["1.0.0"]);
            assert_eq!(*local_published, Some(false));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_echoed_token_never_reaches_a_summary() {
    // A hostile or careless registry that echoes the Authorization header in its error text.
    let fixture = FixtureServer::start(|req| {
        let auth = req.header("authorization").unwrap_or("").to_string();
        Response::new(403)
            .json(serde_json::json!({"error": format!("token {auth} is not allowed")}))
    });
    let env = NpmEnv::new();
    env.write_userconfig(&token_config(fixture.port(), CANARY));
    let found = probe(
        &request(&env, &["install", "some-pkg"], &fixture.url()),
        &answering(),
    );
    assert_eq!(found.results.len(), 2);
    let report = serde_json::to_string(&found.to_report()).unwrap();
    assert!(!report.contains("CANARY"), "{report}");
    assert!(report.contains("403"), "{report}");
}

#[test]
fn probes_leave_the_users_debug_logs_alone() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    let out = env
        .npm()
        .args([
            "view",
            "@priv/lib",
            "--registry",
            &v.url(),
            "--fetch-retries=0",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let before = log_files(&env);
    assert_eq!(before.len(), 1, "the user's failing run wrote its log");
    let found = probe(
        &request(&env, &["install", "@priv/lib"], &v.url()),
        &answering(),
    );
    assert!(!found.results.is_empty());
    assert_eq!(
        log_files(&env),
        before,
        "no probe log written, none deleted"
    );
}

fn log_files(env: &NpmEnv) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.logs_dir())
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn probes_see_the_config_the_user_gave_on_the_command_line() {
    // `npm install @priv/lib --userconfig ./ci.npmrc`: the token is only in ci.npmrc.
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    std::fs::write(
        env.project().join("ci.npmrc"),
        token_config(v.port(), v.token("alice")),
    )
    .unwrap();
    let req = request(
        &env,
        &["install", "@priv/lib", "--userconfig", "./ci.npmrc"],
        &v.url(),
    );
    let found = probe(&req, &answering());
    assert_eq!(found.whoami_user(), Some("alice"), "{found:?}");
    assert_eq!(
        found.results[1].outcome,
        Outcome::View(View::Found {
            version: "1.0.0".into()
        })
    );
}

#[test]
fn a_scoped_read_is_also_asked_of_the_registry_holding_a_credential() {
    // @priv is mapped to a registry that does not have it (404); the token is for Verdaccio,
    // which does. Viewing there too proves the mapping wrong, whatever the scope key says.
    let v = Verdaccio::shared();
    let public = FixtureServer::start(|_| {
        Response::new(404).json(serde_json::json!({"error": "not found"}))
    });
    let env = NpmEnv::new();
    env.write_userconfig(&format!(
        "@priv:registry={}\n{}",
        public.url(),
        token_config(v.port(), v.token("alice"))
    ));
    let req = ProbeRequest {
        credential: None,
        other_registries: vec![v.url()],
        ..request(&env, &["install", "@priv/lib"], &public.url())
    };
    let found = probe(&req, &answering());
    assert_eq!(found.results.len(), 2, "{found:?}");
    let Outcome::View(View::Failed(error)) = &found.results[0].outcome else {
        panic!("{found:?}")
    };
    assert_eq!(error.status, Some(404));
    assert_eq!(
        error.url.as_deref(),
        Some(format!("{}@priv%2flib", public.url()).as_str())
    );
    assert_eq!(
        found.results[1].outcome,
        Outcome::View(View::Found {
            version: "1.0.0".into()
        })
    );
    assert_eq!(
        found.results[1].command,
        format!(
            "npm view @priv/lib version --@priv:registry {} --loglevel=http",
            v.url()
        )
    );
}
