//! What each cause means and what to do about it, filled with the real registry, scope, package
//! and variable names: one sentence, fix steps, verify commands, and the fact that decides it.

use super::context::Context;
use super::registry::{nerf, Kind};

pub struct Advice {
    pub summary: String,
    pub fix: Vec<String>,
    pub verify: Vec<String>,
    /// The one fact (a config line, a probe) that would confirm or rule out this cause.
    pub decider: String,
}

fn whoami(cx: &Context) -> String {
    format!("npm whoami --registry {}", cx.registry_or_placeholder())
}

fn view(cx: &Context) -> String {
    match &cx.package {
        Some(p) => format!(
            "npm view {p} version --registry {}",
            cx.registry_or_placeholder()
        ),
        None => whoami(cx),
    }
}

fn retry(cx: &Context) -> String {
    if cx.is_publish() {
        "npm publish --dry-run".to_owned()
    } else if cx.failure.command.is_empty() {
        view(cx)
    } else {
        let tool = cx.failure.tool.map_or("npm", |t| t.command_name());
        format!("{tool} {}", cx.failure.command.join(" "))
    }
}

fn key(cx: &Context) -> String {
    format!("{}:_authToken", nerf(&cx.registry_or_placeholder()))
}

fn variable(cx: &Context) -> String {
    cx.variable.clone().unwrap_or_else(|| match cx.kind() {
        Kind::Github => "NODE_AUTH_TOKEN".to_owned(),
        _ => "NPM_TOKEN".to_owned(),
    })
}

