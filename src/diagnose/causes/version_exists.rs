//! `version-exists`: the version being published already exists. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::Advice;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::line;
use crate::diagnose::facts::ProbeFact;
use crate::diagnose::score::{rule, Scores};
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "version-exists",
    rules: &[
        rule!(2, version_already_published),
        rule!(35, probe_versions),
    ],
    advice,
    live_fix,
};

fn version_already_published(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.publish_over_existing {
        s.add(
            "version-exists",
            12,
            line(
                cx,
                &[
                    "publish over",
                    "previously published",
                    "EPUBLISHCONFLICT",
                    "modify version",
                    "already",
                ],
            ),
        );
    }
}

/// `npm view <pkg> versions` lists the version the publish sends.
fn probe_versions(cx: &Context, s: &mut Scores) {
    for p in &cx.facts.probes {
        if let ProbeFact::Versions {
            package,
            command,
            local_version: Some(v),
            exists: Some(true),
        } = p
        {
            s.add(
                "version-exists",
                12,
                Some(Evidence {
                    kind: EvidenceKind::Probe,
                    text: format!("{package}@{v} is already published"),
                    source: Some(command.clone()),
                }),
            );
        }
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let reg = cx.registry_or_placeholder();
    Advice {
        summary: "That version was already published (maybe unpublished since): a registry never accepts the same version twice.".to_owned(),
        fix: vec!["npm version patch   # or set a new version in package.json".to_owned(), "npm publish".to_owned()],
        verify: vec![format!("npm view {} versions --registry {reg}", cx.package.clone().unwrap_or_else(|| "<package>".into()))],
        decider: "`npm view <package> time` lists the version".to_owned(),
    }
}

/// No live evidence names anything more specific than the general steps.
fn live_fix(_cx: &Context) -> Vec<String> {
    Vec::new()
}
