//! npm's defined config keys and their nopt types, generated from npm 11.19.1's
//! `@npmcli/config/lib/definitions` (sorted, so lookups are binary searches). nopt abbreviates
//! long options to any unique prefix of these names.

/// How nopt reads a key on the command line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Nopt {
    /// the type does not include Boolean: the key takes the next argument as its value
    pub(crate) takes_value: bool,
    /// the type is String alone: a following `-x`/`--x` argument is not taken as its value
    pub(crate) pure_string: bool,
    /// the type includes Array: nopt collects repeated values into a list
    pub(crate) list: bool,
}

const fn nopt(takes_value: bool, pure_string: bool, list: bool) -> Nopt {
    Nopt {
        takes_value,
        pure_string,
        list,
    }
}

const FLAG: Nopt = nopt(false, false, false);
const VALUE: Nopt = nopt(true, false, false);
const VALUE_LIST: Nopt = nopt(true, false, true);
const STRING: Nopt = nopt(true, true, false);

/// Every defined key (nopt's `types`) with how nopt reads it, sorted by name.
const KEYS: &[(&str, Nopt)] = &[
    ("_auth", VALUE),
    ("access", VALUE),
    ("all", FLAG),
    ("allow-directory", VALUE),
    ("allow-file", VALUE),
    ("allow-git", VALUE),
    ("allow-remote", VALUE),
    ("allow-same-version", FLAG),
    ("allow-scripts", VALUE_LIST),
    ("allow-scripts-pending", FLAG),
    ("allow-scripts-pin", FLAG),
    ("also", VALUE),
    ("audit", FLAG),
    ("audit-level", VALUE),
    ("auth-type", VALUE),
    ("before", VALUE),
    ("bin-links", FLAG),
    ("browser", FLAG),
    ("bypass-2fa", FLAG),
    ("ca", VALUE_LIST),
    ("cache", VALUE),
    ("cache-max", VALUE),
    ("cache-min", VALUE),
    ("cafile", VALUE),
    ("call", STRING),
    ("cert", VALUE),
    ("cidr", VALUE_LIST),
    ("color", FLAG),
    ("commit-hooks", FLAG),
    ("cpu", VALUE),
    ("dangerously-allow-all-scripts", FLAG),
    ("depth", VALUE),
    ("description", FLAG),
    ("dev", FLAG),
    ("diff", VALUE_LIST),
    ("diff-dst-prefix", STRING),
    ("diff-ignore-all-space", FLAG),
    ("diff-name-only", FLAG),
    ("diff-no-prefix", FLAG),
    ("diff-src-prefix", STRING),
    ("diff-text", FLAG),
    ("diff-unified", VALUE),
    ("dry-run", FLAG),
    ("editor", STRING),
    ("engine-strict", FLAG),
    ("expect-result-count", VALUE),
    ("expect-results", FLAG),
    ("expires", VALUE),
    ("fetch-retries", VALUE),
    ("fetch-retry-factor", VALUE),
    ("fetch-retry-maxtimeout", VALUE),
    ("fetch-retry-mintimeout", VALUE),
    ("fetch-timeout", VALUE),
    ("force", FLAG),
    ("foreground-scripts", FLAG),
    ("format-package-lock", FLAG),
    ("fund", FLAG),
    ("git", STRING),
    ("git-tag-version", FLAG),
    ("global", FLAG),
    ("global-style", FLAG),
    ("globalconfig", VALUE),
    ("heading", STRING),
    ("https-proxy", VALUE),
    ("if-present", FLAG),
    ("ignore-scripts", FLAG),
    ("include", VALUE_LIST),
    ("include-attestations", FLAG),
    ("include-staged", FLAG),
    ("include-workspace-root", FLAG),
    ("init-author-email", STRING),
    ("init-author-name", STRING),
    ("init-author-url", VALUE),
    ("init-license", STRING),
    ("init-module", VALUE),
    ("init-private", FLAG),
    ("init-type", STRING),
    ("init-version", VALUE),
    ("init.author.email", STRING),
    ("init.author.name", STRING),
    ("init.author.url", VALUE),
    ("init.license", STRING),
    ("init.module", VALUE),
    ("init.version", VALUE),
    ("install-links", FLAG),
    ("install-strategy", VALUE),
    ("json", FLAG),
    ("key", VALUE),
    ("legacy-bundling", FLAG),
    ("legacy-peer-deps", FLAG),
    ("libc", VALUE),
    ("link", FLAG),
    ("local-address", VALUE),
    ("location", VALUE),
    ("lockfile-version", VALUE),
    ("loglevel", VALUE),
    ("logs-dir", VALUE),
    ("logs-max", VALUE),
    ("long", FLAG),
    ("maxsockets", VALUE),
    ("message", STRING),
    ("min-release-age", VALUE),
    ("min-release-age-exclude", VALUE_LIST),
    ("name", VALUE),
    ("node-gyp", VALUE),
    ("node-options", VALUE),
    ("noproxy", VALUE_LIST),
    ("offline", FLAG),
    ("omit", VALUE_LIST),
    ("omit-lockfile-registry-resolved", FLAG),
    ("only", VALUE),
    ("optional", FLAG),
    ("orgs", VALUE_LIST),
    ("orgs-permission", VALUE),
    ("os", VALUE),
    ("otp", VALUE),
    ("pack-destination", STRING),
    ("package", VALUE_LIST),
    ("package-lock", FLAG),
    ("package-lock-only", FLAG),
    ("packages", VALUE_LIST),
    ("packages-all", FLAG),
    ("packages-and-scopes-permission", VALUE),
    ("parseable", FLAG),
    ("password", VALUE),
    ("prefer-dedupe", FLAG),
    ("prefer-offline", FLAG),
    ("prefer-online", FLAG),
    ("prefix", VALUE),
    ("preid", STRING),
    ("production", FLAG),
    ("progress", FLAG),
    ("provenance", FLAG),
    ("provenance-file", VALUE),
    ("proxy", VALUE),
    ("read-only", FLAG),
    ("rebuild-bundle", FLAG),
    ("registry", VALUE),
    ("replace-registry-host", VALUE),
    ("save", FLAG),
    ("save-bundle", FLAG),
    ("save-dev", FLAG),
    ("save-exact", FLAG),
    ("save-optional", FLAG),
    ("save-peer", FLAG),
    ("save-prefix", STRING),
    ("save-prod", FLAG),
    ("sbom-format", VALUE),
    ("sbom-type", VALUE),
    ("scope", STRING),
    ("scopes", VALUE_LIST),
    ("script-shell", VALUE),
    ("searchexclude", STRING),
    ("searchlimit", VALUE),
    ("searchopts", STRING),
    ("searchstaleness", VALUE),
    ("shell", STRING),
    ("shrinkwrap", FLAG),
    ("sign-git-commit", FLAG),
    ("sign-git-tag", FLAG),
    ("strict-allow-scripts", FLAG),
    ("strict-peer-deps", FLAG),
    ("strict-ssl", FLAG),
    ("tag", STRING),
    ("tag-version-prefix", STRING),
    ("timing", FLAG),
    ("token-description", VALUE),
    ("umask", VALUE),
    ("unicode", FLAG),
    ("update-notifier", FLAG),
    ("usage", FLAG),
    ("user-agent", STRING),
    ("userconfig", VALUE),
    ("version", FLAG),
    ("versions", FLAG),
    ("viewer", STRING),
    ("which", VALUE),
    ("workspace", VALUE_LIST),
    ("workspaces", FLAG),
    ("workspaces-update", FLAG),
    ("yes", FLAG),
];

/// How nopt reads `key`, if npm defines it.
pub(crate) fn nopt_type(key: &str) -> Option<Nopt> {
    KEYS.binary_search_by(|(name, _)| name.cmp(&key))
        .ok()
        .map(|at| KEYS[at].1)
}

/// The names of every defined key, sorted.
pub(crate) fn defined_keys() -> Vec<&'static str> {
    KEYS.iter().map(|(name, _)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique() {
        assert!(KEYS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn types_read_as_nopt_does() {
        assert_eq!(nopt_type("registry"), Some(VALUE));
        assert_eq!(nopt_type("tag"), Some(STRING));
        assert_eq!(nopt_type("ca"), Some(VALUE_LIST));
        assert_eq!(nopt_type("dry-run"), Some(FLAG));
        assert_eq!(nopt_type("no-such-key"), None);
    }
}
