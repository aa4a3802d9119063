//! Where a live explanation goes: stderr only (human by default, `REGAUTH_FORMAT=json` for the
//! schema-1 JSON), a copy of the JSON in `REGAUTH_REPORT=FILE`, and under GitHub Actions one
//! `::error` annotation plus a Markdown section in `GITHUB_STEP_SUMMARY`. Everything is built
//! first and written with one call per destination, so the explanation reaches the terminal in
//! one piece after npm's output.

use std::path::PathBuf;

use crate::diagnose::Diagnosis;
use crate::render;
use crate::secret::{redact_url, scrub_known};

/// `REGAUTH_FORMAT`: how the explanation is printed on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
}

/// The output settings, from regauth's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSettings {
    pub format: Format,
    /// `REGAUTH_REPORT`: also write the JSON report here.
    pub report: Option<PathBuf>,
    /// `GITHUB_ACTIONS=true`: add one annotation.
    pub github: bool,
    /// `GITHUB_STEP_SUMMARY` under GitHub Actions: append the Markdown report to this file.
    pub step_summary: Option<PathBuf>,
    pub color: bool,
    /// Columns of stderr: COLUMNS, else the terminal's, else 80.
    pub width: usize,
    /// `REGAUTH_VERBOSE=1`: the long form of the human explanation.
    pub verbose: bool,
    /// `REGAUTH_TRACE=1`: the ranking trace after the explanation.
    pub trace: bool,
}

