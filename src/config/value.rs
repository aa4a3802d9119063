//! One configuration value with everything regauth needs to explain it: the layer and file:line
//! it came from, the raw text, the value after `${VAR}` expansion, and the variables it used.
//! Values of secret keys are held as `Secret`, so printing a `Value` never reveals a credential.

use std::fmt;
use std::path::PathBuf;

use crate::config::expand::{VarRef, VarState};
use crate::config::ini::Js;
use crate::secret::Secret;

/// URL display with the userinfo hidden (owned by `crate::secret`; the old name, kept for callers).
pub use crate::secret::hide_userinfo as display_url;

/// npm's configuration layers, lowest priority first (`@npmcli/config` `confTypes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Default,
    Builtin,
    Global,
    User,
    Project,
    Env,
    Cli,
}

impl Layer {
    /// Highest priority first: the order in which a key is looked up.
    pub(crate) const LOOKUP_ORDER: [Layer; 7] = [
        Layer::Cli,
        Layer::Env,
        Layer::Project,
        Layer::User,
        Layer::Global,
        Layer::Builtin,
        Layer::Default,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Default => "default",
            Layer::Builtin => "builtin",
            Layer::Global => "global",
            Layer::User => "user",
            Layer::Project => "project",
            Layer::Env => "env",
            Layer::Cli => "cli",
        }
    }
}

/// Where a value came from. Renders as the taxonomy's `source`: `file:line`, `env:NAME`, `cli`,
/// `default`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provenance {
    File {
        layer: Layer,
        path: PathBuf,
        line: usize,
    },
    Env {
        name: String,
    },
    Cli,
    Default,
}

impl Provenance {
    pub(crate) fn layer(&self) -> Layer {
        match self {
            Provenance::File { layer, .. } => *layer,
            Provenance::Env { .. } => Layer::Env,
            Provenance::Cli => Layer::Cli,
            Provenance::Default => Layer::Default,
        }
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Provenance::File { path, line, .. } => write!(f, "{}:{line}", path.display()),
            Provenance::Env { name } => write!(f, "env:{name}"),
            Provenance::Cli => f.write_str("cli"),
            Provenance::Default => f.write_str("default"),
        }
    }
}

impl serde::Serialize for Provenance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Text that is shown as is, or a secret shown only redacted.
#[derive(Clone, PartialEq, Eq)]
pub enum Text {
    Plain(String),
    Hidden(Secret),
}

impl Text {
    pub(crate) fn new(value: String, secret: bool) -> Text {
        if secret {
            Text::Hidden(Secret::new(value))
        } else {
            Text::Plain(value)
        }
    }

    /// The real text, for comparing and decoding only. Never print it.
    pub fn expose(&self) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Hidden(s) => s.expose(),
        }
    }

    pub(crate) fn is_hidden(&self) -> bool {
        matches!(self, Text::Hidden(_))
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Plain(s) => f.write_str(s),
            Text::Hidden(s) => fmt::Display::fmt(s, f),
        }
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Text::Plain(s) => fmt::Debug::fmt(s, f),
            Text::Hidden(s) => fmt::Debug::fmt(s, f),
        }
    }
}

/// What JavaScript type npm ends up holding (it matters for truthiness and `String()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Bool(bool),
    Null,
    Number,
    List,
}

/// One key's value in one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// The key as npm stores it (after `${VAR}` expansion of the key).
    pub key: String,
    /// The key as written, before expansion (differs only when the key used `${VAR}`).
    pub raw_key: String,
    /// The value as written in the file/env/argv (after `ini` unquoting), before expansion.
    pub raw: Text,
    /// The value npm uses (`String(value)` for non-strings).
    pub expanded: Text,
    pub kind: Kind,
    /// Variables referenced in the key and the value, with their state where npm ran.
    pub variables: Vec<VarRef>,
    pub provenance: Provenance,
}

impl Value {
    /// JavaScript truthiness of the value npm holds: what npm-registry-fetch tests.
    pub(crate) fn is_truthy(&self) -> bool {
        match self.kind {
            Kind::Text => !self.expanded.expose().is_empty(),
            Kind::Bool(b) => b,
            Kind::Null => false,
            Kind::Number => !matches!(self.expanded.expose(), "0" | "-0" | "NaN"),
            Kind::List => true,
        }
    }

    /// The value as text, if npm holds a string.
    pub(crate) fn text(&self) -> Option<&str> {
        (self.kind == Kind::Text).then(|| self.expanded.expose())
    }

