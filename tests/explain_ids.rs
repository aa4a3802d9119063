//! Every cause id of the taxonomy can be produced: from text alone (what npm and registries
//! say) and from the live slots of `Facts` (config, probes) that the next stage fills.

use regauth::diagnose::causes::CAUSES;
use regauth::diagnose::facts::{
    ConfigFacts, Located, NearMiss, NearMissWhy, ProbeFact, ProbeOutcome, Provenance, Setting,
    VarState, VariableFact,
};
use regauth::diagnose::CAUSE_IDS;
use regauth::diagnose::{diagnose, explain_text, Facts};

/// (cause id, a minimal transcript in the shape real clients print)
const TEXT_INPUTS: &[(&str, &str)] = &[
    ("token-missing", "npm error code E401\nnpm error 401 Unauthorized - GET https://npm.pkg.github.com/download/@a/b/1.0.0/abc - authentication token not provided"),
    ("token-env-unset", "Error: Failed to replace env in config: ${NPM_TOKEN}"),
    ("token-invalid-or-expired", "npm notice Access token expired or revoked. Please try logging in again.\nnpm error code E404\nnpm error 404 Not Found - PUT https://registry.npmjs.org/pkg - Not found"),
    ("token-wrong-host", "npm warn registry No auth for URI, but auth present for scoped registry.\nnpm warn registry URI: http://localhost:4873/@a/b/-/b-1.0.0.tgz\nnpm warn registry Scoped Registry Key: //127.0.0.1:4873/\nnpm error code E401"),
    // a bare scoped npmjs 404 alone cannot tell a private scope from a name nobody published
    // (tests/explain_families.rs look_alikes_stay_silent); registry.yarnpkg.com's can
    ("scope-not-mapped", "error An unexpected error occurred: \"https://registry.yarnpkg.com/@corp%2flib: Not found\"."),
    ("insufficient-permission", "npm error code E403\nnpm error 403 403 Forbidden - GET http://127.0.0.1:4873/@team%2fsecret - user alice is not allowed to access package @team/secret"),
    ("publish-not-allowed", "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/left-pad - You do not have permission to publish \"left-pad\". Are you logged in as the correct user?"),
    ("version-exists", "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/x - You cannot publish over the previously published versions: 1.0.0."),
    ("otp-required", "npm error code EOTP\nnpm error This operation requires a one-time password from your authenticator."),
    ("blocked-by-policy", "npm error code E403\nnpm error 403 403 Forbidden - GET https://nexus.example.com/repository/npm/evil/-/evil-1.0.0.tgz - Package blocked by security policy"),
    ("lockfile-registry-mismatch", "Lockfile is up to date, resolution step is skipped\n ERR_PNPM_FETCH_401  GET https://corp.jfrog.io/artifactory/api/npm/npm/lodash/-/lodash-4.17.21.tgz:  - 401\n\nNo authorization header was set for the request."),
    ("proxy-auth", "npm error code E407\nnpm error 407 Proxy Authentication Required - GET https://registry.npmjs.org/lodash"),
    ("npmrc-misconfig", "npm error code ERR_INVALID_AUTH\nnpm error Invalid auth configuration found: `_authToken` must be renamed to `//registry.npmjs.org/:_authToken` in user config"),
    ("account-issue", "npm error code E402\nnpm error 402 Payment Required - PUT https://registry.npmjs.org/@me%2fpkg - You must sign up for private packages"),
    ("oidc-exchange-failed", "29 http fetch POST 404 https://registry.npmjs.org/-/npm/v1/oidc/token/exchange/package/pkg 23ms\n30 verbose oidc Failed token exchange request with body message: OIDC token exchange error - package not found\n32 error code ENEEDAUTH\n33 error need auth This command requires you to be logged in to https://registry.npmjs.org/"),
    ("oidc-not-attempted", "28 silly oidc Skipped because incorrect permissions for id-token within GitHub workflow\n32 error code ENEEDAUTH\n33 error need auth This command requires you to be logged in to https://registry.npmjs.org/"),
];

/// Causes whose detection rules come later: listed, with fix texts, and no rule yet (none now).
const WITHOUT_RULES_YET: &[&str] = &[];

#[test]
fn only_the_announced_causes_have_no_rule_yet() {
    let without: Vec<&str> = CAUSES
        .iter()
        .filter(|c| c.rules.is_empty())
        .map(|c| c.id)
        .collect();
    assert_eq!(without, WITHOUT_RULES_YET);
    for id in WITHOUT_RULES_YET {
        assert!(CAUSE_IDS.contains(id), "{id}");
    }
}

