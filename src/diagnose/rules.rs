//! The rules: each a small function from the facts to points for candidate causes, with the
//! evidence that earned them. All rules are in `RULES`, in one list. Points add up; the ranking
//! is the sum. Rules state what registries and npm actually say, not phrases of single reports.

use std::sync::LazyLock;

use regex::Regex;

use super::context::Context;
use super::facts::{ProbeOutcome, VarState};
use super::registry::Kind;
use crate::detect::{url, Operation, Origin};
use crate::report::{Evidence, EvidenceKind};

/// One candidate cause being scored.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: &'static str,
    pub score: i32,
    pub evidence: Vec<Evidence>,
}

/// Points per cause id, in the order causes were first named.
#[derive(Debug, Default)]
pub struct Scores {
    pub items: Vec<Candidate>,
}

impl Scores {
    pub fn add(&mut self, id: &'static str, points: i32, evidence: Option<Evidence>) {
        let item = match self.items.iter_mut().position(|c| c.id == id) {
            Some(i) => &mut self.items[i],
            None => {
                self.items.push(Candidate {
                    id,
                    score: 0,
                    evidence: Vec::new(),
                });
                self.items.last_mut().unwrap()
            }
        };
        item.score += points;
        if let Some(e) = evidence {
            if !item.evidence.contains(&e) {
                item.evidence.push(e);
            }
        }
    }

    pub fn score(&self, id: &str) -> i32 {
        self.items
            .iter()
            .find(|c| c.id == id)
            .map_or(0, |c| c.score)
    }
}

pub type Rule = fn(&Context, &mut Scores);

/// Every rule. Text rules first, then the ones that read config and probes.
pub const RULES: &[Rule] = &[
    one_time_password,
    version_already_published,
    invalid_auth_config,
    payment_or_account,
    ip_allowlist,
    proxy_answered,
    variable_not_replaced,
    pnpm_ignored_auth,
    no_auth_for_uri,
    token_expired_notice,
    policy_block_body,
    publish_refused_body,
    permission_body,
    need_auth,
    berry_no_auth_configured,
    no_credential_sent,
    credential_rejected,
    unauthorized_generic,
    login_refused,
    lockfile_pinned_host,
    forbidden_read,
    forbidden_publish,
    not_found_publish,
    not_found_scoped_read,
    publish_to_mirror,
    config_variable_unset,
    config_credential_routing,
    config_invalid_or_overridden,
    config_lockfile_hosts,
    config_token_expired,
    config_proxy,
    config_credential_unread,
    probe_whoami,
    probe_view_elsewhere,
    probe_versions,
    probe_owners,
];

/// Evidence from the first stored line containing any of `needles`.
fn line(cx: &Context, needles: &[&str]) -> Option<Evidence> {
    let l = cx
        .failure
        .lines
        .iter()
        .find(|l| needles.iter().any(|n| l.text.contains(n)))?;
    let kind = match l.origin {
        Origin::Output => EvidenceKind::Output,
        Origin::DebugLog => EvidenceKind::DebugLog,
    };
    Some(Evidence {
        kind,
        text: l.text.clone(),
        source: Some(l.source()),
    })
}

/// Evidence for the main failing line (the message, else the code line).
fn main_line(cx: &Context) -> Option<Evidence> {
    let f = cx.failure;
    let mut needles: Vec<&str> = Vec::new();
    if let Some(u) = f.url.as_deref() {
        needles.push(u);
    }
    if let Some(c) = f.code.as_deref() {
        needles.push(c);
    }
    line(cx, &needles)
}

fn has_status(cx: &Context, statuses: &[u16]) -> bool {
    cx.status.is_some_and(|s| statuses.contains(&s))
}

/// Evidence already decided by a stronger, specific signal: generic rules stay out of the way.
fn specific_signal(cx: &Context) -> bool {
    let s = &cx.failure.signals;
    s.otp
        || s.publish_over_existing
        || s.invalid_auth.is_some()
        || s.payment_required
        || s.account_problem
        || s.proxy
        || !s.env_unresolved.is_empty()
        || !s.ignored_auth_settings.is_empty()
        || s.token_expired_notice
        || s.ip_not_allowed
        || s.no_auth_for_uri.is_some()
        || policy_text(cx)
        || publish_refused_text(cx)
        || permission_text(cx) && !s.anonymous
}

// --- explicit signals -----------------------------------------------------------------------

