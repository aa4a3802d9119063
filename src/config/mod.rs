//! npm's configuration as npm itself resolves it: layers, `.npmrc` parsing, `${VAR}` expansion,
//! registries and scope mappings, per-host credentials (nerf darts), with file:line provenance.
//! Native and subprocess-free: a load reads a handful of small files (microseconds).
//!
//! # Public API
//! ```no_run
//! use regauth::config::{Config, LoadContext};
//! let config = Config::load(&LoadContext::from_process(vec!["install".into()]));
//! let (url, source) = config.default_registry();          // "https://registry.npmjs.org/", default
//! let choice = config.registry_for("@priv/lib");           // RegistryChoice { url, provenance, scope }
//! let route = config.route_package("@priv/lib");           // packument URL + credential key or why none
//! let routed = config.credential_for("http://127.0.0.1:4873/-/whoami", &choice.url);
//! let tarball = config.route_tarball("http://127.0.0.1:4873/p/-/p-1.0.0.tgz");
//! for c in config.credentials() { println!("{} {} {}", c.key, c.kind.as_str(), c.redacted); }
//! for p in config.problems() { println!("{} {}", p.id, p.message); }
//! let value = config.get("registry");                      // Option<&Value>: raw, expanded, provenance
//! let files = config.files_read();                         // which .npmrc files npm considered
//! let locks = regauth::config::lockfile::scan(config.local_prefix());
//! ```
//! Provenance renders as `file:line`, `env:NAME`, `cli` or `default` (taxonomy.md).
//! Secrets are held as `crate::secret::Secret`; nothing here prints one.
//!
//! Modules: `ini` (parser), `expand` (`${VAR}`), `cli_args` (npm argv), `layers` (files, env, cli,
//! load order), `value` (Value, Provenance), `route` (nerf darts, npm-registry-fetch auth),
//! `credential` (classification), `problems` (findings), `lockfile` (resolved hosts).

mod abbreviations;
pub(crate) mod cli_args;
pub(crate) mod clients;
pub(crate) mod credential;
pub mod expand;
pub mod ini;
pub mod layers;
mod locations;
pub mod lockfile;
mod lockfile_json;
mod near_miss;
mod npm_keys;
pub mod problem_kind;
pub mod problems;
mod regular_file;
pub(crate) mod route;
pub(crate) mod value;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use credential::Credential;
pub use layers::{FileRead, FileStatus, LoadContext};
pub use problems::Problem;
pub use route::{AuthKey, HeaderKind, Route};
pub use value::{Layer, Provenance, Value};

/// The registry a request goes to and the setting that chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegistryChoice {
    pub url: String,
    pub provenance: Provenance,
    /// The scope whose `@scope:registry` chose it, if any.
    pub scope: Option<String>,
}

/// One `@scope:registry` mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScopeMapping {
    pub scope: String,
    pub registry: String,
    pub provenance: Provenance,
}

/// A route with the credential it resolves to (when npm sends one).
#[derive(Debug, Clone)]
pub struct Routed<'a> {
    pub route: Route,
    pub credential: Option<&'a Credential>,
}

/// Where a package's metadata request goes and what npm attaches to it.
#[derive(Debug, Clone)]
pub struct PackageRoute<'a> {
    pub package: String,
    pub registry: RegistryChoice,
    pub routed: Routed<'a>,
}

/// Why npm stops before any command runs (its config load or validation throws).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NpmStop {
    /// A file named for two layers: "double-loading config".
    DoubleLoading,
    /// `registry` (from a file other than the global one, or the environment) is no URL:
    /// validation's `new URL(registry)` throws ERR_INVALID_URL.
    InvalidUrl,
    /// Top-level auth keys in a file: ERR_INVALID_AUTH.
    InvalidAuth,
}

/// The loaded configuration.
#[derive(Debug, Clone)]
pub struct Config {
    layers: layers::Layers,
    /// Classified on first use: the shim loads the config before every spawn and needs none.
    credentials: std::sync::OnceLock<Vec<Credential>>,
    now: i64,
    /// Each of `files_read`'s files as it was on disk when loaded (`changed_on_disk`).
    stamps: Vec<Stamp>,
}

