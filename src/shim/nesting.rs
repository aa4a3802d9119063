//! Nested regauth runs (an `npm run` script calling npm through the shim again) explain a
//! failure once, at the level where it happened: the innermost regauth, whose npm made the
//! failing request with its own cwd, environment and configuration, explains it (config and
//! probes); outer levels stay silent, because their npm only failed with "script exited 1"
//! (not an auth failure) or, in tee mode, because the tail already holds the explanation.
//!
//! With the debug log this cannot repeat: each npm writes its own log, and the outer npm's log
//! holds only "script exited 1". With the stderr tee it could: the outer regauth reads the inner
//! npm's error lines *and* the inner regauth's line in its tail. This is the one place that
//! decides; later work (live diagnosis) can use `depth` to hand the full explanation up or down.

use super::recursion::Guard;
use crate::types::Run;

/// The prefix of every line regauth prints in shim mode.
pub const LINE_PREFIX: &str = "regauth: ";

/// True when this level should explain `run`'s failure.
pub fn should_explain(guard: &Guard, run: &Run) -> bool {
    let _depth = guard.depth; // 0 at the top; a nested regauth explains its own npm's failure.
    !explained_below(run)
}

/// A nested regauth already printed its line into the stderr this level teed.
fn explained_below(run: &Run) -> bool {
    run.stderr_tail.as_deref().is_some_and(|tail| {
        tail.lines()
            .any(|l| l.starts_with(LINE_PREFIX) || l == JSON_MARKER)
    })
}

/// The line of a JSON explanation (`REGAUTH_FORMAT=json`) that marks it as regauth's.
pub const JSON_MARKER: &str = "  \"schema\": 1,";

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with_tail(tail: &str) -> Run {
        Run {
            client: crate::types::ClientId::Npm,
            program: "npm".into(),
            args: Vec::new(),
            cwd: "/".into(),
            exit: crate::types::Exit::Code(1),
            debug_log: None,
            stderr_tail: Some(tail.to_owned()),
            exited: std::time::Instant::now(),
        }
    }

    #[test]
    fn an_explanation_below_in_either_format_silences_this_level() {
        let guard = Guard::default();
        let npm = "npm error code E401\n";
        assert!(should_explain(&guard, &run_with_tail(npm)));
        let human = format!("{npm}regauth: GET http://h/x answered 401\nerror[E401]: ...\n");
        assert!(!should_explain(&guard, &run_with_tail(&human)));
        let json = format!("{npm}{{\n{JSON_MARKER}\n  \"tool\": \"npm\"\n}}\n");
        assert!(!should_explain(&guard, &run_with_tail(&json)));
    }
}
