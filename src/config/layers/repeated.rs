//! A key assigned more than once in one file: its earlier lines, kept as `Layers::shadowed`.

use std::collections::{HashMap, HashSet};

use super::{parse_field, Layers};
use crate::config::ini::{self, Entry, Js};
use crate::config::value::{Provenance, Value};

/// Each top-level key assigned more than once as a scalar, with all its assignments in file
/// order. One pass over the entries (a file of 60k keys is read before every npm call).
pub(super) struct Repeated<'a>(HashMap<&'a str, Vec<&'a Entry>>);

impl<'a> Repeated<'a> {
    pub(super) fn of(parsed: &'a ini::IniFile, resolved: &[ini::Resolved]) -> Repeated<'a> {
        let wanted: HashSet<&str> = resolved
            .iter()
            .filter(|r| !r.shadowed_lines.is_empty() && !matches!(r.value, Js::List(_)))
            .map(|r| r.key.as_str())
            .collect();
        let mut out: HashMap<&str, Vec<&Entry>> = HashMap::new();
        if wanted.is_empty() {
            return Repeated(out);
        }
        for entry in parsed.entries.iter().filter(|e| e.section.is_none()) {
            if wanted.contains(entry.key.as_str()) {
                out.entry(entry.key.as_str()).or_default().push(entry);
            }
        }
        Repeated(out)
    }

    /// Records the key's other lines (parsed like the one that won) as shadowed by `value`.
    pub(super) fn shadow_earlier(
        &mut self,
        layers: &mut Layers,
        resolved: &ini::Resolved,
        value: &Value,
        provenance: &impl Fn(usize) -> Provenance,
    ) {
        let Some(entries) = self.0.remove(resolved.key.as_str()) else {
            return;
        };
        let earlier = entries
            .iter()
            .filter(|e| e.line != resolved.line)
            .map(|e| parse_field(layers, &e.key, &e.value, provenance(e.line)))
            .collect();
        layers
            .shadowed
            .insert((value.layer(), value.key.clone()), earlier);
    }
}
