//! The probe stage for one failure: a `probe::ProbeRequest` built from the run, the failure and
//! the configuration facts, and the `probe::Probes` it returns turned into
//! `diagnose::facts::ProbeFact`s. Plain data both ways; the probe module does the running.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::diagnose::facts::{ConfigFacts, CredentialField, ProbeFact, ProbeOutcome};
use crate::probe::{
    self, Access, CredentialKind, Outcome, Owners, ProbeKind, ProbeRequest, Probes, Versions, View,
    Whoami,
};

/// What the probes need to know about the run (the shim's `Run`, or this process for
/// `regauth explain`).
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    pub npm: PathBuf,
    pub cwd: PathBuf,
    pub env: Vec<(OsString, OsString)>,
    /// Added to every probe's environment (the shim's recursion marker).
    pub extra_env: Vec<(OsString, OsString)>,
    pub args: Vec<String>,
}

/// The probe request for a failure whose request went to `registry`.
pub fn request(
    run: &RunContext,
    failure: &crate::detect::Failure,
    registry: &str,
    config: Option<&ConfigFacts>,
) -> ProbeRequest {
    ProbeRequest {
        npm: run.npm.clone(),
        cwd: run.cwd.clone(),
        env: run.env.clone(),
        extra_env: run.extra_env.clone(),
        command: run.args.clone(),
        failure_code: failure.code.clone(),
        failing_url: failure.url.clone(),
        package: failure.package.clone(),
        registry: Some(registry.to_owned()),
        credential: config
            .and_then(|c| c.credential.as_ref())
            .and_then(|c| credential_kind(c.field)),
        other_registries: config
            .map(|c| c.credential_registries.clone())
            .unwrap_or_default(),
    }
}

/// The probe's credential kind for the field a credential key names.
fn credential_kind(field: CredentialField) -> Option<CredentialKind> {
    match field {
        CredentialField::AuthToken => Some(CredentialKind::Token),
        CredentialField::Auth => Some(CredentialKind::LegacyAuth),
        CredentialField::Username | CredentialField::Password | CredentialField::UrlUserinfo => {
            Some(CredentialKind::Basic)
        }
        CredentialField::Certfile => Some(CredentialKind::ClientCert),
        // the key file alone is not what npm sends (its cert is)
        CredentialField::Keyfile => None,
    }
}

/// Plans the probes and drops those whose answer the failure already holds, so the time after
/// npm's exit goes only to open questions:
/// - viewing the package on the registry that failed, when npm's log named the request and its
///   status (the view would repeat the same request with the same credential);
/// - every probe but the published versions, when npm itself said the version exists (checked
///   client-side, no request): which versions and tags exist decides the version to propose.
pub fn plan(request: &ProbeRequest, failure: &crate::detect::Failure) -> probe::Plan {
    let mut plan = probe::plan(request);
    if failure.signals.publish_over_existing {
        plan.skipped
            .push("all but view-versions: npm's own message proves the version exists".into());
        plan.probes
            .retain(|p| matches!(p.kind, probe::ProbeKind::ViewVersions { .. }));
        return plan;
    }
    if !presence_is_open(failure) {
        plan.skipped
            .push("anonymous-view, access-status: the registry's answer already says why".into());
        plan.probes.retain(|p| {
            !matches!(
                p.kind,
                probe::ProbeKind::AnonymousView { .. } | probe::ProbeKind::AccessStatus { .. }
            )
        });
    }
    let known = failure.url.is_some() && failure.http_status.is_some();
    let failing = request.registry.as_deref();
    plan.probes.retain(|p| {
        let repeats = known
            && matches!(p.kind, probe::ProbeKind::ViewVersion { .. })
            && match (p.registry.as_deref(), failing) {
                (Some(a), Some(b)) => crate::registry_url::same_registry(a, b),
                (a, b) => a == b,
            };
        !repeats
    });
    plan
}

