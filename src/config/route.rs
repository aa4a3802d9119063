//! Where npm sends a request and which credential it attaches, following npm-registry-fetch
//! (`lib/auth.js` `getAuth`/`regFromURI`, `pickRegistry`) and `@npmcli/config`'s `nerf-dart.js`:
//! the walk up `//host[:port]/path` (longest key wins), `_authToken` > `_auth` >
//! `username`+`_password` > `certfile`+`keyfile`, the same-host rule for tarballs, and the
//! scoped-registry case where nothing is sent.

use serde::Serialize;

use crate::config::value::Value;

/// Which credential field a matched key provides (npm's `authKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuthKey {
    #[serde(rename = "_authToken")]
    AuthToken,
    #[serde(rename = "_auth")]
    Auth,
    #[serde(rename = "username")]
    Username,
    #[serde(rename = "certfile")]
    Certfile,
    /// No key matched, but the request URL carries `user:password@` (or `token@`).
    #[serde(rename = "url-userinfo")]
    UrlUserinfo,
}

impl AuthKey {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthKey::AuthToken => "_authToken",
            AuthKey::Auth => "_auth",
            AuthKey::Username => "username",
            AuthKey::Certfile => "certfile",
            AuthKey::UrlUserinfo => "url-userinfo",
        }
    }

    /// The `Authorization` header npm builds from it.
    pub(crate) fn header(self) -> HeaderKind {
        match self {
            AuthKey::AuthToken => HeaderKind::Bearer,
            AuthKey::Auth | AuthKey::Username | AuthKey::UrlUserinfo => HeaderKind::Basic,
            AuthKey::Certfile => HeaderKind::None,
        }
    }
}

/// The kind of `Authorization` header npm sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HeaderKind {
    Bearer,
    Basic,
    None,
}

/// npm's answer for one URL: the key whose credential it sends, or none and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub url: String,
    /// The registry the request belongs to (a scope's registry or the default one).
    pub registry: String,
    /// `regKey:authKey`, e.g. `//127.0.0.1:4873/:_authToken`, when a credential is sent.
    pub key: Option<String>,
    /// The nerf-dart prefix that matched, e.g. `//127.0.0.1:4873/`.
    pub reg_key: Option<String>,
    pub auth_key: Option<AuthKey>,
    pub header: HeaderKind,
    /// One sentence saying why this key (or none) applies.
    pub reason: String,
}

impl Route {
    /// npm (or Node, for URL user info) sends a credential with this request.
    pub fn sends_credential(&self) -> bool {
        self.key.is_some() || self.auth_key == Some(AuthKey::UrlUserinfo)
    }
}

/// `nerf-dart.js`: `//host[:port]/dir/` for a URL (no scheme, no last path segment without a
/// trailing slash, no query, no user info). `None` when it is not a URL.
pub(crate) fn nerf_dart(url: &str) -> Option<String> {
    crate::registry_url::nerf_dart(url)
}

/// WHATWG `url.host`: host name plus the port when it is not the scheme's default.
pub(crate) fn host_with_port(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// The keys `regFromURI` tries for a URL, longest first: `//h/a/b/`, `//h/a/b`, `//h/a/`, ...
pub(crate) fn walk_keys(url: &str) -> Vec<String> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Vec::new();
    };
    let mut key = format!("//{}{}", host_with_port(&parsed), parsed.path());
    let mut keys = Vec::new();
    while key.len() > 2 {
        keys.push(key.clone());
        if key.ends_with('/') {
            key.pop();
        } else {
            let cut = key.rfind('/').map(|i| i + 1).unwrap_or(0);
            key.truncate(cut);
        }
    }
    keys
}

/// The credential lookup npm does on its flattened options (`hasAuth`): values must be truthy.
pub(crate) fn has_auth<'a>(
    reg_key: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> Option<AuthKey> {
    let truthy = |field: &str| get(&format!("{reg_key}:{field}")).is_some_and(Value::is_truthy);
    if truthy("_authToken") {
        Some(AuthKey::AuthToken)
    } else if truthy("_auth") {
        Some(AuthKey::Auth)
    } else if truthy("username") && truthy("_password") {
        Some(AuthKey::Username)
    } else if truthy("certfile") && truthy("keyfile") {
        Some(AuthKey::Certfile)
    } else {
        None
    }
}

fn reg_from_uri<'a>(
    url: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> Option<(String, AuthKey)> {
    walk_keys(url)
        .into_iter()
        .find_map(|k| has_auth(&k, get).map(|a| (k, a)))
}

fn same_host(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => host_with_port(&a) == host_with_port(&b),
        _ => false,
    }
}

