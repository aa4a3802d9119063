//! `lockfile-registry-mismatch`: lockfile URLs point at a host without credentials here. Its rules, its fix text offline and live, and what decides it.

use crate::detect::url;
use crate::diagnose::advice::Advice;
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line, main_line};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::specific_signal;
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "lockfile-registry-mismatch",
    rules: &[
        rule!(20, lockfile_pinned_host),
        rule!(29, config_lockfile_hosts),
    ],
    advice,
    live_fix,
};

fn lockfile_pinned_host(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !has_status(cx, &[401, 403]) && !sig.need_auth {
        return;
    }
    if sig.pkgid_url.is_some() {
        s.add("lockfile-registry-mismatch", 9, line(cx, &["pkgid"]));
    }
    if sig.lockfile_pinned && sig.pkgid_url.is_none() {
        s.add(
            "lockfile-registry-mismatch",
            7,
            line(cx, &["Lockfile is up to date"]),
        );
    }
    if let (Some(cli), Some(host)) = (sig.cli_registry.as_deref(), cx.host.as_deref()) {
        if url::host(cli).as_deref() != Some(host) {
            s.add("lockfile-registry-mismatch", 9, line(cx, &["--registry"]));
        }
    }
    if cx.tarball && cx.kind() == Kind::Github && cx.is_read() && has_status(cx, &[401]) {
        // GitHub Packages serves a version at /download/<package>/<version>/<sha>, a URL npm has
        // only from the packument or a lockfile's `resolved`; the packument read asks the same
        // host with the same credential and fails first, so this URL most often came from the
        // lockfile (https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-npm-registry)
        s.add("lockfile-registry-mismatch", 5, main_line(cx));
    }
    // a tarball fetched straight from a registry that mirrors public packages: the resolved URL
    // came from a lockfile (or a packument) pointing at a host this machine has no access to
    let mirrored =
        cx.entry.mirrors_public && !matches!(cx.kind(), Kind::Github | Kind::Gitlab | Kind::Npmjs);
    if cx.tarball && mirrored && !specific_signal(cx) {
        s.add("lockfile-registry-mismatch", 6, main_line(cx));
        if cx.scope.is_none() {
            s.add("lockfile-registry-mismatch", 2, None);
        }
        s.add("npmrc-misconfig", 2, None);
    }
}

fn config_lockfile_hosts(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    let Some(host) = cx.host.as_deref() else {
        return;
    };
    for l in config
        .lockfile_hosts_without_credential
        .iter()
        .filter(|l| l.value == host)
    {
        s.add(
            "lockfile-registry-mismatch",
            14,
            Some(Evidence {
                kind: EvidenceKind::Lockfile,
                text: format!("resolved URLs on {}", l.value),
                source: Some(l.source.clone()),
            }),
        );
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return Advice {
            summary: format!("The request went to {host} because the lockfile pins resolved URLs there, and this machine has no access to that host."),
            fix: vec![
                "regenerate the lockfile against your registry: rm yarn.lock && yarn install".to_owned(),
                format!("or get credentials for {host} (npmRegistries in .yarnrc.yml)"),
            ],
            verify: client_words::checks(cx, vec![format!("grep -c '{host}' yarn.lock")]),
            decider: format!("yarn.lock has resolved URLs on {host} while the configured registry is another"),
        };
    }
    Advice {
        summary: format!("The request went to {host} because the lockfile pins resolved URLs there, and this machine has no access to that host."),
        fix: vec![
            "npm ci --replace-registry-host=always   # fetch from your configured registry instead (npm >= 9)".to_owned(),
            "or regenerate the lockfile against your registry: rm package-lock.json && npm install".to_owned(),
            format!("or get credentials for {host}"),
        ],
        // the package where the fix fetches it, once the configured registry is known
        verify: match configured_view(cx) {
            Some(view) => vec![view, format!("grep -c '{host}' package-lock.json")],
            None => vec![format!("grep -c '{host}' package-lock.json")],
        },
        decider: format!("package-lock.json (or yarn.lock/pnpm-lock.yaml) has resolved URLs on {host} while the configured registry is another"),
    }
}

/// The package as the configured registry serves it, where the fix sends the request (a read,
/// never the install again).
fn configured_view(cx: &Context) -> Option<String> {
    let configured = cx
        .facts
        .config
        .as_ref()
        .and_then(|c| c.registry.as_ref())
        .map(|r| r.value.clone())?;
    let package = cx
        .package
        .clone()
        .or_else(|| cx.failure.url.as_deref().and_then(tarball_package))
        .unwrap_or_else(|| "<package>".into());
    Some(format!(
        "npm view {package} version --registry {configured}"
    ))
}

/// `pub-pkg` of `.../pub-pkg/-/pub-pkg-1.0.0.tgz` (`@s/p` of `.../@s/p/-/p-1.0.0.tgz`).
fn tarball_package(tarball: &str) -> Option<String> {
    let (before, _) = tarball.split_once("/-/")?;
    let mut parts = before.rsplit('/');
    let name = parts.next().filter(|n| !n.is_empty())?;
    Some(match parts.next().filter(|s| s.starts_with('@')) {
        Some(scope) => format!("{scope}/{name}"),
        None => name.to_owned(),
    })
}

/// Fix steps that name what this machine's configuration showed.
fn live_fix(cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };
    {
        let Some(l) = config
            .lockfile_hosts_without_credential
            .iter()
            .find(|l| Some(&l.value) == cx.host.as_ref())
        else {
            return Vec::new();
        };
        let configured = config
            .registry
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_default();
        // the user's own command, made to fetch from the configured registry
        let verb = match cx.failure.command.first().map(String::as_str) {
            Some(v @ ("install" | "i" | "ci" | "update")) => v.to_owned(),
            _ => "ci".to_owned(),
        };
        // the file's name: it sits where the command ran (the evidence gives its full path)
        let file = l.source.rsplit('/').next().unwrap_or(&l.source);
        vec![
            format!("npm {verb} --replace-registry-host=always   # {file} pins {}; this fetches from {configured} instead", l.value),
            format!("or regenerate {} against {configured}: delete it and run `npm install`", l.source),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::tarball_package;

    #[test]
    fn package_names_from_tarball_urls() {
        let cases = [
            ("http://h/pub-pkg/-/pub-pkg-1.0.0.tgz", Some("pub-pkg")),
            ("https://h/api/npm/r/@s/p/-/p-1.0.0.tgz", Some("@s/p")),
            ("https://h/pub-pkg", None),
        ];
        for (url, name) in cases {
            assert_eq!(tarball_package(url).as_deref(), name, "{url}");
        }
    }
}
