//! pnpm 10/11/12 and yarn 1, which read `.npmrc` like npm but differ in what they take from it:
//! the same layers (`config::layers`), then each client's filter and credential lookup.
//!
//! pnpm (10.34, 11.28, 12.23 as run here): a `${VAR}` credential in the project `.npmrc` is never
//! expanded ("Ignored project-level auth setting"); 11 and 12 drop a key whose `${VAR}` is unset
//! or empty ("Failed to replace env in config"), 10 drops the whole file when a `${VAR}` in it is
//! unset and sends an empty `Bearer ` for an empty one, 12 sends an empty `Bearer ` for both;
//! 11 and 12 read `pnpm_config_*` instead of `npm_config_*` (URL-scoped `npm_config_//…` still
//! count) and `<config dir>/auth.ini` between the project and user files. A `${VAR}` in a
//! registry URL of the project `.npmrc`: 10 and 11 drop the key ("Ignored project-level request
//! destination"), 12 stops (ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED). pnpm walks credential keys up
//! the path like npm. A key repeated in one file: the last line for npm and pnpm 10/11, the
//! last line pnpm 12 does not skip.
//! yarn 1 (src/registries/npm-registry.js): an unset `${VAR}` anywhere stops it; the registry is
//! `@scope:registry` or `registry` from .npmrc, then from .yarnrc, else registry.yarnpkg.com; it
//! sends a credential only for a scoped package or with `always-auth`, looked up as
//! `<registry>:_authToken`, the same without the scheme, without a trailing `registry/`, then
//! the top-level `_authToken` (then `_auth`, `username`+`_password`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{with_slash, ClientKind, ClientRoute, Ignored, IgnoredBecause, SentCredential};
use crate::config::credential;
use crate::config::expand::VarState;
use crate::config::layers::{self, Layers, LoadContext};
use crate::config::route::{self, HeaderKind};
use crate::config::value::{Kind, Layer, Provenance, Text, Value};

const NPM_REGISTRY: &str = "https://registry.npmjs.org/";
const YARN_REGISTRY: &str = "https://registry.yarnpkg.com/";

/// The route of a `.npmrc`-reading client (npm, pnpm, yarn 1).
pub fn route_package(client: ClientKind, ctx: &LoadContext, package: &str) -> ClientRoute {
    let mut ignored = Vec::new();
    let ctx = context_for(client, ctx, &mut ignored);
    let mut layers = layers::load(&ctx);
    if matches!(client, ClientKind::Pnpm(m) if m >= 11) {
        add_auth_ini(&mut layers);
    }
    let yarn1_fatal = (client == ClientKind::Yarn1)
        .then(|| first_unset_variable(&layers))
        .flatten()
        .map(|v| {
            format!("yarn 1 stops before any request: Failed to replace env in config: ${{{v}}}")
        });
    let fatal = yarn1_fatal.or_else(|| pnpm12_registry_variable(client, &layers));
    let effective = effective_values(client, &layers, &mut ignored);
    let fatal = fatal.or_else(|| empty_registry_stop(client, &effective, package));
    let yarnrc = (client == ClientKind::Yarn1).then(|| yarnrc_values(&layers));
    let (registry, registry_source, registry_key) =
        pick_registry(client, &effective, yarnrc.as_ref(), package);
    let url = route::packument_url(&registry, package);
    let get = |k: &str| effective.get(k);
    let (credential, no_credential_because) = match client {
        ClientKind::Yarn1 => yarn1_credential(&url, &registry, package, &get),
        _ => npm_style_credential(client, &url, &registry, &default_registry(&effective), &get),
    };
    ClientRoute {
        client,
        package: package.to_owned(),
        registry,
        registry_source,
        registry_key,
        url,
        credential,
        no_credential_because,
        fatal,
        ignored,
    }
}

