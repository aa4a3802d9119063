//! Failure shapes that look like auth but are not a registry's auth decision: the structure of
//! the request (which registry, which package, which URL) says so, not the words around it.

use super::registry::{self, Kind};
use crate::detect::{url, Failure, Operation};

/// A 403 on reading an unscoped package from npmjs or its yarn front. Unscoped packages on
/// npmjs are always public ("Unscoped packages are always public",
/// https://docs.npmjs.com/package-scope-access-level-and-visibility), and npmjs answers a token
/// it refuses with 401, which npm-registry-fetch lib/check-response.js turns into E401: no
/// credential decides such a read, so its 403 came from something on the way (a filtering
/// proxy, a firewall, a CDN edge's rule). A refused packument read stays explained: an egress
/// policy that blocks a package by name answers there (blocked-by-policy).
pub(crate) fn public_tarball_refused_on_the_way(f: &Failure) -> bool {
    f.http_status == Some(403)
        && public_registry_read(f)
        && on_npmjs_or_yarnpkg(f)
        && f.url.as_deref().is_some_and(url::is_tarball)
        && f.package.as_deref().is_some_and(|p| !p.starts_with('@'))
}

/// A scoped package npmjs answered 404 on a read, with nothing in the text
/// that speaks of a credential. npmjs answers 404 both for a name nobody published and for a
/// private package the request may not see (npm's own E404 text says "could not be found or you
/// do not have permission to access it", npm/cli lib/utils/error-message.js), and a scope
/// mapped elsewhere is asked here the same way: the text alone cannot tell which, so it is no
/// auth finding ("not an auth failure, or cannot tell"); the configuration and the probes
/// decide it live. Auth evidence keeps it explained: a refused or expired credential, an
/// unexpanded variable, settings pnpm ignored, a placeholder token.
pub(crate) fn scoped_not_found_cannot_tell(f: &Failure) -> bool {
    let s = &f.signals;
    let auth_evidence = s.token_expired_notice
        || s.credential_rejected
        || s.auth_settings_found == Some(true)
        || !s.env_unresolved.is_empty()
        || !s.ignored_auth_settings.is_empty()
        || s.placeholder_token
        || s.no_auth_configured;
    // registry.yarnpkg.com is left out: a token keyed to npmjs is not sent there, so its
    // scoped 404 speaks of a credential (its bare 401 bias is token-wrong-host, registry.rs)
    f.http_status == Some(404)
        && public_registry_read(f)
        && on(f, &[Kind::Npmjs])
        && f.package.as_deref().is_some_and(|p| p.starts_with('@'))
        && !auth_evidence
}

/// A 403 for a name Verdaccio does not serve at all: its route validation answers
/// `getForbidden('invalid ' + param)` ("invalid package", "invalid filename") for any name its
/// `validateName` refuses: not URL-safe, starting with `.` or `-`, or `node_modules`,
/// `__proto__`, `package.json`, `favicon.ico` (verdaccio/verdaccio
/// packages/middleware/src/middlewares/validation.ts, packages/utils validateName). No
/// credential is asked about such a name.
pub(crate) fn name_the_registry_refuses(f: &Failure) -> bool {
    if f.http_status != Some(403) {
        return false;
    }
    let invalid_route = f.server_message.as_deref().is_some_and(|m| {
        let m = m.trim().trim_end_matches('.').to_ascii_lowercase();
        m == "invalid package" || m == "invalid filename"
    });
    let invalid_name = f.package.as_deref().is_some_and(|p| {
        let name = p.rsplit('/').next().unwrap_or(p).to_ascii_lowercase();
        name.starts_with(['.', '-'])
            || ["node_modules", "__proto__", "package.json", "favicon.ico"].contains(&name.as_str())
    });
    invalid_route || invalid_name
}

/// The URL is a file on github.com itself (a `raw` file, a release asset), not GitHub's npm
/// registry, which is npm.pkg.github.com ("https://npm.pkg.github.com", GitHub docs,
/// working-with-the-npm-registry): yarn 4 downloads its plugins and releases from there, and
/// a 404 says the file does not exist.
pub(crate) fn file_on_github_itself(f: &Failure) -> bool {
    f.url
        .as_deref()
        .and_then(url::host)
        .is_some_and(|h| h == "github.com" || h == "raw.githubusercontent.com")
}

/// A download from GitHub Packages failed and the text lost its status (yarn 1's `Request
/// failed` cut off): GitHub Packages wants a token for every install, public packages
/// included ("You need an access token to publish, install, and delete private, internal, and
/// public packages", https://docs.github.com/en/packages/working-with-a-github-packages-registry/working-with-the-npm-registry),
/// so a failed download there is an auth question.
pub(crate) fn download_needs_a_token(f: &Failure) -> bool {
    f.signals.has_error && public_registry_read(f) && on(f, &[Kind::Github])
}

/// A read: no write method, no publish/login/owner command (the two shapes above share it).
fn public_registry_read(f: &Failure) -> bool {
    !matches!(f.method.as_deref(), Some("PUT" | "POST" | "DELETE"))
        && matches!(f.signals.operation, Operation::Read | Operation::Unknown)
}

