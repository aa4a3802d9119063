//! The GitHub Actions job summary (`GITHUB_STEP_SUMMARY`): one Markdown section per explained
//! failure with the cause, the evidence, the fix, and the workflow lines to change.

use std::fmt::Write as _;

use crate::diagnose::Diagnosis;
use crate::report::{Confidence, Report};

/// The Markdown section, or nothing when the failure is not an auth problem.
pub(crate) fn markdown(d: &Diagnosis) -> String {
    let r = &d.report;
    let (Some(cause), Some(note)) = (r.causes.first(), d.notes.first()) else {
        return String::new();
    };
    let mut out = String::new();
    let _ = writeln!(out, "### regauth: {}\n", heading(r));
    let _ = writeln!(
        out,
        "**Cause:** `{}` ({} confidence). {}\n",
        cause.id,
        confidence_word(cause.confidence),
        note.summary
    );
    if !cause.evidence.is_empty() {
        let lines = cause.evidence.iter().map(|e| match &e.source {
            Some(source) => format!("{source}: {}", e.text),
            None => e.text.clone(),
        });
        block(&mut out, "Evidence", "text", lines);
    }
    block(&mut out, "Fix", "sh", cause.fix.iter().cloned());
    block(&mut out, "Verify", "sh", cause.verify.iter().cloned());
    let workflow = workflow_lines(r, &cause.id, &cause.evidence_text());
    if !workflow.is_empty() {
        block(&mut out, "In the workflow", "yaml", workflow.into_iter());
    }
    for other in r.causes.iter().skip(1) {
        if other.id != cause.id {
            let _ = writeln!(out, "- also possible: `{}`: {}", other.id, other.summary);
        }
    }
    out.push('\n');
    out
}

/// "`npm ci` failed: 401 from npm.example.com (@acme/lib)".
fn heading(r: &Report) -> String {
    let f = r.failure.clone().unwrap_or_default();
    let mut text = format!("`{}` failed", inline_code(&command_line(r)));
    let host = f
        .url
        .as_deref()
        .or(f.registry.as_deref())
        .and_then(crate::detect::url::host);
    match (f.http_status, host) {
        (Some(status), Some(h)) => {
            let _ = write!(text, ": {status} from {h}");
        }
        (Some(status), None) => {
            let _ = write!(text, ": {status}");
        }
        (None, Some(h)) => {
            let _ = write!(text, " on {h}");
        }
        (None, None) => {}
    }
    if let Some(p) = &f.package {
        let _ = write!(text, " ({p})");
    }
    text
}

fn command_line(r: &Report) -> String {
    let mut words = vec![r.tool.clone()];
    words.extend(r.command.iter().cloned());
    words.join(" ")
}

/// A titled fenced block; skipped when there are no lines.
fn block(out: &mut String, title: &str, lang: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.map(|l| fence_safe(&l)).collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title}**\n\n```{lang}\n{}\n```\n", lines.join("\n"));
}

/// A line cannot close the fence it sits in.
fn fence_safe(line: &str) -> String {
    line.replace("```", "'''")
}

fn inline_code(text: &str) -> String {
    text.replace('`', "'")
}

