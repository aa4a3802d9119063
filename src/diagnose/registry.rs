//! Registry kinds: how to recognise each from a URL, where its registry root is, and what its
//! fixes say. One table entry per kind (plus its `Kind` variant); adding a registry touches
//! only this file.

use crate::detect::url;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Npmjs,
    /// registry.yarnpkg.com: yarn's front for npmjs, a different host for credentials.
    Yarnpkg,
    /// Public read-only mirrors (npmmirror/taobao, cnpm): they accept no logins or publishes.
    Mirror,
    Github,
    Gitlab,
    Azure,
    CodeArtifact,
    Artifactory,
    Nexus,
    GoogleAr,
    Verdaccio,
    Other,
}

/// One registry kind: recognition, what its failures usually mean, and advice.
pub(crate) struct Entry {
    pub(crate) kind: Kind,
    /// The id used in reports and the corpus (`npmjs`, `github`, ...).
    pub(crate) id: &'static str,
    /// True when a URL belongs to this kind.
    pub(crate) matches: fn(host: &str, path: &str) -> bool,
    /// The registry root of a URL of this kind (where `.npmrc` keys and `--registry` point).
    pub(crate) root: fn(url: &str) -> Option<String>,
    /// How to get a working credential for `registry` (commands and steps), `login` being the
    /// failing client's login command (`npm login`, `pnpm login`).
    pub(crate) login: fn(registry: &str, login: &str) -> Vec<String>,
    /// Where a token for `registry` comes from and which type to pick, as one phrase (`None`
    /// for registries whose tokens come from `npm login` alone).
    pub(crate) token_source: fn(registry: &str) -> Option<String>,
    /// What to know about this kind's credentials (lifetimes, scopes).
    pub(crate) token_note: &'static str,
    /// What "not allowed" usually means here and how to get access.
    pub(crate) permission_note: &'static str,
    /// True for registries that proxy or mirror public npm packages (virtual repositories).
    pub(crate) mirrors_public: bool,
    /// The causes a bare 401 (no words) most often means here, and the points each adds.
    pub(crate) unauthorized_bias: &'static [(&'static str, i32)],
    /// This kind's own steps to get access to `package`; `None`: ask the admin (`permission_note`).
    pub(crate) permission_fix: Option<fn(package: &str) -> Vec<String>>,
    /// Words of a `www-authenticate` realm that name this kind without a URL (lower case).
    pub(crate) realm_words: &'static [&'static str],
}

