//! `oidc-not-attempted`: trusted publishing was expected but never happened. Its fix text and what decides it; its rules come with issue 13.

use crate::diagnose::advice::Advice;
use crate::diagnose::context::Context;

pub(super) const UNIT: super::Cause = super::Cause {
    id: "oidc-not-attempted",
    rules: &[],
    advice,
    live_fix: |_| Vec::new(),
};

fn advice(_cx: &Context) -> Advice {
    Advice {
        summary: "Trusted publishing (OIDC) was expected but never attempted: the client cannot do it, the CI job may not request an ID token, or another token in the environment was used instead.".to_owned(),
        fix: vec![
            "use npm 11.5.1 or later for the publish step (`npm install -g npm@latest`); yarn 1 and older pnpm cannot publish with OIDC".to_owned(),
            "give the job `permissions: id-token: write` (GitHub Actions), and remove NODE_AUTH_TOKEN/NPM_TOKEN from the publish step's environment".to_owned(),
        ],
        verify: vec!["npm --version".to_owned(), "npm publish --dry-run".to_owned()],
        decider: "no `oidc` lines in the debug log; the npm version; whether ACTIONS_ID_TOKEN_REQUEST_URL is set in the job".to_owned(),
    }
}