/// pnpm 11+: `pnpm_config_X` read as `npm_config_X`; `npm_config_*` dropped (noted when it is
/// about registries or credentials), except URL-scoped `npm_config_//…`.
fn context_for(client: ClientKind, ctx: &LoadContext, ignored: &mut Vec<Ignored>) -> LoadContext {
    let mut ctx = ctx.clone();
    if !matches!(client, ClientKind::Pnpm(m) if m >= 11) {
        return ctx;
    }
    let mut env = Vec::with_capacity(ctx.env.len());
    for (name, value) in ctx.env {
        if let Some(key) = layers::env_var_key(&name) {
            if key.starts_with("//") {
                env.push((name, value));
            } else if is_auth_or_registry_key(&key) {
                ignored.push(Ignored {
                    key,
                    source: Provenance::Env { name },
                    because: IgnoredBecause::NpmConfigEnvIgnored,
                });
            }
        } else if let Some(rest) = strip_prefix_ignore_case(&name, "pnpm_config_") {
            env.push((format!("npm_config_{rest}"), value));
        } else {
            env.push((name, value));
        }
    }
    ctx.env = env;
    ctx
}

fn strip_prefix_ignore_case<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &name[prefix.len()..])
}

fn is_auth_or_registry_key(key: &str) -> bool {
    key == "registry" || key.ends_with(":registry") || credential::split_key(key).is_some()
}

/// pnpm 11/12: `<config dir>/auth.ini` (`pnpm login`, `pnpm config set` of a credential), below
/// the project file and above ~/.npmrc: its keys replace the user layer's.
fn add_auth_ini(layers: &mut Layers) {
    let path = pnpm_config_dir(&layers.env, &layers.home).join("auth.ini");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let env = layers.env.clone();
    for (i, line) in text.lines().enumerate() {
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let (key, raw) = (key.trim(), raw.trim());
        if key.is_empty() || key.starts_with([';', '#']) {
            continue;
        }
        let expanded = crate::config::expand::expand(raw, &env);
        let secret = credential::split_key(key).is_some();
        let value = Value {
            key: key.to_owned(),
            raw_key: key.to_owned(),
            raw: Text::new(raw.to_owned(), secret),
            expanded: Text::new(expanded.text, secret),
            kind: Kind::Text,
            variables: expanded.variables,
            provenance: Provenance::File {
                layer: Layer::User,
                path: path.clone(),
                line: i + 1,
            },
        };
        layers
            .data
            .entry(Layer::User)
            .or_default()
            .insert(key.to_owned(), value);
    }
}

/// pnpm's config dir: `$XDG_CONFIG_HOME/pnpm`, else `~/.config/pnpm`.
fn pnpm_config_dir(env: &BTreeMap<String, String>, home: &Path) -> PathBuf {
    match env.get("XDG_CONFIG_HOME").filter(|v| !v.is_empty()) {
        Some(xdg) => PathBuf::from(xdg).join("pnpm"),
        None => home.join(".config").join("pnpm"),
    }
}

fn file_path(v: &Value) -> Option<&Path> {
    match &v.provenance {
        Provenance::File { path, .. } => Some(path),
        _ => None,
    }
}

fn unset_variable(v: &Value) -> Option<&str> {
    v.variables
        .iter()
        .find(|r| r.state == VarState::Unset && !r.optional)
        .map(|r| r.name.as_str())
}

fn first_unset_variable(layers: &Layers) -> Option<String> {
    layers
        .data
        .values()
        .flat_map(|d| d.values())
        .filter(|v| file_path(v).is_some())
        .find_map(|v| unset_variable(v).map(str::to_owned))
}

/// `registry` or `@scope:registry`.
fn is_registry_key(key: &str) -> bool {
    key == "registry" || (key.starts_with('@') && key.ends_with(":registry"))
}

/// A registry URL of the project `.npmrc` written with a `${VAR}` (set or not), on any line.
fn project_registry_variable(v: &Value) -> Option<&str> {
    let project = v.layer() == Layer::Project && file_path(v).is_some();
    let variable = v.variables.first().map(|r| r.name.as_str());
    variable.filter(|_| project && is_registry_key(&v.key))
}

/// pnpm 12 stops loading its configuration at such a line (12.23, its own message:
/// ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED "The \"registry\" registry URL in \"<file>\" contains an
/// environment variable"), even for a scope the package does not use.
fn pnpm12_registry_variable(client: ClientKind, layers: &Layers) -> Option<String> {
    if !matches!(client, ClientKind::Pnpm(m) if m >= 12) {
        return None;
    }
    let project = layers.data.get(&Layer::Project)?;
    let earlier = layers
        .shadowed
        .iter()
        .filter(|((layer, _), _)| *layer == Layer::Project)
        .flat_map(|(_, values)| values);
    let v = project
        .values()
        .chain(earlier)
        .find(|v| project_registry_variable(v).is_some())?;
    Some(format!(
        "pnpm 12 stops before any request: ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED: the \"{}\" registry URL in {} contains an environment variable",
        v.key,
        v.provenance
    ))
}