/// Whether a refused publish leaves open if its package exists: a 404 (npmjs's answer to a
/// credential it will not take, whatever the reason), a 403 without the registry's words, or a
/// failed trusted-publishing exchange ("package not found" for a first publish too). A 403
/// whose text says why is not worth two more npm processes.
fn presence_is_open(failure: &crate::detect::Failure) -> bool {
    match failure.http_status {
        _ if failure.oidc.attempt_failed() => true,
        Some(404) => true,
        Some(403) => failure.server_message.is_none(),
        _ => false,
    }
}

/// The facts the probes established, in plan order.
pub fn facts(probes: &Probes, failing_registry: &str) -> Vec<ProbeFact> {
    let same = |r: Option<&String>| {
        r.map_or(true, |r| {
            crate::registry_url::same_registry(r, failing_registry)
        })
    };
    let maintainer = probes.user_is_maintainer();
    probes
        .results
        .iter()
        .map(|r| {
            let command = probe::sanitize(&r.command);
            let registry = r
                .probe
                .registry
                .clone()
                .unwrap_or_else(|| failing_registry.to_owned());
            let package = r.probe.package().unwrap_or_default().to_owned();
            match &r.outcome {
                Outcome::Whoami(w) => ProbeFact::Whoami {
                    registry,
                    command,
                    outcome: whoami_outcome(w),
                },
                Outcome::View(v) if matches!(r.probe.kind, ProbeKind::AnonymousView { .. }) => {
                    let (status, version) = match v {
                        View::Found { version } => (Some(200), Some(version.clone())),
                        View::Failed(e) => (e.status, None),
                    };
                    ProbeFact::AnonymousView {
                        package,
                        command,
                        status,
                        version,
                    }
                }
                Outcome::Access(a) => {
                    let (public, status) = match a {
                        Access::Visibility { public } => (Some(*public), Some(200)),
                        Access::Failed(e) => (None, e.status),
                    };
                    ProbeFact::AccessStatus {
                        package,
                        command,
                        public,
                        status,
                    }
                }
                Outcome::View(v) => {
                    let (status, version, url, code) = match v {
                        View::Found { version } => (Some(200), Some(version.clone()), None, None),
                        View::Failed(e) => (e.status, None, e.url.clone(), e.code.clone()),
                    };
                    ProbeFact::View {
                        failing_registry: same(r.probe.registry.as_ref()),
                        package,
                        registry,
                        command,
                        status,
                        version,
                        url: url.map(|u| probe::sanitize(&u)),
                        code,
                    }
                }
                Outcome::Versions(v) => versions_fact(v, package, command),
                Outcome::Owners(o) => ProbeFact::Owners {
                    package,
                    command,
                    maintainers: match o {
                        Owners::Listed(names) => names.clone(),
                        Owners::Failed(_) => Vec::new(),
                    },
                    user_is_maintainer: maintainer,
                },
                Outcome::TimedOut | Outcome::NotStarted(_) => ProbeFact::Unanswered {
                    command,
                    why: r.summary(),
                },
            }
        })
        .collect()
}

fn versions_fact(v: &Versions, package: String, command: String) -> ProbeFact {
    match v {
        Versions::Listed {
            versions,
            local_version,
            local_published,
            dist_tags,
        } => ProbeFact::Versions {
            package,
            command,
            local_version: local_version.clone(),
            exists: *local_published,
            published: versions.clone(),
            latest: dist_tags
                .iter()
                .find(|(tag, _)| tag == "latest")
                .map(|(_, v)| v.clone()),
        },
        Versions::Failed(_) => ProbeFact::Versions {
            package,
            command,
            local_version: None,
            exists: None,
            published: Vec::new(),
            latest: None,
        },
    }
}

