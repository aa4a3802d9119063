//! Reads npm's configuration layers the way `@npmcli/config` `load()` does: defaults, builtin
//! (`<npm package>/npmrc`), cli (npm's argv), env (`npm_config_*` in any case), project
//! (`<localPrefix>/.npmrc`), user (`userconfig`), global (`globalconfig`, default
//! `<prefix>/etc/npmrc`). Each value is parsed like npm's `parseField` (trim, `true`/`false`/`null`
//! words, `${VAR}` expansion, `~/` and relative paths for path keys) and keeps its provenance.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::config::cli_args::{self, CliValue};
use crate::config::expand::{expand, VarRef};
use crate::config::ini::{self, Entry, Js};
use crate::config::value::{is_secret_key, js_text_and_kind, Kind, Layer, Provenance, Text, Value};

mod repeated;

use super::locations::{
    default_global_prefix, default_globalconfig, find_home, find_node, find_npm_dir, local_prefix,
    prefix_from_env,
};

pub(crate) const DEFAULT_REGISTRY: &str = "https://registry.npmjs.org/";

/// Keys of npm's `path` type: resolved against the home (`~/`) or the working directory.
const PATH_KEYS: &[&str] = &[
    "userconfig",
    "globalconfig",
    "prefix",
    "cache",
    "cafile",
    "logs-dir",
    "init-module",
    "node-gyp",
    "provenance-file",
];
/// Keys of npm's `String` type: the words `true`/`false`/`null` stay text.
const STRING_KEYS: &[&str] = &["scope", "tag", "editor", "shell", "user-agent", "noproxy"];
/// Keys of npm's `Boolean` type: an empty value means `true`.
const BOOL_KEYS: &[&str] = &["global", "workspaces"];

/// Everything a load depends on, passed in so tests and probes can describe another machine.
#[derive(Debug, Clone, Default)]
pub struct LoadContext {
    /// The directory npm runs in.
    pub cwd: PathBuf,
    /// The environment npm sees, in `environ` order (the later of two spellings of one key wins).
    pub env: Vec<(String, String)>,
    /// npm's arguments, without the program name.
    pub npm_args: Vec<String>,
    /// The real npm binary (e.g. `/usr/bin/npm`); found on the env's `PATH` when `None`.
    pub npm_path: Option<PathBuf>,
    /// node's executable (npm's `process.execPath`); `which node` on the env's `PATH` when `None`.
    pub node_path: Option<PathBuf>,
}

impl LoadContext {
    /// This process's working directory and environment, with npm's arguments.
    pub fn from_process(npm_args: Vec<String>) -> LoadContext {
        LoadContext {
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            env: std::env::vars_os()
                .map(|(k, v)| {
                    (
                        k.to_string_lossy().into_owned(),
                        v.to_string_lossy().into_owned(),
                    )
                })
                .collect(),
            npm_args,
            npm_path: None,
            node_path: None,
        }
    }
}

/// What happened to one config file npm would consider.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Read,
    Missing,
    Unreadable,
    /// Not read, with npm's reason (global mode, same as the user file).
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileRead {
    pub layer: Layer,
    pub path: PathBuf,
    pub status: FileStatus,
}

/// A key written under a `[section]`: npm ignores it, which is worth saying for credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoredEntry {
    pub key: String,
    pub section: String,
    pub provenance: Provenance,
}

/// The loaded layers and the facts npm derived while loading them.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    pub data: BTreeMap<Layer, BTreeMap<String, Value>>,
    pub files: Vec<FileRead>,
    pub ignored: Vec<IgnoredEntry>,
    pub env: BTreeMap<String, String>,
    pub home: PathBuf,
    pub cwd: PathBuf,
    pub local_prefix: PathBuf,
    pub global_prefix: PathBuf,
    pub npm_dir: Option<PathBuf>,
    /// node's executable, looked up only when `$PREFIX` does not give the global prefix.
    pub node_exec: Option<PathBuf>,
    pub global_mode: bool,
    /// A file named for a second layer after npm loaded it already (`path`, the second layer,
    /// the first): npm throws "double-loading config" and runs no command.
    pub double_loaded: Option<(PathBuf, Layer, Layer)>,
    /// A layer has set `globalconfig` (see `insert`).
    globalconfig_set: bool,
    /// A key a file assigns more than once: its earlier (losing) values, in file order. npm and
    /// pnpm 10/11 take the last (`ini`); pnpm 12 reads line by line and skips some lines.
    pub(crate) shadowed: BTreeMap<(Layer, String), Vec<Value>>,
}