/// A tarball URL on npmjs/yarnpkg whose file is not `<name>-<version>.tgz` of the package in
/// its path. npmjs serves tarballs at `<name>/-/<unscoped name>-<version>.tgz` (every npmjs
/// packument's `dist.tarball` has that shape; npm/registry docs/REGISTRY-API.md): another file
/// name is a broken URL (a hand-edited or corrupted lockfile), and its 404 says the file does
/// not exist, not that it is hidden.
pub(crate) fn tarball_not_of_its_package(f: &Failure) -> bool {
    let (Some(u), Some(package)) = (f.url.as_deref(), f.package.as_deref()) else {
        return false;
    };
    if !on_npmjs_or_yarnpkg(f) {
        return false;
    }
    let Some((_, file)) = url::path(u).rsplit_once("/-/") else {
        return false;
    };
    let unscoped = package.rsplit('/').next().unwrap_or(package);
    file.ends_with(".tgz") && !file.contains('/') && !file.starts_with(&format!("{unscoped}-"))
}

/// The URL names a version inside its path (`https://pkg.pr.new/o/r/@s/name@f07e1a3`): a URL
/// dependency written in package.json or on the command line, which no registry route has
/// (packuments are `<registry>/<name>`, tarballs `<name>/-/<file>.tgz`: npm/registry
/// docs/REGISTRY-API.md). A 404 on it says that build does not exist.
pub(crate) fn url_names_a_version(f: &Failure) -> bool {
    let Some(u) = f.url.as_deref() else {
        return false;
    };
    let path = url::path(u).replace("%40", "@");
    path.split('/')
        .any(|segment| segment.len() > 1 && segment[1..].contains('@'))
}

fn on_npmjs_or_yarnpkg(f: &Failure) -> bool {
    on(f, &[Kind::Npmjs, Kind::Yarnpkg])
}

/// The failing URL is on a registry of one of these kinds.
fn on(f: &Failure, kinds: &[Kind]) -> bool {
    f.url
        .as_deref()
        .is_some_and(|u| kinds.contains(&registry::entry_for(u).kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::from_text;

    #[test]
    fn an_unscoped_npmjs_tarball_403_is_refused_on_the_way() {
        let f = from_text("npm error code E403\nnpm error 403 403 Forbidden - GET https://registry.npmjs.org/strip-ansi/-/strip-ansi-6.0.1.tgz");
        assert!(public_tarball_refused_on_the_way(&f));
        let packument =
            from_text("npm error 403 403 Forbidden - GET https://registry.npmjs.org/discord.js");
        assert!(!public_tarball_refused_on_the_way(&packument));
        let scoped = from_text("npm error code E403\nnpm error 403 403 Forbidden - GET https://registry.npmjs.org/@acme/lib/-/lib-1.0.0.tgz");
        assert!(!public_tarball_refused_on_the_way(&scoped));
        let publish = from_text("npm error code E403\nnpm error 403 403 Forbidden - PUT https://registry.npmjs.org/lib - You do not have permission to publish \"lib\"");
        assert!(!public_tarball_refused_on_the_way(&publish));
        let private = from_text("npm error code E403\nnpm error 403 403 Forbidden - GET https://npm.example.com/lib/-/lib-1.0.0.tgz");
        assert!(!public_tarball_refused_on_the_way(&private));
    }

    #[test]
    fn a_tarball_file_of_another_name_is_a_broken_url() {
        let typo = from_text("error An unexpected error occurred: \"https://registry.yarnpkg.com/@kadira/storybook-addon-links/-/stoybook-addon-links-1.0.1.tgz: Request failed \\\"404 Not Found\\\"\".");
        assert!(tarball_not_of_its_package(&typo));
        let right = from_text("error An unexpected error occurred: \"https://registry.yarnpkg.com/@kadira/storybook-addon-links/-/storybook-addon-links-1.0.1.tgz: Request failed \\\"404 Not Found\\\"\".");
        assert!(!tarball_not_of_its_package(&right));
        // Artifactory names scoped tarballs with their scope: not npmjs's convention
        let arti = from_text("npm error 404 Not Found - GET https://a.example/artifactory/api/npm/npm/@s/p/-/@s/p-1.0.0.tgz");
        assert!(!tarball_not_of_its_package(&arti));
    }

    #[test]
    fn a_url_with_a_version_in_its_path_is_a_url_dependency() {
        let f = from_text(" ERR_PNPM_FETCH_404  GET https://pkg.pr.new/lunariajs/lunaria/@lunariajs/core@f07e1a3: Not Found - 404");
        assert!(url_names_a_version(&f));
        let registry = from_text(" ERR_PNPM_FETCH_404  GET https://registry.npmjs.org/@lunariajs%2fcore: Not Found - 404");
        assert!(!url_names_a_version(&registry));
        let github = from_text(
            "npm error 404 Not Found - GET https://npm.pkg.github.com/download/@a/b/1.0.2/57be",
        );
        assert!(!url_names_a_version(&github));
    }
}
