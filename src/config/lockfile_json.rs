//! A streaming reader for npm lockfiles: checks the JSON structure and reports every
//! `resolved` string of `packages.<entry>` (v2/v3) and of the `dependencies` tree (v1) without
//! building the document. Memory is bounded (64 KiB of input, a depth stack up to
//! `MAX_DEPTH`, at most `MAX_URL` bytes of one value) and time is linear in the input.

use std::io::Read;

/// Which top-level tree a `resolved` value was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Packages,
    Dependencies,
}

/// What the scan learnt besides the URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Summary {
    pub version: Option<u64>,
    /// A top-level `packages` object exists (then `dependencies` is the v1 copy of it).
    pub has_packages: bool,
}

/// Deeper nesting than this is treated as malformed (real lockfiles nest a few dozen levels).
const MAX_DEPTH: usize = 4096;
/// A `resolved` value longer than this is no registry URL worth routing; it is skipped.
const MAX_URL: usize = 8192;
/// Keys are compared only up to this length (`dependencies` is the longest one looked for).
const MAX_KEY: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    ValueOrEnd,
    KeyOrEnd,
    Key,
    Colon,
    CommaOrEnd,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    Other,
    Packages,
    Dependencies,
    Version,
}

/// What the string or literal being read is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Key,
    Url,
    Version,
    Ignored,
}

/// What an open container is, as far as `resolved` values go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    Array,
    Object,
    /// The top-level `packages` object.
    Packages,
    /// An entry of `packages`.
    PackageEntry,
    /// A `dependencies` object of the root or of a v1 entry.
    Dependencies,
    /// An entry of a `dependencies` object (its own `dependencies` nest further).
    DependencyEntry,
}

impl Frame {
    fn is_object(self) -> bool {
        self != Frame::Array
    }

    /// The kind of an object opened as the value of `key` inside `self`.
    fn child(self, key: &[u8], depth: usize) -> Frame {
        match (self, key) {
            (Frame::Object, b"packages") if depth == 1 => Frame::Packages,
            (Frame::Object, b"dependencies") if depth == 1 => Frame::Dependencies,
            (Frame::DependencyEntry, b"dependencies") => Frame::Dependencies,
            (Frame::Packages, _) => Frame::PackageEntry,
            (Frame::Dependencies, _) => Frame::DependencyEntry,
            _ => Frame::Object,
        }
    }
}

struct Scanner<F> {
    on_resolved: F,
    stack: Vec<Frame>,
    /// The last key read in the innermost object (up to `MAX_KEY` bytes; empty when longer).
    key: Vec<u8>,
    expect: Expect,
    top: Top,
    key_is_resolved: bool,
    in_string: bool,
    in_literal: bool,
    escaped: bool,
    role: Role,
    buf: Vec<u8>,
    overflow: bool,
    summary: Summary,
}

/// Scans `reader`; `None` when it is not well-formed JSON (or nests deeper than `MAX_DEPTH`).
pub(crate) fn scan(
    mut reader: impl Read,
    on_resolved: impl FnMut(Section, &str),
) -> Option<Summary> {
    let mut scanner = Scanner {
        on_resolved,
        stack: Vec::new(),
        key: Vec::new(),
        expect: Expect::Value,
        top: Top::Other,
        key_is_resolved: false,
        in_string: false,
        in_literal: false,
        escaped: false,
        role: Role::Ignored,
        buf: Vec::new(),
        overflow: false,
        summary: Summary::default(),
    };
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        scanner.chunk(&chunk[..n])?;
    }
    if scanner.in_literal {
        scanner.end_literal();
    }
    (scanner.expect == Expect::Done && !scanner.in_string).then_some(scanner.summary)
}

fn is_literal_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