impl Layers {
    /// The effective value of `key` (highest layer that has it), like `config.get(key)`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.get_below(key, Layer::Cli)
    }

    /// The effective value looking only at `top` and the layers below it.
    pub(crate) fn get_below(&self, key: &str, top: Layer) -> Option<&Value> {
        Layer::LOOKUP_ORDER
            .iter()
            .filter(|l| **l <= top)
            .find_map(|l| self.data.get(l).and_then(|d| d.get(key)))
    }

    /// Every layer's value for `key`, highest priority first.
    pub(crate) fn all(&self, key: &str) -> Vec<&Value> {
        Layer::LOOKUP_ORDER
            .iter()
            .filter_map(|l| self.data.get(l).and_then(|d| d.get(key)))
            .collect()
    }

    pub(super) fn text_of(&self, key: &str) -> Option<String> {
        self.get(key).map(|v| v.expanded.expose().to_owned())
    }

    fn insert(&mut self, value: Value) {
        let mut layer = value.layer();
        // npm's default `globalconfig` is an accessor whose setter turns it into a plain value
        // of the *default* layer: the first layer that sets it (builtin, cli, env, project,
        // user, in load order) sets the default, so a later layer's value wins even over the
        // command line (`--globalconfig=A` with `npm_config_globalconfig=B` reads B).
        if value.key == "globalconfig" && layer != Layer::Default && !self.globalconfig_set {
            self.globalconfig_set = true;
            layer = Layer::Default;
        }
        self.data
            .entry(layer)
            .or_default()
            .insert(value.key.clone(), value);
    }
}

/// Loads every layer in npm's order.
pub fn load(ctx: &LoadContext) -> Layers {
    let env: BTreeMap<String, String> = ctx.env.iter().cloned().collect();
    let mut layers = Layers {
        env,
        cwd: ctx.cwd.clone(),
        ..Layers::default()
    };
    layers.home = find_home(&layers.env);
    // `which node` only when the global prefix depends on it: this runs on every shimmed call.
    layers.node_exec = match ctx.node_path.clone() {
        Some(node) => Some(node),
        None if prefix_from_env(&layers.env).is_some() => None,
        None => find_node(&layers.env, &ctx.cwd),
    };
    layers.npm_dir = find_npm_dir(ctx.npm_path.as_deref(), &layers.env);
    layers.global_prefix = default_global_prefix(&layers.env, layers.node_exec.as_deref());
    load_defaults(&mut layers);
    if let Some(dir) = layers.npm_dir.clone() {
        load_file(&mut layers, &dir.join("npmrc"), Layer::Builtin);
    }
    load_cli(&mut layers, &ctx.npm_args);
    load_env(&mut layers, &ctx.env);
    load_project(&mut layers);
    if let Some(user) = layers.text_of("userconfig") {
        load_file(&mut layers, Path::new(&user), Layer::User);
    }
    let global = layers
        .text_of("globalconfig")
        .unwrap_or_else(|| default_globalconfig(&layers));
    if layers.double_loaded.is_none() {
        load_file(&mut layers, Path::new(&global), Layer::Global);
    }
    // npm's default `globalconfig` is a getter on the effective prefix, evaluated when read.
    if !layers.globalconfig_set {
        let default_global = default_globalconfig(&layers);
        layers.insert(plain_value(
            "globalconfig",
            default_global,
            Provenance::Default,
        ));
    }
    layers
}

fn load_defaults(layers: &mut Layers) {
    let home_npmrc = expand_path(&layers.home, &layers.cwd, "~/.npmrc");
    let prefix = layers.global_prefix.display().to_string();
    for (key, value) in [
        ("registry", DEFAULT_REGISTRY.to_owned()),
        ("userconfig", home_npmrc),
        ("prefix", prefix),
        ("location", "user".to_owned()),
    ] {
        layers.insert(plain_value(key, value, Provenance::Default));
    }
    layers.insert(Value {
        kind: Kind::Bool(false),
        ..plain_value("global", "false".into(), Provenance::Default)
    });
}

