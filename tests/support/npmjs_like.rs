//! `NpmjsLike`: a loopback registry that answers as registry.npmjs.org does where Verdaccio
//! would not: a PUT without a credential it takes is `404 Not Found` (never 401), a private
//! package is a 404 to anyone who may not read it, and `/-/whoami` is 401 for a bad token. One
//! token can read but not publish (a read-only granular token), canary values only.

use serde_json::json;

use super::fixture::{FixtureServer, Request, Response};

/// A token npmjs no longer takes (revoked, expired).
pub const BAD_TOKEN: &str = "npm_CANARYrevokedTOKEN00000000000000001";
/// A valid token without write access (whoami answers, publishes get npmjs's 404).
pub const READ_ONLY_TOKEN: &str = "npm_CANARYreadONLYtoken0000000000000001";
/// The public package that exists; every other name is a 404.
pub const PUBLIC_PACKAGE: &str = "octo-public";

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
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/-/whoami") if bearer == Some(READ_ONLY_TOKEN) => {
            Response::new(200).json(json!({"username": "octo-reader"}))
        }
        ("GET", "/-/whoami") => Response::new(401).json(json!({"error": "Unauthorized"})),
        ("GET", path) if path.trim_start_matches('/') == PUBLIC_PACKAGE => {
            Response::new(200).json(json!({
                "name": PUBLIC_PACKAGE,
                "dist-tags": {"latest": "1.0.0"},
                "versions": {"1.0.0": {"name": PUBLIC_PACKAGE, "version": "1.0.0",
                    "dist": {"tarball": "http://127.0.0.1/none.tgz", "shasum": "0"}}},
                "maintainers": [{"name": "octo-owner"}]
            }))
        }
        // npmjs: a publish it will not take from this credential, and a private package
        // this credential may not read, are both 404
        _ => not_found(),
    }
}
