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

/// One candidate cause being scored.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) id: &'static str,
    pub(crate) score: i32,
    pub(crate) evidence: Vec<Evidence>,
}

/// One `add` of one rule: what the trace prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub(crate) rule: &'static str,
    pub(crate) cause: &'static str,
    pub(crate) points: i32,
    pub(crate) evidence: Option<Evidence>,
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
        self.hits.push(Hit {
            rule: self.rule,
            cause: id,
            points,
            evidence: evidence.clone(),
        });
        let item = match self.items.iter_mut().position(|c| c.id == id) {
            Some(i) => &mut self.items[i],
            None => {
                self.items.push(Candidate {
                    id,
                    score: 0,
                    evidence: Vec::new(),
                });
                self.items.last_mut().unwrap()
            }
        };
        item.score += points;
        if let Some(e) = evidence {
            if !item.evidence.contains(&e) {
                item.evidence.push(e);
            }
        }
    }
}
