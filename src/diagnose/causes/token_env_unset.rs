//! `token-env-unset`: a `${VAR}` in the credential line is unset or empty where the client ran. Its rules, its fix text offline and live, and what decides it.

use crate::diagnose::advice::{key, variable, whoami, Advice};
use crate::diagnose::client_words;
use crate::diagnose::context::Context;
use crate::diagnose::evidence::{config_evidence, line};
use crate::diagnose::facts::VarState;
use crate::diagnose::registry::nerf;
use crate::diagnose::score::{rule, Scores};

pub(super) const UNIT: super::Cause = super::Cause {
    id: "token-env-unset",
    rules: &[
        rule!(7, variable_not_replaced),
        rule!(26, config_variable_unset),
        rule!(41, config_placeholder),
        rule!(42, placeholder_in_text),
    ],
    advice,
    live_fix,
};

fn variable_not_replaced(cx: &Context, s: &mut Scores) {
    if !cx.failure.signals.env_unresolved.is_empty() {
        s.add(
            "token-env-unset",
            13,
            line(
                cx,
                &["Failed to replace env", "Environment variable not found"],
            ),
        );
    }
}

fn config_variable_unset(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    for v in config.variables.iter().filter(|v| v.state != VarState::Set) {
        let state = if v.state == VarState::Empty {
            "empty"
        } else {
            "unset"
        };
        s.add(
            "token-env-unset",
            14,
            config_evidence(
                format!("${{{}}} is {state} where npm ran", v.name),
                &v.source,
            ),
        );
        s.add("token-invalid-or-expired", -6, None);
        s.add("token-missing", -4, None);
    }
}

/// The credential npm sent is setup-node's stand-in for a missing secret (config/credential.rs
/// `Kind::Placeholder`): the variable behind it was set, but to no token.
fn config_placeholder(cx: &Context, s: &mut Scores) {
    let Some(config) = &cx.facts.config else {
        return;
    };
    let Some(cred) = config
        .credential
        .as_ref()
        .filter(|c| c.kind == "placeholder")
    else {
        return;
    };
    let var = placeholder_variable(config);
    s.add(
        "token-env-unset",
        14,
        config_evidence(
            format!("{}=${{{var}}} holds setup-node's placeholder XXXXX-XXXXX-XXXXX-XXXXX, not a token: {var} got no secret", cred.key),
            &cred.source,
        ),
    );
    s.add("token-invalid-or-expired", -6, None);
}

/// The text shows setup-node's placeholder (actions/setup-node src/authutil.ts writes
/// `XXXXX-XXXXX-XXXXX-XXXXX` into NODE_AUTH_TOKEN when the job gave it no secret): whatever the
/// registry answered (npmjs: 404 on the PUT, others 401), the variable was empty of a token.
fn placeholder_in_text(cx: &Context, s: &mut Scores) {
    if !cx.failure.signals.placeholder_token {
        return;
    }
    s.add(
        "token-env-unset",
        12,
        line(cx, &["XXXXX-XXXXX-XXXXX-XXXXX"]),
    );
    s.add("token-invalid-or-expired", -4, None);
}

/// The variable a placeholder credential came from (setup-node's is NODE_AUTH_TOKEN).
fn placeholder_variable(config: &crate::diagnose::facts::ConfigFacts) -> String {
    config
        .variables
        .first()
        .map_or_else(|| "NODE_AUTH_TOKEN".to_owned(), |v| v.name.clone())
}

