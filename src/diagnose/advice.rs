//! Pieces every cause's fix text uses, filled with the real registry, package and variable names: the whoami, view and retry commands (in the failing client's terms), the credential key npm reads, the variable.

use super::client_words::{berry_info, berry_whoami, is_berry};
use super::context::Context;
use super::registry::{nerf, Kind};

/// What a cause means and what to do about it.
#[derive(Debug, Default)]
pub(crate) struct Advice {
    pub(crate) summary: String,
    pub(crate) fix: Vec<String>,
    pub(crate) verify: Vec<String>,
    /// The one fact (a config line, a probe) that would confirm or rule out this cause.
    pub(crate) decider: String,
}

/// Who the registry says the credential belongs to (berry: `yarn npm whoami` for the scope).
pub(crate) fn whoami(cx: &Context) -> String {
    if is_berry(cx) {
        return berry_whoami(cx);
    }
    format!("npm whoami --registry {}", cx.registry_or_placeholder())
}

/// The package's version as the registry answers it (berry: `yarn npm info`).
pub(crate) fn view(cx: &Context) -> String {
    if is_berry(cx) {
        return berry_info(cx, "version");
    }
    match &cx.package {
        Some(p) => format!(
            "npm view {p} version --registry {}",
            cx.registry_or_placeholder()
        ),
        None => whoami(cx),
    }
}

/// A read-only check of what failed, never the user's command again: for a publish, whether the
/// registry accepts the credential (`npm publish --dry-run` checks nothing about auth); for a
/// read, the package's version as the registry answers it.
pub(crate) fn check_request(cx: &Context) -> String {
    if cx.is_publish() {
        whoami(cx)
    } else {
        view(cx)
    }
}

/// The request again, read-only and routed by the configuration alone (no `--registry`): after a
/// fix to the routing (a scope mapping, a registry setting), it goes where npm now sends it.
pub(crate) fn routed_check(cx: &Context) -> String {
    if is_berry(cx) {
        // berry's commands always go where its configuration routes the scope
        return view(cx);
    }
    match (&cx.package, cx.is_publish(), &cx.registry) {
        (Some(p), false, _) => format!("npm view {p} version"),
        (_, _, Some(_)) => whoami(cx),
        // where the configuration sends it, whatever that is
        (_, _, None) => "npm whoami".to_owned(),
    }
}

/// After a refused package write: who maintains the package (the logged-in user must be listed).
pub(crate) fn owners(cx: &Context) -> String {
    if is_berry(cx) {
        return berry_info(cx, "maintainers");
    }
    format!(
        "npm owner ls {} --registry {}",
        cx.package.clone().unwrap_or_else(|| "<package>".into()),
        cx.registry_or_placeholder()
    )
}

pub(crate) fn key(cx: &Context) -> String {
    format!("{}:_authToken", nerf(&cx.registry_or_placeholder()))
}

pub(crate) fn variable(cx: &Context) -> String {
    cx.variable.clone().unwrap_or_else(|| match cx.kind() {
        Kind::Github => "NODE_AUTH_TOKEN".to_owned(),
        _ => "NPM_TOKEN".to_owned(),
    })
}

pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// The user the whoami probe found logged in, when it answered.
pub(crate) fn whoami_user(cx: &Context) -> Option<String> {
    cx.facts.probes.iter().find_map(|p| match p {
        super::facts::ProbeFact::Whoami {
            outcome: super::facts::ProbeOutcome::Ok(u),
            ..
        } => Some(u.clone()),
        _ => None,
    })
}
