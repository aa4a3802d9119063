//! The report for people, shaped like a rustc diagnostic: one headline, labelled evidence with
//! sources, a concrete `help:`, how to verify, and the other candidates one line each.
//! 80 columns; colour only where NO_COLOR/CLICOLOR_FORCE and the terminal allow.

use std::fmt::Write as _;

use console::Style as Paint;

use crate::diagnose::Diagnosis;
use crate::report::{Confidence, Report};

pub const WIDTH: usize = 80;

/// Colour and width for one rendering.
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    pub fn plain() -> Style {
        Style {
            color: false,
            width: WIDTH,
        }
    }

    /// NO_COLOR (non-empty) turns colour off; CLICOLOR_FORCE (non-zero) turns it on; otherwise
    /// colour when stdout is a colour terminal.
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let force = std::env::var("CLICOLOR_FORCE").is_ok_and(|v| !v.is_empty() && v != "0");
        let color = !no_color && (force || console::colors_enabled());
        Style {
            color,
            width: WIDTH,
        }
    }

    fn paint(&self, p: Paint, text: &str) -> String {
        p.force_styling(self.color).apply_to(text).to_string()
    }

    fn red(&self, t: &str) -> String {
        self.paint(Paint::new().red().bold(), t)
    }
    fn bold(&self, t: &str) -> String {
        self.paint(Paint::new().bold(), t)
    }
    fn cyan(&self, t: &str) -> String {
        self.paint(Paint::new().cyan().bold(), t)
    }
    fn green(&self, t: &str) -> String {
        self.paint(Paint::new().green().bold(), t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint(Paint::new().dim(), t)
    }
}

pub fn render(d: &Diagnosis, style: &Style) -> String {
    let r = &d.report;
    if !r.auth_failure {
        return render_quiet(r, style);
    }
    let mut out = String::new();
    headline(r, style, &mut out);
    let (Some(top), Some(note)) = (r.causes.first(), d.notes.first()) else {
        return out;
    };
    let _ = writeln!(
        out,
        "  {} {} {}",
        style.cyan("="),
        style.bold(&format!("cause: {}", top.id)),
        style.dim(&format!("({} confidence)", confidence_word(top.confidence)))
    );
    wrap_into(&mut out, &note.summary, "    ", "    ", style.width);
    if !top.evidence.is_empty() {
        let _ = writeln!(out, "  {}", style.cyan("|"));
        let _ = writeln!(out, "  {} {}", style.cyan("="), style.bold("evidence:"));
        for e in &top.evidence {
            let source = e
                .source
                .as_deref()
                .map(home_as_tilde)
                .unwrap_or_else(|| kind_word(e.kind).to_owned());
            let label = format!("{source}: ");
            let room = style.width.saturating_sub(4 + label.chars().count());
            let _ = writeln!(out, "    {}{}", style.dim(&label), truncate(&e.text, room));
        }
    }
    for fix in &top.fix {
        let label = "help: ";
        let _ = write!(out, "{}", style.green("help"));
        wrap_into_first(
            &mut out,
            &fix.clone(),
            ": ",
            &" ".repeat(label.len()),
            style.width,
        );
    }
    for v in &top.verify {
        let _ = write!(out, "{}", style.bold("verify"));
        wrap_into_first(&mut out, v, ": ", "        ", style.width);
    }
    if r.causes.len() > 1 {
        let _ = writeln!(
            out,
            "{}: other candidates, and what decides between them:",
            style.bold("note")
        );
        for (c, n) in r.causes.iter().zip(&d.notes).skip(1) {
            let text = format!(
                "{} ({}): {}",
                c.id,
                confidence_word(c.confidence),
                n.decider
            );
            wrap_into(&mut out, &text, "  - ", "    ", style.width);
        }
    }
    out
}

