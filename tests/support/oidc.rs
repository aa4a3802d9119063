//! `OidcFixture`: one loopback server playing both sides of npm's trusted publishing, GitHub's
//! ID-token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL`) and the registry (the OIDC token exchange,
//! the packument read and the publish PUT), with canary tokens only.
//!
//! What it answers follows npm 11.19.1's `lib/utils/oidc.js` (see docs/oidc.md): the ID token is
//! fetched with `Authorization: Bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` and an
//! `audience=npm:<registry host>` query, then sent as the bearer of
//! `POST /-/npm/v1/oidc/token/exchange/package/<name>`, whose `token` is the publish token.

use serde_json::json;

use super::fixture::{FixtureServer, Request, Response};
use super::npm_env::NpmEnv;

/// GitHub's request token (the runner's, a secret): never printed by regauth.
pub const REQUEST_TOKEN: &str = "CANARY-actions-id-token-request-token";
/// The ID token GitHub would hand out: JWT-shaped (npm splits it to look at the claims), with a
/// private repository so npm does not go on to ask about provenance.
pub const ID_TOKEN: &str = concat!(
    // {"alg":"none"}
    "eyJhbGciOiJub25lIn0.",
    // {"repository":"octo-org/octo-repo","repository_visibility":"private"}
    "eyJyZXBvc2l0b3J5Ijoib2N0by1vcmcvb2N0by1yZXBvIiwicmVwb3NpdG9yeV92aXNpYmlsaXR5IjoicHJpdmF0ZSJ9.",
    "CANARYidTOKENsignature0001"
);
/// What a successful exchange hands back: the token the PUT must carry. Deliberately not shaped
/// like an npm token (`npm_` + 36), so that no test passes only because regauth masks that shape.
pub const EXCHANGED_TOKEN: &str = "CANARY-exchanged-oidc-token-not-npm-shaped-0001";

/// Where the fixture serves the ID token (the path part of `ACTIONS_ID_TOKEN_REQUEST_URL`).
const ID_TOKEN_PATH: &str = "/_actions/idtoken";
const EXCHANGE_PREFIX: &str = "/-/npm/v1/oidc/token/exchange/package/";

/// How GitHub's ID-token endpoint answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTokenReply {
    Token,
    /// A 500 (npm: "received an invalid response").
    ServerError,
    /// A 200 without `value` (npm: "missing value").
    NoValue,
}

/// How the registry answers the token exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeReply {
    Token,
    /// 404 with npmjs's message for a trusted publisher that does not match.
    PackageNotFound,
    Unauthorized,
    ServerError,
    /// A 200 whose body is not JSON.
    Garbage,
    /// A 200 JSON body without `token`.
    NoToken,
}

/// The server and the answers it gives.
pub struct OidcFixture {
    server: FixtureServer,
}

impl OidcFixture {
    pub fn start(id_token: IdTokenReply, exchange: ExchangeReply) -> Self {
        let server = FixtureServer::start(move |request| answer(request, id_token, exchange));
        OidcFixture { server }
    }

    /// The registry URL ("http://127.0.0.1:PORT/").
    pub fn registry(&self) -> String {
        self.server.url()
    }

    /// What GitHub puts in `ACTIONS_ID_TOKEN_REQUEST_URL` (it already has a query).
    pub fn id_token_request_url(&self) -> String {
        format!(
            "http://127.0.0.1:{}{ID_TOKEN_PATH}?api-version=2.0",
            self.server.port()
        )
    }

    /// A GitHub Actions job as npm sees it: `CI` and `GITHUB_ACTIONS=true`, the job's identity, and the
    /// two request variables only when the job has `permissions: id-token: write`.
    pub fn github_job(&self, env: &mut NpmEnv, id_token_write: bool) {
        env.set_env("GITHUB_ACTIONS", "true")
            .set_env("CI", "true")
            .set_env("GITHUB_REPOSITORY", "octo-org/octo-repo")
            .set_env(
                "GITHUB_WORKFLOW_REF",
                "octo-org/octo-repo/.github/workflows/release.yml@refs/heads/main",
            )
            .set_env("GITHUB_JOB", "publish");
        if id_token_write {
            env.set_env("ACTIONS_ID_TOKEN_REQUEST_URL", self.id_token_request_url())
                .set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.server.requests()
    }

    /// The exchange requests received, with the bearer each carried.
    pub fn exchanges(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.starts_with(EXCHANGE_PREFIX))
            .collect()
    }

    /// The publish PUTs received.
    pub fn puts(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == "PUT")
            .collect()
    }
}

/// The secrets of a run against this fixture: none may appear in what regauth prints or writes.
pub fn oidc_secrets() -> [&'static str; 3] {
    [REQUEST_TOKEN, ID_TOKEN, EXCHANGED_TOKEN]
}

fn answer(request: &Request, id_token: IdTokenReply, exchange: ExchangeReply) -> Response {
    let bearer = request
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "));
    if request.path.starts_with(ID_TOKEN_PATH) {
        return answer_id_token(request, bearer, id_token);
    }
    if request.method == "POST" && request.path.starts_with(EXCHANGE_PREFIX) {
        return answer_exchange(bearer, exchange);
    }
    match request.method.as_str() {
        // npmjs answers a PUT without a valid credential with 404, not 401
        "PUT" if bearer == Some(EXCHANGED_TOKEN) => Response::new(200).json(json!({"ok": true})),
        "GET" if request.path == "/-/whoami" && bearer == Some(EXCHANGED_TOKEN) => {
            Response::new(200).json(json!({"username": "octo-bot"}))
        }
        "GET" if request.path == "/-/whoami" => {
            Response::new(401).json(json!({"error": "Unauthorized"}))
        }
        _ => Response::new(404).json(json!({"error": "Not found"})),
    }
}

fn answer_id_token(request: &Request, bearer: Option<&str>, reply: IdTokenReply) -> Response {
    let audience_ok = request.path.contains("audience=npm%3A127.0.0.1");
    if bearer != Some(REQUEST_TOKEN) || !audience_ok {
        return Response::new(401).json(json!({"message": "bad request token or audience"}));
    }
    match reply {
        IdTokenReply::Token => Response::new(200).json(json!({"value": ID_TOKEN})),
        IdTokenReply::ServerError => Response::new(500).json(json!({"message": "unavailable"})),
        IdTokenReply::NoValue => Response::new(200).json(json!({})),
    }
}

fn answer_exchange(bearer: Option<&str>, reply: ExchangeReply) -> Response {
    if bearer != Some(ID_TOKEN) {
        return Response::new(401).json(json!({"message": "no ID token sent"}));
    }
    match reply {
        ExchangeReply::Token => Response::new(201).json(json!({"token": EXCHANGED_TOKEN})),
        // npmjs's words for "no trusted publisher matches" (quoted in npm/cli#8544 and public workflows)
        ExchangeReply::PackageNotFound => Response::new(404)
            .json(json!({"message": "OIDC token exchange error - package not found"})),
        ExchangeReply::Unauthorized => Response::new(401).json(json!({"message": "Unauthorized"})),
        ExchangeReply::ServerError => {
            Response::new(500).json(json!({"message": "Internal Server Error"}))
        }
        ExchangeReply::Garbage => Response::new(200)
            .header("content-type", "text/html")
            .body("<html>gateway says hello</html>"),
        ExchangeReply::NoToken => Response::new(200).json(json!({})),
    }
}
