//! `token-missing`: no credential is configured for the host the failing request went to. Its rules, its fix text offline and live, and what decides it.

use crate::detect::url;
use crate::diagnose::advice::{check_request, key, variable, whoami, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{config_evidence, has_status, line, main_line};
use crate::diagnose::facts::{ConfigFacts, VarState};
use crate::diagnose::registry::{nerf, Kind};
use crate::diagnose::score::{rule, Scores};
use crate::report::{Evidence, EvidenceKind};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "token-missing",
    rules: &[
        rule!(14, need_auth),
        rule!(16, no_credential_sent),
        rule!(27, config_credential_routing),
    ],
    advice,
    live_fix,
};

fn need_auth(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !sig.need_auth {
        return;
    }
    let ev = line(cx, &["requires you to be logged in", "ENEEDAUTH"]);
    if sig
        .need_auth_registry
        .as_deref()
        .is_some_and(registry_without_trailing_slash)
    {
        s.add("token-wrong-host", 10, ev.clone());
    }
    if cx.in_ci() {
        s.add("token-env-unset", 7, ev.clone());
        s.add("token-missing", 6, ev);
    } else {
        s.add("token-missing", 7, ev);
        s.add("token-env-unset", 4, None);
    }
    if npmjs_write_without_any_credential(cx) {
        // an npm older than 10.6 (its `npm ERR!` heading, detect/publisher.rs) cannot do the
        // exchange (npm >= 11.5.1) and predates trusted publishing: a late candidate only
        let old_npm = cx.failure.publisher.npm_err_heading;
        s.add("oidc-not-attempted", if old_npm { 2 } else { 8 }, None);
    }
    s.add("token-wrong-host", 3, None);
    s.add("npmrc-misconfig", 2, None);
}

/// ENEEDAUTH from npmjs on a command that is not a read (npm's publish, owner, access ... need a
/// login; no install does): npm found no credential at all for registry.npmjs.org. Since npmjs
/// revoked classic tokens (2025-12-09) a publish with no token configured is one meant for
/// trusted publishing, and npm >= 11.5.1 raises this same ENEEDAUTH when it did not try the
/// exchange (npm/cli lib/commands/publish.js: OIDC runs first, then the credential check;
/// https://docs.npmjs.com/trusted-publishers). The text cannot tell that from a never-logged-in
/// machine, so only a candidate; the oidc lines of the debug log decide.
fn npmjs_write_without_any_credential(cx: &Context) -> bool {
    cx.kind() == Kind::Npmjs && cx.op != crate::detect::Operation::Read && !cx.failure.oidc.seen()
}

fn no_credential_sent(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !sig.anonymous || sig.proxy || sig.need_auth || sig.no_auth_configured {
        return;
    }
    let ev = line(
        cx,
        &[
            "not provided",
            "No authorization header",
            "anonymous",
            "unregistered",
            "logged in",
            "Login first",
            "authorization",
        ],
    );
    if crate::diagnose::pnpm_keys::pnpm_listed_credential_for_host(cx) {
        s.add(
            "token-wrong-host",
            8,
            line(cx, &["_authToken=", "_auth=", ":registry="]),
        );
        s.add("npmrc-misconfig", 7, ev);
        s.add("token-missing", 1, None);
        if cx.kind() == Kind::Github
            && crate::diagnose::pnpm_keys::pnpm_registry_path_under_credential(cx)
        {
            // the credential would match under npm's rules, and GitHub's registry URL has no
            // path of its own: the registry URL is what to change
            s.add("npmrc-misconfig", 3, line(cx, &[":registry=", "registry="]));
            s.add("npmrc-misconfig", 0, line(cx, &["_authToken=", "_auth="]));
        }
        return;
    }
    if pnpm_default_port_url(cx) {
        s.add("token-wrong-host", 9, main_line(cx));
    }
    if cx.kind() == Kind::Yarnpkg {
        // npm keys credentials by host: a token saved for registry.npmjs.org is not sent here
        s.add("token-wrong-host", 8, None);
    }
    // a 404 without credentials more often means "not on this registry" (scope-not-mapped)
    let weight = if has_status(cx, &[404]) { 4 } else { 7 };
    s.add("token-missing", weight, ev);
    s.add(
        "token-env-unset",
        if cx.in_ci() { 6 } else { 4 } - (7 - weight),
        None,
    );
    s.add("token-wrong-host", 3, None);
    s.add("npmrc-misconfig", 2, None);
    if cx.failure.tool == Some(crate::types::ClientId::YarnBerry) {
        // berry ignores .npmrc: the credential may sit where it never looks
        s.add("npmrc-misconfig", 3, None);
    }
    if sig.auth_settings_found == Some(false) {
        s.add("token-missing", 2, line(cx, &["No authorization settings"]));
    }
}

