//! `NpmjsLike`: a loopback registry that answers as registry.npmjs.org does where Verdaccio
//! would not: a PUT without a credential it takes is `404 Not Found` (never 401), a private
//! package is a 404 to anyone who may not read it, and `/-/whoami` is 401 for a bad token. One
//! token can read but not publish (a read-only granular token), canary values only.

use serde_json::json;

use super::fixture::{FixtureServer, Request, Response};

/// A token npmjs no longer takes (revoked, expired).
pub const BAD_TOKEN: &str = "npm_CANARYrevokedTOKEN00000000000000001";
/// A valid token without write access (whoami answers, publishes get npmjs's 404). Its user,
/// octo-reader, maintains `PUBLIC_PACKAGE`.
pub const READ_ONLY_TOKEN: &str = "npm_CANARYreadONLYtoken0000000000000001";
/// A write token of octo-owner (a maintainer of `PUBLIC_PACKAGE`) without "bypass 2FA": npmjs
/// refuses its publishes with 403 and its 2FA policy text.
pub const NO_BYPASS_TOKEN: &str = "npm_CANARYnoBYPASS2fa000000000000000001";
/// The public package that exists; every other name is a 404, except `PRIVATE_PACKAGE`.
pub const PUBLIC_PACKAGE: &str = "octo-public";
/// A private package: a 404 to every read, but `npm access get status` with a valid token
/// says it is private.
pub const PRIVATE_PACKAGE: &str = "@octo/secret";
/// npmjs's 403 text for a publish without 2FA or a bypass-2FA token (npm/cli#9268).
pub const TWO_FACTOR_REQUIRED: &str = "Two-factor authentication or granular access token with bypass 2fa enabled is required to publish packages.";

pub struct NpmjsLike {
    server: FixtureServer,
}

impl NpmjsLike {
    pub fn start() -> Self {
        NpmjsLike {
            server: FixtureServer::start(answer),
        }
    }

    pub fn registry(&self) -> String {
        self.server.url()
    }

    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }
}

fn answer(request: &Request) -> Response {
    let bearer = request
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "));
    let not_found = || Response::new(404).json(json!({"error": "Not found"}));
    let user = match bearer {
        Some(READ_ONLY_TOKEN) => Some("octo-reader"),
        Some(NO_BYPASS_TOKEN) => Some("octo-owner"),
        _ => None,
    };
    let name = |path: &str| {
        path.trim_start_matches('/')
            .replace("%2f", "/")
            .replace("%2F", "/")
    };
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/-/whoami") => match user {
            Some(user) => Response::new(200).json(json!({ "username": user })),
            None => Response::new(401).json(json!({"error": "Unauthorized"})),
        },
        // libnpmaccess getVisibility: `npm access get status`
        ("GET", path) if path.starts_with("/-/package/") && path.ends_with("/visibility") => {
            let package = name(&path["/-/package".len()..path.len() - "/visibility".len()]);
            match package.as_str() {
                PUBLIC_PACKAGE => Response::new(200).json(json!({"public": true})),
                PRIVATE_PACKAGE if user.is_some() => {
                    Response::new(200).json(json!({"public": false}))
                }
                _ => not_found(),
            }
        }
        ("PUT", path) if name(path) == PUBLIC_PACKAGE && bearer == Some(NO_BYPASS_TOKEN) => {
            Response::new(403).json(json!({ "error": TWO_FACTOR_REQUIRED }))
        }
        ("GET", path) if path.trim_start_matches('/') == PUBLIC_PACKAGE => {
            Response::new(200).json(json!({
                "name": PUBLIC_PACKAGE,
                "dist-tags": {"latest": "1.0.0"},
                "versions": {"1.0.0": {"name": PUBLIC_PACKAGE, "version": "1.0.0",
                    "dist": {"tarball": "http://127.0.0.1/none.tgz", "shasum": "0"}}},
                "maintainers": [{"name": "octo-owner", "email": "owner@example.test"},
                    {"name": "octo-reader", "email": "reader@example.test"}]
            }))
        }
        // npmjs: a publish it will not take from this credential, and a private package
        // this credential may not read, are both 404
        _ => not_found(),
    }
}
