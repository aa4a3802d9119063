//! One identity for registry URLs (a leaf: it uses no other regauth module): npm's nerf-dart key, npm's same-host rule and the same-server test, all from one parse.
//!
//! Built on `url::Url` the way WHATWG `URL` (what npm uses) reads a URL: the host is lower-cased,
//! the scheme's default port is dropped, query, fragment and user info play no part. Like uv's
//! `Realm` (astral-sh/uv, crates/uv-auth) a server is scheme + host + port; npm's credential key
//! (`@npmcli/config` `lib/nerf-dart.js`) ignores the scheme and keeps the directory of the path:
//!
//! ```js
//! const parsed = new URL(url)
//! const rel = new URL('.', `${parsed.protocol}//${parsed.host}${parsed.pathname}`)
//! return `//${rel.host}${rel.pathname}`
//! ```

use std::fmt;

/// Loopback names that reach the same server on one machine, though npm keys them apart.
const LOOPBACK: &[&str] = &["localhost", "127.0.0.1", "[::1]"];

/// A parsed registry (or request) URL with its query, fragment and user info removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryUrl {
    url: url::Url,
}

impl RegistryUrl {
    /// `None` when the text is not an absolute URL with a host.
    pub fn parse(text: &str) -> Option<RegistryUrl> {
        let mut url = url::Url::parse(text.trim()).ok()?;
        url.host_str()?;
        url.set_query(None);
        url.set_fragment(None);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Some(RegistryUrl { url })
    }

    pub fn scheme(&self) -> &str {
        self.url.scheme()
    }

    /// The host name alone, lower-cased (`[::1]` for IPv6).
    pub fn host_name(&self) -> &str {
        self.url.host_str().unwrap_or("")
    }

    /// WHATWG `url.host`: the host plus the port when it is not the scheme's default
    /// (`h.example` for `https://H.example:443/`, `h.example:8443` otherwise).
    pub fn host(&self) -> String {
        match self.url.port() {
            Some(port) => format!("{}:{port}", self.host_name()),
            None => self.host_name().to_owned(),
        }
    }

    /// The port in effect, explicit or the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.url.port_or_known_default()
    }

    pub fn path(&self) -> &str {
        self.url.path()
    }

    /// The URL itself, normalised (`https://h.example/npm/`).
    pub fn as_str(&self) -> &str {
        self.url.as_str()
    }

    /// npm's nerf dart: `//host[:port]/directory/`, the prefix of every credential key npm
    /// would look up first for this URL. A last path segment without a trailing slash is not
    /// part of it (`https://h/api/npm/npm` -> `//h/api/npm/`).
    pub fn nerf_dart(&self) -> String {
        let path = self.path();
        let dir = match path.rfind('/') {
            Some(i) => &path[..=i],
            None => "/",
        };
        format!("//{}{dir}", self.host())
    }

    /// The credential key npm reads for this registry and field (`//h/:_authToken`).
    pub fn credential_key(&self, field: &str) -> String {
        format!("{}:{field}", self.nerf_dart())
    }

    /// npm-registry-fetch's `sameHost`: the same WHATWG host (name and non-default port); the
    /// scheme does not count.
    pub fn same_host(&self, other: &RegistryUrl) -> bool {
        self.host() == other.host()
    }

    /// One server under two spellings: the same port in effect, and the same host name or two
    /// loopback names. npm still keys their credentials apart.
    pub fn same_server(&self, other: &RegistryUrl) -> bool {
        let (a, b) = (self.host_name(), other.host_name());
        self.port() == other.port() && (a == b || LOOPBACK.contains(&a) && LOOPBACK.contains(&b))
    }
}

impl fmt::Display for RegistryUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The nerf dart of a URL text, `None` when it is not a URL.
pub fn nerf_dart(text: &str) -> Option<String> {
    RegistryUrl::parse(text).map(|u| u.nerf_dart())
}

/// The WHATWG host of a URL text (`host[:non-default port]`, lower-cased).
pub fn host(text: &str) -> Option<String> {
    RegistryUrl::parse(text).map(|u| u.host())
}

/// Two URL texts on one server (see [`RegistryUrl::same_server`]); false when either is not a URL.
pub fn same_server(a: &str, b: &str) -> bool {
    match (RegistryUrl::parse(a), RegistryUrl::parse(b)) {
        (Some(a), Some(b)) => a.same_server(&b),
        _ => false,
    }
}

/// One registry under two spellings: the same scheme, host, port and path, a trailing slash
/// aside (`https://H.example:443/npm` is `https://h.example/npm/`). Texts that are no URL are
/// compared as written, trailing slashes aside.
pub fn same_registry(a: &str, b: &str) -> bool {
    match (RegistryUrl::parse(a), RegistryUrl::parse(b)) {
        (Some(x), Some(y)) => {
            x.scheme() == y.scheme()
                && x.host() == y.host()
                && x.path().trim_end_matches('/') == y.path().trim_end_matches('/')
        }
        _ => a.trim_end_matches('/') == b.trim_end_matches('/'),
    }
}