impl<F: FnMut(Section, &str)> Scanner<F> {
    /// One chunk of input; the inside of a string is skipped (or captured) a run at a time.
    fn chunk(&mut self, data: &[u8]) -> Option<()> {
        let mut i = 0;
        while i < data.len() {
            if self.in_string && !self.escaped {
                let rest = &data[i..];
                let stop = rest
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\')
                    .unwrap_or(rest.len());
                self.capture_run(&rest[..stop]);
                i += stop;
                if i == data.len() {
                    break;
                }
            }
            self.byte(data[i])?;
            i += 1;
        }
        Some(())
    }

    fn capture_run(&mut self, run: &[u8]) {
        if self.role == Role::Ignored || run.is_empty() {
            return;
        }
        let cap = if self.role == Role::Key {
            MAX_KEY
        } else {
            MAX_URL
        };
        let room = cap.saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&run[..run.len().min(room)]);
        if run.len() > room {
            self.overflow = true;
        }
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        if self.in_string {
            self.string_byte(b);
            return Some(());
        }
        if self.in_literal {
            if is_literal_byte(b) {
                self.capture(b, 32);
                return Some(());
            }
            self.end_literal();
        }
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return Some(());
        }
        match self.expect {
            Expect::Value | Expect::ValueOrEnd => self.value_start(b),
            Expect::KeyOrEnd | Expect::Key => match b {
                b'"' => {
                    self.start_string(Role::Key);
                    Some(())
                }
                b'}' if self.expect == Expect::KeyOrEnd => self.close(true),
                _ => None,
            },
            Expect::Colon => (b == b':').then(|| self.expect = Expect::Value),
            Expect::CommaOrEnd => match (b, self.stack.last()?.is_object()) {
                (b',', true) => {
                    self.expect = Expect::Key;
                    Some(())
                }
                (b',', false) => {
                    self.expect = Expect::Value;
                    Some(())
                }
                (b'}', true) => self.close(true),
                (b']', false) => self.close(false),
                _ => None,
            },
            Expect::Done => None,
        }
    }

    fn value_start(&mut self, b: u8) -> Option<()> {
        let depth = self.stack.len();
        match b {
            b'{' | b'[' => {
                if depth == 1 && self.top == Top::Packages && b == b'{' {
                    self.summary.has_packages = true;
                }
                if depth >= MAX_DEPTH {
                    return None;
                }
                let frame = match (b, self.stack.last()) {
                    (b'[', _) => Frame::Array,
                    (_, Some(parent)) if parent.is_object() => parent.child(&self.key, depth),
                    _ => Frame::Object,
                };
                self.stack.push(frame);
                self.expect = if b == b'{' {
                    Expect::KeyOrEnd
                } else {
                    Expect::ValueOrEnd
                };
                Some(())
            }
            b']' if self.expect == Expect::ValueOrEnd => self.close(false),
            b'"' => {
                let role = if self.wants_url() {
                    Role::Url
                } else {
                    Role::Ignored
                };
                self.start_string(role);
                Some(())
            }
            b if is_literal_byte(b) => {
                self.in_literal = true;
                self.role = if depth == 1 && self.top == Top::Version {
                    Role::Version
                } else {
                    Role::Ignored
                };
                self.buf.clear();
                self.overflow = false;
                self.capture(b, 32);
                Some(())
            }
            _ => None,
        }
    }

    /// A `resolved` value of a `packages` entry or of an entry of the v1 `dependencies` tree.
    fn wants_url(&self) -> bool {
        self.key_is_resolved
            && matches!(
                self.stack.last(),
                Some(Frame::PackageEntry | Frame::DependencyEntry)
            )
    }

    fn close(&mut self, object: bool) -> Option<()> {
        (self.stack.pop()?.is_object() == object).then_some(())?;
        self.after_value();
        Some(())
    }

    fn after_value(&mut self) {
        self.expect = if self.stack.is_empty() {
            Expect::Done
        } else {
            Expect::CommaOrEnd
        };
    }

    fn start_string(&mut self, role: Role) {
        self.in_string = true;
        self.escaped = false;
        self.role = role;
        self.buf.clear();
        self.overflow = false;
    }

    fn capture(&mut self, b: u8, cap: usize) {
        if self.role == Role::Ignored {
            return;
        }
        if self.buf.len() < cap {
            self.buf.push(b);
        } else {
            self.overflow = true;
        }
    }

    fn string_byte(&mut self, b: u8) {
        let cap = if self.role == Role::Key {
            MAX_KEY
        } else {
            MAX_URL
        };
        if self.escaped {
            self.escaped = false;
            self.capture(b, cap);
            return;
        }
        match b {
            b'"' => self.end_string(),
            b'\\' => {
                self.escaped = true;
                self.capture(b, cap);
            }
            _ => self.capture(b, cap),
        }
    }

    fn end_string(&mut self) {
        self.in_string = false;
        match self.role {
            Role::Key => {
                let key: &[u8] = if self.overflow { b"" } else { &self.buf };
                if self.stack.len() == 1 {
                    self.top = match key {
                        b"packages" => Top::Packages,
                        b"dependencies" => Top::Dependencies,
                        b"lockfileVersion" => Top::Version,
                        _ => Top::Other,
                    };
                }
                self.key_is_resolved = key == b"resolved";
                self.key.clear();
                self.key.extend_from_slice(key);
                self.expect = Expect::Colon;
                return;
            }
            Role::Url if !self.overflow => self.report_url(),
            _ => {}
        }
        self.after_value();
    }

    fn report_url(&mut self) {
        let section = if self.stack.last() == Some(&Frame::PackageEntry) {
            Section::Packages
        } else {
            Section::Dependencies
        };
        let text = if self.buf.contains(&b'\\') {
            let mut quoted = Vec::with_capacity(self.buf.len() + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(&self.buf);
            quoted.push(b'"');
            serde_json::from_slice::<String>(&quoted).ok()
        } else {
            String::from_utf8(self.buf.clone()).ok()
        };
        if let Some(url) = text {
            (self.on_resolved)(section, &url);
        }
    }

    fn end_literal(&mut self) {
        self.in_literal = false;
        if self.role == Role::Version && !self.overflow {
            self.summary.version = std::str::from_utf8(&self.buf)
                .ok()
                .and_then(|s| s.parse().ok());
        }
        self.after_value();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Option<(Summary, Vec<(Section, String)>)> {
        let mut seen = Vec::new();
        let summary = scan(text.as_bytes(), |s, u| seen.push((s, u.to_owned())))?;
        Some((summary, seen))
    }

    #[test]
    fn finds_resolved_where_npm_keeps_it() {
        let (summary, seen) = urls(
            r#"{"lockfileVersion": 2, "packages": {"": {"resolved": "no"}, "node_modules/a": {"resolved": "http:\/\/h\/a.tgz", "x": [1, true, null, {"resolved": "deep"}]}},
               "dependencies": {"a": {"resolved": "http://h/a.tgz", "dependencies": {"b": {"resolved": "http://h/b.tgz"}}}}, "resolved": "top"}"#,
        )
        .unwrap();
        assert_eq!(summary.version, Some(2));
        assert!(summary.has_packages);
        assert_eq!(
            seen,
            vec![
                (Section::Packages, "no".to_owned()),
                (Section::Packages, "http://h/a.tgz".to_owned()),
                (Section::Dependencies, "http://h/a.tgz".to_owned()),
                (Section::Dependencies, "http://h/b.tgz".to_owned()),
            ]
        );
    }

    #[test]
    fn rejects_what_is_not_json() {
        for bad in [
            "",
            "{",
            "}",
            "[1,]x",
            "{\"a\"}",
            "{\"a\":1,}x",
            "{\"a\":[}",
            "\"open",
            "{} {}",
        ] {
            assert!(urls(bad).is_none(), "{bad:?}");
        }
        assert!(urls(&"[".repeat(MAX_DEPTH + 1)).is_none());
        assert!(urls("[[], {}, \"s\\\"q\", -1.5e3]").is_some());
    }
}
