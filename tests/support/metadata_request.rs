//! What a real client asked a capture registry for one package: `<client> add PACKAGE` run in
//! its isolated environment, the metadata request among the registry's requests, and the last
//! four characters of a credential it sent (enough to tell tokens apart, never a whole one).

use std::process::Output;

use super::{NpmEnv, Request};

/// `<program> add PACKAGE` in `env`, stdin closed (no prompt can wait for input).
pub fn client_add(env: &NpmEnv, program: &str, package: &str) -> Output {
    env.command(program)
        .args(["add", package])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the client")
}

/// The first of `requests` for `package`'s metadata (`@s/p` as `@s%2fp`, any case).
pub fn metadata_request(
    requests: impl IntoIterator<Item = Request>,
    package: &str,
) -> Option<Request> {
    let path = package.replacen('/', "%2f", 1).to_lowercase();
    requests
        .into_iter()
        .find(|r| r.path.to_lowercase().trim_start_matches('/') == path)
}

/// The last four characters of `text`.
pub fn last4(text: &str) -> String {
    text.chars()
        .skip(text.chars().count().saturating_sub(4))
        .collect()
}