/// pnpm 11 and 12 replace an unset or empty `${VAR}` by nothing and keep the key: the registry
/// key that routes `package` (its scope's, else `registry`) is then no URL, and the request
/// stops before it is made (seen: 11 ERR_INVALID_URL "Invalid URL", 12 "relative URL without a
/// base").
fn empty_registry_stop(
    client: ClientKind,
    effective: &BTreeMap<String, Value>,
    package: &str,
) -> Option<String> {
    let ClientKind::Pnpm(major @ 11..) = client else {
        return None;
    };
    let scoped = route::scope_of(package).map(|s| format!("{s}:registry"));
    let key = scoped
        .filter(|k| effective.contains_key(k))
        .unwrap_or_else(|| "registry".to_owned());
    let v = effective.get(&key)?;
    let r = v.variables.iter().find(|r| r.state != VarState::Set)?;
    let unusable = v.text().and_then(layers::normalize_registry).is_none();
    unusable.then(|| {
        format!(
            "pnpm {major} stops before the request: ${{{}}} is unset or empty, so `{key}` ({}) is no URL",
            r.name, v.provenance
        )
    })
}

/// pnpm 10: the files one unset `${VAR}` makes it drop, with that variable.
fn dropped_files(layers: &Layers) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    for v in layers.data.values().flat_map(|d| d.values()) {
        if let (Some(path), Some(var)) = (file_path(v), unset_variable(v)) {
            files
                .entry(path.to_owned())
                .or_insert_with(|| var.to_owned());
        }
    }
    files
}

/// Why `client` leaves `v` out, if it does.
fn left_out(
    client: ClientKind,
    v: &Value,
    dropped: &BTreeMap<PathBuf, String>,
) -> Option<IgnoredBecause> {
    let ClientKind::Pnpm(major) = client else {
        return None;
    };
    if let Some(var) = file_path(v).and_then(|p| dropped.get(p)) {
        return Some(IgnoredBecause::FileDroppedForVariable {
            variable: var.clone(),
        });
    }
    let is_credential = credential::split_key(&v.key).is_some();
    if let (true, Layer::Project, Some(r)) = (is_credential, v.layer(), v.variables.first()) {
        return Some(IgnoredBecause::ProjectVariableCredential {
            variable: r.name.clone(),
        });
    }
    if let Some(variable) = project_registry_variable(v).filter(|_| major < 12) {
        return Some(IgnoredBecause::ProjectVariableRegistry {
            variable: variable.to_owned(),
        });
    }
    let not_replaced = v.variables.iter().find(|r| r.state != VarState::Set);
    match not_replaced {
        // a registry URL stays, empty (`empty_registry_stop`)
        Some(_) if is_registry_key(&v.key) => None,
        Some(r) if major == 11 => Some(IgnoredBecause::VariableNotReplaced {
            variable: r.name.clone(),
        }),
        _ => None,
    }
}

/// The value of each key the client uses: the highest layer's that the client keeps. A key a
/// file repeats is its last line's value (`ini`), except that pnpm 12 falls back to the latest
/// earlier line it keeps.
fn effective_values(
    client: ClientKind,
    layers: &Layers,
    ignored: &mut Vec<Ignored>,
) -> BTreeMap<String, Value> {
    let dropped = match client {
        ClientKind::Pnpm(10) => dropped_files(layers),
        _ => BTreeMap::new(),
    };
    let mut out: BTreeMap<String, Value> = BTreeMap::new();
    for layer in Layer::LOOKUP_ORDER {
        for (key, v) in layers.data.get(&layer).into_iter().flatten() {
            if out.contains_key(key) {
                continue;
            }
            let Some(because) = left_out(client, v, &dropped) else {
                out.insert(key.clone(), kept_value(client, v));
                continue;
            };
            ignored.push(Ignored {
                key: key.clone(),
                source: v.provenance.clone(),
                because,
            });
            if let Some(earlier) = earlier_line_kept(client, layers, layer, key, &dropped) {
                out.insert(key.clone(), kept_value(client, earlier));
            }
        }
    }
    out
}

