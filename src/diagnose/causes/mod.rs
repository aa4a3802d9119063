//! The cause taxonomy as units: one file per cause id holding its rules, its fix text (offline and live) and the fact that decides it; every list of ids, rules and fix texts is derived from `CAUSES`.
//!
//! Adding a cause: a new file here with its `UNIT`, one line in `CAUSES`, its row in
//! docs/taxonomy.md. Rules may give points to any cause (a rule lives with the cause it mainly
//! argues for); `seq` keeps the ranking order the rules always ran in.

use super::advice::Advice;
use super::context::Context;
use super::score::Rule;

mod account_issue;
mod blocked_by_policy;
mod insufficient_permission;
mod lockfile_registry_mismatch;
mod npmrc_misconfig;
mod oidc_exchange_failed;
mod oidc_not_attempted;
mod otp_required;
mod proxy_auth;
mod publish_not_allowed;
mod scope_not_mapped;
mod token_env_unset;
mod token_invalid_or_expired;
mod token_missing;
mod token_wrong_host;
mod version_exists;

/// One cause id of the taxonomy and everything about it.
pub struct Cause {
    /// The id (a contract: add ids, never rename them).
    pub id: &'static str,
    /// The rules that mainly argue for this cause (they may score others too).
    pub rules: &'static [Rule],
    /// Meaning, general fix steps, verify commands and the deciding fact.
    pub(crate) advice: fn(&Context) -> Advice,
    /// Fix steps only live evidence (config, probes) can write; empty without it.
    pub(crate) live_fix: fn(&Context) -> Vec<String>,
}

/// Every cause, in the taxonomy's order.
pub const CAUSES: &[Cause] = &[
    token_missing::UNIT,
    token_env_unset::UNIT,
    token_invalid_or_expired::UNIT,
    token_wrong_host::UNIT,
    scope_not_mapped::UNIT,
    insufficient_permission::UNIT,
    publish_not_allowed::UNIT,
    version_exists::UNIT,
    otp_required::UNIT,
    blocked_by_policy::UNIT,
    lockfile_registry_mismatch::UNIT,
    proxy_auth::UNIT,
    npmrc_misconfig::UNIT,
    account_issue::UNIT,
    oidc_exchange_failed::UNIT,
    oidc_not_attempted::UNIT,
];

/// Every cause id, from `CAUSES`.
pub const CAUSE_IDS: [&str; CAUSES.len()] = {
    let mut ids = [""; CAUSES.len()];
    let mut i = 0;
    while i < CAUSES.len() {
        ids[i] = CAUSES[i].id;
        i += 1;
    }
    ids
};

/// The cause with this id.
pub(crate) fn cause(id: &str) -> Option<&'static Cause> {
    CAUSES.iter().find(|c| c.id == id)
}

/// Every rule of every cause, in ranking order.
pub(crate) fn rules() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = CAUSES.iter().flat_map(|c| c.rules.iter()).collect();
    all.sort_by_key(|r| r.seq);
    all
}

/// The offline advice for cause `id` (empty for an unknown id).
pub(crate) fn advice(id: &str, cx: &Context) -> Advice {
    cause(id).map_or_else(Advice::default, |c| (c.advice)(cx))
}

/// The live fix steps for cause `id`.
pub(crate) fn fix_live(id: &str, cx: &Context) -> Vec<String> {
    cause(id).map_or_else(Vec::new, |c| (c.live_fix)(cx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_rule_order_are_unique() {
        let mut ids = CAUSE_IDS.to_vec();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), CAUSES.len());
        let rules = rules();
        let mut seqs: Vec<u16> = rules.iter().map(|r| r.seq).collect();
        seqs.dedup();
        assert_eq!(seqs.len(), rules.len(), "two rules share a seq");
    }
}
