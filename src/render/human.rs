//! The report for people, shaped like a rustc diagnostic and sized for one screen: a headline
//! with the cause and how sure, the evidence that decided it with its sources, one concrete
//! `help:` and one `verify:`, alternatives only while the facts leave them open; the long form
//! (REGAUTH_VERBOSE=1, `explain --verbose`) shows everything. The width is the terminal's
//! (COLUMNS honoured, 80 otherwise) and long lines wrap, never cut; colour only where
//! NO_COLOR/CLICOLOR_FORCE and the terminal allow.

use std::fmt::Write as _;

use console::Style as Paint;

use crate::diagnose::Diagnosis;
use crate::report::{Confidence, Report};

pub(crate) const WIDTH: usize = super::width::DEFAULT;

/// Evidence lines shown by default: the ones that decided the cause come first.
const EVIDENCE_SHOWN: usize = 3;
/// Other candidates shown by default, and only when the top cause is not certain.
const ALTERNATIVES_SHOWN: usize = 2;
/// Lines the short form may take: alternatives are left out rather than exceed it.
pub const BUDGET: usize = 10;

/// Colour, width and detail for one rendering.
pub struct Style {
    pub color: bool,
    pub width: usize,
    /// Everything: all evidence, every fix and verify step, every other candidate, the URL.
    pub verbose: bool,
}

