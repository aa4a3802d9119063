//! Which probes settle the open questions of a failure. Only `ProbeKind`s can come out, so a
//! plan can hold nothing but read-only npm calls; the user's command is never repeated.

use super::command::{CommandClass, UserCommand};
use super::kind::{Probe, ProbeKind};
use super::package::{name_from_url, publish_dir, read_local_package, registry_name};
use super::request::{ProbeRequest, MAX_OTHER_REGISTRIES};

/// The probes to run, and why others were left out (for the report's honesty, not for users).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub probes: Vec<Probe>,
    pub skipped: Vec<String>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.probes.is_empty()
    }
}

/// Failure codes npm raises before any request for every command: a probe would only repeat
/// them (ERR_INVALID_AUTH is thrown in npm's command constructor for all but `npm config`).
const CODES_EVERY_PROBE_REPEATS: &[&str] = &["ERR_INVALID_AUTH"];

/// Plans the probes for a failed npm call.
pub fn plan(request: &ProbeRequest) -> Plan {
    let mut plan = Plan::default();
    if let Some(code) = request.failure_code.as_deref() {
        if CODES_EVERY_PROBE_REPEATS.contains(&code) {
            plan.skipped.push(format!(
                "{code}: npm refuses every command before any request"
            ));
            return plan;
        }
    }
    let command = UserCommand::parse(&request.command);
    let publish_target = matches!(command.class, CommandClass::Publish)
        .then(|| publish_target(request, &command))
        .flatten();
    let registry = request.registry.clone().or_else(|| {
        publish_target
            .as_ref()
            .and_then(|t| t.publish_registry.clone())
    });
    plan_whoami(request, registry.as_deref(), &mut plan);
    match command.class {
        CommandClass::Read => plan_read(request, &command, registry.as_deref(), &mut plan),
        CommandClass::Publish => plan_publish(publish_target, registry.as_deref(), &mut plan),
        CommandClass::PackageWrite => plan_package_write(request, registry.as_deref(), &mut plan),
        CommandClass::AccountWrite | CommandClass::Other => {}
    }
    plan
}

/// `npm whoami` only where it asks the registry: with a token or a client certificate. For
/// `username`/`_password` and `_auth` npm answers from the config alone, which proves nothing.
fn plan_whoami(request: &ProbeRequest, registry: Option<&str>, plan: &mut Plan) {
    match request.credential {
        Some(kind) if kind.whoami_asks_registry() => plan.probes.push(Probe {
            kind: ProbeKind::Whoami,
            registry: registry.map(String::from),
        }),
        Some(kind) => plan.skipped.push(format!(
            "whoami: npm answers {kind:?} credentials from the config without a request"
        )),
        None => plan
            .skipped
            .push("whoami: no credential for the registry".into()),
    }
}

/// A read failure: view the package with the user's credentials for the exact status and URL.
fn plan_read(
    request: &ProbeRequest,
    command: &UserCommand,
    registry: Option<&str>,
    plan: &mut Plan,
) {
    let package = request
        .package
        .as_deref()
        .and_then(registry_name)
        .or_else(|| failing_url_package(request))
        .or_else(|| command.first_operand().and_then(registry_name));
    let Some(package) = package else {
        plan.skipped
            .push("view: no registry package name known".into());
        return;
    };
    plan.probes.push(Probe {
        kind: ProbeKind::ViewVersion {
            package: package.clone(),
        },
        registry: registry.map(String::from),
    });
    for other in other_registries(request, registry) {
        plan.probes.push(Probe {
            kind: ProbeKind::ViewVersion {
                package: package.clone(),
            },
            registry: Some(other),
        });
    }
}

/// A publish failure: does the version exist already, and who maintains the package?
fn plan_publish(target: Option<Target>, registry: Option<&str>, plan: &mut Plan) {
    let Some(target) = target else {
        plan.skipped
            .push("publish: no package.json to read the name from".into());
        return;
    };
    let registry = registry.map(String::from);
    plan.probes.push(Probe {
        kind: ProbeKind::ViewVersions {
            package: target.name.clone(),
            local_version: target.version,
        },
        registry: registry.clone(),
    });
    plan.probes.push(Probe {
        kind: ProbeKind::OwnerLs {
            package: target.name.clone(),
        },
        registry: registry.clone(),
    });
    plan_presence(&target.name, registry, plan);
}

/// Does the package exist, and is it public? An anonymous view (200: public; 404: absent or
/// private) and `npm access get status` with the user's credential (a private package it may
/// see). Together they tell a first publish from a package the token cannot write.
fn plan_presence(package: &str, registry: Option<String>, plan: &mut Plan) {
    for kind in [
        ProbeKind::AnonymousView {
            package: package.to_owned(),
        },
        ProbeKind::AccessStatus {
            package: package.to_owned(),
        },
    ] {
        plan.probes.push(Probe {
            kind,
            registry: registry.clone(),
        });
    }
}

/// Another package write (dist-tag add, deprecate, owner add, ...): who maintains the package?
fn plan_package_write(request: &ProbeRequest, registry: Option<&str>, plan: &mut Plan) {
    let package = request.package.as_deref().and_then(registry_name);
    match package.or_else(|| failing_url_package(request)) {
        Some(package) => plan.probes.push(Probe {
            kind: ProbeKind::OwnerLs { package },
            registry: registry.map(String::from),
        }),
        None => plan.skipped.push("owner ls: no package name known".into()),
    }
}

