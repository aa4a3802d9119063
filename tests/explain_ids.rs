//! Every cause id of the taxonomy can be produced: from text alone (what npm and registries
//! say) and from the live slots of `Facts` (config, probes) that the next stage fills.

use regauth::diagnose::facts::{
    ConfigFacts, Located, NearMiss, ProbeFact, ProbeOutcome, VarState, VariableFact,
};
use regauth::diagnose::{diagnose, explain_text, Facts};
use regauth::report::CAUSE_IDS;

/// (cause id, a minimal transcript in the shape real clients print)
const TEXT_INPUTS: &[(&str, &str)] = &[
    ("token-missing", "npm error code E401\nnpm error 401 Unauthorized - GET https://npm.pkg.github.com/download/@a/b/1.0.0/abc - authentication token not provided"),
    ("token-env-unset", "Error: Failed to replace env in config: ${NPM_TOKEN}"),
    ("token-invalid-or-expired", "npm notice Access token expired or revoked. Please try logging in again.\nnpm error code E404\nnpm error 404 Not Found - PUT https://registry.npmjs.org/pkg - Not found"),
    ("token-wrong-host", "npm warn registry No auth for URI, but auth present for scoped registry.\nnpm warn registry URI: http://localhost:4873/@a/b/-/b-1.0.0.tgz\nnpm warn registry Scoped Registry Key: //127.0.0.1:4873/\nnpm error code E401"),
    ("scope-not-mapped", "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@corp%2flib - Not found"),
    ("insufficient-permission", "npm error code E403\nnpm error 403 403 Forbidden - GET http://127.0.0.1:4873/@team%2fsecret - user alice is not allowed to access package @team/secret"),
    ("publish-not-allowed", "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/left-pad - You do not have permission to publish \"left-pad\". Are you logged in as the correct user?"),
    ("version-exists", "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/x - You cannot publish over the previously published versions: 1.0.0."),
    ("otp-required", "npm error code EOTP\nnpm error This operation requires a one-time password from your authenticator."),
    ("blocked-by-policy", "npm error code E403\nnpm error 403 403 Forbidden - GET https://nexus.example.com/repository/npm/evil/-/evil-1.0.0.tgz - Package blocked by security policy"),
    ("lockfile-registry-mismatch", "Lockfile is up to date, resolution step is skipped\n ERR_PNPM_FETCH_401  GET https://corp.jfrog.io/artifactory/api/npm/npm/lodash/-/lodash-4.17.21.tgz:  - 401\n\nNo authorization header was set for the request."),
    ("proxy-auth", "npm error code E407\nnpm error 407 Proxy Authentication Required - GET https://registry.npmjs.org/lodash"),
    ("npmrc-misconfig", "npm error code ERR_INVALID_AUTH\nnpm error Invalid auth configuration found: `_authToken` must be renamed to `//registry.npmjs.org/:_authToken` in user config"),
    ("account-issue", "npm error code E402\nnpm error 402 Payment Required - PUT https://registry.npmjs.org/@me%2fpkg - You must sign up for private packages"),
];

#[test]
fn every_cause_id_is_produced_from_text() {
    for id in CAUSE_IDS {
        let (_, text) = TEXT_INPUTS
            .iter()
            .find(|(i, _)| i == id)
            .unwrap_or_else(|| panic!("no input for {id}"));
        let d = explain_text(text);
        assert!(d.report.auth_failure, "{id}");
        assert_eq!(
            d.report.causes[0].id,
            *id,
            "{text}\n{:?}",
            d.report.causes.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
        let cause = &d.report.causes[0];
        assert!(
            !cause.fix.is_empty() && !cause.verify.is_empty() && !cause.evidence.is_empty(),
            "{id}"
        );
    }
}

/// The generic E401 npm prints for five different causes.
const GENERIC_401: &str = "npm error code E401\nnpm error Unable to authenticate, your authentication token seems to be invalid.\n44 http fetch GET 401 http://127.0.0.1:4873/@priv%2flib 5ms (cache skip)";

fn with_config(config: ConfigFacts) -> Facts {
    let mut facts = Facts::from_failure(regauth::detect::from_text(GENERIC_401));
    facts.config = Some(config);
    facts
}

fn top(facts: &Facts) -> String {
    diagnose(facts).report.causes[0].id.clone()
}

#[test]
fn config_slots_decide_what_the_text_cannot() {
    let unset = with_config(ConfigFacts {
        variables: vec![VariableFact {
            name: "NPM_TOKEN".into(),
            state: VarState::Unset,
            source: "/p/.npmrc:2".into(),
        }],
        ..Default::default()
    });
    assert_eq!(top(&unset), "token-env-unset");
    let d = diagnose(&unset);
    assert!(d.report.causes[0]
        .evidence
        .iter()
        .any(|e| e.source.as_deref() == Some("/p/.npmrc:2")));
    assert!(d.report.causes[0].fix[0].contains("NPM_TOKEN"));

    let near = with_config(ConfigFacts {
        near_misses: vec![NearMiss {
            key: "//localhost:4873/:_authToken".into(),
            source: "~/.npmrc:3".into(),
            why: "localhost is not 127.0.0.1".into(),
        }],
        ..Default::default()
    });
    assert_eq!(top(&near), "token-wrong-host");

    let unmapped = with_config(ConfigFacts {
        unmapped_scope: Some("@priv".into()),
        registry: Some(Located {
            value: "https://registry.npmjs.org/".into(),
            source: "default".into(),
        }),
        ..Default::default()
    });
    assert_eq!(top(&unmapped), "scope-not-mapped");

    assert_eq!(top(&with_config(ConfigFacts::default())), "token-missing");

    let lock = with_config(ConfigFacts {
        credential: None,
        lockfile_hosts_without_credential: vec![Located {
            value: "127.0.0.1:4873".into(),
            source: "package-lock.json".into(),
        }],
        ..Default::default()
    });
    assert_eq!(top(&lock), "lockfile-registry-mismatch");
}

#[test]
fn probe_slots_decide_between_rejected_and_not_permitted() {
    let mut rejected = Facts::from_failure(regauth::detect::from_text(GENERIC_401));
    rejected.probes.push(ProbeFact::Whoami {
        registry: "http://127.0.0.1:4873/".into(),
        command: "npm whoami --registry http://127.0.0.1:4873/".into(),
        outcome: ProbeOutcome::Rejected(401),
    });
    assert_eq!(top(&rejected), "token-invalid-or-expired");

    let text = "npm error code E404\nnpm error 404 Not Found - PUT https://registry.npmjs.org/@me%2fpkg - Not found";
    let mut ok = Facts::from_failure(regauth::detect::from_text(text));
    ok.probes.push(ProbeFact::Whoami {
        registry: "https://registry.npmjs.org/".into(),
        command: "npm whoami".into(),
        outcome: ProbeOutcome::Ok("me".into()),
    });
    assert_eq!(top(&ok), "insufficient-permission");
    let without_probe = Facts::from_failure(regauth::detect::from_text(text));
    assert_eq!(
        top(&without_probe),
        "token-invalid-or-expired",
        "the probe changed the answer"
    );
}