fn one_time_password(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.otp {
        s.add(
            "otp-required",
            12,
            line(cx, &["one-time", "OTP", "otp", "EOTP", "two-factor", "2FA"]),
        );
    }
}

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

fn invalid_auth_config(cx: &Context, s: &mut Scores) {
    let f = cx.failure;
    if f.signals.invalid_auth.is_some() || f.code.as_deref() == Some("ERR_INVALID_AUTH") {
        s.add(
            "npmrc-misconfig",
            12,
            line(cx, &["Invalid auth configuration", "ERR_INVALID_AUTH"]),
        );
    }
}

fn payment_or_account(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if sig.payment_required {
        s.add(
            "account-issue",
            11,
            line(cx, &["402", "Payment", "paid", "private packages"]),
        );
    }
    if sig.account_problem {
        s.add(
            "account-issue",
            11,
            line(cx, &["email", "suspended", "locked", "disabled"]),
        );
    }
}

fn ip_allowlist(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.ip_not_allowed {
        s.add("blocked-by-policy", 10, line(cx, &["IP", "EAUTHIP"]));
        s.add("account-issue", 3, None);
    }
}

fn proxy_answered(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.proxy {
        s.add(
            "proxy-auth",
            11,
            line(cx, &["407", "roxy", "network administrator", "web site"])
                .or_else(|| main_line(cx)),
        );
    }
}

fn variable_not_replaced(cx: &Context, s: &mut Scores) {
    if !cx.failure.signals.env_unresolved.is_empty() {
        s.add(
            "token-env-unset",
            13,
            line(
                cx,
                &["Failed to replace env", "Environment variable not found"],
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

fn no_auth_for_uri(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.no_auth_for_uri.is_some() {
        let ev = line(cx, &["No auth for URI"]);
        s.add("token-wrong-host", 10, ev);
        s.add("token-wrong-host", 0, line(cx, &["Scoped Registry Key"]));
        s.add("lockfile-registry-mismatch", 4, line(cx, &["URI:"]));
    }
}

fn token_expired_notice(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.token_expired_notice {
        s.add(
            "token-invalid-or-expired",
            11,
            line(cx, &["expired or revoked"]),
        );
    }
}

/// Words registries and security proxies use when a policy, not a credential, refuses a package.
static POLICY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)quarantin|blocked|malware|malicious|curation|curated|licen[cs]e|firewall|security policy|policy violation|vulnerab|not allowed by policy|denied by policy").unwrap()
});

fn policy_text(cx: &Context) -> bool {
    POLICY.is_match(&cx.server_text())
}

fn policy_block_body(cx: &Context, s: &mut Scores) {
    if policy_text(cx) {
        s.add(
            "blocked-by-policy",
            11,
            main_line(cx).or_else(|| line(cx, &["quarantin", "blocked", "policy"])),
        );
    }
}

static PUBLISH_REFUSED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)permission to publish|not allowed to publish|cannot publish|too similar|spam|name .{0,40}(?:taken|exists|reserved|not allowed)|logged in as the correct user|owner|maintainer|required permissions|not authorized to publish").unwrap()
});

fn publish_refused_text(cx: &Context) -> bool {
    let text = cx.server_text();
    !text.contains("previously published")
        && !text.contains("publish over")
        && PUBLISH_REFUSED.is_match(&text)
}

fn publish_refused_body(cx: &Context, s: &mut Scores) {
    if publish_refused_text(cx) && (cx.is_publish() || cx.failure.method.as_deref() == Some("PUT"))
    {
        s.add(
            "publish-not-allowed",
            11,
            main_line(cx).or_else(|| line(cx, &["publish"])),
        );
    }
}

static PERMISSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)permission_denied|may not perform that action|lacks permission|need to have '|read_package|write_package|not allowed to access|expected scopes|not allowed to write|insufficient.{0,20}scope|scope.{0,20}insufficient|access denied|does not have access|not authorized to access|installation not allowed|forbidden: user").unwrap()
});

/// True when the registry's own words (not npm's) name an auth reason: for failures that carry
/// no status, such as yarn 1's "Couldn't publish package: <message>".
pub fn server_text_says_auth(f: &crate::detect::Failure) -> bool {
    let text = [&f.message, &f.server_message]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    PERMISSION.is_match(&text) || PUBLISH_REFUSED.is_match(&text) || POLICY.is_match(&text)
}

fn permission_text(cx: &Context) -> bool {
    PERMISSION.is_match(&cx.all_text())
}