fn plain_value(key: &str, value: String, provenance: Provenance) -> Value {
    Value {
        key: key.to_owned(),
        raw_key: key.to_owned(),
        raw: Text::Plain(value.clone()),
        expanded: Text::Plain(value),
        kind: Kind::Text,
        variables: Vec::new(),
        provenance,
    }
}

fn load_cli(layers: &mut Layers, args: &[String]) {
    for (key, value) in cli_args::parse(args) {
        let js = cli_to_js(&key, value);
        let Some(js) = js else { continue };
        let value = parse_field(layers, &key, &js, Provenance::Cli);
        layers.insert(value);
    }
}

/// nopt's type validation of the command line: URL keys become `url.parse(...).href` or are
/// dropped when they have no host. Path keys are resolved by `parse_field` (`~/`, then cwd).
fn cli_to_js(key: &str, value: CliValue) -> Option<Js> {
    match (key, value) {
        ("registry", CliValue::Str(s)) => cli_registry(&s).map(Js::Str),
        ("registry", _) => None,
        (_, v) => Some(cli_js(v)),
    }
}

fn cli_js(value: CliValue) -> Js {
    match value {
        CliValue::Bool(b) => Js::Bool(b),
        CliValue::Str(s) => Js::Str(s),
        CliValue::List(items) => Js::List(items.into_iter().map(cli_js).collect()),
    }
}

/// nopt's `url` type on the command line: Node's legacy `url.parse(value).host` must be
/// non-empty, else the option is dropped; a kept value that is no http(s) URL (`localhost:4873`
/// has host `4873` to `url.parse`) then stops npm's requests.
fn cli_registry(value: &str) -> Option<String> {
    legacy_url_has_host(value.trim())
        .then(|| normalize_registry(value).unwrap_or_else(|| value.trim().to_owned()))
}

/// Whether Node's legacy `url.parse` finds a host: a `scheme:` (not `javascript:`), then
/// either `//authority` or, for a scheme without slashes, the text up to `/`, `?` or `#`.
fn legacy_url_has_host(value: &str) -> bool {
    let scheme_len = value
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
        .count();
    if scheme_len == 0 || value.as_bytes().get(scheme_len) != Some(&b':') {
        return false;
    }
    if value[..scheme_len].eq_ignore_ascii_case("javascript") {
        return false;
    }
    let rest = &value[scheme_len + 1..];
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host = authority.rsplit('@').next().unwrap_or("");
    !host.is_empty()
}

/// A registry URL as npm's URL type check leaves it: `None` when it has no host (npm then
/// ignores the setting), else the normalised form (lower-case scheme and host, `/` for an
/// empty path).
pub fn normalize_registry(value: &str) -> Option<String> {
    let parsed = url::Url::parse(value.trim()).ok()?;
    parsed.host_str().filter(|h| !h.is_empty())?;
    Some(parsed.to_string())
}

/// `loadEnv`: `/^npm_config_/i` with a non-empty value; `_` becomes `-` (except a leading one)
/// and the key is lower-cased, unless it starts with `//`.
fn load_env(layers: &mut Layers, env: &[(String, String)]) {
    for (name, value) in env {
        let Some(key) = env_var_key(name).filter(|_| !value.is_empty()) else {
            continue;
        };
        let field = parse_field(
            layers,
            &key,
            &Js::Str(value.clone()),
            Provenance::Env { name: name.clone() },
        );
        layers.insert(field);
    }
}

/// The config key of an environment variable named `npm_config_*` (any case), else `None`.
/// (A name with a multi-byte character across byte 11 is simply not one.)
pub(crate) fn env_var_key(name: &str) -> Option<String> {
    let prefix = name.get(..11)?;
    prefix
        .eq_ignore_ascii_case("npm_config_")
        .then(|| env_key(&name[11..]))
}

/// The config key for what follows `npm_config_` in a variable name.
pub(crate) fn env_key(rest: &str) -> String {
    if rest.starts_with("//") {
        return rest.to_owned();
    }
    let mut out = String::with_capacity(rest.len());
    for (i, c) in rest.chars().enumerate() {
        out.push(if c == '_' && i > 0 { '-' } else { c });
    }
    out.to_lowercase()
}