impl Style {
    /// No colour, 80 columns, the short form.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: WIDTH,
            verbose: false,
        }
    }

    /// NO_COLOR (non-empty) turns colour off; CLICOLOR_FORCE (non-zero) turns it on; otherwise
    /// colour when stdout is a colour terminal. The width is stdout's (COLUMNS honoured).
    pub(crate) fn for_stdout(verbose: bool) -> Style {
        let color = colour_wanted(console::colors_enabled());
        Style {
            color,
            width: super::width::of(
                super::width::Stream::Stdout,
                std::env::var("COLUMNS").ok().as_deref(),
            ),
            verbose,
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

/// `REGAUTH_VERBOSE=1` (anything but empty or `0`) asks for the long form.
pub(crate) fn verbose_from_env() -> bool {
    is_verbose(std::env::var("REGAUTH_VERBOSE").ok().as_deref())
}

/// Whether a value of REGAUTH_VERBOSE asks for the long form.
pub(crate) fn is_verbose(value: Option<&str>) -> bool {
    value.is_some_and(|v| !v.is_empty() && v != "0")
}

/// The explanation: in the short form, the headline, the cause with how sure and what it
/// means, the evidence that decided it, one fix and one verify step, then other candidates (only
/// when the cause is not certain) as far as the line budget allows; `style.verbose` shows
/// everything. Nothing is cut: long lines wrap.
pub fn render(d: &Diagnosis, style: &Style) -> String {
    if !d.report.auth_failure {
        return render_quiet(&d.report, style);
    }
    let out = compose(d, style, Meaning::FirstSentence);
    if style.verbose || out.lines().count() <= BUDGET {
        return out;
    }
    compose(d, style, Meaning::FirstClause)
}

/// How much of the cause's meaning the short form shows (the long form shows it all).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Meaning {
    FirstSentence,
    /// Up to the first `: ` (what happened, without the list of reasons), when space is short.
    FirstClause,
}

fn short_meaning(summary: &str, meaning: Meaning) -> String {
    let sentence = summary.split_once(". ").map_or(summary, |(first, _)| first);
    let text = match meaning {
        Meaning::FirstSentence => sentence,
        Meaning::FirstClause => sentence
            .split_once(": ")
            .map_or(sentence, |(first, _)| first),
    };
    format!("{}.", text.trim_end_matches('.'))
}

fn compose(d: &Diagnosis, style: &Style, meaning: Meaning) -> String {
    let r = &d.report;
    let mut out = String::new();
    headline(r, style, &mut out);
    let (Some(top), Some(note)) = (r.causes.first(), d.notes.first()) else {
        return out;
    };
    if style.verbose {
        request_line(r, style, &mut out);
    }
    // the short form keeps the meaning's first sentence; the rest is background
    let summary = if style.verbose {
        note.summary.clone()
    } else {
        short_meaning(&note.summary, meaning)
    };
    let cause = format!(
        "cause: {} ({} confidence): {summary}",
        top.id,
        confidence_word(top.confidence),
    );
    let _ = write!(out, "  {}", style.cyan("="));
    wrap_into_first(&mut out, &cause, " ", "    ", style.width);
    let shown = |n: usize| if style.verbose { usize::MAX } else { n };
    let shown_evidence = deciding_evidence(r, top, style.verbose);
    // the deciding fact (the first config, lockfile or probe line), else the first line
    let must = shown_evidence.iter().position(|e| !is_text(e)).unwrap_or(0);
    let evidence: Vec<String> = shown_evidence
        .into_iter()
        .map(|e| {
            let source = e
                .source
                .as_deref()
                .map(home_as_tilde)
                .unwrap_or_else(|| kind_word(e.kind).to_owned());
            let text = home_in_text(&quoted_text(e, style.verbose));
            let mut block = format!("  {} ", style.cyan("-->"));
            if source.chars().count() + 7 <= style.width / 2 {
                let _ = write!(block, "{}", style.dim(&format!("{source}:")));
                wrap_into_first(&mut block, &text, " ", "      ", style.width);
            } else {
                // a long source (a probe's command line) wraps with its text, never past the edge
                wrap_into_first(
                    &mut block,
                    &format!("{source}: {text}"),
                    "",
                    "      ",
                    style.width,
                );
            }
            block
        })
        .collect();
    let mut tail = String::new();
    for fix in top.fix.iter().take(shown(1)) {
        let _ = write!(tail, "{}", style.green("help"));
        wrap_into_first(&mut tail, &home_in_text(fix), ": ", "      ", style.width);
    }
    for v in top.verify.iter().take(shown(1)) {
        let _ = write!(tail, "{}", style.bold("verify"));
        wrap_into_first(&mut tail, &home_in_text(v), ": ", "        ", style.width);
    }
    // the deciding line always; the others while the screen budget allows
    let lines = |t: &str| t.lines().count();
    let mut used = lines(&out) + lines(&tail) + evidence.get(must).map_or(0, |b| lines(b));
    for (i, block) in evidence.into_iter().enumerate() {
        if style.verbose || i == must {
            out.push_str(&block);
        } else if used + lines(&block) <= BUDGET {
            used += lines(&block);
            out.push_str(&block);
        }
    }
    out.push_str(&tail);
    if style.verbose || top.confidence != Confidence::High {
        let others = r.causes.iter().zip(&d.notes).skip(1);
        for (c, n) in others.take(shown(ALTERNATIVES_SHOWN)) {
            let text = format!(
                "{} ({}) if {}",
                c.id,
                confidence_word(c.confidence),
                n.decider
            );
            let mut block = style.bold("or");
            wrap_into_first(&mut block, &text, ": ", "    ", style.width);
            if !style.verbose && out.lines().count() + block.lines().count() > BUDGET {
                break;
            }
            out.push_str(&block);
        }
    }
    out
}

/// The evidence to show: all of it in the long form; else one line of npm's text (the request's
/// `http fetch` line when there is one) and then the facts (config, env, lockfile, probes) that
/// decided the cause, leaving out the `error code X` line the headline already names (unless it
/// is the only evidence).
fn deciding_evidence<'a>(
    r: &Report,
    top: &'a crate::report::Cause,
    verbose: bool,
) -> Vec<&'a crate::report::Evidence> {
    if verbose {
        return top.evidence.iter().collect();
    }
    let code_line = r
        .failure
        .as_ref()
        .and_then(|f| f.code.as_deref())
        .map(|code| format!("error code {code}"));
    let restates_code = |e: &crate::report::Evidence| {
        code_line
            .as_deref()
            .is_some_and(|c| e.text.trim_end().ends_with(c))
    };
    let informative: Vec<_> = top.evidence.iter().filter(|e| !restates_code(e)).collect();
    let chosen: Vec<_> = if informative.is_empty() {
        top.evidence.iter().collect()
    } else {
        informative
    };
    let is_text = |e: &&crate::report::Evidence| is_text(e);
    if chosen.iter().all(is_text) {
        // npm's text alone decides: its first lines, as they came
        return chosen.into_iter().take(EVIDENCE_SHOWN).collect();
    }
    let request = chosen
        .iter()
        .copied()
        .filter(is_text)
        .find(|e| e.text.contains("http fetch "))
        .or_else(|| chosen.iter().copied().find(is_text));
    let facts = chosen.iter().copied().filter(|e| !is_text(e));
    request
        .into_iter()
        .chain(facts)
        .take(EVIDENCE_SHOWN)
        .collect()
}