/// The distinct other registries to ask, without the failing one, at most `MAX_OTHER_REGISTRIES`.
fn other_registries(request: &ProbeRequest, registry: Option<&str>) -> Vec<String> {
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    let mut chosen: Vec<String> = Vec::new();
    for other in &request.other_registries {
        let known =
            registry.is_some_and(|r| same(r, other)) || chosen.iter().any(|c| same(c, other));
        if !known && chosen.len() < MAX_OTHER_REGISTRIES {
            chosen.push(other.clone());
        }
    }
    chosen
}

fn failing_url_package(request: &ProbeRequest) -> Option<String> {
    request.failing_url.as_deref().and_then(name_from_url)
}

/// What a publish would send.
struct Target {
    name: String,
    version: Option<String>,
    publish_registry: Option<String>,
}

/// The package of a publish: from its package.json (the cwd or the directory operand), else the
/// failure's package name with an unknown version.
fn publish_target(request: &ProbeRequest, command: &UserCommand) -> Option<Target> {
    let local =
        publish_dir(&request.cwd, command.first_operand()).and_then(|d| read_local_package(&d));
    match local {
        Some(pkg) => Some(Target {
            name: pkg.name,
            version: pkg.version,
            publish_registry: pkg.publish_registry,
        }),
        None => request
            .package
            .as_deref()
            .and_then(registry_name)
            .map(|name| Target {
                name,
                version: None,
                publish_registry: None,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::kind::is_read_only;
    use super::super::request::CredentialKind;
    use super::*;

    fn request(command: &str) -> ProbeRequest {
        ProbeRequest {
            command: command.split_whitespace().map(String::from).collect(),
            registry: Some("http://127.0.0.1:4873/".into()),
            credential: Some(CredentialKind::Token),
            ..ProbeRequest::default()
        }
    }

    fn kinds(plan: &Plan) -> Vec<&'static str> {
        plan.probes.iter().map(|p| p.kind.label()).collect()
    }

    #[test]
    fn read_failure_gets_whoami_and_view() {
        let plan = plan(&request("install @priv/lib@^1"));
        assert_eq!(kinds(&plan), ["whoami", "view-version"]);
        assert_eq!(
            plan.probes[1].kind,
            ProbeKind::ViewVersion {
                package: "@priv/lib".into()
            }
        );
    }

    #[test]
    fn whoami_only_where_it_asks_the_registry() {
        for (credential, planned) in [
            (Some(CredentialKind::Token), true),
            (Some(CredentialKind::ClientCert), true),
            (Some(CredentialKind::Basic), false),
            (Some(CredentialKind::LegacyAuth), false),
            (None, false),
        ] {
            let req = ProbeRequest {
                credential,
                ..request("view pub-pkg")
            };
            assert_eq!(
                kinds(&plan(&req)).contains(&"whoami"),
                planned,
                "{credential:?}"
            );
        }
    }

    #[test]
    fn the_failing_url_names_the_package_when_the_failure_does_not() {
        let req = ProbeRequest {
            failing_url: Some("http://127.0.0.1:4873/@priv/lib/-/lib-1.0.0.tgz".into()),
            ..request("ci")
        };
        let plan = plan(&req);
        assert_eq!(
            plan.probes[1].kind,
            ProbeKind::ViewVersion {
                package: "@priv/lib".into()
            }
        );
    }

    #[test]
    fn a_read_is_also_asked_of_other_registries_once_each() {
        let req = ProbeRequest {
            other_registries: [
                "http://127.0.0.1:4873",
                "http://a/",
                "http://a/",
                "http://b/",
                "http://c/",
            ]
            .map(String::from)
            .to_vec(),
            ..request("install @priv/lib")
        };
        let registries: Vec<_> = plan(&req)
            .probes
            .into_iter()
            .map(|p| p.registry.unwrap())
            .collect();
        assert_eq!(
            registries,
            [
                "http://127.0.0.1:4873/",
                "http://127.0.0.1:4873/",
                "http://a/",
                "http://b/"
            ]
        );
    }

    #[test]
    fn invalid_auth_config_plans_nothing() {
        let req = ProbeRequest {
            failure_code: Some("ERR_INVALID_AUTH".into()),
            ..request("install x")
        };
        assert!(plan(&req).is_empty());
    }

    #[test]
    fn publish_reads_package_json() {
        let dir = std::env::temp_dir().join(format!("regauth-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("package.json"),
            r#"{"name":"pub-pkg","version":"1.0.0"}"#,
        )
        .unwrap();
        let req = ProbeRequest {
            cwd: dir.clone(),
            ..request("publish")
        };
        let plan = plan(&req);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            kinds(&plan),
            [
                "whoami",
                "view-versions",
                "owner-ls",
                "anonymous-view",
                "access-status"
            ]
        );
        assert!(plan.probes.iter().all(|p| is_read_only(&p.args())));
        assert_eq!(
            plan.probes[1].kind,
            ProbeKind::ViewVersions {
                package: "pub-pkg".into(),
                local_version: Some("1.0.0".into())
            }
        );
    }

    #[test]
    fn other_writes_get_owners_not_views() {
        let req = ProbeRequest {
            package: Some("pub-pkg".into()),
            ..request("dist-tag add pub-pkg@1.0.0 next")
        };
        assert_eq!(kinds(&plan(&req)), ["whoami", "owner-ls"]);
        assert_eq!(kinds(&plan(&request("login"))), ["whoami"]);
    }
}
