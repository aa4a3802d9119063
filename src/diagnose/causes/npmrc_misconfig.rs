//! `npmrc-misconfig`: the credential is where the client does not read it, shadowed, legacy or malformed. Its rules, its fix text offline and live, and what decides it.

use crate::detect::{url, Operation};
use crate::diagnose::advice::{key, routed_check, variable, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{config_evidence, line, main_line};
use crate::diagnose::facts::ConfigFacts;
use crate::diagnose::facts::{Problem, ProblemKind, Provenance};
use crate::diagnose::problem_text::message;
use crate::diagnose::registry::Kind;
use crate::diagnose::score::{rule, Scores};
use crate::report::Evidence;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "npmrc-misconfig",
    rules: &[
        rule!(3, invalid_auth_config),
        rule!(8, pnpm_ignored_auth),
        rule!(15, berry_no_auth_configured),
        rule!(25, publish_to_mirror),
        rule!(43, npm_asked_for_the_yarn_registry),
        rule!(28, config_invalid_or_overridden),
        rule!(32, config_credential_unread),
    ],
    advice,
    live_fix,
};

fn invalid_auth_config(cx: &Context, s: &mut Scores) {
    let f = cx.failure;
    // pnpm's own: pnpm/pnpm pnpm11/config/reader/src/loadNpmrcFiles.ts (INVALID_AUTH_SETTING)
    if f.signals.invalid_auth.is_some()
        || matches!(
            f.code.as_deref(),
            Some("ERR_INVALID_AUTH" | "ERR_PNPM_INVALID_AUTH_SETTING")
        )
    {
        s.add(
            "npmrc-misconfig",
            12,
            line(
                cx,
                &[
                    "Invalid auth configuration",
                    "ERR_INVALID_AUTH",
                    "ERR_PNPM_INVALID_AUTH_SETTING",
                ],
            ),
        );
    }
}

fn pnpm_ignored_auth(cx: &Context, s: &mut Scores) {
    if !cx.failure.signals.ignored_auth_settings.is_empty() {
        s.add("npmrc-misconfig", 11, line(cx, &["Ignored"]));
        s.add("token-env-unset", 2, None);
    }
}

fn berry_no_auth_configured(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.no_auth_configured {
        // yarn berry reads .yarnrc.yml only: a token in .npmrc (what setup-node writes) is ignored
        let ev = line(cx, &["No authentication configured"]);
        s.add("npmrc-misconfig", 7, ev.clone());
        s.add("token-missing", 6, ev);
        s.add("token-env-unset", 4, None);
    }
}

fn publish_to_mirror(cx: &Context, s: &mut Scores) {
    if cx.kind() == Kind::Mirror && matches!(cx.op, Operation::Publish | Operation::Login) {
        s.add("npmrc-misconfig", 10, main_line(cx));
    }
}

/// npm wants a login for registry.yarnpkg.com: a host nobody sets up for npm, but the registry
/// yarn 1 hands every script it runs (`npm_config_registry` from its default `registry`:
/// yarnpkg/yarn src/util/execute-lifecycle-script.js makeEnv, src/registries/yarn-registry.js
/// DEFAULTS). The registry npm used is not the configured one (a higher-precedence
/// `npm_config_*`), and a token keyed to registry.npmjs.org is not sent there.
fn npm_asked_for_the_yarn_registry(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    let host = sig.need_auth_registry.as_deref().and_then(url::host);
    if sig.need_auth && host.as_deref() == Some("registry.yarnpkg.com") {
        s.add("npmrc-misconfig", 8, line(cx, &["registry.yarnpkg.com"]));
        s.add("token-wrong-host", 5, None);
    }
}

fn config_invalid_or_overridden(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    for p in &config.invalid_auth {
        s.add("npmrc-misconfig", 12, problem_evidence(p));
    }
    for p in &config.overridden {
        s.add("npmrc-misconfig", 8, problem_evidence(p));
    }
}

