//! The points rules give causes: each `add` is recorded as a trace hit (rule, cause, points, evidence), and the ranking is the sum per cause.

use super::context::Context;
use crate::report::Evidence;

/// One rule: a small function from the facts to points for candidate causes.
pub struct Rule {
    /// The function's name, shown by the trace.
    pub(crate) name: &'static str,
    /// Where the rule runs in the ranking order (text rules, then config, then probes). Equal
    /// scores keep the order in which causes were first named, so this order is part of the
    /// behaviour: a rule keeps its number when it moves.
    pub(crate) seq: u16,
    pub(crate) run: fn(&Context, &mut Scores),
}

/// `rule!(12, need_auth)`: a `Rule` named after its function.
macro_rules! rule {
    ($seq:expr, $f:ident) => {
        $crate::diagnose::score::Rule {
            name: stringify!($f),
            seq: $seq,
            run: $f,
        }
    };
}
pub(crate) use rule;

/// Rules that infer a cause from the shape of a failure (status, method, registry kind) or from
/// wording several causes share: their points rank candidates but never decide one, so a cause
/// they alone put first is at most "medium". Every other rule states what the registry, the
/// client or this machine said about that cause itself (EOTP, ERR_INVALID_AUTH, a 409, an unset
/// variable, a probe), and 8 points or more from it decide.
const INFERENCE: &[&str] = &[
    "unauthorized_generic",
    "forbidden_read",
    "forbidden_publish",
    "not_found_publish",
    "not_found_scoped_read",
    "no_credential_sent",
    "need_auth",
    "credential_rejected",
    "lockfile_pinned_host",
    "login_refused",
    "berry_no_auth_configured",
    "publish_to_mirror",
    "npm_asked_for_the_yarn_registry",
    "publish_refused_after_the_client_check",
    "permission_body",
    "proxy_answered",
];

/// Points from a deciding rule at or above this decide the cause.
const DECIDING_POINTS: i32 = 8;

/// One candidate cause being scored.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) id: &'static str,
    pub(crate) score: i32,
    pub(crate) evidence: Vec<Evidence>,
    /// A deciding rule (not an inference) backed it: only such a cause can be "high".
    pub(crate) decided: bool,
}

/// One `add` of one rule: what the trace prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub(crate) rule: &'static str,
    pub(crate) cause: &'static str,
    pub(crate) points: i32,
    pub(crate) evidence: Option<Evidence>,
    /// These points decide the cause (a deciding rule, not an inference; see `INFERENCE`).
    pub(crate) decides: bool,
}

/// Points per cause id, in the order causes were first named, and every hit that made them.
#[derive(Debug, Default)]
pub(crate) struct Scores {
    pub(crate) items: Vec<Candidate>,
    pub(crate) hits: Vec<Hit>,
    /// The rule now running (set by the ranking before each rule).
    pub(crate) rule: &'static str,
}

impl Scores {
    pub(crate) fn add(&mut self, id: &'static str, points: i32, evidence: Option<Evidence>) {
        let decides = points >= DECIDING_POINTS && !INFERENCE.contains(&self.rule);
        self.hits.push(Hit {
            rule: self.rule,
            cause: id,
            points,
            evidence: evidence.clone(),
            decides,
        });
        let item = match self.items.iter_mut().position(|c| c.id == id) {
            Some(i) => &mut self.items[i],
            None => {
                self.items.push(Candidate {
                    id,
                    score: 0,
                    evidence: Vec::new(),
                    decided: false,
                });
                self.items.last_mut().unwrap()
            }
        };
        item.score += points;
        item.decided |= decides;
        if let Some(e) = evidence {
            if !item.evidence.contains(&e) {
                item.evidence.push(e);
            }
        }
    }

    /// Marks `id` decided by what an inference rule found (a registry naming the logged-in
    /// user, a 407): the rule's points stay as they are.
    pub(crate) fn decide(&mut self, id: &'static str) {
        if let Some(c) = self.items.iter_mut().find(|c| c.id == id) {
            c.decided = true;
            self.hits.push(Hit {
                rule: self.rule,
                cause: id,
                points: 0,
                evidence: None,
                decides: true,
            });
        }
    }
}
