//! Properties of the probe planner over arbitrary user command lines: whatever the user typed,
//! a plan holds only whitelisted read-only npm subcommands, never repeats the user's command,
//! and never puts a URL or a credential on a command line.

use proptest::prelude::*;
use regauth::probe::{
    is_read_only, plan, CredentialKind, ProbeKind, ProbeRequest, READ_ONLY_SUBCOMMANDS,
};

const CANARY: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";

/// Words users type, writes included, mixed with options and arbitrary strings.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "publish",
            "pub",
            "unpublish",
            "deprecate",
            "dist-tag",
            "add",
            "rm",
            "owner",
            "ls",
            "access",
            "set",
            "grant",
            "team",
            "org",
            "token",
            "create",
            "revoke",
            "hook",
            "star",
            "adduser",
            "login",
            "logout",
            "profile",
            "enable-2fa",
            "pkg",
            "delete",
            "install",
            "i",
            "ci",
            "view",
            "info",
            "run",
            "exec",
            "--registry",
            "--otp",
            "123456",
            "-g",
            "--",
            "@priv/lib",
            "@priv/lib@^1",
            "pub-pkg",
            "./dir",
            "--force",
            "--tag",
            "next",
        ])
        .prop_map(String::from),
        Just(format!("--//127.0.0.1:4873/:_authToken={CANARY}")),
        Just("https://user:s3cret@127.0.0.1:4873/".to_string()),
        "[ -~]{0,12}",
    ]
}

fn request() -> impl Strategy<Value = ProbeRequest> {
    (
        prop::collection::vec(word(), 0..8),
        prop::option::of(word()),
        prop::option::of(prop::sample::select(vec![
            CredentialKind::Token,
            CredentialKind::ClientCert,
            CredentialKind::Basic,
            CredentialKind::LegacyAuth,
        ])),
    )
        .prop_map(|(command, package, credential)| ProbeRequest {
            command,
            package,
            credential,
            registry: Some("https://user:s3cret@127.0.0.1:4873/".into()),
            other_registries: vec!["https://TOKEN-s3cret@127.0.0.1:4874/path/".into()],
            cwd: std::env::temp_dir().join("regauth-probe-plan-no-such-dir"),
            ..ProbeRequest::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_planned_probe_is_a_whitelisted_read(req in request()) {
        for probe in plan(&req).probes {
            let args = probe.args();
            prop_assert!(is_read_only(&args), "{args:?}");
            let subcommand = READ_ONLY_SUBCOMMANDS.iter().find(|s| s.iter().zip(&args).all(|(a, b)| a == b));
            prop_assert!(subcommand.is_some());
            for arg in &args {
                prop_assert!(!arg.contains("CANARY") && !arg.contains("s3cret") && !arg.contains("127.0.0.1"), "{arg}");
            }
            prop_assert!(!probe.display().contains("s3cret"), "{}", probe.display());
            prop_assert!(args.iter().any(|a| a == "--fetch-retries=0"));
            if let ProbeKind::ViewVersion { package } | ProbeKind::OwnerLs { package } = &probe.kind {
                prop_assert!(!package.starts_with('-'), "{package}");
            }
        }
    }

    #[test]
    fn the_users_command_is_never_the_probe(req in request()) {
        for probe in plan(&req).probes {
            prop_assert_ne!(probe.args(), req.command.clone());
        }
    }
}

#[test]
fn the_whitelist_names_only_reads() {
    let writes = [
        "publish",
        "unpublish",
        "deprecate",
        "add",
        "rm",
        "set",
        "login",
        "logout",
        "token",
        "star",
    ];
    for sub in READ_ONLY_SUBCOMMANDS.iter().flat_map(|s| s.iter()) {
        assert!(!writes.contains(sub), "{sub}");
    }
}
