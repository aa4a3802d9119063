//! The version a publish can use when its own is refused, by npm's rule (npm 11
//! lib/commands/publish.js): a version already listed is refused ("You cannot publish over the
//! previously published versions"), and without `--tag` (the default tag `latest`) so is any
//! version not above the highest published one that is neither a prerelease nor deprecated
//! ("Cannot implicitly apply the latest tag ... You must specify a tag using --tag").

use std::cmp::Ordering;

/// A semver version: `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]` (build metadata ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Vec<String>,
}

impl Version {
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches('v');
        let core = text.split('+').next()?;
        let (numbers, pre) = match core.split_once('-') {
            Some((n, p)) => (n, p.split('.').map(String::from).collect()),
            None => (core, Vec::new()),
        };
        let mut parts = numbers.split('.').map(|p| p.parse::<u64>().ok());
        let version = Version {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
            pre,
        };
        parts.next().is_none().then_some(version)
    }

    pub(crate) fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    fn next_patch(&self) -> Version {
        Version {
            patch: self.patch + 1,
            pre: Vec::new(),
            ..self.clone()
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if self.is_prerelease() {
            write!(f, "-{}", self.pre.join("."))?;
        }
        Ok(())
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Semver's rule: numeric identifiers compare as numbers and below alphanumeric ones; a longer
/// list wins when all shared identifiers are equal.
fn compare_prerelease(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

/// Versions npm will accept for a publish refused because of the published ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proposal {
    /// The highest published version that is not a prerelease (what `latest` must exceed).
    pub(crate) highest: String,
    /// The next patch above `highest` that is not taken: publishable with the default tag.
    pub(crate) above_highest: String,
    /// When the local version is below `highest`: itself if free, else the next free patch of
    /// its own line; either needs `--tag` (npm refuses to move `latest` down).
    pub(crate) same_line: Option<String>,
}

/// The proposal for a publish of `local` when `published` are listed; `None` when nothing
/// parses.
pub(crate) fn propose(local: Option<&str>, published: &[String]) -> Option<Proposal> {
    let taken: Vec<Version> = published.iter().filter_map(|v| Version::parse(v)).collect();
    let highest = taken.iter().filter(|v| !v.is_prerelease()).max()?.clone();
    let local = local.and_then(Version::parse);
    let above_highest = next_free(&highest, &taken);
    let same_line = local
        .filter(|l| *l < highest)
        .map(|l| match taken.contains(&l) {
            true => next_free(&l, &taken),
            false => l,
        })
        .filter(|v| *v < highest)
        .map(|v| v.to_string());
    Some(Proposal {
        highest: highest.to_string(),
        above_highest: above_highest.to_string(),
        same_line,
    })
}

/// The highest published version named by npm's "Cannot implicitly apply the latest tag"
/// message, when `text` holds it.
pub(crate) fn highest_from_message(text: &str) -> Option<String> {
    let rest = text.split("previously published version ").nth(1)?;
    let version = rest.split_whitespace().next()?;
    Version::parse(version).map(|v| v.to_string())
}

/// The first patch after `from` that is not in `taken`.
fn next_free(from: &Version, taken: &[Version]) -> Version {
    let mut candidate = from.next_patch();
    while taken.contains(&candidate) {
        candidate = candidate.next_patch();
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(versions: &[&str]) -> Vec<String> {
        versions.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn semver_order() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.10.0",
            "2.0.0",
        ];
        for pair in ordered.windows(2) {
            let (a, b) = (Version::parse(pair[0]), Version::parse(pair[1]));
            assert!(a < b, "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(Version::parse("1.2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert_eq!(
            Version::parse("1.2.3+build.5").unwrap().to_string(),
            "1.2.3"
        );
    }

    #[test]
    fn a_lower_local_version_gets_a_version_above_the_highest_and_a_tagged_one() {
        let p = propose(
            Some("1.0.0"),
            &list(&["1.0.0", "1.0.1", "2.0.0", "3.0.0-rc.1"]),
        )
        .unwrap();
        assert_eq!(p.highest, "2.0.0");
        assert_eq!(p.above_highest, "2.0.1");
        assert_eq!(p.same_line.as_deref(), Some("1.0.2"));
        // npm's "Cannot implicitly apply": the local version is free, only its tag is refused
        let p = propose(Some("1.0.1"), &list(&["1.0.0", "2.0.0"])).unwrap();
        assert_eq!(p.same_line.as_deref(), Some("1.0.1"));
    }

    #[test]
    fn the_highest_local_version_just_moves_up_a_free_patch() {
        let p = propose(Some("2.0.0"), &list(&["1.0.0", "2.0.0", "2.0.1-beta.0"])).unwrap();
        assert_eq!(p.above_highest, "2.0.1");
        assert_eq!(p.same_line, None);
        // a taken patch (e.g. deprecated, still listed) is skipped
        let p = propose(Some("2.0.0"), &list(&["2.0.0", "2.0.1"])).unwrap();
        assert_eq!(p.above_highest, "2.0.2");
        assert_eq!(propose(Some("1.0.0"), &list(&["x"])), None);
    }

    #[test]
    fn npm_names_the_highest_version_in_its_refusal() {
        let text = "npm error Cannot implicitly apply the \"latest\" tag because previously published version 2.0.0 is higher than the new version 1.0.1. You must specify a tag using --tag.";
        assert_eq!(highest_from_message(text).as_deref(), Some("2.0.0"));
        assert_eq!(
            highest_from_message(
                "You cannot publish over the previously published versions: 1.0.0."
            ),
            None
        );
    }
}