fn permission_body(cx: &Context, s: &mut Scores) {
    // "unregistered users are not allowed to access" is about being anonymous, not permissions
    if permission_text(cx) && !publish_refused_text(cx) && !cx.failure.signals.anonymous {
        s.add(
            "insufficient-permission",
            10,
            main_line(cx).or_else(|| line(cx, &["ermission", "scopes", "access"])),
        );
        if cx.is_publish() {
            s.add("publish-not-allowed", 3, None);
        }
        s.add("token-invalid-or-expired", 1, None);
    }
}

// --- no credential / rejected credential ----------------------------------------------------

/// A registry URL with a path and no trailing slash: npm keys its credential one level up.
fn registry_without_trailing_slash(registry: &str) -> bool {
    let p = url::path(registry);
    p.len() > 1 && !p.ends_with('/')
}

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
    s.add("token-wrong-host", 3, None);
    s.add("npmrc-misconfig", 2, None);
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

/// pnpm (before 8.11: pnpm/pnpm#7337, @pnpm/network.auth-header 2.0.6 "Fix missing auth tokens in
/// registries with paths specified") looked a credential up by the registry URL itself, where
/// npm walks up its path: a token keyed to `//host/` was not sent to a registry configured as
/// `https://host/some/path/`. On GitHub Packages (documented URL `https://npm.pkg.github.com`,
/// no owner path) the fix is the registry URL; on registries whose path is part of the
/// repository (Artifactory, Nexus, Azure) it is the credential key, so callers check the kind.
pub fn pnpm_registry_path_under_credential(cx: &Context) -> bool {
    let settings = &cx.failure.signals.auth_settings;
    let credential_paths: Vec<(String, &str)> = settings
        .iter()
        .filter(|k| k.starts_with("//") && k.contains(":_"))
        .filter_map(|k| {
            let key = k.split(":_").next()?;
            Some((url::host(&format!("https:{key}"))?, key_path(key)))
        })
        .collect();
    settings
        .iter()
        .filter_map(|k| k.split_once("registry=").map(|(_, u)| u.trim()))
        .filter(|u| url::host(u).as_deref() == cx.host.as_deref())
        .any(|u| {
            let reg_path = url::path(u).trim_end_matches('/');
            credential_paths.iter().any(|(h, p)| {
                Some(h.as_str()) == cx.host.as_deref()
                    && reg_path.len() > p.trim_end_matches('/').len()
                    && reg_path.starts_with(p.trim_end_matches('/'))
            })
        })
}

/// The path part of a nerf-dart key (`//host/path/` -> `/path/`).
fn key_path(key: &str) -> &str {
    let rest = key.trim_start_matches('/');
    rest.find('/').map_or("/", |i| &rest[i..])
}

