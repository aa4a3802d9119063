//! The presence probes (`npm view <pkg> version` with no credential, `npm access get status
//! <pkg>`) with the real npm 11 and npm 12 against a real Verdaccio: an absent package is 404 to
//! both, an existing public one is found with its latest version, the anonymous view sends no
//! credential although the user's config holds one, and npm 12 accepts every flag they pass.

mod support;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use regauth::probe::{
    run_plan, Access, CredentialKind, Outcome, Plan, Probe, ProbeKind, ProbeRequest, ProbeResult,
    ProbeSettings, View,
};
use support::{NpmEnv, Verdaccio};

/// The npms to check: the one on PATH, and npm 12 (with its Node 24) when installed.
fn npms() -> Vec<(PathBuf, Option<PathBuf>)> {
    let mut npms = vec![(which::which("npm").expect("npm on PATH"), None)];
    let npm12 = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/bin/npm12");
    if npm12.join("npm").exists() {
        npms.push((npm12.join("npm"), Some(npm12)));
    }
    npms
}

/// Runs `kind` against `registry` as a failed publish's probe would, with `bin` first on PATH.
fn run(
    env: &NpmEnv,
    npm: &Path,
    bin: Option<&Path>,
    kind: ProbeKind,
    registry: &str,
) -> ProbeResult {
    let mut vars = env.environment();
    if let Some(bin) = bin {
        let path = vars
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut joined = OsString::from(bin);
        joined.push(":");
        joined.push(path);
        vars.retain(|(k, _)| k != "PATH");
        vars.push(("PATH".into(), joined));
    }
    let request = ProbeRequest {
        npm: npm.to_path_buf(),
        cwd: env.project(),
        env: vars,
        command: vec!["publish".into()],
        registry: Some(registry.to_owned()),
        credential: Some(CredentialKind::Token),
        ..ProbeRequest::default()
    };
    let plan = Plan {
        probes: vec![Probe {
            kind,
            registry: Some(registry.to_owned()),
        }],
        skipped: Vec::new(),
    };
    let settings = ProbeSettings {
        budget: std::time::Duration::from_secs(120),
        ..ProbeSettings::default()
    };
    run_plan(&plan, &request, &settings).remove(0)
}

#[test]
fn presence_probes_tell_absent_from_public_and_send_no_credential_anonymously() {
    let v = Verdaccio::shared();
    let env = NpmEnv::new();
    // the user's config: alice's token for this registry, which the anonymous view must not send
    env.write_userconfig(&v.token_line("alice"));
    for (npm, bin) in npms() {
        let bin = bin.as_deref();
        let who = npm.display().to_string();
        let absent = |package: &str| ProbeKind::AnonymousView {
            package: package.into(),
        };
        let r = run(&env, &npm, bin, absent("never-published"), &v.url());
        let Outcome::View(View::Failed(e)) = &r.outcome else {
            panic!("PRODUCT: {who}: {r:?}")
        };
        assert_eq!(e.status, Some(404), "PRODUCT: {who}: {r:?}");

        let r = run(&env, &npm, bin, absent("pub-pkg"), &v.url());
        assert_eq!(
            r.outcome,
            Outcome::View(View::Found {
                version: "1.0.0".into()
            }),
            "PRODUCT: {who}: {r:?}"
        );

        // @priv needs a login on this instance: a 401 proves that no token was sent
        let r = run(&env, &npm, bin, absent("@priv/lib"), &v.url());
        let Outcome::View(View::Failed(e)) = &r.outcome else {
            panic!("PRODUCT: {who}: {r:?}")
        };
        assert_eq!(
            e.status,
            Some(401),
            "PRODUCT: {who}: the token was sent: {r:?}"
        );

        // Verdaccio has no visibility endpoint: a 404 for any package (npmjs's answers are in
        // tests/oidc_npmjs_404.rs); npm ran the command, so npm 12 knew every flag
        let status = ProbeKind::AccessStatus {
            package: "pub-pkg".into(),
        };
        let r = run(&env, &npm, bin, status, &v.url());
        let Outcome::Access(Access::Failed(e)) = &r.outcome else {
            panic!("PRODUCT: {who}: {r:?}")
        };
        assert_eq!(e.status, Some(404), "PRODUCT: {who}: {r:?}");
        assert!(
            r.requests
                .iter()
                .any(|h| h.method == "GET" && h.url.contains("/-/package/pub-pkg/visibility")),
            "PRODUCT: {who}: not libnpmaccess's read-only GET: {r:?}"
        );
    }
}