/// `getAuth(uri, opts)` and what goes on the wire: `registry` is the request's registry
/// (`@scope:registry` of the package, else the default), `default_registry` is npm's
/// `registry`. When npm sets no `Authorization` header and the URL carries user info, Node
/// sends that as Basic (minipass-fetch hands `user:password` to `http.request`).
pub(crate) fn credential_route<'a>(
    url: &str,
    registry: &str,
    default_registry: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> Route {
    let route = npm_auth_route(url, registry, default_registry, get);
    if route.key.is_some() {
        return route;
    }
    let Some(user) = url::Url::parse(url.trim())
        .ok()
        .filter(|u| !u.username().is_empty() || u.password().is_some())
        .map(|u| u.username().to_owned())
    else {
        return route;
    };
    Route {
        auth_key: Some(AuthKey::UrlUserinfo),
        header: HeaderKind::Basic,
        reason: format!(
            "no credential key covers this URL, so its own user info (`{user}:****@`) is sent as Basic"
        ),
        ..route
    }
}

fn npm_auth_route<'a>(
    url: &str,
    registry: &str,
    default_registry: &str,
    get: &impl Fn(&str) -> Option<&'a Value>,
) -> Route {
    let base = Route {
        url: url.to_owned(),
        registry: registry.to_owned(),
        key: None,
        reg_key: None,
        auth_key: None,
        header: HeaderKind::None,
        reason: String::new(),
    };
    if let Some((reg_key, auth_key)) = reg_from_uri(url, get) {
        return Route {
            key: Some(format!("{reg_key}:{}", auth_key.as_str())),
            reason: format!("`{reg_key}` is the longest credential key covering this URL"),
            reg_key: Some(reg_key),
            auth_key: Some(auth_key),
            header: auth_key.header(),
            ..base
        };
    }
    if url != registry && same_host(url, registry) {
        let via = npm_auth_route(registry, registry, default_registry, get);
        let reason = match &via.key {
            Some(k) => format!("no key covers this URL; it is on the registry's host, so npm sends the registry's `{k}`"),
            None => "no credential key covers this URL or its registry".to_owned(),
        };
        return Route {
            url: url.to_owned(),
            reason,
            ..via
        };
    }
    let reason = if registry != default_registry {
        match reg_from_uri(registry, get) {
            Some((k, _)) => format!(
                "no key covers this URL and it is not on the scope registry's host: npm sends nothing (the scope registry's `{k}` is not used)"
            ),
            None => "no credential key covers this URL or its scope registry".to_owned(),
        }
    } else {
        "no credential key covers this URL".to_owned()
    };
    Route { reason, ..base }
}

/// The scope of a package name (`@scope` of `@scope/name`).
pub(crate) fn scope_of(package: &str) -> Option<&str> {
    package
        .starts_with('@')
        .then(|| package.split('/').next())
        .flatten()
        .filter(|s| s.len() > 1)
}

/// The packument URL pacote requests: registry without trailing slashes, `/`, escaped name.
pub(crate) fn packument_url(registry: &str, package: &str) -> String {
    format!(
        "{}/{}",
        registry.trim_end_matches('/'),
        package.replacen('/', "%2f", 1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nerf_darts() {
        assert_eq!(
            nerf_dart("https://registry.npmjs.org/").unwrap(),
            "//registry.npmjs.org/"
        );
        assert_eq!(
            nerf_dart("http://127.0.0.1:4873").unwrap(),
            "//127.0.0.1:4873/"
        );
        assert_eq!(nerf_dart("https://h/api/npm/repo").unwrap(), "//h/api/npm/");
        assert_eq!(
            nerf_dart("https://h/api/npm/repo/").unwrap(),
            "//h/api/npm/repo/"
        );
        assert_eq!(nerf_dart("https://u:p@H:443/a/?q=1#f").unwrap(), "//h/a/");
        assert_eq!(nerf_dart("not a url"), None);
    }

    #[test]
    fn walk_alternates_segment_and_slash() {
        assert_eq!(
            walk_keys("http://h:1/a/b"),
            vec!["//h:1/a/b", "//h:1/a/", "//h:1/a", "//h:1/", "//h:1"]
        );
    }

    #[test]
    fn packument_urls() {
        assert_eq!(packument_url("http://h/r//", "@s/p"), "http://h/r/@s%2fp");
        assert_eq!(packument_url("http://h/", "p"), "http://h/p");
        assert_eq!(scope_of("@s/p"), Some("@s"));
        assert_eq!(scope_of("p"), None);
    }
}