fn config_credential_routing(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    if !has_status(cx, &[401]) && !cx.failure.signals.need_auth && !has_status(cx, &[404]) {
        return;
    }
    if let Some(cred) = &config.credential {
        s.add("token-missing", -8, None);
        s.add("token-wrong-host", -4, None);
        if has_status(cx, &[401]) {
            s.add(
                "token-invalid-or-expired",
                3,
                config_evidence(format!("{} = {}", cred.key, cred.redacted), &cred.source),
            );
        }
        return;
    }
    s.add("token-invalid-or-expired", -5, None);
    if lockfile_host_matches(cx) || config.variables.iter().any(|v| v.state != VarState::Set) {
        // the lockfile or the variable explains why nothing was sent (their own rules)
        s.add("token-missing", -3, None);
        return;
    }
    if let Some(miss) = config.near_misses.first() {
        s.add(
            "token-wrong-host",
            12,
            config_evidence(
                format!(
                    "{} ({})",
                    miss.key,
                    crate::diagnose::problem_text::near_miss(&miss.why)
                ),
                &miss.source,
            ),
        );
        if config.unmapped_scope.is_some() {
            s.add("scope-not-mapped", 4, None);
        }
    } else if let (Some(scope), Some(reg), true) = (
        &config.unmapped_scope,
        &config.registry,
        elsewhere_possible(config),
    ) {
        s.add(
            "scope-not-mapped",
            12,
            config_evidence(
                format!(
                    "no {scope}:registry; {scope} goes to the default registry {} (credentials exist for {})",
                    reg.value,
                    config.credential_registries.join(", ")
                ),
                &reg.source.to_string(),
            ),
        );
    } else {
        let files = if config.files_read.is_empty() {
            "none".to_owned()
        } else {
            config.files_read.join(", ")
        };
        let (rc, who) = if client_words::is_berry(cx) {
            (".yarnrc.yml", "yarn")
        } else {
            (".npmrc", client_words::tool(cx))
        };
        let text = format!(
            "no credential for {} in the {rc} files {who} read ({files})",
            cx.host_or_registry_word()
        );
        // a 404 without credentials may as well be a package that lives on another registry
        let not_found = has_status(cx, &[404]);
        if not_found && config.unmapped_scope.is_some() {
            s.add("scope-not-mapped", 3, None);
        }
        s.add(
            "token-missing",
            if not_found { 5 } else { 10 },
            Some(Evidence {
                kind: EvidenceKind::Config,
                text,
                source: None,
            }),
        );
    }
}

/// pnpm looked the credential up by host:port; a key without the port did not match
/// (pnpm/pnpm pnpm11/network/auth-header/src/index.ts retries without the port only since
/// pnpm/pnpm#7337): the credential may be there, keyed to another "host".
pub(super) fn pnpm_default_port_url(cx: &Context) -> bool {
    cx.failure.tool == Some(crate::types::ClientId::Pnpm)
        && cx.failure.url.as_deref().is_some_and(explicit_default_port)
}

/// `https://h:443/...` or `http://h:80/...`: a port written out that the scheme implies.
fn explicit_default_port(u: &str) -> bool {
    let rest = |scheme: &str| {
        u.strip_prefix(scheme)
            .map(|r| r.split('/').next().unwrap_or(""))
    };
    rest("https://").is_some_and(|a| a.ends_with(":443"))
        || rest("http://").is_some_and(|a| a.ends_with(":80"))
}

/// A registry URL with a path and no trailing slash: npm keys its credential one level up.
fn registry_without_trailing_slash(registry: &str) -> bool {
    let p = url::path(registry);
    p.len() > 1 && !p.ends_with('/')
}