/// Does pnpm's settings list hold a credential for the failing host?
fn pnpm_listed_credential_for_host(cx: &Context) -> bool {
    let Some(host) = cx.host.as_deref() else {
        return false;
    };
    cx.failure.signals.auth_settings.iter().any(|k| {
        k.starts_with("//")
            && k.contains(":_")
            && url::host(&format!("https:{k}")).as_deref() == Some(host)
    })
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
    if pnpm_listed_credential_for_host(cx) {
        s.add(
            "token-wrong-host",
            8,
            line(cx, &["_authToken=", "_auth=", ":registry="]),
        );
        s.add("npmrc-misconfig", 7, ev);
        s.add("token-missing", 1, None);
        if cx.kind() == Kind::Github && pnpm_registry_path_under_credential(cx) {
            // the credential would match under npm's rules, and GitHub's registry URL has no
            // path of its own: the registry URL is what to change
            s.add("npmrc-misconfig", 3, line(cx, &[":registry=", "registry="]));
            s.add("npmrc-misconfig", 0, line(cx, &["_authToken=", "_auth="]));
        }
        return;
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

fn credential_rejected(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !sig.credential_rejected || sig.anonymous {
        return;
    }
    let ev = line(
        cx,
        &[
            "token provided",
            "authorization header was used",
            "Invalid authentication",
            "credentials",
            "token",
        ],
    );
    s.add("token-invalid-or-expired", 8, ev);
    s.add("token-env-unset", if cx.in_ci() { 5 } else { 4 }, None);
    s.add("npmrc-misconfig", 3, None);
    s.add("token-wrong-host", 2, None);
}

/// A 401 that says nothing about whether a credential was sent: npm's E401 text is the same for
/// a missing, unexpanded, rejected or mis-keyed credential, so the registry kind sets the order.
fn unauthorized_generic(cx: &Context, s: &mut Scores) {
    let sig = &cx.failure.signals;
    if !has_status(cx, &[401])
        || sig.anonymous
        || sig.credential_rejected
        || sig.need_auth
        || specific_signal(cx)
    {
        return;
    }
    if sig.no_auth_configured || cx.op == Operation::Login {
        return;
    }
    let ev = main_line(cx).or_else(|| line(cx, &["401", "Incorrect or missing password"]));
    let realm = line(cx, &["Unable to authenticate, need", "realm="]);
    for id in ["token-invalid-or-expired", "token-missing"] {
        s.add(id, 4, ev.clone());
        s.add(id, 0, realm.clone());
    }
    s.add("token-env-unset", 2, None);
    s.add("token-wrong-host", 2, None);
    s.add("lockfile-registry-mismatch", 1, None);
    s.add("npmrc-misconfig", 1, None);
    match cx.kind() {
        Kind::Github | Kind::Gitlab => s.add("token-missing", 3, None),
        Kind::Azure | Kind::CodeArtifact | Kind::GoogleAr => {
            s.add("token-invalid-or-expired", 4, None)
        }
        Kind::Yarnpkg => s.add("token-wrong-host", 8, None),
        Kind::Artifactory | Kind::Nexus | Kind::Other | Kind::Verdaccio | Kind::Mirror => {
            s.add("npmrc-misconfig", 1, None)
        }
        Kind::Npmjs => s.add("token-invalid-or-expired", 1, None),
    }
    if cx.entry.mirrors_public && !matches!(cx.kind(), Kind::Yarnpkg | Kind::Mirror) {
        // registries that proxy public packages are where cloned lockfiles pin resolved URLs
        s.add("lockfile-registry-mismatch", 2, None);
    }
    if !sig.env_assignments.is_empty() {
        // a token was handed to the command: it was sent somewhere and not accepted
        s.add("token-wrong-host", 4, line(cx, &["="]));
        s.add("token-invalid-or-expired", 2, None);
        s.add("token-missing", -4, None);
    }
}

fn login_refused(cx: &Context, s: &mut Scores) {
    if cx.op != Operation::Login || !has_status(cx, &[400, 401, 403]) || specific_signal(cx) {
        return;
    }
    let ev = main_line(cx).or_else(|| line(cx, &["org.couchdb.user"]));
    if has_status(cx, &[400]) {
        s.add("account-issue", 7, ev.clone());
        s.add("token-invalid-or-expired", 5, ev);
    } else {
        // wrong password, or a password where the registry wants a token (GitHub wants a PAT)
        s.add("token-invalid-or-expired", 9, ev);
        s.add("account-issue", 4, None);
    }
}

// --- where the request went ---------------------------------------------------------------

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

fn forbidden_read(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[403]) || !cx.is_read() || specific_signal(cx) || cx.op == Operation::Login
    {
        return;
    }
    let ev = main_line(cx);
    let no_body = cx
        .failure
        .server_message
        .as_deref()
        .map_or(true, |m| m.trim().eq_ignore_ascii_case("forbidden"));
    if cx.kind() == Kind::Npmjs && no_body {
        // npmjs does not refuse reads of public packages: something between said no
        s.add("blocked-by-policy", 7, ev.clone());
        s.add("proxy-auth", 5, None);
        s.add("insufficient-permission", 2, None);
        return;
    }
    s.add("insufficient-permission", 5, ev);
    s.add("blocked-by-policy", 2, None);
    s.add("token-invalid-or-expired", 2, None);
    s.add("npmrc-misconfig", 1, None);
}

fn forbidden_publish(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[403]) || !cx.is_publish() || specific_signal(cx) {
        return;
    }
    let ev = main_line(cx);
    if matches!(cx.kind(), Kind::Github | Kind::Gitlab) {
        s.add("insufficient-permission", 7, ev);
        s.add("publish-not-allowed", 3, None);
    } else {
        s.add("publish-not-allowed", 6, ev);
        s.add("insufficient-permission", 4, None);
        if cx.kind() == Kind::Npmjs {
            s.add("otp-required", 2, None);
        }
    }
    s.add("token-invalid-or-expired", 1, None);
}

