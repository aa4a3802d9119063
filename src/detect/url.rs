//! What a registry URL says by itself: host, whether it is a tarball, which package it names.

/// `host[:port]` of a URL, lowercased, the scheme's default port dropped (WHATWG `url.host`).
pub(crate) fn host(url: &str) -> Option<String> {
    crate::registry_url::host(url)
}

/// The path of a URL (after the authority), without query.
pub(crate) fn path(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return url;
    };
    match rest.find('/') {
        Some(i) => rest[i..].split(['?', '#']).next().unwrap_or(""),
        None => "/",
    }
}

/// True for a tarball download (`/-/name-1.0.0.tgz`, GitHub's `/download/`).
pub(crate) fn is_tarball(url: &str) -> bool {
    let p = path(url);
    p.ends_with(".tgz")
        || p.contains("/-/") && !p.contains("/-/user/") && !p.ends_with("/-/whoami")
        || p.contains("/download/@")
}

/// True for the login endpoint (`npm login` / `npm adduser`).
pub(crate) fn is_login(url: &str) -> bool {
    path(url).contains("/-/user/org.couchdb.user:")
}

/// The package a registry URL names: `@scope/name` or `name`, decoded.
pub(crate) fn package(url: &str) -> Option<String> {
    let decoded = path(url)
        .replace("%2f", "/")
        .replace("%2F", "/")
        .replace("%40", "@");
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if let Some(i) = segments.iter().position(|s| s.starts_with('@')) {
        let name = segments.get(i + 1)?;
        if *name == "-" {
            return None;
        }
        return Some(format!("{}/{}", segments[i], name));
    }
    if let Some(i) = segments.iter().position(|s| *s == "-") {
        if i >= 1 && segments.get(i + 1).is_some_and(|f| f.ends_with(".tgz")) {
            return Some(segments[i - 1].to_owned());
        }
        return None;
    }
    let last = segments.last()?;
    let looks_like_name =
        !last.contains(['.', ':', '=']) || last.contains('.') && !last.ends_with(".tgz");
    (looks_like_name && !matches!(*last, "registry" | "npm" | "whoami")).then(|| (*last).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_from_urls() {
        assert_eq!(
            package("https://registry.npmjs.org/@outreach%2fhoneycomb-beeline").as_deref(),
            Some("@outreach/honeycomb-beeline")
        );
        assert_eq!(package("https://nexus.x/repository/npm-proxy/use-subscription/-/use-subscription-1.4.1.tgz").as_deref(), Some("use-subscription"));
        assert_eq!(
            package("https://npm.pkg.github.com/download/@a/b/1.0.2/57be").as_deref(),
            Some("@a/b")
        );
        assert_eq!(
            package("https://registry.npmjs.org/discord.js").as_deref(),
            Some("discord.js")
        );
        assert_eq!(
            package("https://gitlab.com/api/v4/projects/1/packages/npm/-/whoami"),
            None
        );
    }

    #[test]
    fn tarballs_and_hosts() {
        assert!(is_tarball(
            "http://localhost:4261/@denotest/basic/1.0.0.tgz"
        ));
        assert!(!is_tarball("https://registry.npmjs.org/yarn"));
        assert_eq!(
            host("https://u:p@Example.com:8080/x").as_deref(),
            Some("example.com:8080")
        );
    }
}