/// A scoped package on the default registry may live elsewhere: the registry is npm's default
/// (public npm holds no private scope of yours), or credentials exist for other registries.
fn elsewhere_possible(config: &ConfigFacts) -> bool {
    config
        .registry
        .as_ref()
        .is_some_and(|r| r.source == crate::diagnose::facts::Provenance::Default)
        || !config.credential_registries.is_empty()
}

fn lockfile_host_matches(cx: &Context) -> bool {
    let (Some(config), Some(host)) = (&cx.facts.config, cx.host.as_deref()) else {
        return false;
    };
    cx.tarball
        && config
            .lockfile_hosts_without_credential
            .iter()
            .any(|l| l.value == host)
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    if client_words::is_berry(cx) {
        return berry_advice(cx);
    }
    let host = cx.host_or_registry_word();
    let reg = cx.registry_or_placeholder();
    let e = cx.entry;
    let login = (e.login)(&reg, client_words::login_word(cx));
    Advice {
        summary: format!(
            "No credential was sent to {host}: none is configured for it where the command ran."
        ),
        // semantic-release's ENONPMTOKEN: its NPM_TOKEN first (diagnose/semantic_release.rs)
        fix: crate::diagnose::semantic_release::no_token_fix(cx)
            .into_iter()
            .chain(login)
            .collect(),
        verify: vec![whoami(cx), check_request(cx)],
        decider: format!(
            "no `{}` line in any .npmrc npm reads (`regauth doctor`), or `{}` says ENEEDAUTH",
            key(cx),
            whoami(cx)
        ),
    }
}

/// Berry's: `.yarnrc.yml`'s npmAuthToken, `yarn npm login`.
fn berry_advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    let whoami = whoami(cx);
    Advice {
        summary: format!("No credential was sent to {host}: yarn found no npmAuthToken or npmAuthIdent for it in the .yarnrc.yml files or YARN_* variables it read."),
        fix: vec![client_words::berry_token_fix(cx, &variable(cx))],
        verify: client_words::checks(cx, vec![check_request(cx)]),
        decider: format!("no npmAuthToken under {} (or npmRegistries, or top level) in any .yarnrc.yml yarn reads (`yarn config get npmAuthToken`), or `{whoami}` says it is not logged in", client_words::berry_place(cx)),
    }
}

/// Fix steps that name what this machine's configuration showed.
fn live_fix(cx: &Context) -> Vec<String> {
    if client_words::is_berry(cx) {
        return berry_live_fix(cx);
    }
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };
    let reg = cx.registry_or_placeholder();
    {
        let file = config
            .files_read
            .iter()
            .find(|f| f.ends_with("/.npmrc"))
            .cloned();
        let file = file.unwrap_or_else(|| "~/.npmrc".into());
        let var = variable(cx);
        let key = nerf(&reg);
        // the line alone leads into token-env-unset: say that the variable must hold a token,
        // and where such a token comes from
        let lines = match cx.kind() {
            Kind::Azure => format!(
                "`{key}:username={}`, `{key}:_password=${{{var}}}` and `{key}:email=npm requires email`",
                crate::diagnose::registry::azure_org(&reg).unwrap_or("ORG")
            ),
            _ => format!("`{key}:_authToken=${{{var}}}`"),
        };
        let what = match cx.kind() {
            Kind::Azure => "<the base64 of a token>",
            _ => "<token>",
        };
        match (cx.entry.token_source)(&reg) {
            Some(source) => vec![format!(
                "add {lines} to {file} and export {var}={what} where npm runs; the token: {source}"
            )],
            None => vec![format!(
                "add {lines} to {file} and export {var}=<a token for {}> where {} runs (or run \
                 `{}`, which stores one)",
                cx.host_or_registry_word(),
                client_words::tool(cx),
                client_words::login(cx)
            )],
        }
    }
}

/// Berry's, once its own route is known (live): the `.yarnrc.yml` line and the variable.
fn berry_live_fix(cx: &Context) -> Vec<String> {
    if cx.facts.client_route.is_none() {
        return Vec::new();
    }
    vec![format!(
        "add `npmAuthToken: \"${{NPM_TOKEN}}\"` under {} in ~/.yarnrc.yml and export NPM_TOKEN=<a token for {}> (or run `{}`)",
        client_words::berry_place(cx),
        cx.host_or_registry_word(),
        client_words::login(cx)
    )]
}
