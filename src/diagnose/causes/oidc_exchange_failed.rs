//! `oidc-exchange-failed`: trusted publishing was attempted and the registry refused the token exchange. Its fix text and what decides it; its rules come with issue 13.

use crate::diagnose::advice::{whoami, Advice};
use crate::diagnose::context::Context;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "oidc-exchange-failed",
    rules: &[],
    advice,
    live_fix: |_| Vec::new(),
};

fn advice(cx: &Context) -> Advice {
    let package = cx.package.clone().unwrap_or_else(|| "the package".into());
    Advice {
        summary: format!("Trusted publishing (OIDC) was attempted and {} refused the token exchange: the trusted publisher configured for {package} does not match this workflow, or {package} has none yet.", cx.host_or_registry_word()),
        fix: vec![
            format!("on the registry, open {package}'s settings and check its trusted publisher: repository and owner (exact case), workflow file name with its extension, environment"),
            "a reusable workflow must be named as the caller's workflow file; a package never published needs a first publish with a token before a trusted publisher can be added".to_owned(),
        ],
        verify: vec!["npm publish --dry-run".to_owned(), whoami(cx)],
        decider: "the debug log's `verbose oidc` lines and the status of `POST .../oidc/token/exchange/...`".to_owned(),
    }
}
