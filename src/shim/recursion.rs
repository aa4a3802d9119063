//! The recursion guard: an environment variable every regauth sets for the npm it launches, so
//! that a chain that keeps coming back to regauth ends with one clear error, never a fork bomb.
//!
//! The value is `<depth>:<pid of the launching regauth>:<program it launched>`. Two checks:
//! * the launching regauth is our parent process: the program it ran as "npm" started regauth
//!   again straight away (an unmarked wrapper script that `exec`s regauth, a second copy of
//!   regauth). Legitimate nesting (`npm run` script -> npm) always has npm and a shell between.
//! * the depth passed `MAX_DEPTH`: a loop that goes through a shell each time.
//!
//! The depth also tells a nested regauth that an outer one is watching (see `nesting`).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// The variable regauth sets for the programs it launches.
pub const ENV_VAR: &str = "REGAUTH_RECURSION";

/// Deeper than any real chain of `npm run` scripts calling npm (rustup allows 20 too).
pub const MAX_DEPTH: u32 = 20;

/// What the launching regauth (if any) left in the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// How many regauth processes launched npm above this one (0 at the top).
    pub depth: u32,
    pub launcher_pid: Option<u32>,
    pub launched: Option<PathBuf>,
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

    /// Parses `<depth>:<pid>:<path>`; anything malformed counts as depth 1 with nothing known,
    /// so a garbled value can never disable the depth limit.
    pub fn parse(value: &OsStr) -> Guard {
        let mut parts = value.as_bytes().splitn(3, |&b| b == b':');
        let depth = parts.next().and_then(parse_u32);
        let pid = parts.next().and_then(parse_u32);
        let launched = parts
            .next()
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(OsStr::from_bytes(p)));
        match depth {
            Some(depth) => Guard {
                depth,
                launcher_pid: pid,
                launched,
            },
            None => Guard {
                depth: 1,
                launcher_pid: None,
                launched: None,
            },
        }
    }

    /// An error when this regauth is part of a loop.
    pub fn check(&self, parent_pid: u32) -> Result<(), Loop> {
        if self.launcher_pid == Some(parent_pid) {
            return Err(Loop::Immediate {
                program: self.launched.clone(),
            });
        }
        if self.depth >= MAX_DEPTH {
            return Err(Loop::TooDeep {
                depth: self.depth,
                program: self.launched.clone(),
            });
        }
        Ok(())
    }

    /// The value to give the program this regauth launches.
    pub fn for_child(&self, own_pid: u32, program: &std::path::Path) -> OsString {
        let mut value = format!("{}:{}:", self.depth + 1, own_pid).into_bytes();
        value.extend_from_slice(program.as_os_str().as_bytes());
        OsString::from_vec(value)
    }
}

fn parse_u32(bytes: &[u8]) -> Option<u32> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn round_trips_through_the_child_value() {
        let top = Guard::default();
        let value = top.for_child(4242, Path::new("/usr/bin/np:m"));
        let child = Guard::parse(&value);
        assert_eq!(child.depth, 1);
        assert_eq!(child.launcher_pid, Some(4242));
        assert_eq!(child.launched.as_deref(), Some(Path::new("/usr/bin/np:m")));
    }

    #[test]
    fn launcher_as_parent_is_an_immediate_loop() {
        let guard = Guard::parse(OsStr::new("1:77:/x/npm"));
        assert!(matches!(guard.check(77), Err(Loop::Immediate { .. })));
        assert_eq!(guard.check(78), Ok(()));
    }

    #[test]
    fn depth_limit_stops_a_loop_through_shells() {
        let guard = Guard::parse(OsStr::new(&format!("{MAX_DEPTH}:1:/x/npm")));
        let err = guard.check(2).unwrap_err();
        assert!(err.to_string().contains("nested 20 deep"), "{err}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn garbage_never_disables_the_limit() {
        assert_eq!(Guard::parse(OsStr::new("x")).depth, 1);
        assert_eq!(Guard::parse(OsStr::new("")).depth, 1);
    }
}