impl OutputSettings {
    pub fn from_env() -> OutputSettings {
        Self::from_lookup(|k| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned()))
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> OutputSettings {
        let format = match get("REGAUTH_FORMAT").as_deref().map(str::trim) {
            Some(f) if f.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Human,
        };
        let no_color = get("NO_COLOR").is_some_and(|v| !v.is_empty());
        let force = get("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
        OutputSettings {
            format,
            report: get("REGAUTH_REPORT")
                .filter(|p| !p.is_empty())
                .map(PathBuf::from),
            github: get("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            step_summary: get("GITHUB_STEP_SUMMARY")
                .filter(|p| !p.is_empty() && get("GITHUB_ACTIONS").is_some_and(|v| v == "true"))
                .map(PathBuf::from),
            color: !no_color && (force || console::colors_enabled_stderr()),
            width: render::width::of(render::width::Stream::Stderr, get("COLUMNS").as_deref()),
            verbose: render::human::is_verbose(get("REGAUTH_VERBOSE").as_deref()),
            trace: get("REGAUTH_TRACE").is_some_and(|v| !v.is_empty() && v != "0"),
        }
    }
}

/// The text for stderr: the human report (after `first_line`, the shim's one-line summary), or
/// the JSON document; plus the annotation.
pub fn stderr_text(d: &Diagnosis, first_line: Option<&str>, settings: &OutputSettings) -> String {
    let mut out = String::new();
    match settings.format {
        Format::Human => {
            if let Some(line) = first_line {
                out.push_str(line);
                out.push('\n');
            }
            let style = render::human::Style {
                color: settings.color,
                width: settings.width,
                verbose: settings.verbose,
            };
            out.push_str(&render::human::render(d, &style));
        }
        Format::Json => out.push_str(&render::json::render(&d.report)),
    }
    if settings.github {
        out.push_str(&render::github::annotation(d));
    }
    if settings.trace {
        out.push_str(&render::trace::render(d));
    }
    out
}

/// Writes the explanation: stderr, then the report file. A report that cannot be written is one
/// more line on stderr. `known_secrets` (see `secret::with_decoded_forms`) are hidden in both,
/// wherever a quoted server message or argument carries one.
pub fn emit(
    d: &Diagnosis,
    first_line: Option<&str>,
    settings: &OutputSettings,
    known_secrets: &crate::secret::Known,
) {
    let clean = scrubbed_diagnosis(d, known_secrets);
    let d = &clean;
    let mut text = scrubbed(&stderr_text(d, first_line, settings), known_secrets);
    if let Some(path) = &settings.report {
        let json = scrubbed(&render::json::render(&d.report), known_secrets);
        if let Err(e) = crate::secret::write_private(path, json.as_bytes()) {
            text.push_str(&format!(
                "regauth: cannot write the report to {}: {e}\n",
                path.display()
            ));
        }
    }
    if let Some(path) = &settings.step_summary {
        let markdown = scrubbed(&render::summary::markdown(d), known_secrets);
        if let Err(e) = append(path, &markdown) {
            text.push_str(&format!(
                "regauth: cannot write the job summary to {}: {e}\n",
                path.display()
            ));
        }
    }
    crate::shim::guard::write_stderr(text.as_bytes());
}

/// Appends to the job summary file (other steps' sections stay), owner-only.
fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    crate::secret::append_private(path, text.as_bytes())
}

/// The diagnosis with the known secrets and URL userinfo hidden in every string *before* it is
/// rendered: hiding them in the rendered text alone misses a value that the 80-column ellipsis
/// cuts in half or that JSON escaping changes.
fn scrubbed_diagnosis(d: &Diagnosis, known_secrets: &crate::secret::Known) -> Diagnosis {
    let mut value = serde_json::to_value(&d.report).unwrap_or_default();
    scrub_strings(&mut value, known_secrets);
    let report = serde_json::from_value(value).unwrap_or_else(|_| d.report.clone());
    let notes = d
        .notes
        .iter()
        .map(|n| crate::diagnose::CauseNote {
            summary: scrubbed(&n.summary, known_secrets),
            decider: scrubbed(&n.decider, known_secrets),
        })
        .collect();
    let trace = d
        .trace
        .iter()
        .map(|h| crate::diagnose::Hit {
            evidence: h.evidence.clone().map(|mut e| {
                e.text = scrubbed(&e.text, known_secrets);
                e
            }),
            ..h.clone()
        })
        .collect();
    Diagnosis {
        report,
        notes,
        trace,
    }
}

fn scrub_strings(value: &mut serde_json::Value, known_secrets: &crate::secret::Known) {
    match value {
        serde_json::Value::String(s) => *s = scrubbed(s, known_secrets),
        serde_json::Value::Array(items) => items
            .iter_mut()
            .for_each(|v| scrub_strings(v, known_secrets)),
        serde_json::Value::Object(map) => map
            .values_mut()
            .for_each(|v| scrub_strings(v, known_secrets)),
        _ => {}
    }
}

/// The known secrets hidden, and the userinfo of every URL (a quoted argument or log line may
/// hold `https://TOKEN@host/...`).
fn scrubbed(text: &str, known_secrets: &crate::secret::Known) -> String {
    redact_url(&scrub_known(text, known_secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_secret_cut_by_the_line_width_leaves_no_prefix() {
        let secret = "CANARYunshapedSECRETvalue0001";
        let known = crate::secret::with_decoded_forms([secret]);
        let human = settings(&[]);
        for pad in 0..60 {
            let text = format!(
                "npm error code E401\nnpm error 401 Unauthorized - GET http://127.0.0.1:4873/x - {} bad {secret}\n",
                "w".repeat(pad)
            );
            let d = scrubbed_diagnosis(&crate::diagnose::explain_text(&text), &known);
            let out = stderr_text(&d, None, &human) + &render::json::render(&d.report);
            assert!(!out.contains("CANARYuns"), "pad {pad}: {out}");
        }
    }

    fn settings(pairs: &[(&str, &str)]) -> OutputSettings {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        OutputSettings::from_lookup(|k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn settings_from_the_environment() {
        let s = settings(&[
            ("REGAUTH_FORMAT", "JSON"),
            ("REGAUTH_REPORT", "/tmp/r.json"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", "/tmp/summary.md"),
            ("NO_COLOR", "1"),
        ]);
        assert_eq!(s.step_summary, Some(PathBuf::from("/tmp/summary.md")));
        assert_eq!(s.format, Format::Json);
        assert_eq!(s.report, Some(PathBuf::from("/tmp/r.json")));
        assert!(s.github && !s.color);
        let s = settings(&[
            ("REGAUTH_FORMAT", "yaml"),
            ("REGAUTH_REPORT", ""),
            ("GITHUB_STEP_SUMMARY", "/tmp/summary.md"),
        ]);
        assert_eq!(
            s.step_summary, None,
            "a summary file outside GitHub Actions"
        );
        assert_eq!(s.format, Format::Human);
        assert_eq!(s.report, None);
        assert!(!s.github);
    }

    #[test]
    fn json_mode_prints_only_the_document() {
        let d = crate::diagnose::explain_text("npm error code E401\nnpm error 401 Unauthorized - GET http://127.0.0.1:9/@a%2fb - no\n");
        let s = settings(&[("REGAUTH_FORMAT", "json")]);
        let text = stderr_text(&d, Some("regauth: x"), &s);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], 1);
        let s = settings(&[("NO_COLOR", "1"), ("GITHUB_ACTIONS", "true")]);
        let text = stderr_text(&d, Some("regauth: x"), &s);
        assert!(text.starts_with("regauth: x\nerror[E401]"), "{text}");
        assert_eq!(text.matches("::error title=").count(), 1);
    }
}