fn load_project(layers: &mut Layers) {
    let global = layers
        .get("global")
        .is_some_and(|v| v.kind == Kind::Bool(true))
        || layers.get("location").and_then(Value::text) == Some("global");
    layers.global_mode = global;
    let (prefix, member) = local_prefix(layers, global);
    layers.local_prefix = prefix;
    if let Some(member_file) = member.map(|m| m.join(".npmrc")).filter(|f| f.is_file()) {
        layers
            .files
            .push(skipped(member_file, "workspace config, ignored"));
    }
    let file = layers.local_prefix.join(".npmrc");
    if global {
        layers
            .files
            .push(skipped(file, "global mode enabled, ignored"));
        return;
    }
    let user = layers.text_of("userconfig").unwrap_or_default();
    if file.display().to_string() == user {
        layers
            .files
            .push(skipped(file, "same as \"user\" config, ignored"));
        return;
    }
    load_file(layers, &file, Layer::Project);
}

fn skipped(path: PathBuf, why: &str) -> FileRead {
    FileRead {
        layer: Layer::Project,
        path,
        status: FileStatus::Skipped(why.to_owned()),
    }
}

/// Reads one `.npmrc` into a layer (a missing file is normal and recorded as such). A path npm
/// loaded already for another layer (missing or not: npm records it as a source either way) is
/// npm's "double-loading config" error instead. Only a regular file of bounded size is read: a
/// FIFO, `/dev/stdin`, `<(...)` or a device is npm's alone (regauth reads the config before npm
/// starts: it would take the content from npm, or never end on `/dev/zero`).
fn load_file(layers: &mut Layers, path: &Path, layer: Layer) {
    let earlier = layers
        .files
        .iter()
        .find(|f| f.path == path && !matches!(f.status, FileStatus::Skipped(_)));
    if let Some(previous) = earlier.map(|f| f.layer) {
        let why = format!(
            "double-loading: already loaded as the {} config",
            previous.as_str()
        );
        layers.double_loaded = Some((path.to_path_buf(), layer, previous));
        layers.files.push(FileRead {
            layer,
            path: path.to_path_buf(),
            status: FileStatus::Skipped(why),
        });
        return;
    }
    let status = match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            FileStatus::Skipped("not a regular file, left to npm".into())
        }
        Ok(meta) if meta.len() > super::regular_file::MAX_CONFIG_BYTES => {
            FileStatus::Skipped("larger than 16 MiB, left to npm".into())
        }
        Ok(_) => match super::regular_file::read_regular(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                load_text(layers, path, layer, &text);
                FileStatus::Read
            }
            Err(_) => FileStatus::Unreadable,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileStatus::Missing,
        Err(_) => FileStatus::Unreadable,
    };
    layers.files.push(FileRead {
        layer,
        path: path.to_path_buf(),
        status,
    });
}

fn load_text(layers: &mut Layers, path: &Path, layer: Layer, text: &str) {
    let parsed = ini::parse(text);
    let provenance = |line| Provenance::File {
        layer,
        path: path.to_path_buf(),
        line,
    };
    for entry in parsed.sectioned() {
        layers.ignored.push(ignored(entry, provenance(entry.line)));
    }
    let resolved_keys = parsed.top_level();
    let mut repeated = repeated::Repeated::of(&parsed, &resolved_keys);
    for resolved in resolved_keys {
        let value = parse_field(
            layers,
            &resolved.key,
            &resolved.value,
            provenance(resolved.line),
        );
        repeated.shadow_earlier(layers, &resolved, &value, &provenance);
        layers.insert(value);
    }
}

fn ignored(entry: &Entry, provenance: Provenance) -> IgnoredEntry {
    IgnoredEntry {
        key: entry.key.clone(),
        section: entry.section.clone().unwrap_or_default(),
        provenance,
    }
}