/// npmjs answers a publish it will not take from this credential with 404, not 401/403.
fn not_found_publish(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[404]) || !cx.is_publish() || specific_signal(cx) {
        return;
    }
    let ev = main_line(cx).or_else(|| line(cx, &["404"]));
    s.add("token-invalid-or-expired", 5, ev);
    s.add("insufficient-permission", 4, None);
    s.add("scope-not-mapped", 3, None);
    // CI publishes read the token from `${NPM_TOKEN}`/`${NODE_AUTH_TOKEN}`: an unset one is sent
    // as an empty or placeholder token, which npmjs answers with this same 404
    s.add("token-env-unset", if cx.in_ci() { 5 } else { 2 }, None);
    // an unauthenticated PUT gets the same 404 (npm hides whether the package exists)
    s.add("token-missing", 2, None);
}

fn not_found_scoped_read(cx: &Context, s: &mut Scores) {
    if !has_status(cx, &[404]) || !cx.is_read() || cx.scope.is_none() || specific_signal(cx) {
        return;
    }
    let ev =
        main_line(cx).or_else(|| line(cx, &["404", "not in", "could not be found", "Not found"]));
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

fn publish_to_mirror(cx: &Context, s: &mut Scores) {
    if cx.kind() == Kind::Mirror && matches!(cx.op, Operation::Publish | Operation::Login) {
        s.add("npmrc-misconfig", 10, main_line(cx));
    }
}

// --- live evidence: configuration ------------------------------------------------------------

fn config_evidence(text: String, source: &str) -> Option<Evidence> {
    Some(Evidence {
        kind: EvidenceKind::Config,
        text,
        source: Some(source.to_owned()),
    })
}

fn config_variable_unset(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    for v in config.variables.iter().filter(|v| v.state != VarState::Set) {
        let state = if v.state == VarState::Empty {
            "empty"
        } else {
            "unset"
        };
        s.add(
            "token-env-unset",
            14,
            config_evidence(
                format!("${{{}}} is {state} where npm ran", v.name),
                &v.source,
            ),
        );
        s.add("token-invalid-or-expired", -6, None);
        s.add("token-missing", -4, None);
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
            config_evidence(format!("{} ({})", miss.key, miss.why), &miss.source),
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
                &reg.source,
            ),
        );
    } else {
        let files = if config.files_read.is_empty() {
            "none".to_owned()
        } else {
            config.files_read.join(", ")
        };
        let text = format!(
            "no credential for {} in the .npmrc files npm read ({files})",
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

/// A scoped package on the default registry may live elsewhere: the registry is npm's default
/// (public npm holds no private scope of yours), or credentials exist for other registries.
fn elsewhere_possible(config: &crate::diagnose::facts::ConfigFacts) -> bool {
    config
        .registry
        .as_ref()
        .is_some_and(|r| r.source == "default")
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

/// A credential for the failing host sits where npm does not read it, or the registry in use
/// comes from a higher layer that hides the one the credential is for.
fn config_credential_unread(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    if config.credential.is_some() {
        return;
    }
    for l in &config.unread_credentials {
        s.add(
            "npmrc-misconfig",
            16,
            config_evidence(l.value.clone(), &l.source),
        );
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
                    o.key, o.winner.value, o.winner_layer, o.key, o.shadowed.value, o.shadowed.source
                ),
                &o.winner.source,
            ),
        );
        s.add("token-wrong-host", -8, None);
        s.add("token-missing", -6, None);
    }
}