pub(crate) const ENTRIES: &[Entry] = &[
    Entry {
        kind: Kind::Npmjs,
        id: "npmjs",
        matches: |h, _| h == "registry.npmjs.org" || h == "registry.npmjs.com",
        root: |_| Some("https://registry.npmjs.org/".into()),
        login: |_, login| {
            vec![
                format!("{login}   # an interactive session token, valid for 2 hours"),
                "for CI: create a granular access token at https://www.npmjs.com/settings/<your-user>/tokens (read-only to install; read and write, with Bypass 2FA, to publish; write tokens expire in at most 90 days) and set //registry.npmjs.org/:_authToken=${NPM_TOKEN}".into(),
            ]
        },
        token_source: |_| Some("a granular access token from https://www.npmjs.com/settings/<your-user>/tokens (read-only to install; read and write to publish, from CI with Bypass 2FA, which npm is phasing out for trusted publishing (OIDC))".into()),
        token_note: "All classic npmjs tokens were revoked on 2025-12-09; granular write tokens expire in at most 90 days and `npm login` sessions last 2 hours",
        permission_note: "a granular token only works for the packages and scopes it was given (and read-write for publishing); org membership decides scoped packages",
        mirrors_public: false,
        unauthorized_bias: &[("token-invalid-or-expired", 1)],
        permission_fix: Some(|package| {
            vec![
                "create a granular access token with read-write access to this package or scope (and the org), or be added to the org/team".into(),
                format!("npm access list collaborators {package}"),
            ]
        }),
        realm_words: &[],
    },
    Entry {
        kind: Kind::Yarnpkg,
        id: "npmjs",
        matches: |h, _| h == "registry.yarnpkg.com",
        root: |_| Some("https://registry.yarnpkg.com/".into()),
        login: |_, _| {
            vec![
                "publish to npmjs directly: npm publish --registry https://registry.npmjs.org/".into(),
                "or key the token to this host too: //registry.yarnpkg.com/:_authToken=${NPM_TOKEN}".into(),
            ]
        },
        token_source: |_| Some("an npmjs granular access token (https://www.npmjs.com/settings/<your-user>/tokens)".into()),
        token_note: "credentials saved for registry.npmjs.org are not sent to registry.yarnpkg.com: npm keys them by host",
        permission_note: "same accounts as npmjs",
        mirrors_public: true,
        unauthorized_bias: &[("token-wrong-host", 8)],
        permission_fix: None,
        realm_words: &[],
    },
    Entry {
        kind: Kind::Mirror,
        id: "other",
        matches: |h, _| h.contains("npmmirror.com") || h.contains("taobao.org") || h.contains("cnpmjs.org") || h == "r.cnpmjs.org",
        root: origin_root,
        login: |_, _| vec!["use the real registry for login and publish: npm publish --registry https://registry.npmjs.org/".into()],
        token_source: |_| None,
        token_note: "mirrors do not accept npmjs logins or publishes",
        permission_note: "mirrors are read-only",
        mirrors_public: true,
        unauthorized_bias: &[("npmrc-misconfig", 1)],
        permission_fix: None,
        realm_words: &[],
    },
    Entry {
        kind: Kind::Github,
        id: "github",
        matches: |h, _| h == "npm.pkg.github.com" || h.ends_with(".pkg.github.com") && h.starts_with("npm."),
        root: |_| Some("https://npm.pkg.github.com/".into()),
        login: |_, _| {
            vec![
                "create a personal access token (classic) with read:packages (and write:packages to publish) at https://github.com/settings/tokens".into(),
                "set //npm.pkg.github.com/:_authToken=${GITHUB_TOKEN} in .npmrc and export GITHUB_TOKEN; in GitHub Actions give the job `permissions: packages: read` (write to publish)".into(),
            ]
        },
        token_source: |_| Some("a personal access token (classic) with read:packages (write:packages to publish) from https://github.com/settings/tokens; in GitHub Actions the job's GITHUB_TOKEN with `permissions: packages: read` (write to publish)".into()),
        token_note: "GitHub Packages needs a token even for public packages; fine-grained PATs do not work for npm packages, classic PATs need read:packages",
        permission_note: "the token needs read:packages/write:packages and its user (or the workflow's repository) must have access to the package; GITHUB_TOKEN in a fork's pull request is read-only",
        mirrors_public: false,
        unauthorized_bias: &[("token-missing", 3)],
        permission_fix: Some(|_| {
            vec![
                "use a classic PAT with read:packages (write:packages to publish), from a user with access to the package".into(),
                "in GitHub Actions: `permissions: packages: write` for the job, and grant the repository access in the package's settings; pull requests from forks only get a read-only GITHUB_TOKEN".into(),
            ]
        }),
        realm_words: &["github"],
    },
    Entry {
        kind: Kind::Gitlab,
        id: "gitlab",
        matches: |h, p| h == "gitlab.com" || h.starts_with("gitlab.") || p.contains("/api/v4/") && p.contains("/packages/npm"),
        root: |u| cut_after(u, "/packages/npm/").or_else(|| origin_root(u)),
        login: |r, _| {
            vec![format!(
                "set {}:_authToken=${{GITLAB_TOKEN}} with a personal access token with the api scope or a deploy token with read_package_registry (write_package_registry to publish), or use ${{CI_JOB_TOKEN}} in GitLab CI",
                nerf(r)
            )]
        },
        token_source: |_| Some("a personal access token with the api scope, a deploy token with read_package_registry (write_package_registry to publish), or ${CI_JOB_TOKEN} inside GitLab CI".into()),
        token_note: "GitLab personal/project/deploy tokens expire; CI_JOB_TOKEN only lives for the job",
        permission_note: "the token's project or group needs at least Reporter access (Developer to publish)",
        mirrors_public: false,
        unauthorized_bias: &[("token-missing", 3)],
        permission_fix: None,
        realm_words: &["gitlab"],
    },
    Entry {
        kind: Kind::Azure,
        id: "azure",
        matches: |h, _| h == "pkgs.dev.azure.com" || h.ends_with(".pkgs.visualstudio.com") || h.ends_with(".visualstudio.com"),
        root: |u| cut_after(u, "/npm/registry/").or_else(|| origin_root(u)),
        login: |r, _| {
            vec![
                "the feed URL has the shape https://pkgs.dev.azure.com/ORG/PROJECT/_packaging/FEED/npm/registry/".into(),
                format!(
                    "create a PAT with Packaging (Read) scope, base64-encode it, and set {0}:username={1}, {0}:_password=<base64 PAT>, {0}:email=npm requires email",
                    nerf(r),
                    azure_org(r).unwrap_or("ORG")
                ),
                "on Windows: npx vsts-npm-auth -config .npmrc (writes a 90-day token); in Azure Pipelines: the npmAuthenticate task".into(),
            ]
        },
        token_source: |r| Some(format!("a personal access token with the Packaging scope (Read; Read & write to publish) from https://dev.azure.com/{}/_usersSettings/tokens; Azure wants it base64-encoded in `:_password` with `:username` and `:email` lines, not `:_authToken`", azure_org(r).unwrap_or("ORG"))),
        token_note: "Azure DevOps PATs expire (30 days by default, vsts-npm-auth tokens 90 days); npm answers 401 once they do",
        permission_note: "the identity needs Reader on the feed (Contributor to publish) and, for upstream packages, Collaborator",
        mirrors_public: true,
        // PATs expire; and Azure takes only a base64 PAT in `:_password` with `:username` and
        // `:email` (https://learn.microsoft.com/azure/devops/artifacts/npm/npmrc), so a raw PAT
        // or an `_authToken` line is the other common bare 401
        unauthorized_bias: &[("token-invalid-or-expired", 4), ("npmrc-misconfig", 3)],
        permission_fix: None,
        realm_words: &[],
    },
    Entry {
        kind: Kind::CodeArtifact,
        id: "codeartifact",
        matches: |h, _| h.contains(".codeartifact.") && h.ends_with(".amazonaws.com"),
        root: |u| cut_after_segment_after(u, "/npm/").or_else(|| origin_root(u)),
        login: |r, _| vec![codeartifact_login(r)],
        token_source: |r| Some(format!("`{}` writes one (valid 12 hours; needs codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken)", codeartifact_login(r).split("   #").next().unwrap_or_default())),
        token_note: "CodeArtifact tokens last 12 hours by default: re-run `aws codeartifact login --tool npm` (AWS CLI >= 2.9.5 for npm 10+)",
        permission_note: "the IAM identity needs codeartifact:GetAuthorizationToken, sts:GetServiceBearerToken and read (or publish) on the repository",
        mirrors_public: true,
        unauthorized_bias: &[("token-invalid-or-expired", 4)],
        permission_fix: None,
        realm_words: &[],
    },
    Entry {
        kind: Kind::Artifactory,
        id: "artifactory",
        matches: |h, p| h.ends_with(".jfrog.io") || h.contains("artifactory") || p.contains("/artifactory/") || p.contains("/api/npm/"),
        root: |u| cut_after_segment_after(u, "/api/npm/").or_else(|| origin_root(u)),
        login: |r, _| {
            vec![
                format!("npm login --auth-type=legacy --registry {r}   # or set {}:_authToken to an Artifactory identity/access token", nerf(r)),
                "Artifactory's 'Set Me Up' page for the repository shows the exact .npmrc lines".into(),
            ]
        },
        token_source: |_| Some("an Artifactory identity or access token (your profile, or the repository's Set Me Up page) as `_authToken`; for basic auth `_auth` holds base64 of user:token; `npm login` on npm 9+ needs --auth-type=legacy".into()),
        token_note: "Artifactory access tokens and identity tokens expire; API keys are deprecated",
        permission_note: "the user needs read (deploy to publish) permission on the repository, and on its remote/virtual members",
        mirrors_public: true,
        unauthorized_bias: &[("npmrc-misconfig", 1)],
        permission_fix: None,
        realm_words: &["artifactory"],
    },
    Entry {
        kind: Kind::Nexus,
        id: "nexus",
        matches: |h, p| h.contains("nexus") || p.starts_with("/repository/"),
        root: |u| cut_after_segment_after(u, "/repository/").or_else(|| origin_root(u)),
        login: |r, login| {
            vec![
                format!("{login} --registry {r}   # needs the 'npm Bearer Token Realm' enabled in Nexus"),
                format!("or set {}:_auth=<base64 of user:password>", nerf(r)),
            ]
        },
        token_source: |_| Some("`npm login` against Nexus (a bearer token; needs the npm Bearer Token Realm active), else `_auth` = base64 of user:password".into()),
        token_note: "Nexus accepts a bearer token only when the npm Bearer Token Realm is active",
        permission_note: "the user needs nx-repository-view-npm-<repo>-read (add/edit to publish); Nexus Firewall can also quarantine components",
        mirrors_public: true,
        unauthorized_bias: &[("npmrc-misconfig", 1)],
        permission_fix: None,
        realm_words: &["nexus", "sonatype"],
    },
    Entry {
        kind: Kind::GoogleAr,
        id: "google-ar",
        matches: |h, _| h.ends_with("-npm.pkg.dev"),
        root: |u| cut_after_n_segments(u, 2).or_else(|| origin_root(u)),
        login: |_, _| {
            vec![
                "npx google-artifactregistry-auth --repo-config=.npmrc --credential-config=~/.npmrc   # tokens last about 1 hour: refresh before each install".into(),
                "gcloud artifacts print-settings npm --scope=@<your-scope>   # the .npmrc lines for the repository".into(),
            ]
        },
        token_source: |_| Some("`npx google-artifactregistry-auth` (after `gcloud artifacts print-settings npm` for the .npmrc lines) writes a short-lived access token (about 1 hour) from your gcloud or service-account credentials".into()),
        token_note: "Artifact Registry access tokens are short-lived (about an hour): refresh them with google-artifactregistry-auth",
        permission_note: "the account needs roles/artifactregistry.reader (writer to publish) on the repository",
        mirrors_public: true,
        unauthorized_bias: &[("token-invalid-or-expired", 4)],
        permission_fix: None,
        realm_words: &[],
    },
    Entry {
        kind: Kind::Verdaccio,
        id: "verdaccio",
        matches: |h, _| h.ends_with(":4873") || h.contains("verdaccio"),
        root: origin_root,
        login: |r, login| vec![format!("{login} --registry {r}")],
        token_source: |_| None,
        token_note: "Verdaccio tokens are signed with the server's secret and can expire (JWT settings)",
        permission_note: "the `packages` section of Verdaccio's config.yaml decides who may access and publish each name",
        mirrors_public: true,
        unauthorized_bias: &[("npmrc-misconfig", 1)],
        permission_fix: None,
        realm_words: &[],
    },
];