/// A file's modification time and length, `None` when absent.
type Stamp = Option<(std::time::SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

impl Config {
    /// Loads the configuration npm would use for `ctx`.
    pub fn load(ctx: &LoadContext) -> Config {
        Config::load_at(ctx, credential::now())
    }

    /// The same, judging token expiry against `now` (Unix seconds).
    pub(crate) fn load_at(ctx: &LoadContext, now: i64) -> Config {
        let layers = layers::load(ctx);
        let stamps = layers.files.iter().map(|f| stamp(&f.path)).collect();
        Config {
            layers,
            credentials: std::sync::OnceLock::new(),
            now,
            stamps,
        }
    }

    /// True when a file this configuration read (or looked for) changed, appeared or went
    /// away since it was loaded: then a later use must load it again.
    pub(crate) fn changed_on_disk(&self) -> bool {
        let files = self.layers.files.iter();
        files
            .zip(&self.stamps)
            .any(|(f, was)| stamp(&f.path) != *was)
    }

    /// The effective value of a key, like `npm config get KEY` (raw, before npm's URL checks).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.layers.get(key)
    }

    /// Every layer's value for a key, highest priority first (the first one wins).
    pub(crate) fn values(&self, key: &str) -> Vec<&Value> {
        self.layers.all(key)
    }

    /// `registry` as npm's requests use it: the highest layer's value as npm keeps it (a file or
    /// env value that is no URL is not dropped: npm then stops with ERR_INVALID_URL, see
    /// `problems`), normalised when it is a URL. npm's validation removes an empty value of the
    /// global file only, and a removed value means npm's default registry (`pickRegistry`).
    pub fn default_registry(&self) -> (String, Provenance) {
        let default = || (layers::DEFAULT_REGISTRY.to_owned(), Provenance::Default);
        let Some(top) = self.layers.all("registry").into_iter().next() else {
            return default();
        };
        if top.layer() == Layer::Default || (top.layer() == Layer::Global && !top.is_truthy()) {
            return default();
        }
        let text = top.expanded.expose();
        let url = layers::normalize_registry(text).unwrap_or_else(|| text.to_owned());
        (url, top.provenance.clone())
    }

    /// The registry npm uses for a package name (`pickRegistry`): its scope's registry, else the
    /// `scope` setting's registry (for unscoped names and scopes without a registry alike,
    /// measured against npm 11), else the default.
    pub fn registry_for(&self, package: &str) -> RegistryChoice {
        let own = route::scope_of(package).map(str::to_owned);
        for scope in own.into_iter().chain(self.configured_scope()) {
            if let Some(v) = self.scope_registry(&scope) {
                return RegistryChoice {
                    url: v.expanded.expose().to_owned(),
                    provenance: v.provenance.clone(),
                    scope: Some(scope),
                };
            }
        }
        let (url, provenance) = self.default_registry();
        RegistryChoice {
            url,
            provenance,
            scope: None,
        }
    }

    /// A scope's registry when npm has one: a truthy text, or a list (a repeated
    /// `--@s:registry`, which npm reads as its items joined with `,`).
    fn scope_registry(&self, scope: &str) -> Option<&Value> {
        self.get(&format!("{scope}:registry"))
            .filter(|v| v.is_truthy() && (v.text().is_some() || v.kind == value::Kind::List))
    }

    /// The `scope` setting, with npm's `@` added.
    fn configured_scope(&self) -> Option<String> {
        let scope = self.get("scope")?.text()?.to_owned();
        (!scope.is_empty()).then(|| {
            if scope.starts_with('@') {
                scope
            } else {
                format!("@{scope}")
            }
        })
    }

    /// Every `@scope:registry` npm sees, sorted by scope.
    pub(crate) fn scopes(&self) -> Vec<ScopeMapping> {
        let mut keys: Vec<&String> = self.layers.data.values().flat_map(|d| d.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|k| k.strip_suffix(":registry").filter(|s| s.starts_with('@')))
            .filter_map(|scope| {
                let v = self.scope_registry(scope)?;
                Some(ScopeMapping {
                    scope: scope.to_owned(),
                    registry: v.expanded.expose().to_owned(),
                    provenance: v.provenance.clone(),
                })
            })
            .collect()
    }

    /// The credential npm attaches to a request for `url` belonging to `registry` (the
    /// package's registry from `registry_for`, or the default one for non-package requests).
    pub fn credential_for(&self, url: &str, registry: &str) -> Routed<'_> {
        let (default, _) = self.default_registry();
        let get = |k: &str| self.layers.get(k);
        let route = route::credential_route(url, registry, &default, &get);
        if route.auth_key == Some(route::AuthKey::UrlUserinfo) {
            let from = credential::url_identity(&route.url);
            let credential = self.credentials().iter().find(|c| {
                c.field == credential::Field::UrlUserinfo
                    && c.from_url.is_some()
                    && c.from_url == from
            });
            return Routed { route, credential };
        }
        let credential = route.reg_key.as_ref().and_then(|reg| {
            let field = route.auth_key?.as_str();
            self.credentials()
                .iter()
                .find(|c| c.key == format!("{reg}:{field}"))
        });
        Routed { route, credential }
    }

    /// The packument request for a package: its registry, URL, and credential.
    pub fn route_package(&self, package: &str) -> PackageRoute<'_> {
        let registry = self.registry_for(package);
        // npm-registry-fetch's getRegistry looks at the package's own scope only.
        let auth_registry = match route::scope_of(package).and_then(|s| self.scope_registry(s)) {
            Some(v) => v.expanded.expose().to_owned(),
            None => self.default_registry().0,
        };
        let url = route::packument_url(&registry.url, package);
        let routed = self.credential_for(&url, &auth_registry);
        PackageRoute {
            package: package.to_owned(),
            registry,
            routed,
        }
    }

    /// The credential npm attaches to a tarball download. pacote fetches a tarball with the
    /// tarball URL itself as the spec (`RemoteFetcher`), so the same-host rule compares with the
    /// default registry even for a scoped package's tarball (measured against npm 11).
    /// `replace-registry-host` applies first (default `npmjs`: tarballs on registry.npmjs.org
    /// are fetched from the configured registry's host instead).
    pub fn route_tarball(&self, url: &str) -> Routed<'_> {
        let (default, _) = self.default_registry();
        let effective = self.replace_registry_host(url, &default);
        self.credential_for(&effective, &default)
    }

    /// pacote's `RemoteFetcher`: `new URL(pathname, registry)` when the host is the one to replace.
    fn replace_registry_host(&self, url: &str, registry: &str) -> String {
        let setting = self
            .get("replace-registry-host")
            .and_then(Value::text)
            .unwrap_or("npmjs");
        let host = match setting {
            "" | "npmjs" => "registry.npmjs.org",
            other => other,
        };
        let Ok(parsed) = url::Url::parse(url) else {
            return url.to_owned();
        };
        let replace =
            host != "never" && (host == "always" || route::host_with_port(&parsed) == host);
        let base = url::Url::parse(registry.trim_end_matches('/'));
        match (replace, base) {
            (true, Ok(base)) => base
                .join(parsed.path())
                .map(|u| u.to_string())
                .unwrap_or_else(|_| url.to_owned()),
            _ => url.to_owned(),
        }
    }

    /// Every credential setting npm sees (the winning value of each key), sorted by key.
    pub fn credentials(&self) -> &[Credential] {
        self.credentials
            .get_or_init(|| collect_credentials(&self.layers, self.now))
    }

    /// The text of every secret value in every layer (as written and as expanded; never the
    /// `${NAME}` of a variable npm could not replace), for hiding them in output that quotes
    /// other programs' text. Never print these.
    pub(crate) fn secret_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        for value in self.layers.data.values().flat_map(|layer| layer.values()) {
            out.extend(value.secret_texts());
            out.extend(self.basic_header_value(value));
            // a password in a URL (`registry=http://user:PASS@host/`, a proxy) is sent too
            for text in [value.raw.expose(), value.expanded.expose()] {
                if text.contains('@') && text.contains("://") {
                    out.extend(crate::secret::userinfo_secrets(text));
                }
            }
        }
        out
    }

    /// For a `:_password`, the base64 `user:password` npm sends in its Basic header (a server
    /// may echo it back).
    fn basic_header_value(&self, value: &Value) -> Option<String> {
        use base64::Engine;
        let reg_key = value.key.strip_suffix(":_password")?;
        let user = self.get(&format!("{reg_key}:username"))?.text()?.to_owned();
        let engine = base64::engine::general_purpose::STANDARD;
        let password = engine.decode(value.expanded.expose().trim()).ok()?;
        let mut plain = format!("{user}:").into_bytes();
        plain.extend(password);
        Some(engine.encode(plain))
    }

    /// Whether npm stops before running any command (other than `npm config`) here, in the
    /// order npm's `load()` and `validate()` throw.
    pub fn npm_stop(&self) -> Option<NpmStop> {
        if self.layers.double_loaded.is_some() {
            return Some(NpmStop::DoubleLoading);
        }
        let top = self.layers.all("registry").into_iter().next();
        let checked_in_validation = top.is_some_and(|v| {
            matches!(
                v.layer(),
                Layer::Builtin | Layer::User | Layer::Project | Layer::Env
            )
        });
        let unusable = problems::unusable(&self.default_registry().0);
        if checked_in_validation && unusable == Some(problem_kind::UnusableWhy::InvalidUrl) {
            return Some(NpmStop::InvalidUrl);
        }
        self.problems()
            .iter()
            .any(|p| p.kind.stops_npm())
            .then_some(NpmStop::InvalidAuth)
    }

    /// Problems found in the configuration itself (no network).
    pub fn problems(&self) -> Vec<Problem> {
        problems::find(self)
    }

    /// Problems with the lockfiles of the project (hosts without credentials, other registries).
    pub fn lockfile_problems(&self, lockfiles: &[lockfile::Lockfile]) -> Vec<Problem> {
        problems::lockfile_problems(self, lockfiles)
    }

    /// The config files npm would consider, in load order, with what happened to each.
    pub fn files_read(&self) -> &[FileRead] {
        &self.layers.files
    }

    /// The home directory npm uses (`HOME`, else the account's; empty when `HOME` is empty).
    pub(crate) fn home(&self) -> &Path {
        &self.layers.home
    }

    /// `~/<rest>` as npm resolves a path setting's default (`<cwd>/~/<rest>` without a home).
    pub(crate) fn in_home(&self, rest: &str) -> PathBuf {
        let path = layers::expand_path(&self.layers.home, &self.layers.cwd, &format!("~/{rest}"));
        PathBuf::from(path)
    }

    /// npm's project root (`localPrefix`).
    pub fn local_prefix(&self) -> &Path {
        &self.layers.local_prefix
    }

    /// `-g`/`--global`/`--location=global` in effect.
    pub fn global_mode(&self) -> bool {
        self.layers.global_mode
    }

    pub(crate) fn layers(&self) -> &layers::Layers {
        &self.layers
    }
}

