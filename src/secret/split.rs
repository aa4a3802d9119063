//! A known secret cut in two by a line break: npm prefixes every line of a multi-line message
//! (`npm error `), a debug log numbers them, and a server may wrap its body, so the two halves
//! of a token can sit on two lines. The text is searched with its line breaks (and the next
//! line's prefix) taken out, and each match that spans one is hidden in the original text. When
//! only one half made it into the text (a parser kept the first line of a message), a line that
//! ends with a secret's first 8 or more characters, or starts with its last 8 or more, has that
//! part hidden too (`hide_cut_ends`).

use super::redact;

/// What a continuation line may start with, after its line break.
const PREFIXES: &[&str] = &[
    "npm error ",
    "npm ERR! ",
    "npm warn ",
    "npm WARN ",
    "npm notice ",
    "npm verbose ",
    "npm verb ",
    "npm http ",
    "npm info ",
    "npm silly ",
    "error ",
    "verbose ",
    "http ",
];

/// `text` with each of `values` hidden where a line break cuts it. Linear in the text's length
/// times the number of values.
pub(crate) fn hide_across_lines(text: &str, values: &[String]) -> String {
    if !text.contains('\n') || values.is_empty() {
        return text.to_owned();
    }
    let (squeezed, map) = squeeze(text);
    let mut ranges: Vec<(usize, usize, &str)> = Vec::new();
    for value in values.iter().filter(|v| !v.is_empty()) {
        for (at, _) in squeezed.match_indices(value.as_str()) {
            let (start, end) = (map[at], map[at + value.len() - 1] + 1);
            if text[start..end].contains('\n') {
                ranges.push((start, end, value));
            }
        }
    }
    let ranges = ranges
        .into_iter()
        .map(|(start, end, value)| (start, end, redact(value)))
        .collect();
    replace_ranges(text, ranges)
}

/// `text` with each `(start, end, replacement)` range replaced; a range overlapping an earlier
/// one (by start) is skipped.
pub(crate) fn replace_ranges(text: &str, mut ranges: Vec<(usize, usize, String)>) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_by_key(|r| (r.0, std::cmp::Reverse(r.1)));
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end, replacement) in ranges {
        if start < copied {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(&replacement);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Shortest part of a secret hidden where a line ends with its beginning or starts with its end.
const MIN_PART: usize = 8;

/// `text` with the parts of `values` hidden that end a line (a beginning of the value) or
/// start one (an end of the value). Linear in the text's length times the values' lengths.
pub(crate) fn hide_cut_ends(text: &str, values: &[String]) -> String {
    let mut ranges: Vec<(usize, usize, String)> = Vec::new();
    let mut line_start = 0;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let bytes = line.as_bytes();
        for value in values
            .iter()
            .map(String::as_bytes)
            .filter(|v| v.len() > MIN_PART)
        {
            if let Some(k) = longest_prefix_at_end(bytes, value) {
                ranges.push((
                    line_start + bytes.len() - k,
                    line_start + bytes.len(),
                    "****".to_owned(),
                ));
            }
            if let Some(k) = longest_suffix_at_start(bytes, value) {
                ranges.push((line_start, line_start + k, "****".to_owned()));
            }
        }
        line_start +=
            line.len() + 1 + usize::from(text[line_start + line.len()..].starts_with("\r\n"));
    }
    replace_ranges(text, ranges)
}

/// The longest `k >= MIN_PART`, shorter than the value, such that `line` ends with `value[..k]`.
fn longest_prefix_at_end(line: &[u8], value: &[u8]) -> Option<usize> {
    let window = &line[line.len().saturating_sub(value.len() - 1)..];
    let head = &value[..MIN_PART];
    (0..window.len())
        .filter(|&i| window[i..].starts_with(head))
        .map(|i| window.len() - i)
        .find(|&k| value.starts_with(&window[window.len() - k..]))
}

/// The longest `k >= MIN_PART`, shorter than the value, such that `line` starts with the value's
/// last `k` bytes.
fn longest_suffix_at_start(line: &[u8], value: &[u8]) -> Option<usize> {
    let limit = line.len().min(value.len() - 1);
    (MIN_PART..=limit)
        .rev()
        .find(|&k| line[..k] == value[value.len() - k..])
}

/// The text without line breaks and continuation prefixes, and for each of its bytes the
/// offset of that byte in `text`.
fn squeeze(text: &str) -> (String, Vec<usize>) {
    let bytes = text.as_bytes();
    let mut kept = Vec::with_capacity(bytes.len());
    let mut map = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => i = after_break(text, i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => i = after_break(text, i + 2),
            b => {
                kept.push(b);
                map.push(i);
                i += 1;
            }
        }
    }
    // only whole ASCII runs were taken out, so the rest is still UTF-8
    (String::from_utf8(kept).unwrap_or_default(), map)
}

/// Where the next line's own text starts: after a debug-log line number, a level prefix and
/// indentation.
fn after_break(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 && bytes.get(i + digits) == Some(&b' ') {
        i += digits + 1;
    }
    if let Some(prefix) = PREFIXES.iter().find(|p| text[i..].starts_with(**p)) {
        i += prefix.len();
    }
    i + bytes[i..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_cut_by_a_line_break_is_hidden() {
        let values = vec!["CANARYsplitTOKEN0001".to_owned()];
        for text in [
            "body: CANARYsplit\nTOKEN0001 rest",
            "npm error rejected CANARYspl\nnpm error itTOKEN0001",
            "12 verbose x CANARYsplitTO\r\n13 verbose KEN0001",
            "CANARYsplitTOKEN000\n    1",
        ] {
            let out = hide_across_lines(text, &values);
            assert!(
                !out.contains("CANARYsp") && !out.contains("TOKEN0001"),
                "{text:?} -> {out:?}"
            );
        }
        let text = "no secret\nhere é";
        assert_eq!(hide_across_lines(text, &values), text);
    }

    #[test]
    fn a_half_of_a_token_at_a_line_end_or_start_is_hidden() {
        let values = vec!["CANARYsplitTOKEN0001".to_owned()];
        let out = hide_cut_ends("cut CANARYsplit\nTOKEN0001 x\nCANARYspl", &values);
        assert_eq!(out, "cut ****\n**** x\n****");
        let text = "CANARY is a bird\nsplit";
        assert_eq!(hide_cut_ends(text, &values), text);
    }
}
