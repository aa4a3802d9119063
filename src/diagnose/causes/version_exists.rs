//! `version-exists`: the version being published already exists. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::Advice;
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::line;
use crate::diagnose::facts::ProbeFact;
use crate::diagnose::next_version::{highest_from_message, propose};
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
            published,
            latest,
        } = p
        {
            s.add(
                "version-exists",
                12,
                Some(Evidence {
                    kind: EvidenceKind::Probe,
                    text: format!(
                        "{package}@{v} is already published{}",
                        highest_note(v, published, latest.as_deref())
                    ),
                    source: Some(command.clone()),
                }),
            );
        }
    }
}

/// `; the highest is 2.0.0 (latest 2.0.0)` when a higher version than `local` is published.
fn highest_note(local: &str, published: &[String], latest: Option<&str>) -> String {
    match propose(Some(local), published) {
        Some(p) if p.same_line.is_some() => {
            let tag = latest
                .map(|l| format!(" (latest: {l})"))
                .unwrap_or_default();
            format!("; the highest is {}{tag}", p.highest)
        }
        _ => String::new(),
    }
}

/// npm refused to move `latest` below a published version ("Cannot implicitly apply").
fn refused_latest(cx: &Context) -> Option<String> {
    let f = cx.failure;
    f.message
        .iter()
        .chain(f.lines.iter().map(|l| &l.text))
        .find(|t| t.contains("implicitly apply"))
        .and_then(|t| highest_from_message(t))
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    if client_words::is_berry(cx) {
        return berry_advice(cx);
    }
    let reg = cx.registry_or_placeholder();
    let package = cx.package.clone().unwrap_or_else(|| "<package>".into());
    let verify = vec![format!(
        "npm view {package} versions dist-tags --registry {reg}"
    )];
    if let Some(highest) = refused_latest(cx) {
        let above = propose(None, std::slice::from_ref(&highest))
            .map_or_else(|| "<a version above it>".into(), |p| p.above_highest);
        return Advice {
            summary: format!("A higher version ({highest}) is already published: npm gives a publish the `latest` tag unless told otherwise, and refuses to move `latest` down."),
            fix: vec![
                format!("`npm version {above}` then `npm publish`   # above {highest}, so it may become latest"),
                "or keep this version off `latest`: `npm publish --tag maintenance`".to_owned(),
            ],
            verify,
            decider: "npm's \"Cannot implicitly apply the latest tag\" message names the higher version".to_owned(),
        };
    }
    Advice {
        summary: "That version was already published (maybe unpublished since): a registry never accepts the same version twice.".to_owned(),
        fix: vec![
            format!("set a version above the highest published (`npm view {package} versions dist-tags`), then `npm publish`"),
            "a version below `latest` needs a tag: `npm publish --tag maintenance`".to_owned(),
        ],
        verify,
        decider: "`npm view <package> time` lists the version".to_owned(),
    }
}

/// The published versions the probe listed decide the version (and tag) to propose.
/// Berry's: `yarn version`, `yarn npm publish --tag`, `yarn npm info`.
fn berry_advice(cx: &Context) -> Advice {
    Advice {
        summary: "That version was already published (maybe unpublished since): a registry never accepts the same version twice.".to_owned(),
        fix: vec![
            "set a version above the highest published (`yarn version patch`), then `yarn npm publish`".to_owned(),
            "a version below `latest` needs a tag: `yarn npm publish --tag maintenance`".to_owned(),
        ],
        verify: client_words::checks(cx, vec![client_words::berry_info(cx, "versions,dist-tags")]),
        decider: format!("`{}` lists the version", client_words::berry_info(cx, "time")),
    }
}

fn live_fix(cx: &Context) -> Vec<String> {
    let Some((local, published)) = cx.facts.probes.iter().find_map(|p| match p {
        ProbeFact::Versions {
            local_version: Some(v),
            published,
            ..
        } if !published.is_empty() => Some((v, published)),
        _ => None,
    }) else {
        return Vec::new();
    };
    let Some(p) = propose(Some(local), published) else {
        return Vec::new();
    };
    let mut fix = vec![format!(
        "`npm version {}` then `npm publish`   # {} is the highest published; a new version above it may take the latest tag",
        p.above_highest, p.highest
    )];
    let tagged = "`npm publish --tag maintenance` (npm never moves latest down)";
    match p.same_line {
        Some(line) if line == *local => fix.push(format!(
            "or publish {line} below {} without the latest tag: {tagged}",
            p.highest
        )),
        Some(line) => fix.push(format!(
            "or stay on your line below {}: `npm version {line}` then {tagged}",
            p.highest
        )),
        None => {}
    }
    fix
}

#[cfg(test)]
mod tests {
    #[test]
    fn npm_refusing_to_move_latest_down_gets_a_version_above_the_highest() {
        let text = "npm notice Publishing to https://registry.npmjs.org/ with tag latest and default access\nnpm error Cannot implicitly apply the \"latest\" tag because previously published version 2.0.0 is higher than the new version 1.0.1. You must specify a tag using --tag.\n";
        let d = crate::diagnose::explain_text(text);
        let top = &d.report.causes[0];
        assert_eq!(top.id, "version-exists");
        assert!(
            top.fix[0].starts_with("`npm version 2.0.1` then `npm publish`"),
            "{:?}",
            top.fix
        );
        assert!(top.fix.iter().any(|f| f.contains("--tag")), "{:?}", top.fix);
        assert!(
            !top.fix.iter().any(|f| f.contains("npm version patch")),
            "{:?}",
            top.fix
        );
    }
}
