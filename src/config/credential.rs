//! Credentials found in the configuration, classified without revealing them: npm tokens,
//! GitHub and GitLab tokens, JWTs (with `exp`/`iat`/`iss` decoded offline), legacy UUID npm
//! tokens, `_auth` (decoded to its username only), `_password` (base64 check), client cert/key
//! paths. Every displayed form goes through `crate::secret::redact`.

use base64::Engine;
use serde::Serialize;

use crate::config::expand::{VarRef, VarState};
use crate::config::value::{Provenance, Value};
use crate::secret::redact;

/// The credential fields npm reads under a nerf-dart key (and, illegally, at top level).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Field {
    #[serde(rename = "_authToken")]
    AuthToken,
    #[serde(rename = "_auth")]
    Auth,
    #[serde(rename = "username")]
    Username,
    #[serde(rename = "_password")]
    Password,
    #[serde(rename = "certfile")]
    Certfile,
    #[serde(rename = "keyfile")]
    Keyfile,
    /// `user:password@` in a registry URL: Node sends it as Basic when npm set no header.
    #[serde(rename = "url-userinfo")]
    UrlUserinfo,
}

impl Field {
    pub(crate) fn from_name(name: &str) -> Option<Field> {
        Some(match name {
            "_authToken" => Field::AuthToken,
            "_auth" => Field::Auth,
            "username" => Field::Username,
            "_password" => Field::Password,
            "certfile" => Field::Certfile,
            "keyfile" => Field::Keyfile,
            _ => return None,
        })
    }
}

/// What a credential value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    NpmToken,
    GithubToken,
    GitlabToken,
    Jwt,
    NpmLegacyToken,
    BasicAuth,
    Password,
    Username,
    ClientCert,
    ClientKey,
    /// Still contains `${VAR}` because the variable is unset: npm sends this text.
    UnexpandedVariable,
    /// actions/setup-node's stand-in for a missing secret: its authutil sets
    /// `core.exportVariable('NODE_AUTH_TOKEN', process.env.NODE_AUTH_TOKEN || 'XXXXX-XXXXX-XXXXX-XXXXX')`,
    /// so npm sends this text when the workflow passed no token.
    Placeholder,
    Empty,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NpmToken => "npm-token",
            Kind::GithubToken => "github-token",
            Kind::GitlabToken => "gitlab-token",
            Kind::Jwt => "jwt",
            Kind::NpmLegacyToken => "npm-legacy-token",
            Kind::BasicAuth => "basic-auth",
            Kind::Password => "password",
            Kind::Username => "username",
            Kind::ClientCert => "client-cert",
            Kind::ClientKey => "client-key",
            Kind::UnexpandedVariable => "unexpanded-variable",
            Kind::Placeholder => "placeholder",
            Kind::Empty => "empty",
            Kind::Unknown => "unknown",
        }
    }
}

/// Claims of a JWT that say whether it is still usable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JwtClaims {
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub iss: Option<String>,
    pub expired: bool,
}

/// One credential setting.
#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    /// The config key, e.g. `//127.0.0.1:4873/:_authToken` (or `_authToken` at top level).
    pub key: String,
    /// The nerf-dart part, e.g. `//127.0.0.1:4873/`; `None` for top-level keys.
    pub reg_key: Option<String>,
    pub field: Field,
    pub kind: Kind,
    /// Safe to print: at most a kind prefix and the last 4 characters.
    pub redacted: String,
    /// Safe extra facts: a decoded username, a JWT's expiry, a missing file.
    pub detail: Option<String>,
    pub jwt: Option<JwtClaims>,
    pub source: Provenance,
    pub variables: Vec<VarRef>,
    /// For `Field::UrlUserinfo`: `user@host[:port]` of the URL it comes from (no password).
    #[serde(skip)]
    pub from_url: Option<String>,
}

/// `user@host[:port]` of a URL with user info: which URL-borne credential a request carries.
pub(crate) fn url_identity(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let user = parsed.username();
    if user.is_empty() && parsed.password().is_none() {
        return None;
    }
    let host = crate::config::route::host_with_port(&parsed);
    Some(format!("{user}@{host}"))
}

/// The credential a registry setting's URL carries in its user info (npm sends it when no
/// nerf-dart credential covers the request: minipass-fetch passes `user:password` to Node).
pub(crate) fn from_registry_url(value: &Value) -> Option<Credential> {
    let text = value.expanded.expose();
    let from_url = url_identity(text)?;
    let parsed = url::Url::parse(text.trim()).ok()?;
    let user = parsed.username();
    let (redacted, detail) = match parsed.password() {
        Some(_) => (format!("{user}:****"), format!("user {user}, from the URL")),
        None => (
            "****".to_owned(),
            "a token as the URL's user, from the URL".to_owned(),
        ),
    };
    Some(Credential {
        key: value.key.clone(),
        reg_key: None,
        field: Field::UrlUserinfo,
        kind: Kind::BasicAuth,
        redacted,
        detail: Some(detail),
        jwt: None,
        source: value.provenance.clone(),
        variables: value.variables.clone(),
        from_url: Some(from_url),
    })
}