fn collect_credentials(layers: &layers::Layers, now: i64) -> Vec<Credential> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for layer in Layer::LOOKUP_ORDER {
        let Some(data) = layers.data.get(&layer) else {
            continue;
        };
        for value in data.values() {
            if seen.insert(value.key.clone()) {
                out.extend(credential::from_value(value, now));
                let registry_key = value.key == "registry"
                    || (value.key.starts_with('@') && value.key.ends_with(":registry"));
                if registry_key && layer != Layer::Default {
                    out.extend(credential::from_registry_url(value));
                }
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_knows_when_a_file_it_read_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let (home, project) = (tmp.path().join("home"), tmp.path().join("project"));
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("package.json"), "{}").unwrap();
        std::fs::write(home.join(".npmrc"), "registry=http://127.0.0.1:4873/\n").unwrap();
        let load = || {
            Config::load(&LoadContext {
                cwd: project.clone(),
                env: vec![
                    ("HOME".into(), home.display().to_string()),
                    (
                        "PREFIX".into(),
                        tmp.path().join("prefix").display().to_string(),
                    ),
                ],
                npm_args: Vec::new(),
                npm_path: None,
                node_path: Some(tmp.path().join("no/bin/node")),
            })
        };
        let config = load();
        assert!(!config.changed_on_disk());
        // a longer file: the length differs even where the clock's resolution hides the write
        std::fs::write(home.join(".npmrc"), "registry=http://127.0.0.1:4874/x/\n").unwrap();
        assert!(config.changed_on_disk());
        let config = load();
        assert!(!config.changed_on_disk());
        std::fs::write(project.join(".npmrc"), "@a:registry=http://127.0.0.1:1/\n").unwrap();
        assert!(config.changed_on_disk(), "a project .npmrc that appeared");
    }
}