/// pnpm 12 reads a file line by line (pnpm/crates/config/src/npmrc_auth.rs `from_ini`): a line
/// it skips (a project `${VAR}` credential) does not replace the key's earlier line, where
/// `ini` (npm, pnpm 10/11) takes the last line and only then drops it.
fn earlier_line_kept<'a>(
    client: ClientKind,
    layers: &'a Layers,
    layer: Layer,
    key: &str,
    dropped: &BTreeMap<PathBuf, String>,
) -> Option<&'a Value> {
    if !matches!(client, ClientKind::Pnpm(m) if m >= 12) {
        return None;
    }
    let earlier = layers.shadowed.get(&(layer, key.to_owned()))?;
    earlier
        .iter()
        .rev()
        .find(|v| left_out(client, v, dropped).is_none())
}

/// pnpm 10 and 12 keep a credential whose `${VAR}` is empty (12: or unset) and send it empty
/// (`Authorization: Bearer `): the value is kept truthy here so the key lookup finds it, and
/// `sent` marks it empty.
fn kept_value(client: ClientKind, v: &Value) -> Value {
    let mut v = v.clone();
    let empty = client != ClientKind::Npm
        && client != ClientKind::Yarn1
        && is_unreplaced_credential(&v)
        && v.expanded.expose().is_empty();
    if empty {
        v.expanded = Text::new(v.raw.expose().to_owned(), true);
    }
    v
}

fn is_unreplaced_credential(v: &Value) -> bool {
    credential::split_key(&v.key).is_some() && v.variables.iter().any(|r| r.state != VarState::Set)
}

fn default_registry(effective: &BTreeMap<String, Value>) -> String {
    effective
        .get("registry")
        .and_then(|v| v.text())
        .and_then(layers::normalize_registry)
        .unwrap_or_else(|| NPM_REGISTRY.to_owned())
}

/// yarn 1's `.yarnrc` (`key "value"` lines) in the project dir and its parents, then home;
/// only the registry keys matter here.
fn yarnrc_values(layers: &Layers) -> BTreeMap<String, Value> {
    let mut dirs: Vec<PathBuf> = layers.cwd.ancestors().map(Path::to_path_buf).collect();
    dirs.push(layers.home.clone());
    let mut out = BTreeMap::new();
    for dir in dirs {
        let path = dir.join(".yarnrc");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let layer = if dir == layers.home {
            Layer::User
        } else {
            Layer::Project
        };
        for (i, line) in text.lines().enumerate() {
            let Some((key, value)) = yarnrc_line(line) else {
                continue;
            };
            if key == "registry" || key.ends_with(":registry") {
                let provenance = Provenance::File {
                    layer,
                    path: path.clone(),
                    line: i + 1,
                };
                let v = Value {
                    key: key.clone(),
                    raw_key: key.clone(),
                    raw: Text::new(value.clone(), false),
                    expanded: Text::new(value, false),
                    kind: Kind::Text,
                    variables: Vec::new(),
                    provenance,
                };
                out.entry(key).or_insert(v);
            }
        }
    }
    out
}

/// `registry "https://r/"`, `"@priv:registry" "http://h/"` or `key value`.
fn yarnrc_line(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (key, rest) = if let Some(quoted) = line.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        line.split_once(char::is_whitespace)?
    };
    let value = rest.trim().trim_matches('"');
    Some((key.to_owned(), value.to_owned()))
}

/// The registry for `package`: its scope's, else `registry` (npm's default layer counts only for
/// npm and pnpm; yarn 1's default is its mirror).
fn pick_registry(
    client: ClientKind,
    effective: &BTreeMap<String, Value>,
    yarnrc: Option<&BTreeMap<String, Value>>,
    package: &str,
) -> (String, Provenance, String) {
    let scope = route::scope_of(package);
    let mut keys: Vec<String> = scope.map(|s| format!("{s}:registry")).into_iter().collect();
    keys.push("registry".into());
    for key in keys {
        let candidates = [effective.get(&key), yarnrc.and_then(|y| y.get(&key))];
        for v in candidates.into_iter().flatten() {
            if client == ClientKind::Yarn1 && v.layer() == Layer::Default {
                continue;
            }
            if let Some(url) = v.text().and_then(layers::normalize_registry) {
                return (url, v.provenance.clone(), key);
            }
        }
    }
    let default = if client == ClientKind::Yarn1 {
        YARN_REGISTRY
    } else {
        NPM_REGISTRY
    };
    let key = scope.map_or("registry".to_owned(), |s| format!("{s}:registry"));
    (default.to_owned(), Provenance::Default, key)
}

