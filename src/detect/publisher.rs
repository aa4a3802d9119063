//! Who really made a publish, as a CI log or debug log shows it: the release tool that drove it
//! (changesets, semantic-release, lerna), the clients each layer ran (`npm_config_user_agent`,
//! client banners, npm's own wording), a yarn 1 script's injected registry, a step's
//! placeholder token, and whether the job could get an ID token (a signed provenance statement).

use std::sync::LazyLock;

use regex::Regex;

use crate::detect::gated::Gated;

use crate::secret::scrub_text as scrub;
use crate::types::ClientId;

/// The release tool that ran the client's publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// `changeset publish` (its lines start with 🦋): runs `pnpm publish` in a pnpm workspace,
    /// else `npm publish`.
    Changesets,
    /// `[semantic-release]`: @semantic-release/npm runs the npm it depends on.
    SemanticRelease,
    /// `lerna notice cli v…`: lerna publishes with its own libnpmpublish.
    Lerna,
}

impl Driver {
    pub fn name(self) -> &'static str {
        match self {
            Driver::Changesets => "changesets",
            Driver::SemanticRelease => "semantic-release",
            Driver::Lerna => "lerna",
        }
    }
}

/// A client the text shows at work, with its version when printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSeen {
    pub client: ClientId,
    pub version: Option<String>,
}

/// What the text says about the publishing chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublisherFacts {
    pub driver: Option<Driver>,
    /// changesets/action's "No NPM_TOKEN found, but OIDC is available - using npm trusted
    /// publishing": the job was meant to publish with OIDC.
    pub oidc_intended: bool,
    /// `npm_config_user_agent` (`yarn/1.22.22 npm/? node/v20…`): the client that started the
    /// script in which the publish ran.
    pub user_agent: Option<ClientSeen>,
    /// Clients whose banners or own words appear, first seen first.
    pub banners: Vec<ClientSeen>,
    /// npm printed its E404 detail in the wording of npm 11.4 and older (`'<pkg>' is not in this
    /// registry.`; 11.5.0 and later: "could not be found or you do not have permission").
    pub npm_before_11_5: bool,
    /// The same detail in the wording of npm 11.5.0 and later.
    pub npm_11_5_or_later: bool,
    /// npm headed its errors `npm ERR!`: npmlog's heading, which npm dropped in 10.6.0
    /// (npm/cli lib/utils/display.js at v10.6.0 prints the level name, `npm error`; npmlog
    /// lib/log.js `addLevel('error', 5000, ..., 'ERR!')` before). Such an npm came out before
    /// April 2024, more than a year before npmjs's trusted publishing (July 2025).
    pub npm_err_heading: bool,
    /// npm headed its errors `npm error`: npm 10.6.0 or later (the same display.js change).
    pub npm_error_heading: bool,
    /// Node's version from the runner's tool cache path (`hostedtoolcache/node/22.23.2/`).
    pub node_version: Option<String>,
    /// `npm_lifecycle_event`: the publish ran inside this package script.
    pub lifecycle_event: Option<String>,
    /// `npm_config_registry` is registry.yarnpkg.com: yarn 1 sets it for the scripts it runs,
    /// so an `npm publish` there publishes to (and exchanges OIDC tokens with) that host.
    pub yarnpkg_registry: bool,
    /// A step's environment as a GitHub Actions log prints it, with setup-node's placeholder:
    /// `NODE_AUTH_TOKEN: XXXXX-XXXXX-XXXXX-XXXXX` (the variable's name).
    pub placeholder_variable: Option<String>,
    pub placeholder_line: Option<usize>,
    /// npm signed a provenance statement from GitHub Actions: the job had `id-token: write`.
    pub provenance_signed: bool,
    /// semantic-release's own auth error and registry (detect/semantic_release.rs).
    pub semantic_release: super::semantic_release::SemanticReleaseFacts,
}

