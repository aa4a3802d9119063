//! Which client really made a publish, and whether that client can do trusted publishing
//! (OIDC): changesets -> pnpm -> npm, semantic-release's own npm, `npm publish` inside a yarn 1
//! script, yarn 1's or yarn 4's own publish. The first versions with OIDC, from each client's
//! source and changelog:
//! - npm 11.5.1 (`lib/utils/oidc.js`; docs.npmjs.com/trusted-publishers).
//! - pnpm 11.0.0: "Native publish flow ... no longer delegate to the npm CLI" (pnpm CHANGELOG
//!   11.0.0); pnpm 10 runs `npm publish`, so the npm on PATH decides.
//! - yarn 4.10.0: `yarn npm publish` exchanges OIDC tokens from @yarnpkg/cli 4.10.0 (the
//!   release notes; 4.18.1's bundle holds the exchange); yarn 1 never.
//! - semantic-release: @semantic-release/npm 13.1.0 (semantic-release 25) runs its own npm 11.

use super::context::Context;
use crate::detect::oidc::{npm_can_do_oidc, version_at_least as at_least};
use crate::detect::publisher::{ClientSeen, Driver, PublisherFacts};
use crate::types::ClientId;

/// The publishing chain as far as the text shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chain {
    /// The layers, outermost first: "changesets -> pnpm 10.34.9 -> npm 10.9.8".
    pub(crate) words: String,
    /// The client that sent the PUT ("npm 10.9.8", "yarn 1.22.22").
    pub(crate) publisher: String,
    pub(crate) client: ClientId,
    /// Whether that client can do trusted publishing (None: its version is not known).
    pub(crate) can_oidc: Option<bool>,
    /// Why, with the version that decides it.
    pub(crate) why: String,
    /// The publish ran in a yarn 1 script, which points npm at registry.yarnpkg.com.
    pub(crate) yarnpkg_registry: bool,
}

/// True for a publish, also one the operation inference missed (`yarn npm publish`, whose
/// command reads `npm publish` to the scanner).
pub(crate) fn publishing(cx: &Context) -> bool {
    cx.is_publish() || cx.failure.command.iter().any(|w| w == "publish")
}

/// The chain of this failure, when the text says more than "some npm".
pub(crate) fn chain(cx: &Context) -> Option<Chain> {
    let f = cx.failure;
    let p = &f.publisher;
    let seen = |client: ClientId| -> Option<ClientSeen> {
        let from_tool = (f.tool == Some(client)).then(|| ClientSeen {
            client,
            version: f.tool_version.clone(),
        });
        p.banners
            .iter()
            .find(|b| b.client == client)
            .cloned()
            .or(from_tool)
            .or_else(|| p.user_agent.clone().filter(|u| u.client == client))
    };
    let mut layers: Vec<String> = p.driver.map(|d| d.name().to_owned()).into_iter().collect();
    let yarn1_script = p
        .user_agent
        .as_ref()
        .is_some_and(|u| u.client == ClientId::Yarn1);
    let (client, version, can_oidc, why) = if let Some(berry) = seen(ClientId::YarnBerry) {
        let can = berry
            .version
            .as_deref()
            .and_then(|v| at_least(v, (4, 10, 0)));
        let why = "`yarn npm publish` does trusted publishing from yarn 4.10.0 on";
        (ClientId::YarnBerry, berry.version, can, why.to_owned())
    } else if let (Some(yarn), false) = (seen(ClientId::Yarn1), yarn1_script) {
        let why = "yarn 1 (classic) has no trusted publishing at all";
        (ClientId::Yarn1, yarn.version, Some(false), why.to_owned())
    } else if let Some(pnpm) = seen(ClientId::Pnpm) {
        match pnpm
            .version
            .as_deref()
            .and_then(|v| at_least(v, (11, 0, 0)))
        {
            Some(true) => {
                let why = "pnpm 11 and later publish natively with trusted publishing";
                (ClientId::Pnpm, pnpm.version, Some(true), why.to_owned())
            }
            known => {
                layers.push(version_words("pnpm", pnpm.version.as_deref()));
                let (version, can, npm_why) = npm_facts(cx, p);
                let lead = if known == Some(false) {
                    "pnpm 10 runs `npm publish`, so the npm on PATH does the publish"
                } else {
                    "pnpm 10 runs `npm publish` (the npm on PATH decides); pnpm 11 publishes natively"
                };
                (ClientId::Npm, version, can, format!("{lead}: {npm_why}"))
            }
        }
    } else if p.driver == Some(Driver::SemanticRelease) {
        let why = "semantic-release publishes with the npm @semantic-release/npm depends on: trusted publishing needs @semantic-release/npm 13.1.0 or later (semantic-release 25); older ones stop at ENONPMTOKEN without NPM_TOKEN";
        (ClientId::Npm, None, None, why.to_owned())
    } else {
        if yarn1_script {
            layers.push(version_words(
                "yarn",
                p.user_agent.as_ref().and_then(|u| u.version.as_deref()),
            ));
        }
        let (version, can, why) = npm_facts(cx, p);
        if layers.is_empty() && version.is_none() && can.is_none() {
            return None;
        }
        (ClientId::Npm, version, can, why)
    };
    let publisher = version_words(client.command_name(), version.as_deref());
    layers.push(publisher.clone());
    Some(Chain {
        words: layers.join(" -> "),
        publisher,
        client,
        can_oidc,
        why,
        yarnpkg_registry: yarn1_script && (p.yarnpkg_registry || publishes_to_yarnpkg(cx)),
    })
}