/// Splits `//host/path/:_authToken` into (`//host/path/`, field); top-level fields give `""`.
pub(crate) fn split_key(key: &str) -> Option<(&str, Field)> {
    match key.rfind(':') {
        Some(at) => Field::from_name(&key[at + 1..]).map(|f| (&key[..at], f)),
        None => Field::from_name(key).map(|f| ("", f)),
    }
}

/// Builds the credential for a config value whose key is a credential field.
pub(crate) fn from_value(value: &Value, now: i64) -> Option<Credential> {
    let (prefix, field) = split_key(&value.key)?;
    let secret = value.expanded.expose();
    let (kind, detail, jwt) = classify(field, secret, &value.variables, now);
    let redacted = match kind {
        Kind::Username | Kind::ClientCert | Kind::ClientKey => secret.to_owned(),
        Kind::UnexpandedVariable if only_references(value.raw.expose()) => {
            value.raw.expose().to_owned()
        }
        _ => redact(secret),
    };
    Some(Credential {
        key: value.key.clone(),
        reg_key: (!prefix.is_empty()).then(|| prefix.to_owned()),
        field,
        kind,
        redacted,
        detail,
        jwt,
        source: value.provenance.clone(),
        variables: value.variables.clone(),
        from_url: None,
    })
}

/// True when the text is nothing but `${NAME}` references (a template, not a secret).
fn only_references(raw: &str) -> bool {
    let mut rest = raw;
    while let Some(after) = rest.strip_prefix("${") {
        match after.find('}') {
            Some(end) => rest = &after[end + 1..],
            None => return false,
        }
    }
    rest.is_empty() && !raw.is_empty()
}

type Classified = (Kind, Option<String>, Option<JwtClaims>);

fn classify(field: Field, value: &str, vars: &[VarRef], now: i64) -> Classified {
    let unexpanded = vars
        .iter()
        .any(|v| v.state == VarState::Unset && !v.optional);
    if unexpanded {
        return (Kind::UnexpandedVariable, None, None);
    }
    if value.is_empty() {
        return (Kind::Empty, None, None);
    }
    match field {
        Field::AuthToken => classify_token(value, now),
        Field::Auth => (Kind::BasicAuth, Some(basic_auth_user(value)), None),
        Field::Password => (Kind::Password, Some(password_detail(value)), None),
        Field::Username => (Kind::Username, None, None),
        Field::Certfile => (Kind::ClientCert, file_detail(value), None),
        Field::Keyfile => (Kind::ClientKey, file_detail(value), None),
        Field::UrlUserinfo => (Kind::BasicAuth, None, None),
    }
}

/// setup-node's dummy NODE_AUTH_TOKEN (see `Kind::Placeholder`).
pub const SETUP_NODE_PLACEHOLDER: &str = "XXXXX-XXXXX-XXXXX-XXXXX";

fn classify_token(token: &str, now: i64) -> Classified {
    const GITHUB: &[&str] = &["ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_"];
    if token == SETUP_NODE_PLACEHOLDER {
        (Kind::Placeholder, None, None)
    } else if token.starts_with("npm_") {
        (Kind::NpmToken, None, None)
    } else if GITHUB.iter().any(|p| token.starts_with(p)) {
        (Kind::GithubToken, None, None)
    } else if token.starts_with("glpat-") {
        (Kind::GitlabToken, None, None)
    } else if let Some(claims) = jwt_claims(token, now) {
        let detail = jwt_detail(&claims, now);
        (Kind::Jwt, Some(detail), Some(claims))
    } else if is_uuid(token) {
        (Kind::NpmLegacyToken, None, None)
    } else {
        (Kind::Unknown, None, None)
    }
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    parts.len() == 5
        && parts
            .iter()
            .zip(lens)
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn b64url(part: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()
}

/// Decodes a JWT's header and payload (no signature check: only dates and issuer are used).
pub(crate) fn jwt_claims(token: &str, now: i64) -> Option<JwtClaims> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let header: serde_json::Value = serde_json::from_slice(&b64url(parts[0])?).ok()?;
    header.get("alg")?;
    let payload: serde_json::Value = serde_json::from_slice(&b64url(parts[1])?).ok()?;
    let exp = payload
        .get("exp")
        .and_then(serde_json::Value::as_f64)
        .map(|f| f as i64);
    Some(JwtClaims {
        exp,
        iat: payload
            .get("iat")
            .and_then(serde_json::Value::as_f64)
            .map(|f| f as i64),
        iss: payload
            .get("iss")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        expired: exp.is_some_and(|e| e <= now),
    })
}

fn jwt_detail(claims: &JwtClaims, now: i64) -> String {
    let mut parts = Vec::new();
    if let Some(iss) = &claims.iss {
        parts.push(format!("issuer {iss}"));
    }
    if let Some(iat) = claims.iat {
        parts.push(format!("issued {}", format_time(iat)));
    }
    match claims.exp {
        Some(exp) if exp <= now => parts.push(format!(
            "EXPIRED {} ({} ago)",
            format_time(exp),
            span(now - exp)
        )),
        Some(exp) => parts.push(format!(
            "expires {} (in {})",
            format_time(exp),
            span(exp - now)
        )),
        None => parts.push("no expiry claim".to_owned()),
    }
    parts.join(", ")
}