static USER_AGENT: Gated = Gated::new(
    "npm_config_user_agent",
    r#"npm_config_user_agent\s*[:=]\s*"?(npm|pnpm|yarn|bun)/(\d[\w.-]*)"#,
);
static USER_AGENT_NODE: Gated = Gated::new(
    "npm_config_user_agent",
    r"npm_config_user_agent.*\bnode/v(\d+\.\d+\.\d+)",
);
static LIFECYCLE_EVENT: Gated = Gated::new(
    "npm_lifecycle_event",
    r#"npm_lifecycle_event\s*[:=]\s*"?([\w:.-]+)"#,
);
static YARNPKG_REGISTRY: Gated = Gated::new(
    "npm_config_registry",
    r#"npm_config_registry\s*[:=]\s*"?https?://registry\.yarnpkg\.com"#,
);
/// setup-node's stand-in for a missing secret (actions/setup-node `authutil.ts`).
static PLACEHOLDER_ENV: Gated = Gated::new(
    "XXXXX-XXXXX-XXXXX-XXXXX",
    r"^\s*([A-Z][A-Z0-9_]*)\s*[:=]\s*XXXXX-XXXXX-XXXXX-XXXXX\s*$",
);
/// Banners: `yarn publish v1.22.22`, `➤ YN0000: · Yarn 4.9.1`, `lerna notice cli v8.1.2`,
/// `npm: 10.9.8` / `npm v11.6.2` as workflows print them.
static BANNER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:yarn (?:publish|run|install) v(?P<yarn>\d[\w.-]*)$",
        r"|.*YN0000: . Yarn (?P<berry>\d[\w.-]*)\s*$",
        r"|lerna notice cli v(?P<lerna>\d[\w.-]*)",
        r"|npm:?\s+v?(?P<npm>\d+\.\d+\.\d+)\s*$",
        r"|pnpm:?\s+v?(?P<pnpm>\d+\.\d+\.\d+)\s*$)"
    ))
    .unwrap()
});
static NODE_CACHE: Gated = Gated::new(
    "hostedtoolcache/node/",
    r"hostedtoolcache/node/(\d+\.\d+\.\d+)/",
);

/// Reads one line (the text after any log prefix); true when it told something.
pub fn match_line(facts: &mut PublisherFacts, body: &str, line_no: usize) -> bool {
    let mut found = match_driver(facts, body);
    found |= super::semantic_release::match_line(&mut facts.semantic_release, body, line_no);
    if let Some(c) = USER_AGENT.captures(body) {
        facts.user_agent = Some(client_of(&c[1], &c[2]));
        found = true;
    }
    if let Some(c) = LIFECYCLE_EVENT.captures(body) {
        facts.lifecycle_event = Some(scrub(&c[1]).into_owned());
        found = true;
    }
    if YARNPKG_REGISTRY.is_match(body) {
        facts.yarnpkg_registry = true;
        found = true;
    }
    if let Some(c) = PLACEHOLDER_ENV.captures(body) {
        facts.placeholder_variable = Some(c[1].to_owned());
        facts.placeholder_line = Some(line_no);
        found = true;
    }
    if let Some(c) = USER_AGENT_NODE.captures(body) {
        facts.node_version.get_or_insert_with(|| c[1].to_owned());
    }
    if let Some(c) = NODE_CACHE.captures(body) {
        facts.node_version.get_or_insert_with(|| c[1].to_owned());
    }
    found |= match_banner(facts, body);
    found |= match_npm_wording(facts, body);
    found
}

fn match_driver(facts: &mut PublisherFacts, body: &str) -> bool {
    let driver = if body.contains('🦋') {
        Driver::Changesets
    } else if body.contains("[semantic-release]") || body.contains("@semantic-release/npm") {
        Driver::SemanticRelease
    } else if body.starts_with("lerna ") {
        Driver::Lerna
    } else if body.contains("No NPM_TOKEN found, but OIDC is available") {
        // changesets/action's own line (src/index.ts), before `changeset publish` runs
        facts.oidc_intended = true;
        Driver::Changesets
    } else {
        return false;
    };
    if body.contains("OIDC is available") {
        facts.oidc_intended = true;
    }
    facts.driver.get_or_insert(driver);
    true
}

fn match_banner(facts: &mut PublisherFacts, body: &str) -> bool {
    let Some(c) = BANNER.captures(body.trim()) else {
        return false;
    };
    let seen = if let Some(v) = c.name("yarn") {
        client_of("yarn", v.as_str())
    } else if let Some(v) = c.name("berry") {
        client_of("yarn", v.as_str())
    } else if let Some(v) = c.name("npm") {
        client_of("npm", v.as_str())
    } else if let Some(v) = c.name("pnpm") {
        client_of("pnpm", v.as_str())
    } else {
        facts.driver.get_or_insert(Driver::Lerna);
        return true;
    };
    see(facts, seen);
    true
}

