//! Is this failure an authentication/authorization problem at all? Network, file-system,
//! resolution and server errors are not, even when their text mentions "auth".

use super::look_alike;
use super::Facts;
use crate::detect::{Failure, Operation};

/// Codes that are never auth problems, whatever else the text says.
const NOT_AUTH_CODES: &[&str] = &[
    "ETARGET",
    "ENOVERSIONS",
    "EACCES",
    "EPERM",
    "ENOENT",
    "ENOTFOUND",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "ESOCKETTIMEDOUT",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EPIPE",
    "ERESOLVE",
    "EINTEGRITY",
    "EBADENGINE",
    "ENOTSUP",
    "EUNSUPPORTEDPROTOCOL",
    "ELIFECYCLE",
    "ENOSPC",
    "EJSONPARSE",
    "ENOLOCK",
    "EUSAGE",
    "ENOWORKSPACES",
    "EMISSINGARG",
    "EBADPLATFORM",
    "ENOTEMPTY",
    "EEXIST",
    "EISDIR",
    "ENOTDIR",
    "EMFILE",
    "E429",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "CERT_HAS_EXPIRED",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "ERR_TLS_CERT_ALTNAME_INVALID",
    "ERR_SSL_WRONG_VERSION_NUMBER",
    "ERR_OSSL_EVP_UNSUPPORTED",
    "ERR_SOCKET_TIMEOUT",
    "ERR_PNPM_FETCH_404",
    "ERR_PNPM_NO_MATCHING_VERSION",
    "ERR_PNPM_PEER_DEP_ISSUES",
    "ERR_PNPM_OUTDATED_LOCKFILE",
    "ERR_PNPM_META_FETCH_FAIL",
    "ERR_PNPM_ENOENT",
];

/// Codes and signals that always mean auth.
fn auth_signal(f: &Failure) -> bool {
    let s = &f.signals;
    s.otp
        || s.publish_over_existing
        || s.invalid_auth.is_some()
        || s.need_auth
        || !s.env_unresolved.is_empty()
        || !s.ignored_auth_settings.is_empty()
        || s.no_auth_configured
        || s.ip_not_allowed
        || s.payment_required
        || s.account_problem
        || s.proxy
        || s.placeholder_token
        || s.token_expired_notice && s.operation == Operation::Publish
        // trusted publishing ran and failed: what follows (ENEEDAUTH, a 404 PUT) is its result
        || f.oidc.attempt_failed()
        // semantic-release's ENONPMTOKEN / EINVALIDNPMTOKEN (detect/semantic_release.rs)
        || f.publisher.semantic_release.error.is_some()
        || matches!(
            f.code.as_deref(),
            Some(
                "EOTP"
                    | "ENEEDAUTH"
                    | "ERR_INVALID_AUTH"
                    | "ERR_PNPM_INVALID_AUTH_SETTING"
                    | "ERR_PNPM_UNAUTHORIZED"
                    | "ERR_PNPM_FORBIDDEN"
                    | "EAUTHIP"
                    | "EPUBLISHCONFLICT"
                    | "E402"
                    | "E407"
                    | "YN0041"
                    | "YN0033"
            )
        )
}

/// The report's `auth_failure`: an auth failure, unless only the text was read and its shape
/// cannot tell auth from a name that does not exist (a bare scoped 404 on npmjs): then
/// "not an auth failure (or cannot tell)"; configuration or probes read live decide it.
pub(crate) fn is_auth_diagnosis(facts: &Facts) -> bool {
    let text_only = facts.config.is_none() && facts.probes.is_empty();
    is_auth_failure(&facts.failure)
        && !(text_only && look_alike::scoped_not_found_cannot_tell(&facts.failure))
}

