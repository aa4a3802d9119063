//! Whether probes run and their overall time budget, from `REGAUTH_PROBE` and
//! `REGAUTH_PROBE_TIMEOUT`.

use std::time::Duration;

/// The budget when `REGAUTH_PROBE_TIMEOUT` is unset or unusable.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(8);

/// The largest budget accepted; more would only keep a failing shell waiting.
const MAX_BUDGET_SECS: f64 = 600.0;

#[derive(Debug, Clone, PartialEq)]
pub struct ProbeSettings {
    /// False with `REGAUTH_PROBE=off` (also `0`, `false`, `no`): nothing is planned or spawned.
    pub enabled: bool,
    /// One deadline for all probes together, counted from the start of the run.
    pub budget: Duration,
    /// Why a setting was ignored (a bad `REGAUTH_PROBE_TIMEOUT`), for `--verbose`-style output.
    /// Shim mode prints nothing for it: a typo in a tuning variable must not add noise to npm.
    pub warning: Option<String>,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        ProbeSettings {
            enabled: true,
            budget: DEFAULT_BUDGET,
            warning: None,
        }
    }
}

impl ProbeSettings {
    /// The settings from regauth's own environment.
    pub(crate) fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from any variable lookup (the user's environment as the shim saw it).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let enabled = !lookup("REGAUTH_PROBE").is_some_and(|v| is_off(&v));
        let (budget, warning) = match lookup("REGAUTH_PROBE_TIMEOUT") {
            None => (DEFAULT_BUDGET, None),
            Some(raw) => match parse_budget(&raw) {
                Some(budget) => (budget, None),
                None => (
                    DEFAULT_BUDGET,
                    Some(format!(
                        "REGAUTH_PROBE_TIMEOUT={raw:?} is not a number of seconds > 0; using {} s",
                        DEFAULT_BUDGET.as_secs()
                    )),
                ),
            },
        };
        ProbeSettings {
            enabled,
            budget,
            warning,
        }
    }
}

fn is_off(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "off" | "0" | "false" | "no"
    )
}

/// Seconds, fractions allowed (`0.5`); must be finite, > 0 and at most `MAX_BUDGET_SECS`.
fn parse_budget(raw: &str) -> Option<Duration> {
    let secs: f64 = raw.trim().parse().ok()?;
    (secs.is_finite() && secs > 0.0 && secs <= MAX_BUDGET_SECS)
        .then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> ProbeSettings {
        ProbeSettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn defaults_to_enabled_with_eight_seconds() {
        assert_eq!(settings(&[]), ProbeSettings::default());
        assert_eq!(settings(&[]).budget, Duration::from_secs(8));
    }

    #[test]
    fn off_disables() {
        for v in ["off", "OFF", "0", "false", "no"] {
            assert!(!settings(&[("REGAUTH_PROBE", v)]).enabled, "{v}");
        }
        assert!(settings(&[("REGAUTH_PROBE", "on")]).enabled);
    }

    #[test]
    fn timeout_accepts_fractions() {
        let s = settings(&[("REGAUTH_PROBE_TIMEOUT", "0.5")]);
        assert_eq!(s.budget, Duration::from_millis(500));
        assert_eq!(s.warning, None);
        assert_eq!(
            settings(&[("REGAUTH_PROBE_TIMEOUT", " 3 ")]).budget,
            Duration::from_secs(3)
        );
    }

    #[test]
    fn bad_timeout_falls_back_with_a_warning() {
        for v in ["", "abc", "-1", "0", "NaN", "inf", "1e9", "5s"] {
            let s = settings(&[("REGAUTH_PROBE_TIMEOUT", v)]);
            assert_eq!(s.budget, DEFAULT_BUDGET, "{v}");
            assert!(
                s.warning
                    .as_deref()
                    .unwrap()
                    .contains("REGAUTH_PROBE_TIMEOUT"),
                "{v}"
            );
        }
    }
}
