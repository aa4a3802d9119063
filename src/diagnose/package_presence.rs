//! Whether the package a publish sends exists on the registry, and whether it is public, from the
//! anonymous view and `npm access get status` probes: the fact that tells a first publish from a
//! package the token cannot write.

use super::facts::{Facts, ProbeFact};
use crate::report::{Evidence, EvidenceKind};

/// What the probes showed about the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Anyone can read it (the anonymous view answered 200).
    Public,
    /// It exists and is private (access status with the user's credential said so).
    Private,
    /// Neither the anonymous view nor the access status found it (404 both): a publish would
    /// create it.
    Absent,
}

/// The presence and the probe line that shows it, when the probes settle it.
pub(crate) fn presence(facts: &Facts) -> Option<(Presence, Evidence)> {
    let anonymous = facts.probes.iter().find_map(|p| match p {
        ProbeFact::AnonymousView {
            package,
            command,
            status,
            version,
        } => Some((package, command, *status, version)),
        _ => None,
    });
    let access = facts.probes.iter().find_map(|p| match p {
        ProbeFact::AccessStatus {
            command,
            public,
            status,
            ..
        } => Some((command, *public, *status)),
        _ => None,
    });
    let evidence = |text: String, command: &String| Evidence {
        kind: EvidenceKind::Probe,
        text,
        source: Some(command.clone()),
    };
    let (package, command, status, version) = anonymous?;
    if status == Some(200) {
        let latest = version
            .as_deref()
            .map(|v| format!(" (latest {v})"))
            .unwrap_or_default();
        let text = format!("{package} exists and is public: read with no credential{latest}");
        return Some((Presence::Public, evidence(text, command)));
    }
    if status != Some(404) {
        return None;
    }
    match access? {
        (access_command, Some(false), _) => Some((
            Presence::Private,
            evidence(
                format!("{package} exists and is private (404 with no credential)"),
                access_command,
            ),
        )),
        (access_command, Some(true), _) => Some((
            Presence::Public,
            evidence(format!("{package} exists and is public"), access_command),
        )),
        (_, None, Some(404)) => Some((
            Presence::Absent,
            evidence(
                format!("no package {package} on the registry (404 with no credential, and to `npm access get status`): this publish would be its first"),
                command,
            ),
        )),
        _ => None,
    }
}

/// Whether the probes name the logged-in user among the package's maintainers.
pub(crate) fn user_maintains(facts: &Facts) -> Option<(String, Evidence)> {
    facts.probes.iter().find_map(|p| match p {
        ProbeFact::Owners {
            package,
            command,
            user_is_maintainer: Some(true),
            ..
        } => {
            let user = match facts.whoami()? {
                super::facts::ProbeOutcome::Ok(user) => user.clone(),
                _ => return None,
            };
            let text = format!("{user} (the token's user) maintains {package}");
            Some((
                user,
                Evidence {
                    kind: EvidenceKind::Probe,
                    text,
                    source: Some(command.clone()),
                },
            ))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::facts::ProbeOutcome;

    fn facts(anonymous: Option<u16>, access: (Option<bool>, Option<u16>)) -> Facts {
        let probes = vec![
            ProbeFact::AnonymousView {
                package: "p".into(),
                command: "npm view p version".into(),
                status: anonymous,
                version: anonymous.filter(|s| *s == 200).map(|_| "1.0.0".into()),
            },
            ProbeFact::AccessStatus {
                package: "p".into(),
                command: "npm access get status p".into(),
                public: access.0,
                status: access.1,
            },
        ];
        Facts {
            probes,
            ..Facts::default()
        }
    }

    fn of(facts: &Facts) -> Option<Presence> {
        presence(facts).map(|(p, _)| p)
    }

    #[test]
    fn presence_needs_both_probes_to_call_a_package_absent() {
        assert_eq!(of(&facts(Some(200), (None, None))), Some(Presence::Public));
        assert_eq!(
            of(&facts(Some(404), (Some(false), Some(200)))),
            Some(Presence::Private)
        );
        assert_eq!(
            of(&facts(Some(404), (None, Some(404)))),
            Some(Presence::Absent)
        );
        // a 404 to anonymous readers, the credential's answer unknown: absent or private
        assert_eq!(of(&facts(Some(404), (None, Some(401)))), None);
        assert_eq!(of(&facts(Some(401), (None, Some(404)))), None);
        assert_eq!(of(&Facts::default()), None);
    }

    #[test]
    fn maintainer_needs_whoami_and_owners() {
        let mut facts = Facts {
            probes: vec![ProbeFact::Owners {
                package: "p".into(),
                command: "npm owner ls p".into(),
                maintainers: vec!["alice".into()],
                user_is_maintainer: Some(true),
            }],
            ..Facts::default()
        };
        assert!(user_maintains(&facts).is_none());
        facts.probes.push(ProbeFact::Whoami {
            registry: "r".into(),
            command: "npm whoami".into(),
            outcome: ProbeOutcome::Ok("alice".into()),
        });
        let (user, ev) = user_maintains(&facts).unwrap();
        assert_eq!(user, "alice");
        assert!(ev.text.contains("alice (the token's user) maintains p"));
    }
}