/// A credential for the failing host sits where npm does not read it, or the registry in use
/// comes from a higher layer that hides the one the credential is for.
fn config_credential_unread(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    if config.credential.is_some() {
        return;
    }
    for p in &config.unread_credentials {
        s.add("npmrc-misconfig", 16, problem_evidence(p));
        s.add("token-missing", -6, None);
    }
    if let Some(o) = config
        .registry_override
        .as_ref()
        .filter(|o| o.shadowed_has_credential)
    {
        s.add(
            "npmrc-misconfig",
            16,
            config_evidence(
                format!(
                    "{} = {} ({} layer) overrides {} = {} from {}, the registry the credential is for",
                    o.key, o.winner.value, o.winner.source.layer().as_str(), o.key, o.shadowed.value, o.shadowed.source
                ),
                &o.winner.source.to_string(),
            ),
        );
        s.add("token-wrong-host", -8, None);
        s.add("token-missing", -6, None);
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    if client_words::is_berry(cx) {
        return Advice {
            summary: format!("The configuration does not give {host} a usable credential: it sits where yarn berry does not look (berry ignores .npmrc), under another npmScopes/npmRegistries key, or the registry URL itself is wrong."),
            fix: misconfig_fix(cx),
            verify: client_words::checks(cx, vec!["yarn config get npmAuthToken".to_owned()]),
            decider: "which .yarnrc.yml files yarn read (`yarn config`) and whether npmAuthToken is set for the registry in use".to_owned(),
        };
    }
    // npm's text keeps its hedge: an npm-run script may have failed in another client's run
    let who = match cx.client {
        crate::config::clients::ClientKind::Npm => "npm (or this client)",
        _ => client_words::tool(cx),
    };
    Advice {
        summary: format!("The configuration does not give {host} a usable credential: it is in a file {who} does not read, shadowed by precedence, in a legacy form, or the registry URL itself is wrong."),
        fix: misconfig_fix(cx),
        // the failed request, routed by the repaired configuration, then where it comes from
        verify: vec![routed_check(cx), "npm config list".to_owned(), "regauth doctor".to_owned()],
        decider: "which .npmrc files npm read (`npm config list`) and whether the credential line is in one of them, keyed to the registry URL in use".to_owned(),
    }
}

/// Fix steps that name what this machine's configuration showed.
fn live_fix(cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };

    misconfig(config)
}

fn misconfig_fix(cx: &Context) -> Vec<String> {
    let s = &cx.failure.signals;
    if let Some(problem) = &s.invalid_auth {
        return vec!["npm config fix   # moves top-level _auth/_authToken under the registry's //host/path/ key".to_owned(), format!("npm reported: {problem}")];
    }
    if !s.ignored_auth_settings.is_empty() {
        return vec!["move the credential line to ~/.npmrc (user config) or provide it via the environment: pnpm no longer expands ${VAR} in a repository's .npmrc credentials".to_owned()];
    }
    if s.no_auth_configured || client_words::is_berry(cx) {
        return vec![
            "yarn berry does not read .npmrc: set npmAuthToken in .yarnrc.yml (npmRegistries or npmScopes), e.g. `npmAuthToken: \"${NPM_TOKEN}\"`".to_owned(),
            "yarn config set npmAuthToken <token>   # or YARN_NPM_AUTH_TOKEN in the environment".to_owned(),
        ];
    }
    if cx.kind() == Kind::Github
        && crate::diagnose::pnpm_keys::pnpm_registry_path_under_credential(cx)
    {
        let scope = cx.scope.as_deref().unwrap_or("@OWNER");
        return vec![
            format!("{scope}:registry=https://npm.pkg.github.com/   # GitHub's registry URL has no owner path; pnpm before 8.11 does not send a //npm.pkg.github.com/ token to a registry URL below it"),
            "or upgrade pnpm to 8.11 or later, which looks the credential up along the registry path as npm does".to_owned(),
        ];
    }
    if cx.kind() == Kind::Mirror {
        return vec!["npm publish --registry https://registry.npmjs.org/   # mirrors accept no publish/login; or `npm config set registry https://registry.npmjs.org/`".to_owned()];
    }
    vec![
        "npm config list   # shows each file npm read; put the credential line in one of them".to_owned(),
        format!("key it to the registry in use: {}=${{{}}}", key(cx), variable(cx)),
        "check that NPM_CONFIG_USERCONFIG or a project .npmrc does not shadow it, and that `registry` is the URL you mean".to_owned(),
    ]
}

fn misconfig(config: &ConfigFacts) -> Vec<String> {
    let mut out = Vec::new();
    for p in &config.invalid_auth {
        out.push(format!(
            "npm config fix   # {}: {}",
            problem_source(p),
            message(p)
        ));
    }
    for p in &config.unread_credentials {
        out.push(format!("{}: {}", problem_source(p), message(p)));
        if matches!(p.kind, ProblemKind::MovedUserconfig { .. }) {
            out.push(
                "unset NPM_CONFIG_USERCONFIG (or copy the credential line into the file it names)"
                    .into(),
            );
        }
    }
    if let Some(o) = config
        .registry_override
        .as_ref()
        .filter(|o| o.shadowed_has_credential)
    {
        let how = match &o.winner.source {
            Provenance::Env { name } => format!("unset {name}"),
            Provenance::Cli => format!("drop --{} from the command", o.key),
            other => format!("remove `{}` from {other}", o.key),
        };
        out.push(format!(
            "{how}   # {} = {} ({} layer) overrides {} from {}",
            o.key,
            o.winner.value,
            o.winner.source.layer().as_str(),
            o.shadowed.value,
            o.shadowed.source
        ));
    }
    out
}

/// A configuration problem as evidence: its sentence and the setting it is about.
fn problem_evidence(p: &Problem) -> Option<Evidence> {
    config_evidence(message(p), &problem_source(p))
}

/// Where a problem is, for people (`config` when it is about no single setting).
fn problem_source(p: &Problem) -> String {
    p.source
        .as_ref()
        .map_or_else(|| "config".to_owned(), ToString::to_string)
}
