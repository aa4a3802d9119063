//! `scope-not-mapped`: a scoped package went to the default registry for want of `@scope:registry`. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::{routed_check, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{has_status, line, main_line};
use crate::diagnose::facts::{ConfigFacts, ProbeFact};
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::diagnose::wording::specific_signal;
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "scope-not-mapped",
    rules: &[
        rule!(24, not_found_scoped_read),
        rule!(34, probe_view_elsewhere),
        rule!(50, unmapped_scope_credential_on_another_port),
    ],
    advice,
    live_fix,
};

fn not_found_scoped_read(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[404]) || !cx.is_read() || cx.scope.is_none() || specific_signal(cx) {
        return;
    }
    let ev =
        main_line(cx).or_else(|| line(cx, &["404", "not in", "could not be found", "Not found"]));
    if cx.tarball && cx.kind() == Kind::Npmjs {
        // a tarball URL on npmjs came from its packument or a lockfile: the package is there,
        // and npmjs answers 404 to a reader it will not show a private package to
        s.add("insufficient-permission", 6, ev);
        s.add("token-invalid-or-expired", 4, None);
        s.add("scope-not-mapped", 2, None);
        return;
    }
    if matches!(cx.kind(), Kind::Npmjs | Kind::Yarnpkg | Kind::Mirror) || cx.registry.is_none() {
        s.add("scope-not-mapped", 7, ev);
        s.add("token-invalid-or-expired", 3, None);
        s.add("token-missing", 2, None);
        s.add("insufficient-permission", 2, None);
    } else {
        s.add("insufficient-permission", 5, ev);
        s.add("token-missing", 4, None);
        s.add("scope-not-mapped", 3, None);
    }
}

/// The package is readable on another registry this configuration has a credential for.
/// Another server (another host or port) while the scope has no mapping: the request went to the
/// wrong registry. The same server under another name (`localhost` for `127.0.0.1`, another
/// scheme or path): the credential works there, so it is keyed to the wrong host.
fn probe_view_elsewhere(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    for p in &cx.facts.probes {
        let ProbeFact::View {
            registry,
            command,
            status: Some(200),
            version,
            failing_registry: false,
            ..
        } = p
        else {
            continue;
        };
        let evidence = |text: String| {
            Some(Evidence {
                kind: EvidenceKind::Probe,
                text,
                source: Some(command.clone()),
            })
        };
        let package = cx.package.clone().unwrap_or_default();
        let version = version.clone().unwrap_or_default();
        if cx
            .registry
            .as_deref()
            .is_some_and(|r| crate::registry_url::same_server(r, registry))
        {
            s.add(
                "token-wrong-host",
                8,
                evidence(format!(
                    "{package} is readable (version {version}) through {registry}, the same server under the name the credential is keyed to"
                )),
            );
            s.add("scope-not-mapped", -6, None);
            return;
        }
        if let Some(scope) = &config.unmapped_scope {
            s.add(
                "scope-not-mapped",
                14,
                evidence(format!(
                    "{package} is on {registry} (version {version}), which {scope} is not mapped to"
                )),
            );
            s.add("token-wrong-host", -4, None);
            s.add("token-missing", -4, None);
            return;
        }
    }
}

