//! The recursion guard: an environment variable every regauth sets for the npm it launches, so
//! that a chain that keeps coming back to regauth ends with one clear error (or the real npm),
//! never a fork bomb.
//!
//! The value is `<depth>:<program it launched>`, the same on every run (no PID: what npm's
//! scripts see through regauth must not change from run to run). Three checks:
//! * the program the outer regauth launched as "npm" is this regauth (a second copy of regauth
//!   named npm on PATH, which the outer one could not tell from npm): this one runs the next npm
//!   on PATH after itself instead, so two copies still run the real npm once;
//! * our parent process runs this same regauth binary: the program it ran as "npm" started
//!   regauth again straight away (an unmarked wrapper script that `exec`s regauth). Legitimate
//!   nesting (`npm run` script -> npm) always has npm and a shell between;
//! * the depth passed `MAX_DEPTH`: a loop that goes through a shell each time.
//!
//! The depth also tells a nested regauth that an outer one is watching (see `nesting`).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use crate::paths::SelfIdentity;

/// The variable regauth sets for the programs it launches.
pub const ENV_VAR: &str = "REGAUTH_RECURSION";

/// Deeper than any real chain of `npm run` scripts calling npm (rustup allows 20 too).
pub const MAX_DEPTH: u32 = 20;

/// What the launching regauth (if any) left in the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// How many regauth processes launched npm above this one (0 at the top).
    pub depth: u32,
    pub launched: Option<PathBuf>,
}

/// How this regauth must look for the real binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// As usual: the override variable, else the first non-regauth match on PATH.
    Normal,
    /// An outer regauth launched this copy as npm: only matches after this one on PATH count.
    AfterSelf,
}

/// A loop found by the guard; its Display is the one line regauth prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loop {
    /// The program regauth launched as npm ran regauth again directly.
    Immediate { program: Option<PathBuf> },
    TooDeep {
        depth: u32,
        program: Option<PathBuf>,
    },
}

impl std::fmt::Display for Loop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let program = |p: &Option<PathBuf>| match p {
            Some(p) => p.display().to_string(),
            None => "the program found as npm".to_owned(),
        };
        match self {
            Loop::Immediate { program: p } => write!(
                f,
                "regauth: {} runs regauth again instead of npm (a loop); set REGAUTH_NPM to the real npm",
                program(p)
            ),
            Loop::TooDeep { depth, program: p } => write!(
                f,
                "regauth: npm calls nested {depth} deep through regauth, stopping a likely loop (last launched: {}); set REGAUTH_NPM to the real npm",
                program(p)
            ),
        }
    }
}

impl Guard {
    /// Reads the guard from this process's environment.
    pub fn from_env() -> Guard {
        std::env::var_os(ENV_VAR)
            .map(|v| Guard::parse(&v))
            .unwrap_or_default()
    }

    /// Parses `<depth>:<path>` (and the older `<depth>:<pid>:<path>`); anything malformed
    /// counts as depth 1 with nothing known, so a garbled value can never disable the limit.
    pub fn parse(value: &OsStr) -> Guard {
        let bytes = value.as_bytes();
        let (depth, rest) = match bytes.iter().position(|&b| b == b':') {
            Some(i) => (parse_u32(&bytes[..i]), &bytes[i + 1..]),
            None => (parse_u32(bytes), &b""[..]),
        };
        let path = match rest.iter().position(|&b| b == b':') {
            Some(i) if !rest.starts_with(b"/") && parse_u32(&rest[..i]).is_some() => &rest[i + 1..],
            _ => rest,
        };
        let launched = (!path.is_empty()).then(|| PathBuf::from(OsStr::from_bytes(path)));
        match depth {
            Some(depth) => Guard { depth, launched },
            None => Guard {
                depth: 1,
                launched: None,
            },
        }
    }

    /// How to search for the real binary, or an error when this regauth is part of a loop.
    /// `parent_runs_me`: our parent process runs this very regauth binary.
    pub fn check(&self, me: &SelfIdentity, parent_runs_me: bool) -> Result<Search, Loop> {
        if self.depth >= MAX_DEPTH {
            return Err(Loop::TooDeep {
                depth: self.depth,
                program: self.launched.clone(),
            });
        }
        if self.launched.as_deref().is_some_and(|p| me.is_self(p)) {
            return Ok(Search::AfterSelf);
        }
        if self.depth > 0 && parent_runs_me {
            return Err(Loop::Immediate {
                program: self.launched.clone(),
            });
        }
        Ok(Search::Normal)
    }

    /// The value to give the program this regauth launches.
    pub fn for_child(&self, program: &Path) -> OsString {
        let mut value = format!("{}:", self.depth + 1).into_bytes();
        value.extend_from_slice(program.as_os_str().as_bytes());
        OsString::from_vec(value)
    }
}

/// True when our parent process runs the same binary as this one (Linux /proc; elsewhere the
/// depth limit alone stops a loop).
pub fn parent_runs(me: &SelfIdentity) -> bool {
    let parent = std::os::unix::process::parent_id();
    std::fs::read_link(format!("/proc/{parent}/exe")).is_ok_and(|exe| me.is_self(&exe))
}

fn parse_u32(bytes: &[u8]) -> Option<u32> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_the_child_value_without_a_pid() {
        let top = Guard::default();
        let value = top.for_child(Path::new("/usr/bin/np:m"));
        assert_eq!(value, OsStr::new("1:/usr/bin/np:m"));
        let child = Guard::parse(&value);
        assert_eq!(child.depth, 1);
        assert_eq!(child.launched.as_deref(), Some(Path::new("/usr/bin/np:m")));
        let old = Guard::parse(OsStr::new("3:77:/x/npm"));
        assert_eq!(
            (old.depth, old.launched.as_deref()),
            (3, Some(Path::new("/x/npm")))
        );
    }

    #[test]
    fn parent_running_regauth_is_an_immediate_loop() {
        let me = SelfIdentity::current();
        let guard = Guard::parse(OsStr::new("1:/x/npm"));
        assert!(matches!(
            guard.check(&me, true),
            Err(Loop::Immediate { .. })
        ));
        assert_eq!(guard.check(&me, false), Ok(Search::Normal));
        assert_eq!(Guard::default().check(&me, true), Ok(Search::Normal));
    }

    #[test]
    fn launched_as_npm_by_another_regauth_searches_after_itself() {
        let me = SelfIdentity::current();
        let exe = std::env::current_exe().unwrap();
        let guard = Guard::default().for_child(&exe);
        let check = Guard::parse(&guard).check(&me, false);
        assert_eq!(check, Ok(Search::AfterSelf));
    }

    #[test]
    fn depth_limit_stops_a_loop_through_shells() {
        let me = SelfIdentity::current();
        let guard = Guard::parse(OsStr::new(&format!("{MAX_DEPTH}:/x/npm")));
        let err = guard.check(&me, false).unwrap_err();
        assert!(err.to_string().contains("nested 20 deep"), "{err}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn garbage_never_disables_the_limit() {
        assert_eq!(Guard::parse(OsStr::new("x")).depth, 1);
        assert_eq!(Guard::parse(OsStr::new("")).depth, 1);
    }
}
