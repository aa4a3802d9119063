//! `proxy-auth`: a corporate HTTP proxy, not the registry, refused the request. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::Advice;
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{config_evidence, has_status, line, main_line};
use crate::diagnose::score::{rule, Scores};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "proxy-auth",
    rules: &[rule!(6, proxy_answered), rule!(31, config_proxy)],
    advice,
    live_fix,
};

fn proxy_answered(cx: &Context, s: &mut Scores) {
    if cx.failure.signals.proxy {
        s.add(
            "proxy-auth",
            11,
            line(cx, &["407", "roxy", "network administrator", "web site"])
                .or_else(|| main_line(cx)),
        );
        if cx.failure.signals.proxy_auth_required {
            // 407 is the proxy's own status (RFC 9110 15.5.8): no registry sends it
            s.decide("proxy-auth");
        }
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

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    if client_words::is_berry(cx) {
        return Advice {
            summary: "A corporate HTTP proxy, not the registry, refused the request: it wants its own authentication or blocks the registry.".to_owned(),
            fix: vec![
                "set httpsProxy: \"http://USER:PASSWORD@proxy.example:8080\" in ~/.yarnrc.yml   # credentials for the proxy, kept out of version control".to_owned(),
                "or ask for the registry to be allowed through the proxy".to_owned(),
            ],
            verify: client_words::checks(cx, vec!["yarn config get httpsProxy".to_owned()]),
            decider: "status 407 or a proxy's page instead of the registry's JSON; `yarn config get httpsProxy` is set".to_owned(),
        };
    }
    Advice {
        summary: "A corporate HTTP proxy, not the registry, refused the request: it wants its own authentication or blocks the registry.".to_owned(),
        fix: vec![
            "npm config set https-proxy http://USER:PASSWORD@proxy.example:8080   # credentials for the proxy, kept out of version control".to_owned(),
            "or ask for the registry to be allowed through the proxy; check `noproxy` for internal registries".to_owned(),
        ],
        verify: vec!["npm config get https-proxy".to_owned(), "npm ping".to_owned()],
        decider: "status 407 or a proxy's page instead of the registry's JSON; `npm config get https-proxy` is set".to_owned(),
    }
}

/// No live evidence names anything more specific than the general steps.
fn live_fix(_cx: &Context) -> Vec<String> {
    Vec::new()
}