/// npm's E404 detail, whose wording changed in npm 11.5.0 (lib/utils/error-message.js).
fn match_npm_wording(facts: &mut PublisherFacts, body: &str) -> bool {
    if body.contains("' is not in this registry") {
        facts.npm_before_11_5 = true;
    } else if body.contains("could not be found or you do not have permission to access it") {
        facts.npm_11_5_or_later = true;
    } else if body.contains("provenance statement") && body.contains("GitHub Actions") {
        // npm: "Signed provenance statement with source and build information from GitHub Actions"
        facts.provenance_signed = true;
    } else {
        return false;
    }
    true
}

fn client_of(name: &str, version: &str) -> ClientSeen {
    let major: Option<u32> = version.split('.').next().and_then(|m| m.parse().ok());
    let client = match name {
        "pnpm" => ClientId::Pnpm,
        "yarn" if major.is_some_and(|m| m >= 2) => ClientId::YarnBerry,
        "yarn" => ClientId::Yarn1,
        _ => ClientId::Npm,
    };
    ClientSeen {
        client,
        version: Some(scrub(version).into_owned()),
    }
}

fn see(facts: &mut PublisherFacts, seen: ClientSeen) {
    if !facts.banners.iter().any(|b| b.client == seen.client) {
        facts.banners.push(seen);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(lines: &[&str]) -> PublisherFacts {
        let mut facts = PublisherFacts::default();
        for (i, body) in lines.iter().enumerate() {
            match_line(&mut facts, body, i + 1);
        }
        facts
    }

    #[test]
    fn a_yarn1_script_running_npm_publish() {
        let facts = facts_of(&[
            "yarn run v1.22.22",
            "npm_config_user_agent: yarn/1.22.22 npm/? node/v20.19.0 linux x64",
            "npm_lifecycle_event: release",
            "npm_config_registry: https://registry.yarnpkg.com",
        ]);
        let agent = facts.user_agent.unwrap();
        assert_eq!(
            (agent.client, agent.version.as_deref()),
            (ClientId::Yarn1, Some("1.22.22"))
        );
        assert_eq!(facts.lifecycle_event.as_deref(), Some("release"));
        assert!(facts.yarnpkg_registry);
        assert_eq!(facts.banners[0].client, ClientId::Yarn1);
    }

    #[test]
    fn drivers_and_banners() {
        let facts = facts_of(&[
            "No NPM_TOKEN found, but OIDC is available - using npm trusted publishing",
            "🦋  info npm info @o/a",
            "npm: 10.9.8",
        ]);
        assert_eq!(facts.driver, Some(Driver::Changesets));
        assert!(facts.oidc_intended);
        assert_eq!(facts.banners[0].version.as_deref(), Some("10.9.8"));
        let facts =
            facts_of(&["[semantic-release] › ✘  An error occurred while running semantic-release"]);
        assert_eq!(facts.driver, Some(Driver::SemanticRelease));
        let facts = facts_of(&["➤ YN0000: · Yarn 4.9.1"]);
        assert_eq!(facts.banners[0].client, ClientId::YarnBerry);
    }

    #[test]
    fn the_placeholder_in_a_step_environment() {
        let facts = facts_of(&["  NODE_AUTH_TOKEN: XXXXX-XXXXX-XXXXX-XXXXX"]);
        assert_eq!(
            facts.placeholder_variable.as_deref(),
            Some("NODE_AUTH_TOKEN")
        );
        let facts = facts_of(&["  NODE_AUTH_TOKEN: ***"]);
        assert_eq!(facts.placeholder_variable, None);
    }

    #[test]
    fn npm_wording_dates_the_npm() {
        assert!(facts_of(&["404  '@o/a@1.0.0' is not in this registry."]).npm_before_11_5);
        assert!(facts_of(&["404 The requested resource 'a@1.0.0' could not be found or you do not have permission to access it."]).npm_11_5_or_later);
        assert!(facts_of(&["publish Signed provenance statement with source and build information from GitHub Actions"]).provenance_signed);
    }
}
