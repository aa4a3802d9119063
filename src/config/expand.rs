//! `${VAR}` expansion as npm's `@npmcli/config` `env-replace.js` does it, for keys and values:
//! `${NAME}` becomes the variable's value and stays literal when it is unset, `${NAME?}` becomes
//! empty when unset, and a run of backslashes before `$` escapes it (an odd count keeps the text,
//! each pair yields one backslash). `$NAME` without braces is not expanded. Every reference is
//! recorded with the variable's state, so a literal `${NPM_TOKEN}` can be explained.

use std::collections::BTreeMap;

use serde::Serialize;

/// Whether a referenced variable was set where npm ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VarState {
    Set,
    Empty,
    Unset,
}

impl VarState {
    pub fn as_str(self) -> &'static str {
        match self {
            VarState::Set => "set",
            VarState::Empty => "empty",
            VarState::Unset => "unset",
        }
    }
}

/// One `${NAME}` or `${NAME?}` in a key or value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VarRef {
    pub name: String,
    pub state: VarState,
    /// Written `${NAME?}`: expands to nothing when unset.
    #[serde(skip)]
    pub optional: bool,
}

/// The expanded text and the variables it referenced (escaped references are not recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    pub variables: Vec<VarRef>,
}

/// Expands `text` against `env` exactly like npm's `envReplace`.
pub fn expand(text: &str, env: &BTreeMap<String, String>) -> Expanded {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut variables = Vec::new();
    let mut i = 0;
    let mut copied_to = 0;
    while i < bytes.len() {
        let can_start = matches!(bytes[i], b'\\' | b'$') && (i == 0 || bytes[i - 1] != b'\\');
        let Some(m) = can_start.then(|| match_reference(bytes, i)).flatten() else {
            i += 1;
            continue;
        };
        out.push_str(&text[copied_to..i]);
        let escapes = m.backslashes;
        out.push_str(&"\\".repeat(escapes / 2));
        if escapes % 2 == 1 {
            out.push_str(&text[m.dollar..m.end]);
        } else {
            let name = &text[m.name.0..m.name.1];
            let state = state_of(env, name);
            match env.get(name) {
                Some(value) => out.push_str(value),
                None if m.optional => {}
                None => out.push_str(&format!("${{{name}}}")),
            }
            variables.push(VarRef {
                name: name.to_owned(),
                state,
                optional: m.optional,
            });
        }
        i = m.end;
        copied_to = m.end;
    }
    out.push_str(&text[copied_to..]);
    Expanded {
        text: out,
        variables,
    }
}

fn state_of(env: &BTreeMap<String, String>, name: &str) -> VarState {
    match env.get(name) {
        Some(v) if v.is_empty() => VarState::Empty,
        Some(_) => VarState::Set,
        None => VarState::Unset,
    }
}

struct Reference {
    backslashes: usize,
    dollar: usize,
    name: (usize, usize),
    optional: bool,
    end: usize,
}

/// `(\\*)\$\{([^${}?]+)(\?)?\}` anchored at `start`.
fn match_reference(bytes: &[u8], start: usize) -> Option<Reference> {
    let mut i = start;
    while bytes.get(i) == Some(&b'\\') {
        i += 1;
    }
    let dollar = i;
    if bytes.get(i) != Some(&b'$') || bytes.get(i + 1) != Some(&b'{') {
        return None;
    }
    let name_start = i + 2;
    let mut j = name_start;
    while let Some(&b) = bytes.get(j) {
        if matches!(b, b'$' | b'{' | b'}' | b'?') {
            break;
        }
        j += 1;
    }
    if j == name_start {
        return None;
    }
    let optional = bytes.get(j) == Some(&b'?');
    let close = if optional { j + 1 } else { j };
    if bytes.get(close) != Some(&b'}') {
        return None;
    }
    Some(Reference {
        backslashes: dollar - start,
        dollar,
        name: (name_start, j),
        optional,
        end: close + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> BTreeMap<String, String> {
        [("SET", "v"), ("EMPTY", "")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn x(text: &str) -> String {
        expand(text, &env()).text
    }

    #[test]
    fn set_empty_unset() {
        assert_eq!(x("a${SET}b"), "avb");
        assert_eq!(x("a${EMPTY}b"), "ab");
        assert_eq!(x("a${NOPE}b"), "a${NOPE}b");
        assert_eq!(x("a${NOPE?}b"), "ab");
        assert_eq!(x("a${SET?}b"), "avb");
        assert_eq!(x("$SET ${} ${A{B}"), "$SET ${} ${A{B}");
    }

    #[test]
    fn backslash_escapes() {
        assert_eq!(x(r"\${SET}"), "${SET}");
        assert_eq!(x(r"\\${SET}"), r"\v");
        assert_eq!(x(r"\\\${SET}"), r"\${SET}");
        assert_eq!(x(r"\\\\${SET}"), r"\\v");
        assert_eq!(x(r"a\b${SET}"), r"a\bv");
    }

    #[test]
    fn records_variables_with_state() {
        let e = expand("//h/:_authToken=${SET}${EMPTY}${NOPE?}\\${ESC}", &env());
        let got: Vec<_> = e
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.state))
            .collect();
        assert_eq!(
            got,
            vec![
                ("SET", VarState::Set),
                ("EMPTY", VarState::Empty),
                ("NOPE", VarState::Unset)
            ]
        );
    }

    #[test]
    fn multibyte_text_survives() {
        assert_eq!(x("é${SET}ü"), "évü");
    }
}