/// True when the failure is in the auth family and regauth should explain it.
pub(crate) fn is_auth_failure(f: &Failure) -> bool {
    let code = f.code.as_deref().unwrap_or("");
    if f.signals.proxy_auth_required {
        // "tunneling socket could not be established, statusCode=407" comes as ECONNRESET
        return true;
    }
    if NOT_AUTH_CODES.contains(&code)
        && !(code == "ERR_PNPM_FETCH_404" && scoped(f) && !url_dependency(f))
    {
        return false;
    }
    if let Some(status) = f.http_status {
        if status == 429 || status >= 500 {
            return false;
        }
    }
    if auth_signal(f) {
        return true;
    }
    if !f.signals.has_error && !refused_last(f) {
        // warnings, notices and verbose request lines alone: nothing failed
        return false;
    }
    match f.http_status {
        Some(403) => {
            !look_alike::public_tarball_refused_on_the_way(f)
                && !look_alike::name_the_registry_refuses(f)
        }
        Some(401 | 407 | 402) => true,
        Some(400) => f.signals.operation == Operation::Login || otp_value_refused(f),
        Some(404) => not_found_is_auth(f),
        Some(409) => f.signals.operation == Operation::Publish,
        Some(_) => false,
        // no status (yarn 1's "Couldn't publish package", bare messages): the registry's words
        None => {
            f.signals.anonymous
                || f.signals.credential_rejected
                || crate::diagnose::wording::server_text_says_auth(f)
                || look_alike::download_needs_a_token(f)
        }
    }
}

/// The last request the text shows was answered 401 (a CI log with only `http fetch GET 401`
/// lines): npm gives up on a 401 (npm-registry-fetch lib/check-response.js raises it, and no
/// client retries it except for an OTP challenge), so a 401 with nothing after it is the
/// failure, even when the error block was cut off.
fn refused_last(f: &Failure) -> bool {
    f.requests.last().is_some_and(|r| r.status == 401)
}

/// npmjs's 400 for an `--otp` value it does not take: a recovery code, which publish's OTP
/// check refuses (npm/cli#9326: `child "otp" fails because ["otp" with value ...`).
pub(crate) fn otp_value_refused(f: &Failure) -> bool {
    [&f.message, &f.server_message]
        .into_iter()
        .flatten()
        .any(|m| m.contains("child \"otp\" fails"))
}

/// True for a failure regauth explains with this machine's configuration and probes (in the
/// shim and in `regauth explain`): an auth failure, or one of npm's auth codes even where the
/// text alone shows no error (a 401 request line with a notice).
pub(crate) fn is_explained(f: &Failure) -> bool {
    has_auth_code(f) || is_auth_failure(f)
}

/// npm's own auth error codes: E401, E403, ENEEDAUTH, EOTP, ERR_INVALID_AUTH, EAUTHIP, and
/// E404 of a scoped package.
pub(crate) fn has_auth_code(f: &Failure) -> bool {
    let code = f.code.as_deref().unwrap_or("");
    matches!(
        code,
        "E401" | "E403" | "ENEEDAUTH" | "EOTP" | "ERR_INVALID_AUTH" | "EAUTHIP"
    ) || (code == "E404" && scoped(f))
}

fn scoped(f: &Failure) -> bool {
    f.package.as_deref().is_some_and(|p| p.starts_with('@'))
}

/// A 404 is an auth problem when a registry hides what you may not see: a publish (npmjs
/// answers 404 to a credential it will not take), a scoped package, or after an expired-token
/// notice. A public unscoped name that does not exist is a typo, not auth.
fn not_found_is_auth(f: &Failure) -> bool {
    if url_dependency(f) && f.method.as_deref() != Some("PUT")
        || look_alike::tarball_not_of_its_package(f)
        || look_alike::file_on_github_itself(f)
    {
        // the user named this URL (`pnpm i https://host/pkg@1`, a URL in package.json), or the
        // URL is not one the registry serves: its 404 says it does not exist
        return false;
    }
    f.signals.operation == Operation::Publish
        || f.method.as_deref() == Some("PUT")
        || scoped(f)
        || f.signals.token_expired_notice
}

/// The failing URL is a URL dependency (on the command line, or one naming a version in its
/// path as package.json URL dependencies do), not one a registry or lockfile chose.
fn url_dependency(f: &Failure) -> bool {
    url_given_on_command(f) || look_alike::url_names_a_version(f)
}

/// The failing URL is one the command line names (a tarball or preview-package URL install).
fn url_given_on_command(f: &Failure) -> bool {
    let Some(url) = f.url.as_deref() else {
        return false;
    };
    f.command
        .iter()
        .any(|w| w.starts_with("http") && (w == url || url.starts_with(w.as_str())))
}
