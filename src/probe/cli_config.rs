//! Config the user gave on npm's command line (`npm publish --userconfig ./ci.npmrc`) that the
//! probes must see too, or they would answer for a different configuration. It reaches the
//! probes through `npm_config_*` variables in their environment (npm's env layer sits just below
//! the command line), never through their command line, since a value may be a credential.

/// Settings that decide where requests go and which credentials and TLS/proxy options apply.
const CARRIED_KEYS: &[&str] = &[
    "registry",
    "userconfig",
    "globalconfig",
    "cafile",
    "ca",
    "cert",
    "key",
    "strict-ssl",
    "proxy",
    "https-proxy",
    "noproxy",
    "local-address",
];

/// `(key, value)` pairs for the carried settings in the user's npm arguments, in order; a later
/// one wins, as in npm. Keys are npm's (`https-proxy`, `@priv:registry`, `//host/:_authToken`).
pub fn carried_config(args: &[String]) -> Vec<(String, String)> {
    let mut config = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            break;
        }
        let Some(option) = arg.strip_prefix("--") else {
            continue;
        };
        if let Some(key) = option.strip_prefix("no-").filter(|k| is_carried(k)) {
            config.push((key.to_string(), "false".to_string()));
            continue;
        }
        let (key, value) = match option.split_once('=') {
            Some((key, value)) => (key, Some(value.to_string())),
            None => (option, None),
        };
        if !is_carried(key) {
            continue;
        }
        let value = value.or_else(|| iter.next().cloned());
        if let Some(value) = value {
            config.push((key.to_string(), value));
        }
    }
    config
}

fn is_carried(key: &str) -> bool {
    CARRIED_KEYS.contains(&key)
        || key.starts_with("//")
        || (key.starts_with('@') && key.ends_with(":registry"))
}

/// npm's env-layer key for a variable name (`npm_config_*`, any case), as the config model
/// reads it; `None` for other names and for a bare `npm_config_`.
pub(crate) fn env_key(name: &str) -> Option<String> {
    crate::config::layers::env_var_key(name).filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn carries_routing_credential_and_tls_settings() {
        let got = carried_config(&args(
            "publish --userconfig ./ci.npmrc --registry=http://r/ --@priv:registry http://p/ \
             --//r/:_authToken=npm_CANARY --no-strict-ssl --tag next --otp 123 -- --registry=x",
        ));
        let want = [
            ("userconfig", "./ci.npmrc"),
            ("registry", "http://r/"),
            ("@priv:registry", "http://p/"),
            ("//r/:_authToken", "npm_CANARY"),
            ("strict-ssl", "false"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn env_keys_like_npm() {
        assert_eq!(
            env_key("NPM_CONFIG_HTTPS_PROXY").as_deref(),
            Some("https-proxy")
        );
        assert_eq!(env_key("npm_config_registry").as_deref(), Some("registry"));
        assert_eq!(
            env_key("npm_config_//h/:_authToken").as_deref(),
            Some("//h/:_authToken")
        );
        assert_eq!(env_key("npm_config__auth").as_deref(), Some("_auth"));
        assert_eq!(env_key("NODE_OPTIONS"), None);
    }
}