/// yarn 4's `yarn npm publish` stopped with YN0033 "No authentication configured for request"
/// in a CI job: yarn >= 4.10 tried trusted publishing first and prints nothing about it
/// (plugin-npm's exchange swallows every failure, bundled yarn 4.18.1), so the job's variables
/// tell the step: `Some(false)` no ID token (GitHub without `id-token: write`, GitLab/CircleCI
/// without NPM_ID_TOKEN), `Some(true)` an ID token, so the registry refused the exchange. None
/// when this is not such a failure, or the job's variables are unknown (a log from elsewhere).
pub(crate) fn berry_oidc_silent(cx: &Context) -> Option<bool> {
    if !cx.failure.signals.no_auth_configured || !publishing(cx) {
        return None;
    }
    let chain = chain(cx)?;
    if chain.client != ClientId::YarnBerry || chain.can_oidc == Some(false) {
        return None;
    }
    cx.facts.env.ci_job.as_ref()?.id_token_available
}

/// The npm that published: its version (banner, debug log), else what its wording or the
/// runner's Node says.
fn npm_facts(cx: &Context, p: &PublisherFacts) -> (Option<String>, Option<bool>, String) {
    let f = cx.failure;
    let version = p
        .banners
        .iter()
        .find(|b| b.client == ClientId::Npm)
        .and_then(|b| b.version.clone())
        .or_else(|| {
            matches!(f.tool, None | Some(ClientId::Npm))
                .then(|| f.tool_version.clone())
                .flatten()
        });
    if let Some(v) = &version {
        let can = npm_can_do_oidc(v);
        let why = match can {
            Some(false) => {
                format!("npm {v} has no trusted publishing (it needs npm 11.5.1 or later)")
            }
            _ => format!("npm {v} does trusted publishing (11.5.1 or later)"),
        };
        return (version, can, why);
    }
    if p.npm_before_11_5 {
        let why = "npm's 404 reads `... is not in this registry.`, the wording of npm 11.4 and older: that npm has no trusted publishing (it needs 11.5.1 or later)";
        return (None, Some(false), why.to_owned());
    }
    if let Some(node) = p
        .node_version
        .as_deref()
        .filter(|n| at_least(n, (24, 0, 0)) == Some(false))
    {
        let why = format!("Node {node} bundles npm 10 or older, which has no trusted publishing unless the job upgrades npm (11.5.1 or later)");
        return (None, None, why);
    }
    let why = if p.npm_11_5_or_later {
        "npm's 404 wording is that of npm 11.5 or later, which does trusted publishing".to_owned()
    } else {
        "trusted publishing needs npm 11.5.1 or later".to_owned()
    };
    (None, None, why)
}

fn publishes_to_yarnpkg(cx: &Context) -> bool {
    cx.host.as_deref() == Some("registry.yarnpkg.com")
}

fn version_words(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("{name} {v}"),
        None => name.to_owned(),
    }
}

/// The fix for a chain whose publishing client cannot do trusted publishing.
pub(crate) fn upgrade_step(chain: &Chain) -> String {
    match chain.client {
        ClientId::YarnBerry => "yarn set version stable   # `yarn npm publish` does trusted publishing from 4.10.0".to_owned(),
        ClientId::Yarn1 => "publish with npm 11.5.1 or later instead of yarn 1: `npm install -g npm@latest && npm publish`".to_owned(),
        ClientId::Pnpm => "pnpm self-update   # pnpm 11 publishes natively with trusted publishing".to_owned(),
        _ if chain.words.starts_with("semantic-release") => "npm install --save-dev semantic-release@25 @semantic-release/npm@13   # trusted publishing from @semantic-release/npm 13.1.0".to_owned(),
        _ if chain.words.contains("pnpm") => "npm install -g npm@latest   # pnpm 10 runs this npm for `pnpm publish`; or move to pnpm 11".to_owned(),
        _ => "npm install -g npm@latest   # in the job, before the publish (trusted publishing needs 11.5.1)".to_owned(),
    }
}

/// The fix for `npm publish` inside a yarn 1 script: yarn points it at registry.yarnpkg.com.
pub(crate) const YARNPKG_REGISTRY_STEP: &str = "yarn 1 sets npm_config_registry=https://registry.yarnpkg.com for the scripts it runs: publish with `npm publish --registry https://registry.npmjs.org/` (or outside `yarn run`), so the token and the OIDC audience are npmjs's";