pub fn advice(id: &str, cx: &Context) -> Advice {
    let host = cx.host_or_registry_word();
    let reg = cx.registry_or_placeholder();
    let e = cx.entry;
    let login = (e.login)(&reg);
    match id {
        "token-missing" => Advice {
            summary: format!("No credential was sent to {host}: none is configured for it where the command ran."),
            fix: login,
            verify: vec![whoami(cx), retry(cx)],
            decider: format!("no `{}` line in any .npmrc npm reads (`regauth doctor`), or `{}` says ENEEDAUTH", key(cx), whoami(cx)),
        },
        "token-env-unset" => {
            let var = variable(cx);
            Advice {
                summary: format!("The .npmrc credential for {host} comes from ${{{var}}}, which was unset or empty where the command ran, so no valid token was sent."),
                fix: vec![
                    format!("export {var}=<token>   # in CI: pass the secret into this step's env (e.g. `env: {var}: ${{{{ secrets.NPM_TOKEN }}}}`)"),
                    format!("check the line `{}=${{{var}}}` is in an .npmrc this command reads", key(cx)),
                ],
                verify: vec![format!("test -n \"${var}\" && echo set"), whoami(cx)],
                decider: format!("the .npmrc line for {} uses ${{{var}}} and {var} is unset or empty in that shell/step", nerf(&reg)),
            }
        }
        "token-invalid-or-expired" => Advice {
            summary: format!("A credential was sent to {host} and refused: it is expired, revoked or wrong. {}.", capitalize(e.token_note)),
            fix: login,
            verify: vec![whoami(cx), retry(cx)],
            decider: format!("`{}` fails with E401 (or the token's expiry date is past)", whoami(cx)),
        },
        "token-wrong-host" => Advice {
            summary: match cx.failure.signals.no_auth_for_uri.as_ref().and_then(|n| n.scoped_registry_key.clone()) {
                Some(k) => format!("npm has a credential for {k}, but the request went to {host}, a different host/path, so it sent none (npm's \"No auth for URI\" warning)."),
                None => format!("A credential exists, but it is keyed to another host or path than {reg}, so npm does not send it there."),
            },
            fix: vec![
                format!("key the token to the exact registry path: {}=${{{}}}", key(cx), variable(cx)),
                "make registry URLs end with `/` and match host, port and path exactly (localhost is not 127.0.0.1)".to_owned(),
            ],
            verify: vec!["regauth doctor".to_owned(), whoami(cx)],
            decider: format!("the .npmrc credential keys vs {}: same host but another path, port or protocol", nerf(&reg)),
        },
        "scope-not-mapped" => {
            let scope = cx.scope.clone().unwrap_or_else(|| "@scope".to_owned());
            Advice {
                summary: format!("{} went to the default registry ({host}) because no `{scope}:registry` mapping sends it to the registry that has it.", cx.package.clone().unwrap_or_else(|| "The package".into())),
                fix: vec![
                    format!("npm config set {scope}:registry <your-private-registry-url> --location project"),
                    "for publishing: set publishConfig.registry in package.json (and give the package a scope the mapping covers)".to_owned(),
                ],
                verify: vec![format!("npm config get {scope}:registry"), view(cx)],
                decider: format!("`npm config get {scope}:registry` prints the default registry (no mapping)"),
            }
        }
        "insufficient-permission" => Advice {
            summary: format!("The credential is valid but lacks access to {} on {host}. {}.", cx.package.clone().unwrap_or_else(|| "this package".into()), capitalize(e.permission_note)),
            fix: permission_fix(cx),
            verify: vec![whoami(cx), if cx.is_publish() { "npm publish --dry-run".into() } else { view(cx) }],
            decider: format!("`{}` succeeds (the token is valid) while the package request is refused", whoami(cx)),
        },
        "publish-not-allowed" => Advice {
            summary: format!("{host} refused the publish: this account is not a maintainer of {}, or the name/scope belongs to someone else or is too similar to an existing name.", cx.package.clone().unwrap_or_else(|| "this package".into())),
            fix: vec![
                format!("npm owner ls {} --registry {reg}   # who may publish it", cx.package.clone().unwrap_or_else(|| "<package>".into())),
                "ask an owner to add you (`npm owner add <you> <package>`), or rename the package to a scope you own (@you/name)".to_owned(),
            ],
            verify: vec![whoami(cx), "npm publish --dry-run".to_owned()],
            decider: "the server's 403 text on the PUT, and `npm owner ls <package>` not listing you".to_owned(),
        },
        "version-exists" => Advice {
            summary: "That version was already published (maybe unpublished since): a registry never accepts the same version twice.".to_owned(),
            fix: vec!["npm version patch   # or set a new version in package.json".to_owned(), "npm publish".to_owned()],
            verify: vec![format!("npm view {} versions --registry {reg}", cx.package.clone().unwrap_or_else(|| "<package>".into()))],
            decider: "`npm view <package> time` lists the version".to_owned(),
        },
        "otp-required" => Advice {
            summary: "The account requires two-factor authentication for this action and no valid one-time password was given.".to_owned(),
            fix: vec![
                "npm publish --otp=<code from your authenticator>".to_owned(),
                "in CI: use trusted publishing (OIDC, npm >= 11.5.1) or a granular token with \"bypass 2FA\"".to_owned(),
            ],
            verify: vec!["npm publish --dry-run".to_owned()],
            decider: "EOTP / a `www-authenticate: OTP` header, or the account's 2FA setting".to_owned(),
        },
        "blocked-by-policy" => Advice {
            summary: format!("A policy on {host} (or a proxy in front of it) refused this package: security curation, a malware/vulnerability block, a licence rule or an IP allowlist, not your credential."),
            fix: vec![
                "ask the registry/security team to review or release the package, or pick a version the policy allows".to_owned(),
                "if a sandbox or egress proxy is in the way, allow-list the registry (and the calling binary) there".to_owned(),
            ],
            verify: vec![view(cx)],
            decider: "the 403 body names a policy (quarantine, blocked, curation), and other packages from the same registry install".to_owned(),
        },
        "lockfile-registry-mismatch" => Advice {
            summary: format!("The request went to {host} because the lockfile pins resolved URLs there, and this machine has no access to that host."),
            fix: vec![
                "npm ci --replace-registry-host=always   # fetch from your configured registry instead (npm >= 9)".to_owned(),
                "or regenerate the lockfile against your registry: rm package-lock.json && npm install".to_owned(),
                format!("or get credentials for {host}"),
            ],
            verify: vec![format!("grep -c '{host}' package-lock.json"), retry(cx)],
            decider: format!("package-lock.json (or yarn.lock/pnpm-lock.yaml) has resolved URLs on {host} while the configured registry is another"),
        },
        "proxy-auth" => Advice {
            summary: "A corporate HTTP proxy, not the registry, refused the request: it wants its own authentication or blocks the registry.".to_owned(),
            fix: vec![
                "npm config set https-proxy http://USER:PASSWORD@proxy.example:8080   # credentials for the proxy, kept out of version control".to_owned(),
                "or ask for the registry to be allowed through the proxy; check `noproxy` for internal registries".to_owned(),
            ],
            verify: vec!["npm config get https-proxy".to_owned(), "npm ping".to_owned()],
            decider: "status 407 or a proxy's page instead of the registry's JSON; `npm config get https-proxy` is set".to_owned(),
        },
        "npmrc-misconfig" => Advice {
            summary: format!("The configuration does not give {host} a usable credential: it is in a file npm (or this client) does not read, shadowed by precedence, in a legacy form, or the registry URL itself is wrong."),
            fix: misconfig_fix(cx),
            verify: if cx.failure.tool == Some(crate::types::ClientId::YarnBerry) {
                vec!["yarn config get npmAuthToken".to_owned(), "yarn npm whoami".to_owned()]
            } else {
                vec!["npm config list".to_owned(), "regauth doctor".to_owned(), whoami(cx)]
            },
            decider: "which .npmrc files npm read (`npm config list`) and whether the credential line is in one of them, keyed to the registry URL in use".to_owned(),
        },
        "account-issue" => Advice {
            summary: format!("The account on {host} cannot do this yet: unverified email, suspended or locked account, or a paid plan needed (e.g. for private packages)."),
            fix: vec![
                "for a new scoped package you meant to be public: npm publish --access public".to_owned(),
                "verify the account's email / check its status and plan on the registry's website".to_owned(),
            ],
            verify: vec![whoami(cx), "npm publish --dry-run".to_owned()],
            decider: "the registry's message (payment required, verify your email) or the account page".to_owned(),
        },
        _ => Advice { summary: String::new(), fix: vec![], verify: vec![], decider: String::new() },
    }
}

