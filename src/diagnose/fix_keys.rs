//! Tests that every credential key a fix text tells the user to write is the key npm reads.
//!
//! The expected keys are written out by hand from npm's `nerf-dart.js` (WHATWG host: lower-cased,
//! default port dropped; the path up to its last `/`), not computed by regauth's own code.

use super::context::Context;
use super::facts::{ConfigFacts, Facts, NearMiss};
use crate::detect::Failure;

/// Every offline and live fix line for `id`, as the report would carry them.
fn fix_lines(id: &str, facts: &Facts) -> Vec<String> {
    let cx = Context::new(facts);
    let mut lines = super::causes::fix_live(id, &cx);
    let advice = super::causes::advice(id, &cx);
    lines.extend(advice.fix);
    lines.push(advice.decider);
    lines
}

/// The `//...:_authToken` keys a line names, other than the near miss it quotes.
fn keys_in(line: &str) -> Vec<String> {
    line.split(['`', ' ', '='])
        .filter(|w| w.starts_with("//") && w.ends_with(":_authToken"))
        .filter(|w| !w.starts_with("//wrong.example"))
        .map(str::to_owned)
        .collect()
}

fn facts_for(registry: &str) -> Facts {
    let failure = Failure {
        code: Some("E401".into()),
        http_status: Some(401),
        ..Failure::default()
    };
    let config = ConfigFacts {
        request_registry: Some(registry.to_owned()),
        near_misses: vec![NearMiss {
            key: "//wrong.example/:_authToken".into(),
            source: "/home/u/.npmrc:2".into(),
            why: super::facts::NearMissWhy::OtherPort {
                key_host: "wrong.example".into(),
                registry_host: "h.example".into(),
            },
        }],
        ..ConfigFacts::default()
    };
    Facts {
        config: Some(config),
        ..Facts::from_failure(failure)
    }
}

fn assert_keys(registry: &str, npm_key: &str) {
    let facts = facts_for(registry);
    for id in [
        "token-missing",
        "token-wrong-host",
        "token-env-unset",
        "npmrc-misconfig",
    ] {
        let lines = fix_lines(id, &facts);
        let keys: Vec<String> = lines.iter().flat_map(|l| keys_in(l)).collect();
        assert!(
            !keys.is_empty(),
            "{id} for {registry} names no key: {lines:?}"
        );
        for k in keys {
            assert_eq!(k, npm_key, "{id} for {registry}: {lines:?}");
        }
    }
}

#[test]
fn a_default_https_port_is_not_part_of_the_key() {
    assert_keys("https://h.example:443/npm/", "//h.example/npm/:_authToken");
}

#[test]
fn a_default_http_port_is_not_part_of_the_key() {
    assert_keys("http://h.example:80/", "//h.example/:_authToken");
}

#[test]
fn another_port_is_part_of_the_key() {
    assert_keys("https://h.example:8443/", "//h.example:8443/:_authToken");
    assert_keys("http://h.example:443/", "//h.example:443/:_authToken");
    assert_keys("http://127.0.0.1:4873/", "//127.0.0.1:4873/:_authToken");
}

#[test]
fn the_host_is_lower_cased_and_the_path_is_not() {
    assert_keys(
        "https://REG.Example/Team/npm/",
        "//reg.example/Team/npm/:_authToken",
    );
}

#[test]
fn a_path_without_trailing_slash_keys_its_directory() {
    assert_keys(
        "https://h.example/artifactory/api/npm/npm",
        "//h.example/artifactory/api/npm/:_authToken",
    );
    assert_keys(
        "https://h.example/artifactory/api/npm/npm/",
        "//h.example/artifactory/api/npm/npm/:_authToken",
    );
}

#[test]
fn user_info_and_query_are_not_part_of_the_key() {
    assert_keys(
        "https://user@h.example/npm/?x=1",
        "//h.example/npm/:_authToken",
    );
}