fn headline(r: &Report, style: &Style, out: &mut String) {
    let f = r.failure.clone().unwrap_or_default();
    // no error code in the text (npm 6's config errors, some yarn lines): name the top cause
    let code = f
        .code
        .clone()
        .or_else(|| r.causes.first().map(|c| c.id.clone()))
        .unwrap_or_else(|| "auth".to_owned());
    let what = match r.command.first() {
        Some(_) => format!("`{} {}` failed", tool_word(&r.tool), r.command.join(" ")),
        None => format!("{} failed", tool_word(&r.tool)),
    };
    let host = f
        .url
        .as_deref()
        .or(f.registry.as_deref())
        .and_then(crate::detect::url::host);
    let mut text = what;
    if let Some(status) = f.http_status {
        let _ = write!(text, ": {status}");
        if let Some(h) = &host {
            let _ = write!(text, " from {h}");
        }
    } else if let Some(h) = &host {
        let _ = write!(text, " on {h}");
    }
    if let Some(p) = &f.package {
        let _ = write!(text, " ({p})");
    }
    let prefix = format!("error[{code}]");
    let _ = write!(out, "{}", style.red(&prefix));
    wrap_into_first(
        out,
        &text,
        ": ",
        "  ",
        style.width.saturating_sub(prefix.len()).max(40) + prefix.len(),
    );
    if let Some(u) = &f.url {
        let method = f.method.clone().unwrap_or_default();
        let line = format!("{method} {u}");
        let _ = writeln!(
            out,
            " {} {}",
            style.cyan("-->"),
            truncate(line.trim(), style.width - 5)
        );
    }
}

fn render_quiet(r: &Report, style: &Style) -> String {
    let Some(f) = &r.failure else {
        return format!(
            "{}: no npm, pnpm or yarn failure found in the input\n",
            style.bold("regauth")
        );
    };
    let what = f
        .code
        .clone()
        .or_else(|| f.http_status.map(|s| s.to_string()))
        .unwrap_or_else(|| "this failure".to_owned());
    let mut out = String::new();
    let text = format!("{what} is not an authentication or authorization problem; nothing to explain (regauth stays quiet for it).");
    let _ = write!(out, "{}", style.bold("regauth"));
    wrap_into_first(&mut out, &text, ": ", "  ", style.width);
    out
}

fn tool_word(tool: &str) -> &str {
    match tool {
        "yarn1" | "yarn-berry" => "yarn",
        t => t,
    }
}

fn confidence_word(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

fn kind_word(k: crate::report::EvidenceKind) -> &'static str {
    use crate::report::EvidenceKind::*;
    match k {
        Config => "config",
        Env => "env",
        Output => "output",
        DebugLog => "debug-log",
        Probe => "probe",
        Lockfile => "lockfile",
    }
}

/// `/home/u/.npmrc:2` -> `~/.npmrc:2` (for people; the JSON keeps the full path).
fn home_as_tilde(source: &str) -> String {
    tilde_in(source, &std::env::var("HOME").unwrap_or_default())
}

fn tilde_in(source: &str, home: &str) -> String {
    let home = home.trim_end_matches('/');
    match source.strip_prefix(home) {
        Some(rest) if !home.is_empty() && rest.starts_with('/') => format!("~{rest}"),
        _ => source.to_owned(),
    }
}

/// Cuts text to `max` characters with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

/// Word-wraps `text` into lines starting with `first` then `rest`, each at most `width` wide
/// (a single word longer than a line stays whole on its own line).
fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str, width: usize) {
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !empty && !fits {
            out.push_str(line.trim_end());
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Like `wrap_into`, continuing a line already started with a coloured label.
fn wrap_into_first(out: &mut String, text: &str, first: &str, rest: &str, width: usize) {
    let label_len = out
        .rsplit('\n')
        .next()
        .map_or(0, console::measure_text_width);
    let mut tmp = String::new();
    let pad = " ".repeat(label_len);
    wrap_into(&mut tmp, text, &format!("{pad}{first}"), rest, width);
    out.push_str(&tmp[label_len..]);
}

#[cfg(test)]
mod tilde_tests {
    use super::*;

    #[test]
    fn home_paths_shown_with_a_tilde() {
        assert_eq!(tilde_in("/home/u/.npmrc:2", "/home/u"), "~/.npmrc:2");
        assert_eq!(
            tilde_in("/home/uu/.npmrc:2", "/home/u"),
            "/home/uu/.npmrc:2"
        );
        assert_eq!(tilde_in("debug-log:3", ""), "debug-log:3");
    }
}