/// Without probes (none answered, or berry's, which npm cannot run): the scope has no mapping,
/// nothing was sent, and the only credential near the failing host is for another port of it,
/// another server: the scoped request most likely went to the wrong registry, not a key typo
/// (a typo keeps the port; `localhost` for `127.0.0.1` is `LoopbackAlias`). The probe, when it
/// answers, outweighs this.
fn unmapped_scope_credential_on_another_port(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    // Only when nothing was probed (yarn berry's runs): a probe tells a scope that belongs to the
    // credential's registry from a token keyed to a port where no registry answers.
    if config.unmapped_scope.is_none() || config.credential.is_some() || !cx.facts.probes.is_empty()
    {
        return;
    }
    let Some(near) = config
        .near_misses
        .iter()
        .find(|n| matches!(n.why, crate::diagnose::facts::NearMissWhy::OtherPort { .. }))
    else {
        return;
    };
    let scope = config.unmapped_scope.clone().unwrap_or_default();
    // outweighs the near-miss rule's guess (token_missing's routing rule gives the key +12)
    s.add(
        "scope-not-mapped",
        10,
        Some(Evidence {
            kind: EvidenceKind::Config,
            text: format!(
                "{scope} has no registry mapping, and the only credential near it, {}, is for another port (another registry)",
                near.key
            ),
            source: Some(near.source.clone()),
        }),
    );
    s.add("token-wrong-host", -6, None);
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return berry_advice(cx, &host);
    }
    {
        let scope = cx.scope.clone().unwrap_or_else(|| "@scope".to_owned());
        Advice {
            summary: format!("{} went to the default registry ({host}) because no `{scope}:registry` mapping sends it to the registry that has it.", cx.package.clone().unwrap_or_else(|| "The package".into())),
            fix: vec![
                format!("npm config set {scope}:registry <your-private-registry-url> --location project"),
                "for publishing: set publishConfig.registry in package.json (and give the package a scope the mapping covers)".to_owned(),
            ],
            // no --registry: the mapping itself must send the request to the right registry
            verify: vec![routed_check(cx), format!("npm config get {scope}:registry")],
            decider: format!("`npm config get {scope}:registry` prints the default registry (no mapping)"),
        }
    }
}

/// Fix steps that name what this machine's configuration showed.
/// Berry's: `npmScopes.<scope>.npmRegistryServer` in `.yarnrc.yml` (it ignores `.npmrc`).
fn berry_advice(cx: &Context, host: &str) -> Advice {
    let s = client_words::berry_scope(cx).unwrap_or_else(|| "<scope>".into());
    Advice {
        summary: format!("{} went to yarn's default registry ({host}) because no npmScopes.{s}.npmRegistryServer sends it to the registry that has it.", cx.package.clone().unwrap_or_else(|| "The package".into())),
        fix: vec![format!("set npmScopes.{s}.npmRegistryServer to your private registry's URL in .yarnrc.yml")],
        verify: client_words::checks(cx, vec![routed_check(cx), "yarn config get npmScopes".to_owned()]),
        decider: format!("`yarn config get npmScopes` has no entry for {s} (berry ignores .npmrc mappings)"),
    }
}

fn live_fix(cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };
    if client_words::is_berry(cx) {
        let Some(s) = client_words::berry_scope(cx) else {
            return Vec::new();
        };
        let registry = home_registry(cx, config).unwrap_or_else(|| "<registry URL>".into());
        return vec![format!("map the scope in .yarnrc.yml: `npmScopes: {{{s}: {{npmRegistryServer: \"{registry}\"}}}}` (npmScopes.{s}.npmRegistryServer; berry ignores .npmrc)")];
    }
    {
        let scope = config
            .unmapped_scope
            .clone()
            .or_else(|| cx.scope.clone())
            .unwrap_or_else(|| "@scope".into());
        match home_registry(cx, config) {
            // the evidence says where the package is and where it went
            Some(r) => vec![format!(
                "npm config set {scope}:registry {r} --location project"
            )],
            None => Vec::new(),
        }
    }
}

/// The registry the package was found on by a probe, else one the configuration has a
/// credential for.
fn home_registry(cx: &Context, config: &ConfigFacts) -> Option<String> {
    cx.facts
        .probes
        .iter()
        .find_map(|p| match p {
            ProbeFact::View {
                registry,
                status: Some(200),
                failing_registry: false,
                ..
            } if !cx
                .registry
                .as_deref()
                .is_some_and(|r| crate::registry_url::same_server(r, registry)) =>
            {
                Some(registry.clone())
            }
            _ => None,
        })
        .or_else(|| {
            config
                .credential_registries
                .iter()
                .find(|r| {
                    !cx.registry
                        .as_deref()
                        .is_some_and(|f| crate::registry_url::same_server(f, r))
                })
                .cloned()
        })
}
