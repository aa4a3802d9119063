//! `token-wrong-host`: a credential exists, keyed to another host, port or path than the request. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::{key, variable, whoami, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::line;
use crate::diagnose::registry::nerf;
use crate::diagnose::score::{rule, Scores};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "token-wrong-host",
    rules: &[rule!(9, no_auth_for_uri)],
    advice,
    live_fix,
};

fn no_auth_for_uri(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.no_auth_for_uri.is_some() {
        let ev = line(cx, &["No auth for URI"]);
        s.add("token-wrong-host", 10, ev);
        s.add("token-wrong-host", 0, line(cx, &["Scoped Registry Key"]));
        s.add("lockfile-registry-mismatch", 4, line(cx, &["URI:"]));
    }
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    let reg = cx.registry_or_placeholder();
    if client_words::is_berry(cx) {
        return berry_advice(cx, &reg);
    }
    let who = client_words::tool(cx);
    Advice {
        summary: match cx.failure.signals.no_auth_for_uri.as_ref().and_then(|n| n.scoped_registry_key.clone()) {
            Some(k) => format!("npm has a credential for {k}, but the request went to {host}, a different host/path, so it sent none (npm's \"No auth for URI\" warning)."),
            None => format!("A credential exists, but it is keyed to another host or path than {reg}, so {who} does not send it there."),
        },
        fix: vec![
            format!("key the token to the exact registry path: {}=${{{}}}", key(cx), variable(cx)),
            "make registry URLs end with `/` and match host, port and path exactly (localhost is not 127.0.0.1)".to_owned(),
        ],
        // whoami sends the re-keyed token: it answers with the user once the key matches
        verify: vec![whoami(cx), "regauth doctor".to_owned()],
        decider: format!("the .npmrc credential keys vs {}: same host but another path, port or protocol", nerf(&reg)),
    }
}

/// Fix steps that name what this machine's configuration showed.
/// Berry's: its `npmRegistries` keys, `npmScopes` entries.
fn berry_advice(cx: &Context, reg: &str) -> Advice {
    let entry = client_words::berry_registry_entry(cx);
    Advice {
        summary: format!("A credential exists in .yarnrc.yml, but it is keyed to another host or path than {reg}, so yarn does not send it there."),
        fix: vec![format!("key the token to the registry yarn uses: npmAuthToken under {} ({entry})", client_words::berry_place(cx))],
        verify: client_words::checks(cx, vec!["regauth doctor --client yarn".to_owned()]),
        decider: format!("the npmRegistries keys in .yarnrc.yml vs {}: same host but another path, port or protocol", nerf(reg)),
    }
}

fn live_fix(cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };
    if client_words::is_berry(cx) {
        let entry = client_words::berry_registry_entry(cx);
        let place = client_words::berry_place(cx);
        return config
            .near_misses
            .iter()
            .map(|n| format!("key the token to the registry yarn uses: {} ({}) names another host; berry sends it only to that host: use {entry}.npmAuthToken (or put npmAuthToken under {place})", n.key, n.source))
            .collect();
    }
    let reg = cx.registry_or_placeholder();
    config
        .near_misses
        .iter()
        .map(|m| {
            let field = m.key.rsplit_once(':').map_or("_authToken", |(_, f)| f);
            format!(
                "change the key `{}` at {} to `{}:{field}` ({})",
                m.key,
                m.source,
                nerf(&reg),
                crate::diagnose::problem_text::near_miss(&m.why)
            )
        })
        .collect()
}
