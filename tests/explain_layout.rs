//! The explanation fits a screen: real npm 11 failures (tests/data/corpus-npm11, examples/)
//! rendered at 80 and 120 columns take at most 10 lines, no line is wider than the screen
//! unless it is one unbreakable word, and the evidence that decided the cause is there whole
//! (wrapped, never cut). The long form (verbose) still shows everything. Snapshots of each.

#[path = "support/log_noise.rs"]
mod log_noise;

use log_noise::without_log_noise;
use regauth::diagnose::explain_text;
use regauth::render::human::{render, Style, BUDGET};

fn cases() -> Vec<(String, String)> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut out = Vec::new();
    for (dir, ext) in [("tests/data/corpus-npm11", "out"), ("examples", "log")] {
        let mut files: Vec<_> = std::fs::read_dir(format!("{root}/{dir}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == ext))
            .collect();
        files.sort();
        for path in files {
            let name = format!(
                "{}_{}",
                dir.rsplit('/').next().unwrap(),
                path.file_stem().unwrap().to_string_lossy()
            );
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

fn style(width: usize, verbose: bool) -> Style {
    Style {
        color: false,
        width,
        verbose,
    }
}

/// The text with its line breaks and indentation undone, for finding wrapped text whole.
fn unwrapped(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_real_failure_fits_the_budget_at_80_and_120_columns() {
    for (name, text) in cases() {
        let d = explain_text(&text);
        for width in [80, 120] {
            let out = render(&d, &style(width, false));
            let lines: Vec<&str> = out.lines().collect();
            assert!(
                lines.len() <= BUDGET,
                "{name} at {width}: {} lines\n{out}",
                lines.len()
            );
            for line in &lines {
                let w = console::measure_text_width(line);
                let one_word = line.split_whitespace().count() <= 2;
                assert!(
                    w <= width || one_word,
                    "{name} at {width}: {w} wide: {line:?}"
                );
                assert!(!line.ends_with('…'), "{name}: cut: {line:?}");
            }
            insta::assert_snapshot!(format!("{name}_{width}"), out);
        }
    }
}

#[test]
fn the_deciding_evidence_is_whole_at_every_width() {
    for (name, text) in cases() {
        let d = explain_text(&text);
        let Some(top) = d.report.causes.first() else {
            continue;
        };
        for width in [40, 80, 120] {
            let out = unwrapped(&render(&d, &style(width, false)));
            let code = d
                .report
                .failure
                .as_ref()
                .and_then(|f| f.code.clone())
                .unwrap_or_default();
            // the `error code X` line may give way: the headline names the code
            let informative: Vec<_> = top
                .evidence
                .iter()
                .filter(|e| {
                    top.evidence.len() == 1 || !e.text.ends_with(&format!("error code {code}"))
                })
                .collect();
            // the deciding one always (the first fact regauth established, else npm's request
            // line, else its first line); the next ones as the line budget allows
            let is_text = |e: &&&regauth::report::Evidence| {
                use regauth::report::EvidenceKind::{DebugLog, Output};
                matches!(e.kind, DebugLog | Output)
            };
            let deciding = informative
                .iter()
                .find(|e| !is_text(e))
                .or_else(|| informative.iter().find(|e| e.text.contains("http fetch ")))
                .or_else(|| informative.first());
            if let Some(e) = deciding {
                assert!(
                    out.contains(&unwrapped(&without_log_noise(&e.text))),
                    "{name} at {width}: evidence {:?} not whole in\n{out}",
                    e.text
                );
            }
            assert!(
                out.contains(&format!("= cause: {} (", top.id)),
                "{name}: {out}"
            );
        }
    }
}

#[test]
fn the_long_form_shows_every_evidence_fix_verify_and_candidate() {
    for (name, text) in cases() {
        let d = explain_text(&text);
        let Some(top) = d.report.causes.first() else {
            continue;
        };
        let out = unwrapped(&render(&d, &style(80, true)));
        for item in top
            .evidence
            .iter()
            .map(|e| &e.text)
            .chain(&top.fix)
            .chain(&top.verify)
        {
            assert!(
                out.contains(&unwrapped(item)),
                "{name}: {item:?} missing in\n{out}"
            );
        }
        for other in d.report.causes.iter().skip(1) {
            assert!(out.contains(&other.id), "{name}: {} missing", other.id);
        }
    }
}

#[test]
fn a_certain_cause_lists_no_alternatives_and_an_open_one_at_most_two() {
    for (name, text) in cases() {
        let d = explain_text(&text);
        let Some(top) = d.report.causes.first() else {
            continue;
        };
        let out = render(&d, &style(120, false));
        let alternatives = out.lines().filter(|l| l.starts_with("or: ")).count();
        if top.confidence == regauth::report::Confidence::High {
            assert_eq!(alternatives, 0, "{name}: {out}");
        } else {
            assert!(alternatives <= 2, "{name}: {out}");
            if d.report.causes.len() > 1 {
                assert!(
                    alternatives >= 1,
                    "{name}: an open cause shows an alternative: {out}"
                );
            }
        }
    }
}