fn span(seconds: i64) -> String {
    match seconds {
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// `_auth` is base64 of `user:password`; only the user part is shown.
fn basic_auth_user(value: &str) -> String {
    match decode_base64(value) {
        Some(decoded) => match decoded.split_once(':') {
            Some((user, _)) => format!("user {user}"),
            None => "decodes to text without ':' (no password part)".to_owned(),
        },
        None => "not valid base64: the server receives garbage".to_owned(),
    }
}

fn password_detail(value: &str) -> String {
    if decode_base64(value).is_some() {
        "base64-encoded, as npm expects".to_owned()
    } else {
        "not base64: npm decodes it anyway and sends a garbled password".to_owned()
    }
}

fn decode_base64(value: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    String::from_utf8(bytes).ok()
}

fn file_detail(path: &str) -> Option<String> {
    (!std::path::Path::new(path).is_file())
        .then(|| "file not found: npm silently drops the pair".to_owned())
}

/// Seconds since the epoch now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DD HH:MM UTC` for a Unix time.
pub(crate) fn format_time(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = crate::civil::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.CANARYsignatureCANARY",
            e(r#"{"alg":"HS256","typ":"JWT"}"#),
            e(payload)
        )
    }

    fn kind(field: Field, v: &str) -> Kind {
        classify(field, v, &[], 1_700_000_000).0
    }

    #[test]
    fn token_kinds() {
        assert_eq!(
            kind(Field::AuthToken, "npm_CANARYcanaryCANARYcanaryCANARY0001"),
            Kind::NpmToken
        );
        assert_eq!(
            kind(Field::AuthToken, "ghp_CANARYcanary"),
            Kind::GithubToken
        );
        assert_eq!(
            kind(Field::AuthToken, "github_pat_CANARY"),
            Kind::GithubToken
        );
        assert_eq!(
            kind(Field::AuthToken, "glpat-CANARYcanary"),
            Kind::GitlabToken
        );
        assert_eq!(
            kind(Field::AuthToken, "0a1b2c3d-0000-4000-8000-00000000CAFE"),
            Kind::NpmLegacyToken
        );
        assert_eq!(kind(Field::AuthToken, "CANARYwhatever"), Kind::Unknown);
        assert_eq!(kind(Field::AuthToken, ""), Kind::Empty);
    }

    #[test]
    fn jwt_expiry_is_judged_against_now() {
        let expired = jwt(r#"{"exp":1600000000,"iat":1500000000,"iss":"https://issuer.example"}"#);
        let (k, detail, claims) = classify(Field::AuthToken, &expired, &[], 1_700_000_000);
        assert_eq!(k, Kind::Jwt);
        assert!(claims.unwrap().expired);
        let detail = detail.unwrap();
        assert!(detail.contains("EXPIRED 2020-09-13"), "{detail}");
        assert!(detail.contains("issuer https://issuer.example"));
        let valid = jwt(r#"{"exp":1800000000}"#);
        let (_, detail, claims) = classify(Field::AuthToken, &valid, &[], 1_700_000_000);
        assert!(!claims.unwrap().expired);
        assert!(detail.unwrap().starts_with("expires 2027-01-15"));
    }

    #[test]
    fn auth_shows_only_the_user() {
        let auth = base64::engine::general_purpose::STANDARD.encode("alice:CANARYpass");
        let (k, detail, _) = classify(Field::Auth, &auth, &[], 0);
        assert_eq!(k, Kind::BasicAuth);
        assert_eq!(detail.unwrap(), "user alice");
        assert!(password_detail("not*base64").starts_with("not base64"));
        assert!(password_detail("cGFzcw==").starts_with("base64"));
    }

    #[test]
    fn unset_variable_wins() {
        let vars = [VarRef {
            name: "NPM_TOKEN".into(),
            state: VarState::Unset,
            optional: false,
        }];
        assert_eq!(
            classify(Field::AuthToken, "${NPM_TOKEN}", &vars, 0).0,
            Kind::UnexpandedVariable
        );
        assert!(only_references("${A}${B}"));
        assert!(!only_references("x${A}"));
    }

    #[test]
    fn setup_node_placeholder_is_not_a_token() {
        let vars = [VarRef {
            name: "NODE_AUTH_TOKEN".into(),
            state: VarState::Set,
            optional: false,
        }];
        let kind = classify(Field::AuthToken, SETUP_NODE_PLACEHOLDER, &vars, 0).0;
        assert_eq!(kind, Kind::Placeholder);
        assert_eq!(kind.as_str(), "placeholder");
    }

    #[test]
    fn keys_split() {
        assert_eq!(
            split_key("//h:1/p/:_authToken"),
            Some(("//h:1/p/", Field::AuthToken))
        );
        assert_eq!(split_key("_auth"), Some(("", Field::Auth)));
        assert_eq!(split_key("registry"), None);
        assert_eq!(format_time(0), "1970-01-01 00:00 UTC");
    }
}