/// The meaning, general fix steps, verify commands and deciding fact.
fn advice(cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    let reg = cx.registry_or_placeholder();
    if let Some(var) = cx.failure.publisher.placeholder_variable.as_deref() {
        return placeholder_advice(cx, var, &host);
    }
    if client_words::is_berry(cx) {
        return berry_advice(cx, &host);
    }
    {
        let var = variable(cx);
        Advice {
            summary: format!("The .npmrc credential for {host} comes from ${{{var}}}, which was unset or empty where the command ran, so no valid token was sent."),
            fix: vec![
                format!("export {var}=<token>   # in CI: pass the secret into this step's env (e.g. `env: {var}: ${{{{ secrets.NPM_TOKEN }}}}`)"),
                format!("check the line `{}=${{{var}}}` is in an .npmrc this command reads", key(cx)),
            ],
            verify: vec![format!("test -n \"${var}\" && echo set"), whoami(cx)],
            decider: format!("the .npmrc line for {} uses ${{{var}}} and {var} is unset or empty in that shell/step", nerf(&reg)),
        }
    }
}

/// setup-node's placeholder was the token: the step's log names the variable that got no secret.
fn placeholder_advice(cx: &Context, var: &str, host: &str) -> Advice {
    Advice {
        summary: format!("The token sent to {host} was setup-node's placeholder XXXXX-XXXXX-XXXXX-XXXXX: {var} got no secret in this step, so npm sent the placeholder from the .npmrc line `{}=${{{var}}}`.", key(cx)),
        fix: vec![
            format!("pass the secret to the step: `env: {var}: ${{{{ secrets.NPM_TOKEN }}}}`"),
            "or, for trusted publishing (OIDC), drop setup-node's `registry-url` so no placeholder token is configured, and publish with npm 11.5.1 or later in a job with `permissions: id-token: write`".to_owned(),
        ],
        verify: vec![format!("test \"${var}\" != XXXXX-XXXXX-XXXXX-XXXXX && echo set"), whoami(cx)],
        decider: format!("the step's environment shows {var}: XXXXX-XXXXX-XXXXX-XXXXX (setup-node's placeholder)"),
    }
}

/// Fix steps that name what this machine's configuration showed.
/// Berry's: it stops at an unset `${VAR}` in `.yarnrc.yml` unless it has a `:-` fallback.
fn berry_advice(cx: &Context, host: &str) -> Advice {
    let var = variable(cx);
    Advice {
        summary: format!("The .yarnrc.yml credential for {host} comes from ${{{var}}}, which was unset or empty where yarn ran: berry stops at an unset variable without a `:-` fallback."),
        fix: vec![format!("export {var}=<token> where yarn runs (or write ${{{var}:-}} in .yarnrc.yml to make it optional)")],
        verify: client_words::checks(cx, vec![format!("test -n \"${var}\" && echo set")]),
        decider: format!("the .yarnrc.yml npmAuthToken for {host} uses ${{{var}}} and {var} is unset or empty in that shell/step"),
    }
}

fn live_fix(cx: &Context) -> Vec<String> {
    let Some(config) = &cx.facts.config else {
        return Vec::new();
    };
    if client_words::is_berry(cx) {
        return config
            .variables
            .iter()
            .map(|v| format!("export {0}=<token> where yarn runs: berry stops at ${{{0}}} in {1} (write ${{{0}:-}} there to make it optional)", v.name, v.source))
            .collect();
    }

    if config
        .credential
        .as_ref()
        .is_some_and(|c| c.kind == "placeholder")
    {
        let var = placeholder_variable(config);
        return vec![format!(
            "pass the token to this step: `env: {var}: ${{{{ secrets.NPM_TOKEN }}}}`, or publish with trusted publishing (OIDC) and drop `registry-url`/{var} from the job"
        )];
    }
    // where a token comes from, for the kinds whose tokens are not just `npm login`'s
    let origin = (cx.entry.token_source)(&cx.registry_or_placeholder())
        .map(|s| format!("; the token: {s}"))
        .unwrap_or_default();
    config
        .variables
        .iter()
        .filter(|v| v.state != VarState::Set)
        .map(|v| {
            let state = if v.state == VarState::Empty {
                "set but empty"
            } else {
                "unset"
            };
            format!(
                "export {name}=<token>   # ${{{name}}} is {state} here; it is used by {source}{origin}",
                name = v.name,
                source = v.source
            )
        })
        .collect()
}