fn permission_fix(cx: &Context) -> Vec<String> {
    match cx.kind() {
        Kind::Github => vec![
            "use a classic PAT with read:packages (write:packages to publish), from a user with access to the package".to_owned(),
            "in GitHub Actions: `permissions: packages: write` for the job, and grant the repository access in the package's settings; pull requests from forks only get a read-only GITHUB_TOKEN".to_owned(),
        ],
        Kind::Npmjs => vec![
            "create a granular access token with read-write access to this package or scope (and the org), or be added to the org/team".to_owned(),
            format!("npm access list collaborators {}", cx.package.clone().unwrap_or_else(|| "<package>".into())),
        ],
        _ => vec![format!("ask the registry admin for read (or publish) permission: {}", cx.entry.permission_note)],
    }
}

fn misconfig_fix(cx: &Context) -> Vec<String> {
    let s = &cx.failure.signals;
    if let Some(problem) = &s.invalid_auth {
        return vec!["npm config fix   # moves top-level _auth/_authToken under the registry's //host/path/ key".to_owned(), format!("npm reported: {problem}")];
    }
    if !s.ignored_auth_settings.is_empty() {
        return vec!["move the credential line to ~/.npmrc (user config) or provide it via the environment: pnpm no longer expands ${VAR} in a repository's .npmrc credentials".to_owned()];
    }
    if s.no_auth_configured || cx.failure.tool == Some(crate::types::ClientId::YarnBerry) {
        return vec![
            "yarn berry does not read .npmrc: set npmAuthToken in .yarnrc.yml (npmRegistries or npmScopes), e.g. `npmAuthToken: \"${NPM_TOKEN}\"`".to_owned(),
            "yarn config set npmAuthToken <token>   # or YARN_NPM_AUTH_TOKEN in the environment".to_owned(),
        ];
    }
    if cx.kind() == Kind::Github && super::rules::pnpm_registry_path_under_credential(cx) {
        let scope = cx.scope.as_deref().unwrap_or("@OWNER");
        return vec![
            format!("{scope}:registry=https://npm.pkg.github.com/   # GitHub's registry URL has no owner path; pnpm before 8.11 does not send a //npm.pkg.github.com/ token to a registry URL below it"),
            "or upgrade pnpm to 8.11 or later, which looks the credential up along the registry path as npm does".to_owned(),
        ];
    }
    if cx.kind() == Kind::Mirror {
        return vec!["npm publish --registry https://registry.npmjs.org/   # mirrors accept no publish/login; or `npm config set registry https://registry.npmjs.org/`".to_owned()];
    }
    vec![
        "npm config list   # shows each file npm read; put the credential line in one of them".to_owned(),
        format!("key it to the registry in use: {}=${{{}}}", key(cx), variable(cx)),
        "check that NPM_CONFIG_USERCONFIG or a project .npmrc does not shadow it, and that `registry` is the URL you mean".to_owned(),
    ]
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
