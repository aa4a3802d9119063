//! After the last line: facts inferred from the others (the failing request from the fetch
//! lines, the operation from the request or the command), and small text helpers.

use super::*;

/// A fetch line's failing request stands in when no error message named one.
pub(super) fn fill_from_requests(f: &mut Failure) {
    if f.url.is_some() {
        return;
    }
    let failing = f
        .requests
        .iter()
        .rev()
        .find(|r| r.status >= 400 && Some(r.status) == f.http_status.or(Some(r.status)));
    if let Some(r) = failing.cloned() {
        f.method = Some(r.method.clone());
        f.url = Some(r.url.clone());
        f.http_status.get_or_insert(r.status);
        if let Some(pkg) = url::package(&r.url) {
            f.package.get_or_insert(scrub(&pkg).into_owned());
        }
    }
}

pub(super) fn infer_operation_from_request(f: &mut Failure) {
    let Some(url) = f.url.as_deref() else { return };
    f.signals.operation = if url::is_login(url) {
        Operation::Login
    } else if f.method.as_deref() == Some("PUT") {
        Operation::Publish
    } else {
        Operation::Read
    };
}

/// The operation a visible command performs.
pub(crate) fn infer_operation_from_command(f: &mut Failure) {
    let verb = f
        .command
        .iter()
        .find(|w| !w.starts_with('-'))
        .map(String::as_str);
    let op = match verb {
        Some("publish" | "release" | "unpublish" | "deprecate" | "dist-tag") => Operation::Publish,
        Some("login" | "adduser" | "add-user") => Operation::Login,
        Some(_) => Operation::Read,
        None => return,
    };
    if f.signals.operation == Operation::Unknown || op != Operation::Read {
        f.signals.operation = op;
    }
    if let Some(i) = f
        .command
        .iter()
        .position(|w| w == "--registry" || w.starts_with("--registry="))
    {
        let value = match f.command[i].split_once('=') {
            Some((_, v)) => Some(v.to_owned()),
            None => f.command.get(i + 1).cloned(),
        };
        f.signals.cli_registry = value;
    }
}

pub(super) fn has_embedded_url(url: &str) -> bool {
    let p = url::path(url);
    p.contains("/http://") || p.contains("/https://")
}

pub(super) fn is_standard_status_text(text: &str) -> bool {
    matches!(
        text.trim(),
        "" | "Forbidden"
            | "Unauthorized"
            | "Not Found"
            | "Not found"
            | "Payment Required"
            | "Conflict"
            | "Too Many Requests"
            | "Internal Server Error"
            | "Bad Gateway"
            | "Service Unavailable"
            | "Gateway Timeout"
            | "Proxy Authentication Required"
            | "Bad Request"
            | "Method Not Allowed"
    )
}

pub(super) fn status_from_words(text: &str) -> Option<u16> {
    let t = text.to_ascii_lowercase();
    [
        ("not found", 404),
        ("unauthorized", 401),
        ("forbidden", 403),
        ("proxy authentication", 407),
    ]
    .iter()
    .find(|(w, _)| t.contains(w))
    .map(|(_, s)| *s)
}

pub(super) fn strip_version(pkgid: &str) -> String {
    let (scope, rest) = match pkgid.strip_prefix('@') {
        Some(r) => ("@", r),
        None => ("", pkgid),
    };
    let name = rest.split('@').next().unwrap_or(rest);
    format!("{scope}{name}")
}

pub(super) fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    (0..=max)
        .rev()
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(0)
}