fn whoami_outcome(w: &Whoami) -> ProbeOutcome {
    match w {
        Whoami::Ok(user) => ProbeOutcome::Ok(user.clone()),
        Whoami::Rejected(e) => ProbeOutcome::Rejected(e.status.unwrap_or(401)),
        Whoami::NeedAuth { request_sent: true } => ProbeOutcome::NotRecognised,
        Whoami::NeedAuth {
            request_sent: false,
        } => ProbeOutcome::NotLoggedIn,
        Whoami::Other(e) => ProbeOutcome::Failed(
            e.code
                .clone()
                .or_else(|| e.message.clone())
                .unwrap_or_else(|| "failed".into()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_request() -> ProbeRequest {
        ProbeRequest {
            command: vec!["view".into(), "@priv/lib".into()],
            package: Some("@priv/lib".into()),
            registry: Some("http://127.0.0.1:4873/".into()),
            credential: Some(CredentialKind::Token),
            other_registries: vec!["http://127.0.0.1:4874/".into()],
            ..ProbeRequest::default()
        }
    }

    #[test]
    fn a_view_that_would_repeat_the_logged_request_is_dropped() {
        let mut failure = crate::detect::Failure {
            url: Some("http://127.0.0.1:4873/@priv%2flib".into()),
            http_status: Some(401),
            ..Default::default()
        };
        let kinds = |plan: &probe::Plan| -> Vec<(String, Option<String>)> {
            plan.probes
                .iter()
                .map(|p| (p.kind.label().to_owned(), p.registry.clone()))
                .collect()
        };
        let pruned = plan(&read_request(), &failure);
        assert_eq!(
            kinds(&pruned),
            vec![
                ("whoami".into(), Some("http://127.0.0.1:4873/".into())),
                ("view-version".into(), Some("http://127.0.0.1:4874/".into())),
            ]
        );
        // without the logged request, the view on the failing registry is the only way to see it
        failure.http_status = None;
        assert_eq!(plan(&read_request(), &failure).probes.len(), 3);
        failure.signals.publish_over_existing = true;
        assert!(plan(&read_request(), &failure).probes.is_empty());
        // a publish keeps the one probe that lists what is published
        let publish = ProbeRequest {
            command: vec!["publish".into()],
            cwd: std::env::temp_dir(),
            ..read_request()
        };
        let kept: Vec<&str> = plan(&publish, &failure)
            .probes
            .iter()
            .map(|p| p.kind.label())
            .collect();
        assert_eq!(kept, ["view-versions"]);
    }

    #[test]
    fn presence_probes_only_where_the_answer_is_open() {
        let publish = ProbeRequest {
            command: vec!["publish".into()],
            package: Some("octo-widget".into()),
            ..read_request()
        };
        let labels = |failure: &crate::detect::Failure| -> Vec<&'static str> {
            plan(&publish, failure)
                .probes
                .iter()
                .map(|p| p.kind.label())
                .filter(|l| matches!(*l, "anonymous-view" | "access-status"))
                .collect()
        };
        let mut failure = crate::detect::Failure {
            http_status: Some(404),
            ..Default::default()
        };
        assert_eq!(labels(&failure), ["anonymous-view", "access-status"]);
        failure.http_status = Some(403);
        assert_eq!(labels(&failure).len(), 2);
        failure.server_message = Some("user bob is not allowed to publish package x".into());
        assert!(labels(&failure).is_empty());
        failure.http_status = None;
        assert!(labels(&failure).is_empty());
    }

    #[test]
    fn credential_kinds_follow_the_key_field() {
        use CredentialField as F;
        let cases = [
            (F::AuthToken, Some(CredentialKind::Token)),
            (F::Auth, Some(CredentialKind::LegacyAuth)),
            (F::Username, Some(CredentialKind::Basic)),
            (F::Password, Some(CredentialKind::Basic)),
            (F::Certfile, Some(CredentialKind::ClientCert)),
            (F::Keyfile, None),
        ];
        for (field, kind) in cases {
            assert_eq!(credential_kind(field), kind, "{field:?}");
        }
    }
}
