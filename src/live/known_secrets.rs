//! The secret values a failed run's configuration and arguments hold (with their decoded
//! forms), so the explanation can hide them wherever a server message or argument repeats one.

use crate::config::Config;

use super::RunContext;

/// The secret values npm's configuration holds for this run, with their decoded forms.
pub fn known_secrets(config: &Config, run: &RunContext) -> Vec<String> {
    let mut secrets = config.secret_values();
    secrets.extend(values_after_bare_secret_flags(&run.args));
    secrets.extend(run.args.iter().flat_map(|a| url_userinfo(a)));
    crate::secret::with_decoded_forms(secrets.iter().map(String::as_str))
}

/// The userinfo of a URL argument (`https://TOKEN@host/x.tgz`), as npm sends it: base64 of
/// `user:password` in a Basic header; with its secret part.
fn url_userinfo(arg: &str) -> Vec<String> {
    use base64::Engine;
    let after_flag = arg.split_once('=').map_or(arg, |(_, v)| v);
    let Ok(url) = url::Url::parse(arg).or_else(|_| url::Url::parse(after_flag)) else {
        return Vec::new();
    };
    let secret = match url.password() {
        Some(password) => password.to_owned(),
        None if !url.username().is_empty() => url.username().to_owned(),
        None => return Vec::new(),
    };
    let header = format!("{}:{}", url.username(), url.password().unwrap_or(""));
    let encoded = base64::engine::general_purpose::STANDARD.encode(header);
    vec![secret, encoded]
}

/// `--//host/:_authToken VALUE` (no `=`): npm takes VALUE as a positional argument (and quotes
/// it in its log title), but the user meant it as the secret.
fn values_after_bare_secret_flags(args: &[String]) -> Vec<String> {
    args.windows(2)
        .filter(|pair| {
            let flag = pair[0].trim_start_matches('-');
            pair[0].starts_with("--")
                && !flag.contains('=')
                && crate::config::value::is_secret_key(flag)
                && !pair[1].starts_with('-')
        })
        .map(|pair| pair[1].clone())
        .collect()
}