/// npm's `sameHost` on two URL texts; false when either is not a URL.
pub fn same_host(a: &str, b: &str) -> bool {
    match (RegistryUrl::parse(a), RegistryUrl::parse(b)) {
        (Some(a), Some(b)) => a.same_host(&b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// npm's own cases (`workspaces/config/test/nerf-dart.js` in npm/cli) and the WHATWG rules
    /// they rest on: every URL on the left has the key on the right.
    #[test]
    fn nerf_darts_as_npm_makes_them() {
        let cases = [
            ("https://registry.npmjs.org", "//registry.npmjs.org/"),
            ("https://registry.npmjs.org/package-name", "//registry.npmjs.org/"),
            ("https://registry.npmjs.org/package-name?write=true", "//registry.npmjs.org/"),
            ("https://registry.npmjs.org/@scope%2fpackage-name", "//registry.npmjs.org/"),
            ("https://username:password@registry.npmjs.org/package-name?write=true", "//registry.npmjs.org/"),
            ("https://registry.npmjs.org/?write=true#hash", "//registry.npmjs.org/"),
            ("https://registry.npmjs.org/@scope%2fpackage-name#hash", "//registry.npmjs.org/"),
            ("https://my-couch:5984/registry/_design/app/rewrite/", "//my-couch:5984/registry/_design/app/rewrite/"),
            ("https://my-couch:5984/registry/_design/app/rewrite/package-name?write=true", "//my-couch:5984/registry/_design/app/rewrite/"),
            ("https://username:password@my-couch:5984/registry/_design/app/rewrite/@scope%2fpackage-name#hash", "//my-couch:5984/registry/_design/app/rewrite/"),
            // default ports are dropped, others kept
            ("https://h.example:443/", "//h.example/"),
            ("http://h.example:80/", "//h.example/"),
            ("http://h.example:443/", "//h.example:443/"),
            ("https://h.example:80/", "//h.example:80/"),
            ("http://127.0.0.1:4873/", "//127.0.0.1:4873/"),
            // the host is lower-cased, the path is not
            ("https://H.Example/Npm/", "//h.example/Npm/"),
            // a last segment without a slash is a file, not a directory
            ("https://h/artifactory/api/npm/npm", "//h/artifactory/api/npm/"),
            ("https://h/artifactory/api/npm/npm/", "//h/artifactory/api/npm/npm/"),
            // the scheme is not part of the key
            ("http://npm.pkg.github.com", "//npm.pkg.github.com/"),
            ("https://[::1]:4873/", "//[::1]:4873/"),
        ];
        for (url, key) in cases {
            assert_eq!(nerf_dart(url).as_deref(), Some(key), "{url}");
        }
        assert_eq!(nerf_dart("not a valid url"), None);
    }

    /// Pairs npm treats as one credential key, and pairs it keeps apart.
    #[test]
    fn equal_and_unequal_keys() {
        let equal = [
            ("https://h.example/", "https://h.example:443/"),
            ("https://H.EXAMPLE/", "https://h.example/"),
            ("http://h.example/", "https://h.example/"),
            ("https://h.example/npm/pkg", "https://h.example/npm/"),
            ("https://u:p@h.example/?q=1", "https://h.example/#x"),
        ];
        let unequal = [
            ("http://h.example:443/", "https://h.example/"),
            ("https://h.example:8443/", "https://h.example/"),
            ("https://h.example/npm", "https://h.example/npm/"),
            ("https://h.example/Npm/", "https://h.example/npm/"),
            ("http://localhost:4873/", "http://127.0.0.1:4873/"),
            ("https://h.example/a/", "https://h.example/b/"),
        ];
        for (a, b) in equal {
            assert_eq!(nerf_dart(a), nerf_dart(b), "{a} vs {b}");
        }
        for (a, b) in unequal {
            assert_ne!(nerf_dart(a), nerf_dart(b), "{a} vs {b}");
        }
    }

    #[test]
    fn same_host_and_same_server() {
        assert!(same_host("http://h.example/a", "https://h.example/b"));
        assert!(same_host("https://h.example:443/", "https://H.example/"));
        assert!(!same_host("https://h.example:8443/", "https://h.example/"));
        assert!(same_server(
            "http://127.0.0.1:4873/",
            "http://localhost:4873/"
        ));
        assert!(same_server(
            "http://127.0.0.1:4873/",
            "http://127.0.0.1:4873/npm/"
        ));
        assert!(!same_server(
            "http://127.0.0.1:4873/",
            "http://127.0.0.1:4874/"
        ));
        assert!(!same_server("https://a.example/", "https://b.example/"));
        assert!(same_server(
            "https://a.example/",
            "https://a.example:443/x/"
        ));
        assert!(!same_server("http://a.example/", "https://a.example/"));
        assert!(!same_server("not a url", "https://a.example/"));
    }

    #[test]
    fn same_registries() {
        assert!(same_registry(
            "https://H.example:443/npm",
            "https://h.example/npm/"
        ));
        assert!(same_registry(
            "http://127.0.0.1:4873/",
            "http://127.0.0.1:4873"
        ));
        assert!(!same_registry("http://h.example/", "https://h.example/"));
        assert!(!same_registry(
            "https://h.example/a/",
            "https://h.example/b/"
        ));
        assert!(!same_registry(
            "https://h.example:8443/",
            "https://h.example/"
        ));
    }

    #[test]
    fn hosts() {
        assert_eq!(
            host("https://u:p@Example.com:8080/x").as_deref(),
            Some("example.com:8080")
        );
        assert_eq!(
            host("https://Example.com:443/x").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("nope"), None);
    }
}