/// An evidence line as the short form quotes it: a debug-log line without npm's line counter
/// and its `190ms (cache skip)` timing, which decide nothing (the long form keeps them).
fn quoted_text(e: &crate::report::Evidence, verbose: bool) -> String {
    if verbose || e.kind != crate::report::EvidenceKind::DebugLog {
        return e.text.clone();
    }
    trim_log_noise(&e.text).to_owned()
}

/// `12 http fetch GET 401 <url> 190ms (cache skip)` -> `http fetch GET 401 <url>`.
fn trim_log_noise(line: &str) -> &str {
    let line = match line.split_once(' ') {
        Some((counter, rest)) if counter.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => line,
    };
    if !line.starts_with("http fetch ") {
        return line;
    }
    let words: Vec<&str> = line.split(' ').collect();
    match words.iter().rposition(|w| is_duration(w)) {
        Some(i) if i >= 4 => {
            let kept = words[..i].iter().map(|w| w.len() + 1).sum::<usize>();
            line[..kept.saturating_sub(1)].trim_end()
        }
        _ => line,
    }
}

fn is_duration(word: &str) -> bool {
    word.strip_suffix("ms")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// npm's own text (its output or debug log), as opposed to a fact regauth established.
fn is_text(e: &crate::report::Evidence) -> bool {
    use crate::report::EvidenceKind::{DebugLog, Output};
    matches!(e.kind, DebugLog | Output)
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
    if let Some(p) = f.package.as_ref().filter(|p| !r.command.contains(p)) {
        let _ = write!(text, " ({p})");
    }
    let prefix = format!("error[{code}]");
    let _ = write!(out, "{}", style.red(&prefix));
    wrap_into_first(out, &text, ": ", "  ", style.width);
}

/// The failing request as the text names it (long form only: the evidence quotes it).
fn request_line(r: &Report, style: &Style, out: &mut String) {
    let Some(f) = &r.failure else {
        return;
    };
    if let Some(u) = &f.url {
        let method = f.method.clone().unwrap_or_default();
        let line = format!("{method} {u}");
        let _ = write!(out, " {}", style.cyan("-->"));
        wrap_into_first(out, line.trim(), " ", "     ", style.width);
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
    // npm 12's refusals carry one sentence saying what was refused (detect's npm12 policy lines)
    let policy = matches!(
        what.as_str(),
        "EUNKNOWNCONFIG" | "EALLOWGIT" | "EALLOWREMOTE"
    );
    let text = match f.message.as_deref().filter(|_| policy) {
        Some(m) => format!("{what}: {m}. Not an authentication or authorization problem; nothing to explain."),
        None => format!("{what} is not an authentication or authorization problem; nothing to explain (regauth stays quiet for it)."),
    };
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

/// Paths under HOME written with `~` inside a text (for people; the JSON keeps them whole).
fn home_in_text(text: &str) -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let home = home.trim_end_matches('/');
    if home.is_empty() {
        return text.to_owned();
    }
    text.replace(&format!("{home}/"), "~/")
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

/// NO_COLOR (non-empty) turns colour off; CLICOLOR_FORCE (non-zero) turns it on; otherwise
/// `terminal_colors` (the stream is a colour terminal) decides.
pub(crate) fn colour_wanted(terminal_colors: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let force = std::env::var("CLICOLOR_FORCE").is_ok_and(|v| !v.is_empty() && v != "0");
    !no_color && (force || terminal_colors)
}

#[cfg(test)]
mod tilde_tests {
    use super::*;

    #[test]
    fn debug_log_lines_lose_their_counter_and_timing() {
        assert_eq!(
            trim_log_noise("12 http fetch GET 401 http://h/@a%2fb 190ms (cache skip)"),
            "http fetch GET 401 http://h/@a%2fb"
        );
        assert_eq!(
            trim_log_noise("28 http fetch PUT 403 http://h/x 9ms"),
            "http fetch PUT 403 http://h/x"
        );
        assert_eq!(
            trim_log_noise("13 verbose stack HttpErrorAuthUnknown: 5ms"),
            "verbose stack HttpErrorAuthUnknown: 5ms"
        );
        assert_eq!(trim_log_noise("no counter here"), "no counter here");
    }

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