/// `#loadObject` + `parseField`: the key is `${VAR}`-expanded; a string value is trimmed,
/// turned into true/false/null for untyped keys, expanded, and resolved for path keys.
fn parse_field(layers: &Layers, raw_key: &str, value: &Js, provenance: Provenance) -> Value {
    let key_exp = expand(raw_key, &layers.env);
    let key = key_exp.text.clone();
    let secret = is_secret_key(&key) || is_secret_key(raw_key);
    let mut variables: Vec<VarRef> = key_exp.variables;
    let (raw_text, _) = js_text_and_kind(value);
    let (expanded, kind) = match value {
        Js::Str(s) => {
            let (text, kind, vars) = parse_string(layers, &key, s);
            variables.extend(vars);
            (text, kind)
        }
        other => js_text_and_kind(other),
    };
    Value {
        key,
        raw_key: raw_key.to_owned(),
        raw: Text::new(raw_text, secret),
        expanded: Text::new(expanded, secret),
        kind,
        variables,
        provenance,
    }
}

fn parse_string(layers: &Layers, key: &str, s: &str) -> (String, Kind, Vec<VarRef>) {
    let f = ini::js_trim(s);
    let is_path = PATH_KEYS.contains(&key);
    let is_string = is_path || STRING_KEYS.contains(&key);
    if BOOL_KEYS.contains(&key) && f.is_empty() {
        return ("true".into(), Kind::Bool(true), Vec::new());
    }
    if !is_string {
        match f {
            "true" => return ("true".into(), Kind::Bool(true), Vec::new()),
            "false" => return ("false".into(), Kind::Bool(false), Vec::new()),
            "null" | "undefined" => return (f.into(), Kind::Null, Vec::new()),
            _ => {}
        }
    }
    let exp = expand(f, &layers.env);
    let text = if is_path {
        expand_path(&layers.home, &layers.cwd, &exp.text)
    } else {
        exp.text
    };
    (text, Kind::Text, exp.variables)
}

/// `~/x` against the home (when npm has one), anything else against the cwd (`path.resolve`).
pub(crate) fn expand_path(home: &Path, cwd: &Path, value: &str) -> String {
    match value.strip_prefix("~/") {
        Some(rest) if !home.as_os_str().is_empty() => resolve(home, rest).display().to_string(),
        _ => resolve(cwd, value).display().to_string(),
    }
}

/// `path.resolve(base, p)`: absolute result with `.` and `..` removed lexically.
pub(crate) fn resolve(base: &Path, p: &str) -> PathBuf {
    normalize(&base.join(p))
}

pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in path.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::ParentDir => {
                out.pop();
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_keys_normalise() {
        assert_eq!(env_key("REGISTRY"), "registry");
        assert_eq!(env_key("_AUTH"), "_auth");
        assert_eq!(env_key("Strict_SSL"), "strict-ssl");
        assert_eq!(env_key("//Host:1/:_authToken"), "//Host:1/:_authToken");
        assert_eq!(env_key("@MY_SCOPE:registry"), "@my-scope:registry");
        assert_eq!(
            env_var_key("NPM_CONFIG_LOGS_MAX").as_deref(),
            Some("logs-max")
        );
        assert_eq!(env_var_key("npm_configé_x"), None);
        assert_eq!(env_var_key("npm_confi"), None);
        assert_eq!(env_var_key("NODE_OPTIONS"), None);
    }

    #[test]
    fn paths_resolve_like_node() {
        assert_eq!(
            resolve(Path::new("/a/b"), "../c/./d"),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(resolve(Path::new("/a"), "/x/../y"), PathBuf::from("/y"));
        assert_eq!(expand_path(Path::new("/h"), Path::new("/w"), "~/n"), "/h/n");
        assert_eq!(expand_path(Path::new("/h"), Path::new("/w"), "~"), "/w/~");
    }

    #[test]
    fn registry_normalisation() {
        assert_eq!(
            normalize_registry("HTTP://LocalHost:4873").as_deref(),
            Some("http://localhost:4873/")
        );
        assert_eq!(normalize_registry("nonsense"), None);
        for (value, kept) in [
            ("localhost:4873", true),
            ("127.0.0.1:4873/x", true),
            ("ftp://h/", true),
            ("mailto:a@b", true),
            ("nonsense", false),
            ("", false),
            ("${UNSET}", false),
            ("\"http://q/\"", false),
            ("http://", false),
            ("a:/x", false),
            ("javascript:x", false),
        ] {
            assert_eq!(legacy_url_has_host(value), kept, "{value:?}");
        }
    }
}
