//! What the tee keeps of the client's output for detection: a bounded tail, terminal escapes
//! removed, and npm's own last error block.

/// How much of the end of a teed stream is kept for detection.
pub const TAIL_BYTES: usize = 64 * 1024;

/// The last `TAIL_BYTES` bytes seen.
#[derive(Debug, Default)]
pub struct Tail(Vec<u8>);

impl Tail {
    pub fn push(&mut self, bytes: &[u8]) {
        if bytes.len() >= TAIL_BYTES {
            self.0.clear();
            self.0.extend_from_slice(&bytes[bytes.len() - TAIL_BYTES..]);
            return;
        }
        self.0.extend_from_slice(bytes);
        if self.0.len() > 2 * TAIL_BYTES {
            self.0.drain(..self.0.len() - TAIL_BYTES);
        }
    }

    pub fn text(&self) -> String {
        let start = self.0.len().saturating_sub(TAIL_BYTES);
        String::from_utf8_lossy(&self.0[start..]).into_owned()
    }
}

/// npm's own last error block (`npm error code ...` to the end) when the tail has one: lines a
/// run-script printed earlier, `npm error code E401` included, are not npm's failure.
pub fn npm_last_error(text: &str) -> &str {
    let is_code_line =
        |l: &str| l.starts_with("npm error code ") || l.starts_with("npm ERR! code ");
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_code_line(line) {
            start = Some(offset);
        }
        offset += line.len();
    }
    start.map_or(text, |s| &text[s..])
}

/// Removes CSI (`ESC [ ... final`) and OSC (`ESC ] ... BEL/ST`) sequences and carriage
/// returns, so `npm error code E401` in colour reads as plain text.
pub fn strip_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_end() {
        let mut tail = Tail::default();
        for _ in 0..10 {
            tail.push(&[b'a'; 30_000]);
        }
        tail.push(b"npm error code E401\n");
        let text = tail.text();
        assert_eq!(text.len(), TAIL_BYTES);
        assert!(text.ends_with("npm error code E401\n"));
    }

    #[test]
    fn a_scripts_e401_line_is_not_npms_last_error() {
        let tail = "npm error code E401\nfrom the script\nnpm error code 1\nnpm error path /p\n";
        assert_eq!(
            npm_last_error(tail),
            "npm error code 1\nnpm error path /p\n"
        );
        assert_eq!(npm_last_error("no code\n"), "no code\n");
    }

    #[test]
    fn strips_colour_and_spinner() {
        let coloured = "\u{1b}[1mnpm\u{1b}[22m \u{1b}[31merror\u{1b}[39m \u{1b}[94mcode\u{1b}[39m E401\r\n⠙\u{1b}[1G\u{1b}[0K";
        assert_eq!(strip_escapes(coloured), "npm error code E401\n⠙");
        assert_eq!(strip_escapes("a\u{1b}]0;title\u{7}b"), "ab");
    }
}