fn sent(v: &Value, header: HeaderKind, client: ClientKind) -> SentCredential {
    let redacted = credential::from_value(v, credential::now())
        .map(|c| c.redacted)
        .unwrap_or_else(|| "(hidden)".into());
    let pnpm = matches!(client, ClientKind::Pnpm(_));
    SentCredential {
        empty: pnpm && is_unreplaced_credential(v),
        key: v.key.clone(),
        source: v.provenance.clone(),
        header: match header {
            HeaderKind::Basic => "Basic",
            _ => "Bearer",
        },
        redacted,
    }
}

fn npm_style_credential<'a>(
    client: ClientKind,
    url: &str,
    registry: &str,
    default_registry: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> (Option<SentCredential>, Option<String>) {
    let r = route::credential_route(url, registry, default_registry, get);
    match r.key.as_deref().and_then(get) {
        Some(v) => (Some(sent(v, r.header, client)), None),
        None => (None, Some(r.reason)),
    }
}

/// yarn 1's `getAuth`/`getRegistryOption` and its scoped-or-always-auth rule.
fn yarn1_credential<'a>(
    url: &str,
    registry: &str,
    package: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> (Option<SentCredential>, Option<String>) {
    let truthy = |k: &str| get(k).filter(|v| v.is_truthy());
    let always_auth = registry_option(registry, "always-auth", &truthy).is_some();
    if route::scope_of(package).is_none() && !always_auth {
        return (
            None,
            Some("yarn 1 sends a credential only for scoped packages or with always-auth".into()),
        );
    }
    let _ = url;
    let mut registries = vec![registry.to_owned()];
    if registry == YARN_REGISTRY {
        registries.push(NPM_REGISTRY.to_owned());
    }
    for reg in &registries {
        if let Some(v) = registry_option(reg, "_authToken", &truthy) {
            return (Some(sent(v, HeaderKind::Bearer, ClientKind::Yarn1)), None);
        }
        if let Some(v) = registry_option(reg, "_auth", &truthy) {
            return (Some(sent(v, HeaderKind::Basic, ClientKind::Yarn1)), None);
        }
        if let (Some(v), Some(_)) = (
            registry_option(reg, "username", &truthy),
            registry_option(reg, "_password", &truthy),
        ) {
            return (Some(sent(v, HeaderKind::Basic, ClientKind::Yarn1)), None);
        }
    }
    (
        None,
        Some(format!(
            "no `{}:_authToken` (or _auth) yarn 1 would use",
            yarn1_key(registry)
        )),
    )
}

/// `//host/path/` as yarn 1's second attempt spells it.
fn yarn1_key(registry: &str) -> String {
    let reg = with_slash(registry);
    match reg.split_once("//") {
        Some((_, rest)) => format!("//{rest}"),
        None => reg,
    }
}

/// `getRegistryOrGlobalOption`: `<registry/>:opt`, without `http(s):`, without a trailing
/// `registry/`, then the top-level option.
fn registry_option<'a>(
    registry: &str,
    option: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> Option<&'a Value> {
    let mut reg = with_slash(registry);
    loop {
        if let Some(v) = get(&format!("{reg}:{option}")) {
            return Some(v);
        }
        if let Some(rest) = reg
            .strip_prefix("https:")
            .or_else(|| reg.strip_prefix("http:"))
        {
            reg = rest.to_owned();
        } else if let Some(rest) = reg.strip_suffix("registry/") {
            reg = rest.to_owned();
        } else {
            break;
        }
    }
    get(option)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yarnrc_lines_in_both_spellings() {
        assert_eq!(
            yarnrc_line("registry \"http://127.0.0.1:4873/\""),
            Some(("registry".into(), "http://127.0.0.1:4873/".into()))
        );
        assert_eq!(
            yarnrc_line("\"@priv:registry\" \"http://h/\""),
            Some(("@priv:registry".into(), "http://h/".into()))
        );
        assert_eq!(yarnrc_line("# comment"), None);
    }

    #[test]
    fn yarn1_key_drops_the_scheme() {
        assert_eq!(yarn1_key("http://127.0.0.1:4873"), "//127.0.0.1:4873/");
    }
}