fn config_invalid_or_overridden(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    for l in &config.invalid_auth {
        s.add(
            "npmrc-misconfig",
            12,
            config_evidence(l.value.clone(), &l.source),
        );
    }
    for l in &config.overridden {
        s.add(
            "npmrc-misconfig",
            8,
            config_evidence(l.value.clone(), &l.source),
        );
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

fn config_token_expired(cx: &Context, s: &mut Scores) {
    let Some(cred) = cx.facts.config.as_ref().and_then(|c| c.credential.as_ref()) else {
        return;
    };
    if let Some(exp) = cred.expiry.as_ref().filter(|e| e.expired) {
        s.add(
            "token-invalid-or-expired",
            12,
            config_evidence(format!("{} expired at {}", cred.key, exp.at), &cred.source),
        );
    }
}

fn config_proxy(cx: &Context, s: &mut Scores) {
    let Some(proxy) = cx.facts.config.as_ref().and_then(|c| c.proxy.as_ref()) else {
        return;
    };
    if has_status(cx, &[403, 407]) {
        s.add(
            "proxy-auth",
            5,
            config_evidence(format!("proxy = {}", proxy.value), &proxy.source),
        );
    }
}

// --- live evidence: probes -----------------------------------------------------------------

fn probe_whoami(cx: &Context, s: &mut Scores) {
    let Some(crate::diagnose::facts::ProbeFact::Whoami {
        command, outcome, ..
    }) = cx
        .facts
        .probes
        .iter()
        .find(|p| matches!(p, crate::diagnose::facts::ProbeFact::Whoami { .. }))
    else {
        return;
    };
    let ev = |text: String| {
        Some(Evidence {
            kind: EvidenceKind::Probe,
            text,
            source: Some(command.clone()),
        })
    };
    match outcome {
        ProbeOutcome::Ok(user) => {
            let text = format!("authenticated as {user}");
            if has_status(cx, &[403, 404]) {
                // a valid token refused on a publish 403 is a maintainer question; a 404 is the token's reach
                let id = if cx.is_publish() && has_status(cx, &[403]) {
                    "publish-not-allowed"
                } else {
                    "insufficient-permission"
                };
                s.add(id, 6, ev(text));
            } else if has_status(cx, &[401]) {
                s.add("token-wrong-host", 4, ev(text));
                s.add("lockfile-registry-mismatch", 3, None);
            }
            s.add("token-invalid-or-expired", -8, None);
            s.add("token-missing", -8, None);
        }
        ProbeOutcome::Rejected(status) => {
            s.add(
                "token-invalid-or-expired",
                10,
                ev(format!("the registry refused the credential ({status})")),
            );
            s.add("token-missing", -4, None);
        }
        ProbeOutcome::NotRecognised => {
            s.add(
                "token-invalid-or-expired",
                10,
                ev("the credential was sent and the registry named no user for it (not recognised)".into()),
            );
            s.add("token-missing", -4, None);
        }
        ProbeOutcome::NotLoggedIn => {
            s.add(
                "token-missing",
                6,
                ev("no credential configured for this registry (ENEEDAUTH)".into()),
            );
        }
        ProbeOutcome::Failed(_) => {}
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
        let crate::diagnose::facts::ProbeFact::View {
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
            .is_some_and(|r| same_server(r, registry))
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

/// Two registry URLs on one server: the same port, and the same host or two loopback names.
pub fn same_server(a: &str, b: &str) -> bool {
    const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "[::1]"];
    let split = |u: &str| -> Option<(String, Option<u16>)> {
        let parsed = ::url::Url::parse(u).ok()?;
        Some((
            parsed.host_str()?.to_owned(),
            parsed.port_or_known_default(),
        ))
    };
    match (split(a), split(b)) {
        (Some((ha, pa)), Some((hb, pb))) => {
            pa == pb
                && (ha == hb || LOOPBACK.contains(&ha.as_str()) && LOOPBACK.contains(&hb.as_str()))
        }
        _ => false,
    }
}

/// `npm view <pkg> versions` lists the version the publish sends.
fn probe_versions(cx: &Context, s: &mut Scores) {
    for p in &cx.facts.probes {
        if let crate::diagnose::facts::ProbeFact::Versions {
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

/// `npm owner ls <pkg>` does not list the logged-in user.
fn probe_owners(cx: &Context, s: &mut Scores) {
    if !cx.is_publish() {
        return;
    }
    for p in &cx.facts.probes {
        if let crate::diagnose::facts::ProbeFact::Owners {
            package,
            command,
            maintainers,
            user_is_maintainer: Some(false),
        } = p
        {
            s.add(
                "publish-not-allowed",
                6,
                Some(Evidence {
                    kind: EvidenceKind::Probe,
                    text: format!("maintainers of {package}: {}", maintainers.join(", ")),
                    source: Some(command.clone()),
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same_server;

    #[test]
    fn one_server_under_two_names() {
        assert!(same_server(
            "http://127.0.0.1:4873/",
            "http://localhost:4873/"
        ));
        assert!(same_server(
            "http://127.0.0.1:4873/",
            "http://127.0.0.1:4873/npm/"
        ));
        assert!(!same_server(
            "http://127.0.0.1:4873/",
            "http://127.0.0.1:4874/"
        ));
        assert!(!same_server("https://a.example/", "https://b.example/"));
        assert!(same_server(
            "https://a.example/",
            "https://a.example:443/x/"
        ));
    }
}