const OTHER: Entry = Entry {
    kind: Kind::Other,
    id: "other",
    matches: |_, _| true,
    root: origin_root,
    login: |r, login| vec![format!("{login} --registry {r}")],
    token_source: |_| None,
    token_note: "the registry's tokens may expire or be revoked",
    permission_note: "the registry's access rules decide who may read or publish each package",
    mirrors_public: true,
    unauthorized_bias: &[("npmrc-misconfig", 1)],
    permission_fix: None,
    realm_words: &[],
};

/// The entry for a URL (the catch-all `Other` when no kind matches).
pub(crate) fn entry_for(url_text: &str) -> &'static Entry {
    let Some(host) = url::host(url_text) else {
        return &OTHER;
    };
    let path = url::path(url_text);
    ENTRIES
        .iter()
        .find(|e| (e.matches)(&host, path))
        .unwrap_or(&OTHER)
}

/// The registry root of a URL, per its kind.
pub(crate) fn registry_root(url_text: &str) -> Option<String> {
    (entry_for(url_text).root)(url_text)
}

/// npm's nerf dart of a registry URL (`//host[:port]/path/`, see `crate::registry_url`); a
/// placeholder that is no URL yet keeps its text (`//<registry-url>/`).
pub(crate) fn nerf(registry: &str) -> String {
    crate::registry_url::nerf_dart(registry).unwrap_or_else(|| {
        let rest = registry.split_once("://").map_or(registry, |(_, r)| r);
        format!("//{}/", rest.trim_end_matches('/'))
    })
}