fn confidence_word(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

trait EvidenceText {
    fn evidence_text(&self) -> String;
}

impl EvidenceText for crate::report::Cause {
    /// Evidence, fix and summary in one string, to find the variable a credential uses.
    fn evidence_text(&self) -> String {
        let mut all: Vec<&str> = self.evidence.iter().map(|e| e.text.as_str()).collect();
        all.extend(self.fix.iter().map(String::as_str));
        all.push(&self.summary);
        all.join("\n")
    }
}

/// The first `${VAR}` the cause's text names, else setup-node's NODE_AUTH_TOKEN.
fn token_variable(text: &str) -> String {
    let found = text.split("${").skip(1).find_map(|rest| {
        let name = rest.split('}').next()?;
        let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        plain.then(|| name.to_owned())
    });
    found.unwrap_or_else(|| "NODE_AUTH_TOKEN".to_owned())
}

/// The registry root the failure went to, for `registry-url:`.
fn registry_url(r: &Report) -> String {
    let f = r.failure.clone().unwrap_or_default();
    f.registry
        .or_else(|| {
            let url = f.url?;
            let host = crate::detect::url::host(&url)?;
            let scheme = url.split("://").next().unwrap_or("https");
            Some(format!("{scheme}://{host}/"))
        })
        .unwrap_or_else(|| "https://registry.npmjs.org/".to_owned())
}

fn scope_of(r: &Report) -> Option<String> {
    let package = r.failure.as_ref()?.package.as_ref()?;
    let scope = package.strip_prefix('@')?.split('/').next()?;
    Some(format!("@{scope}"))
}

/// The `permissions:` / `actions/setup-node` / `env:` lines that fix this cause in a workflow.
fn workflow_lines(r: &Report, cause: &str, cause_text: &str) -> Vec<String> {
    let registry = registry_url(r);
    let github_packages = registry.contains("npm.pkg.github.com");
    let publish = r.command.first().is_some_and(|c| c == "publish");
    let variable = token_variable(cause_text);
    let secret = if github_packages {
        "GITHUB_TOKEN"
    } else {
        "NPM_TOKEN"
    };
    let mut permissions = Vec::new();
    if github_packages {
        let access = if publish { "write" } else { "read" };
        permissions.push("  contents: read".to_owned());
        permissions.push(format!("  packages: {access}"));
    }
    if cause == "otp-required" || (cause == "publish-not-allowed" && !github_packages) {
        permissions
            .push("  id-token: write   # npm trusted publishing: no token, no OTP".to_owned());
    }
    let mut lines = Vec::new();
    if !permissions.is_empty() {
        lines.push("permissions:".to_owned());
        lines.extend(permissions);
    }
    let setup_node = matches!(
        cause,
        "token-missing"
            | "token-env-unset"
            | "token-wrong-host"
            | "scope-not-mapped"
            | "npmrc-misconfig"
    );
    if setup_node || github_packages {
        lines.push("- uses: actions/setup-node@v4".to_owned());
        lines.push("  with:".to_owned());
        lines.push(format!("    registry-url: {registry}"));
        if let Some(scope) = scope_of(r) {
            lines.push(format!("    scope: '{scope}'"));
        }
    }
    let token_cause = matches!(
        cause,
        "token-missing" | "token-env-unset" | "token-invalid-or-expired" | "token-wrong-host"
    );
    if token_cause || github_packages {
        lines.push(format!("- run: {}", command_line(r)));
        lines.push("  env:".to_owned());
        lines.push(format!("    {variable}: ${{{{ secrets.{secret} }}}}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn explained(text: &str) -> Diagnosis {
        crate::diagnose::explain_text(text)
    }

    #[test]
    fn an_auth_failure_gets_cause_evidence_fix_and_workflow_lines() {
        let d = explained(
            "npm error code E401\nnpm error 401 Unauthorized - GET https://npm.pkg.github.com/@acme%2flib - unauthenticated: User cannot be authenticated with the token provided.\n",
        );
        let md = markdown(&d);
        let cause = &d.report.causes[0].id;
        assert!(md.starts_with("### regauth: `"), "{md}");
        assert!(md.contains(&format!("**Cause:** `{cause}`")), "{md}");
        assert!(md.contains("401 from npm.pkg.github.com"), "{md}");
        assert!(md.contains("**Fix**\n\n```sh\n"), "{md}");
        assert!(md.contains("  packages: read"), "{md}");
        assert!(
            md.contains("registry-url: https://npm.pkg.github.com/"),
            "{md}"
        );
        assert!(md.contains("secrets.GITHUB_TOKEN"), "{md}");
    }

    #[test]
    fn a_failure_that_is_not_about_auth_gets_no_summary() {
        let d = explained(
            "npm error code ETARGET\nnpm error notarget No matching version found for lodash@99.\n",
        );
        assert_eq!(markdown(&d), "");
    }

    #[test]
    fn the_token_variable_comes_from_the_cause_text() {
        assert_eq!(
            token_variable("${NPM_TOKEN} is unset where npm ran"),
            "NPM_TOKEN"
        );
        assert_eq!(
            token_variable("uses ${ weird } then ${ACME_TOKEN}"),
            "ACME_TOKEN"
        );
        assert_eq!(token_variable("no variable"), "NODE_AUTH_TOKEN");
    }

    #[test]
    fn fences_cannot_be_closed_by_quoted_text() {
        assert_eq!(fence_safe("a ``` b"), "a ''' b");
    }
}