    pub(crate) fn layer(&self) -> Layer {
        self.provenance.layer()
    }

    /// The texts of a secret value that must never be shown: what npm sends, without the
    /// `${NAME}` references it could not replace. A reference is a variable's *name*, shown
    /// everywhere (`${NPM_TOKEN}` unset is sent literally, and is still no secret).
    pub fn secret_texts(&self) -> Vec<String> {
        if !self.expanded.is_hidden() {
            return Vec::new();
        }
        if self.variables.is_empty() {
            return [self.raw.expose(), self.expanded.expose()]
                .into_iter()
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
        }
        let mut parts = vec![self.expanded.expose().to_owned()];
        for unreplaced in self.variables.iter().filter(|v| v.state == VarState::Unset) {
            let reference = format!("${{{}}}", unreplaced.name);
            parts = parts
                .iter()
                .flat_map(|part| part.split(reference.as_str()))
                .map(str::to_owned)
                .collect();
        }
        parts.retain(|part| !part.is_empty());
        parts
    }
}

/// Keys whose values are secrets: the same family npm calls "protected" minus the harmless
/// ones (`username`, `email`, `certfile`, `keyfile` are shown).
pub(crate) fn is_secret_key(key: &str) -> bool {
    let base = key.rsplit(':').next().unwrap_or(key);
    let lower = base.to_ascii_lowercase();
    base.starts_with('_')
        || base.starts_with("-authtoken")
        || matches!(
            lower.as_str(),
            "password" | "auth" | "authtoken" | "token" | "otp"
        )
}

/// Converts an `ini` value into text and kind.
pub(crate) fn js_text_and_kind(value: &Js) -> (String, Kind) {
    let kind = match value {
        Js::Str(_) => Kind::Text,
        Js::Bool(b) => Kind::Bool(*b),
        Js::Null => Kind::Null,
        Js::Other(_) => Kind::Number,
        Js::List(_) => Kind::List,
    };
    (value.to_js_string(), kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_renders_as_contract() {
        let p = Provenance::File {
            layer: Layer::User,
            path: "/h/.npmrc".into(),
            line: 2,
        };
        assert_eq!(p.to_string(), "/h/.npmrc:2");
        assert_eq!(
            Provenance::Env {
                name: "npm_config_registry".into()
            }
            .to_string(),
            "env:npm_config_registry"
        );
        assert_eq!(Provenance::Cli.to_string(), "cli");
        assert_eq!(Provenance::Default.to_string(), "default");
    }

    #[test]
    fn secret_keys() {
        for k in [
            "//h/:_authToken",
            "_auth",
            "//h/:_password",
            "_authtoken",
            "-authtoken",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["registry", "//h/:username", "//h/:certfile", "@a:registry"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    fn token_value(raw: &str, expanded: &str, variables: &[(&str, VarState)]) -> Value {
        Value {
            key: "//h/:_authToken".into(),
            raw_key: "//h/:_authToken".into(),
            raw: Text::new(raw.into(), true),
            expanded: Text::new(expanded.into(), true),
            kind: Kind::Text,
            variables: variables
                .iter()
                .map(|(name, state)| VarRef {
                    name: (*name).into(),
                    state: *state,
                    optional: false,
                })
                .collect(),
            provenance: Provenance::Cli,
        }
    }

    #[test]
    fn secret_texts_are_values_never_variable_names() {
        let literal = token_value("npm_LITERAL", "npm_LITERAL", &[]);
        assert_eq!(literal.secret_texts(), ["npm_LITERAL", "npm_LITERAL"]);
        let unset = token_value(
            "${NPM_TOKEN}",
            "${NPM_TOKEN}",
            &[("NPM_TOKEN", VarState::Unset)],
        );
        assert!(unset.secret_texts().is_empty());
        let empty = token_value("${NPM_TOKEN}", "", &[("NPM_TOKEN", VarState::Empty)]);
        assert!(empty.secret_texts().is_empty());
        let set = token_value("${NPM_TOKEN}", "npm_SET", &[("NPM_TOKEN", VarState::Set)]);
        assert_eq!(set.secret_texts(), ["npm_SET"]);
        let mixed = token_value(
            "${A}-${B}-tail",
            "valueA-${B}-tail",
            &[("A", VarState::Set), ("B", VarState::Unset)],
        );
        assert_eq!(mixed.secret_texts(), ["valueA-", "-tail"]);
    }
}