/// `aws codeartifact login` filled from a registry URL of the shape
/// `https://DOMAIN-ACCOUNT.d.codeartifact.REGION.amazonaws.com/npm/REPO/`.
fn codeartifact_login(registry: &str) -> String {
    let host = url::host(registry).unwrap_or_default();
    let (owner, region) = host
        .split_once(".d.codeartifact.")
        .map(|(o, r)| (o, r.trim_end_matches(".amazonaws.com")))
        .unwrap_or(("", ""));
    let (domain, account) = owner
        .rsplit_once('-')
        .filter(|(_, a)| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(("DOMAIN", "ACCOUNT"));
    let repo = registry
        .split_once("/npm/")
        .and_then(|(_, rest)| rest.split('/').next())
        .filter(|r| !r.is_empty())
        .unwrap_or("REPO");
    let region = if region.is_empty() {
        String::new()
    } else {
        format!(" --region {region}")
    };
    format!("aws codeartifact login --tool npm --domain {domain} --domain-owner {account} --repository {repo}{region}   # token valid 12 hours")
}

/// The organization of an Azure Artifacts feed URL (`https://pkgs.dev.azure.com/ORG/...`).
pub(crate) fn azure_org(registry: &str) -> Option<&str> {
    let rest = registry.split_once("://")?.1;
    let (host, path) = rest.split_once('/')?;
    if host == "pkgs.dev.azure.com" {
        path.split('/').next().filter(|o| !o.is_empty())
    } else {
        host.strip_suffix(".pkgs.visualstudio.com")
    }
}

fn origin_root(u: &str) -> Option<String> {
    let (scheme, _) = u.split_once("://")?;
    Some(format!("{scheme}://{}/", url::host(u)?))
}

fn cut_after(u: &str, marker: &str) -> Option<String> {
    let i = u.find(marker)?;
    Some(u[..i + marker.len()].to_owned())
}

/// Up to and including the path segment that follows `marker` (`/api/npm/<repo>/`).
fn cut_after_segment_after(u: &str, marker: &str) -> Option<String> {
    let i = u.find(marker)? + marker.len();
    let rest = &u[i..];
    let seg_end = rest.find('/').map(|j| i + j + 1).unwrap_or(u.len());
    let mut root = u[..seg_end].to_owned();
    if !root.ends_with('/') {
        root.push('/');
    }
    Some(root)
}

fn cut_after_n_segments(u: &str, n: usize) -> Option<String> {
    let (scheme, rest) = u.split_once("://")?;
    let parts: Vec<&str> = rest.split('/').collect();
    if parts.len() < n + 2 {
        return None;
    }
    Some(format!("{scheme}://{}/", parts[..=n].join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_logins_are_filled_from_the_registry_url() {
        assert_eq!(
            codeartifact_login("https://my-domain-111122223333.d.codeartifact.us-east-1.amazonaws.com/npm/my-repo/"),
            "aws codeartifact login --tool npm --domain my-domain --domain-owner 111122223333 --repository my-repo --region us-east-1   # token valid 12 hours"
        );
        assert!(codeartifact_login("https://x.example/")
            .contains("--domain DOMAIN --domain-owner ACCOUNT --repository REPO"));
        assert_eq!(
            azure_org("https://pkgs.dev.azure.com/contoso/proj/_packaging/feed/npm/registry/"),
            Some("contoso")
        );
        assert_eq!(
            azure_org("https://contoso.pkgs.visualstudio.com/_packaging/feed/npm/registry/"),
            Some("contoso")
        );
    }

    #[test]
    fn fixes_say_where_each_kind_s_tokens_come_from() {
        let cases: [(&str, &[&str]); 8] = [
            (
                "https://registry.npmjs.org/",
                &["npmjs.com/settings/", "granular", "read-only", "Bypass 2FA"],
            ),
            (
                "https://npm.pkg.github.com/",
                &[
                    "classic",
                    "read:packages",
                    "write:packages",
                    "permissions: packages",
                ],
            ),
            (
                "https://gitlab.com/api/v4/projects/1/packages/npm/",
                &["deploy token", "CI_JOB_TOKEN", "api scope"],
            ),
            (
                "https://pkgs.dev.azure.com/o/p/_packaging/f/npm/registry/",
                &["Packaging", "base64", "_password", "username", "email"],
            ),
            (
                "https://d-111122223333.d.codeartifact.us-east-1.amazonaws.com/npm/r/",
                &["aws codeartifact login --tool npm", "12 hours"],
            ),
            (
                "https://us-npm.pkg.dev/p/r/",
                &[
                    "gcloud artifacts print-settings npm",
                    "google-artifactregistry-auth",
                ],
            ),
            (
                "https://acme.jfrog.io/artifactory/api/npm/npm/",
                &["identity", "_auth", "_authToken"],
            ),
            (
                "https://nexus.acme.dev/repository/npm/",
                &["Bearer Token Realm", "_auth"],
            ),
        ];
        for (url, words) in cases {
            let e = entry_for(url);
            let text = format!(
                "{} {}",
                (e.login)(url, "npm login").join(" "),
                (e.token_source)(url).unwrap_or_default()
            );
            for w in words {
                assert!(text.contains(w), "{url}: no {w:?} in {text}");
            }
        }
    }

    #[test]
    fn kinds_and_roots() {
        let cases = [
            (
                "https://npm.pkg.github.com/download/@a/b/1.0.0/x",
                "github",
                "https://npm.pkg.github.com/",
            ),
            (
                "https://pkgs.dev.azure.com/o/p/_packaging/f/npm/registry/yaml/-/yaml-1.10.0.tgz",
                "azure",
                "https://pkgs.dev.azure.com/o/p/_packaging/f/npm/registry/",
            ),
            (
                "https://inditex.jfrog.io/inditex/api/npm/node-public/@parcel/diagnostic/-/d.tgz",
                "artifactory",
                "https://inditex.jfrog.io/inditex/api/npm/node-public/",
            ),
            (
                "https://nexus.x.dev/repository/npm-proxy/a/-/a-1.tgz",
                "nexus",
                "https://nexus.x.dev/repository/npm-proxy/",
            ),
            (
                "https://us-npm.pkg.dev/proj/repo/yargs",
                "google-ar",
                "https://us-npm.pkg.dev/proj/repo/",
            ),
            (
                "https://d-1.d.codeartifact.us-east-1.amazonaws.com/npm/repo/ieee754",
                "codeartifact",
                "https://d-1.d.codeartifact.us-east-1.amazonaws.com/npm/repo/",
            ),
            (
                "https://gitlab.com/api/v4/projects/1/packages/npm/-/whoami",
                "gitlab",
                "https://gitlab.com/api/v4/projects/1/packages/npm/",
            ),
            (
                "http://localhost:4873/nodemon",
                "verdaccio",
                "http://localhost:4873/",
            ),
            (
                "https://registry.npmjs.org/x",
                "npmjs",
                "https://registry.npmjs.org/",
            ),
        ];
        for (u, id, root) in cases {
            assert_eq!(entry_for(u).id, id, "{u}");
            assert_eq!(registry_root(u).as_deref(), Some(root), "{u}");
        }
    }

    #[test]
    fn nerf_darts() {
        assert_eq!(nerf("https://npm.pkg.github.com"), "//npm.pkg.github.com/");
        assert_eq!(
            nerf("https://h/artifactory/api/npm/npm"),
            "//h/artifactory/api/npm/"
        );
        assert_eq!(
            nerf("https://h/artifactory/api/npm/npm/"),
            "//h/artifactory/api/npm/npm/"
        );
    }
}