#[test]
fn every_cause_id_is_produced_from_text() {
    for id in CAUSE_IDS
        .iter()
        .filter(|id| !WITHOUT_RULES_YET.contains(id))
    {
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
            why: NearMissWhy::LoopbackAlias {
                key_host: "localhost".into(),
                registry_host: "127.0.0.1".into(),
            },
        }],
        ..Default::default()
    });
    assert_eq!(top(&near), "token-wrong-host");

    let unmapped = with_config(ConfigFacts {
        unmapped_scope: Some("@priv".into()),
        registry: Some(Setting {
            value: "https://registry.npmjs.org/".into(),
            source: Provenance::Default,
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
    // without it, npm >= 10.6's bare npmjs PUT 404 ranks the failed exchange first
    assert_eq!(
        top(&without_probe),
        "oidc-exchange-failed",
        "the probe changed the answer"
    );
}

/// Registry and client messages beyond the corpus (shapes documented by npm, GitHub, JFrog,
/// AWS, yarn and pnpm), each with the cause it must rank first.
const REGISTRY_MESSAGES: &[(&str, &str)] = &[
    ("insufficient-permission", "npm ERR! code E403\nnpm ERR! 403 403 Forbidden - PUT https://registry.npmjs.org/my-lib - You may not perform that action with these credentials."),
    ("otp-required", "npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/my-lib - Two-factor authentication or granular access token with bypass 2fa enabled is required to publish packages."),
    ("proxy-auth", "npm ERR! code ECONNRESET\nnpm ERR! network request to https://registry.npmjs.org/lodash failed, reason: tunneling socket could not be established, statusCode=407"),
    ("publish-not-allowed", "yarn publish v1.22.19\nerror Couldn't publish package: \"https://registry.yarnpkg.com/my-lib: You do not have permission to publish \"my-lib\". Are you logged in as the correct user?\""),
    // pnpm lists the credential it has, for another registry: the scope was not routed there
    ("scope-not-mapped", " ERR_PNPM_FETCH_404  GET https://registry.npmjs.org/@acme%2Fui: Not Found - 404\n\n@acme/ui is not in the npm registry, or you have no permission to fetch it.\n\nThese authorization settings were found:\n//npm.pkg.github.com/:_authToken=ghp_[hidden]"),
    ("blocked-by-policy", "npm ERR! code E403\nnpm ERR! 403 403 Forbidden - GET https://acme.jfrog.io/artifactory/api/npm/npm/lodash - Package lodash:4.17.20 download was blocked by JFrog Packages Curation service"),
    ("token-invalid-or-expired", "npm error code E401\nnpm error Unable to authenticate, need: Bearer realm=\"acme-123456789012.d.codeartifact.us-east-1.amazonaws.com\", Basic realm=\"acme-123456789012.d.codeartifact.us-east-1.amazonaws.com\""),
    ("token-missing", "npm ERR! code E403\nnpm ERR! 403 403 Forbidden - GET https://acme.jfrog.io/artifactory/api/npm/npm/@acme%2fui - Download request for repo:path 'npm-remote-cache:@acme/ui' is forbidden for user: 'anonymous'."),
    ("token-missing", "npm error code E401\nnpm error 401 Unauthorized - GET http://127.0.0.1:4873/@priv%2flib - authorization required to access package @priv/lib"),
    ("insufficient-permission", "npm ERR! code E403\nnpm ERR! 403 403 Forbidden - GET https://pkgs.dev.azure.com/org/_packaging/feed/npm/registry/@org%2fui - User 'x' lacks permission to complete this action. You need to have 'ReadPackages'."),
    ("account-issue", "npm error code E402\nnpm error 402 Payment Required - PUT https://registry.npmjs.org/@me%2fprivate - You must sign up for private packages"),
];

#[test]
fn registry_messages_beyond_the_corpus() {
    for (id, text) in REGISTRY_MESSAGES {
        let d = explain_text(text);
        assert!(d.report.auth_failure, "{text}");
        assert_eq!(
            d.report.causes[0].id,
            *id,
            "{text}\n{:?}",
            d.report.causes.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
    }
}

/// Failures that mention auth but are not auth problems.
const NOT_AUTH: &[&str] = &[
    "npm ERR! 500 Internal Server Error - GET https://registry.npmjs.org/@a%2fb - KV GET failed: 401 Unauthorized",
    "npm error code EINTEGRITY\nnpm error sha512-abc integrity checksum failed when using sha512: wanted sha512-abc but got sha512-def. (1234 bytes)",
    "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR! peer @auth0/auth0-react@\"^2\" from @acme/login@1.0.0",
    "npm error code UNABLE_TO_GET_ISSUER_CERT_LOCALLY\nnpm error request to https://npm.pkg.github.com/@a%2fb failed, reason: unable to get local issuer certificate",
    "npm ERR! code ENOTFOUND\nnpm ERR! request to https://auth.registry.internal/x failed, reason: getaddrinfo ENOTFOUND auth.registry.internal",
    "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/expresss - Not found\nnpm error 404  The requested resource 'expresss@*' could not be found or you do not have permission to access it.",
    "npm ERR! code ETIMEDOUT\nnpm ERR! network request to https://registry.npmjs.org/token-utils failed, reason: connect ETIMEDOUT",
    "npm warn deprecated auth0-lock@1.0.0: no longer supported\nnpm http fetch GET 200 https://registry.npmjs.org/auth 5ms",
];

#[test]
fn auth_words_in_other_failures_stay_silent() {
    for text in NOT_AUTH {
        let d = explain_text(text);
        assert!(
            !d.report.auth_failure && d.report.causes.is_empty(),
            "{text}\n{:?}",
            d.report.causes.iter().map(|c| &c.id).collect::<Vec<_>>()
        );
    }
}
