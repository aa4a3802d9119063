//! The secret values a failed run's configuration and arguments hold (with their decoded
//! forms), so the explanation can hide them wherever a server message or argument repeats one.

use crate::config::Config;

use super::RunContext;

/// The secret values npm's configuration holds for this run, with their decoded forms.
pub fn known_secrets(config: &Config, run: &RunContext) -> crate::secret::Known {
    let mut secrets = config.secret_values();
    secrets.extend(values_after_bare_secret_flags(&run.args));
    secrets.extend(
        run.args
            .iter()
            .flat_map(|a| crate::secret::userinfo_secrets(a)),
    );
    crate::secret::with_decoded_forms(secrets.iter().map(String::as_str))
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
