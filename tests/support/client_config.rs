//! What pnpm, yarn 1 and yarn berry themselves report of their configuration (`pnpm config
//! list --json`, `yarn config get`, berry's `yarn config get npmScopes --json`, ...), reduced
//! to what `regauth doctor --client X --format json` also says for a package: the registry it
//! goes to, and which credential keys hold a non-empty value.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{NpmEnv, TestClient};

/// A client's own view: its default registry, its scopes' registries, and the credential keys
/// (`//host/path/:_authToken`; berry: `//host` of `npmRegistries`, `@scope`) it holds a token
/// for. `Err`: the client refused to load its configuration (its message).
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub registry: String,
    pub scopes: BTreeMap<String, String>,
    pub tokens: Vec<String>,
}

/// `registry` with one trailing slash (clients print it with or without).
pub fn slashed(registry: &str) -> String {
    format!("{}/", registry.trim().trim_end_matches('/'))
}

fn run(env: &NpmEnv, client: TestClient, args: &[&str]) -> Result<String, String> {
    let out = env
        .command(client.program())
        .args(args)
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
    }
}

/// The client's own report for the scopes `scopes` (`a`, without `@`).
pub fn reported(env: &NpmEnv, client: TestClient, scopes: &[&str]) -> Result<Reported, String> {
    match client {
        TestClient::Yarn4 => berry(env, scopes),
        TestClient::Yarn1 => yarn1(env, scopes),
        _ => pnpm(env, scopes),
    }
}

fn token_keys(config: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = config
        .iter()
        .filter(|(k, v)| k.ends_with(":_authToken") && v.as_str().is_some_and(|v| !v.is_empty()))
        .map(|(k, _)| k.clone())
        .collect();
    keys.sort();
    keys
}

fn pnpm(env: &NpmEnv, scopes: &[&str]) -> Result<Reported, String> {
    let text = run(env, TestClient::Pnpm12, &["config", "list", "--json"])?;
    let json: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    let config = json.as_object().cloned().unwrap_or_default();
    let registry = slashed(
        json["registry"]
            .as_str()
            .unwrap_or("https://registry.npmjs.org/"),
    );
    let scopes = scopes
        .iter()
        .map(|s| {
            let own = json[format!("@{s}:registry")].as_str().map(slashed);
            (s.to_string(), own.unwrap_or_else(|| registry.clone()))
        })
        .collect();
    Ok(Reported {
        registry,
        scopes,
        tokens: token_keys(&config),
    })
}

/// yarn 1 reads a scope's registry, then the default one, each from the merged `.npmrc` first
/// and its own config second (`NpmRegistry.getRegistry`); `yarn config get` shows only the
/// latter, so both blocks of `yarn config list --json` are read.
fn yarn1(env: &NpmEnv, scopes: &[&str]) -> Result<Reported, String> {
    let list = run(env, TestClient::Yarn1, &["config", "list", "--json"])?;
    let blocks: Vec<serde_json::Map<String, Value>> = list
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|l| l["type"] == "inspect")
        .filter_map(|l| l["data"].as_object().cloned())
        .collect();
    let [yarn_config, npm_config] = &blocks[..] else {
        return Err(format!("not two config blocks: {list}"));
    };
    let lookup = |key: &str| {
        [npm_config, yarn_config]
            .iter()
            .find_map(|c| c.get(key)?.as_str().filter(|v| !v.is_empty()).map(slashed))
    };
    let registry = lookup("registry").unwrap_or_else(|| "https://registry.yarnpkg.com/".into());
    let scoped = scopes
        .iter()
        .map(|s| {
            let own = lookup(&format!("@{s}:registry"));
            (s.to_string(), own.unwrap_or_else(|| registry.clone()))
        })
        .collect();
    Ok(Reported {
        registry,
        scopes: scoped,
        tokens: token_keys(npm_config),
    })
}

fn berry(env: &NpmEnv, scopes: &[&str]) -> Result<Reported, String> {
    let get_json = |key: &str| -> Result<Value, String> {
        let text = run(env, TestClient::Yarn4, &["config", "get", key, "--json"])?;
        if text.trim() == "undefined" {
            return Ok(Value::Null); // an empty section
        }
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    };
    let registry = slashed(get_json("npmRegistryServer")?.as_str().unwrap_or_default());
    let npm_scopes = get_json("npmScopes")?;
    let mut tokens = Vec::new();
    let mut scoped = BTreeMap::new();
    for s in scopes {
        let entry = &npm_scopes[*s];
        let own = entry["npmRegistryServer"].as_str().map(slashed);
        scoped.insert(s.to_string(), own.unwrap_or_else(|| registry.clone()));
        if entry["npmAuthToken"].is_string() {
            tokens.push(format!("@{s}"));
        }
    }
    let registries = get_json("npmRegistries")?;
    for (host, entry) in registries.as_object().into_iter().flatten() {
        if entry["npmAuthToken"].is_string() {
            tokens.push(host.clone());
        }
    }
    tokens.sort();
    Ok(Reported {
        registry,
        scopes: scoped,
        tokens,
    })
}
