//! The sentences for configuration problems (`crate::config::problems`): the only place they are worded, for `regauth doctor`, evidence and fix texts alike.

use crate::config::expand::VarState;
use crate::config::problems::{
    LegacyFix, NearMissWhy, Problem, ProblemKind, ShapeWhy, UnusableWhy, VariableEffect,
};

/// The sentence for a problem.
pub fn message(problem: &Problem) -> String {
    sentence(&problem.kind)
}

/// The sentence for a problem kind.
pub(crate) fn sentence(kind: &ProblemKind) -> String {
    match kind {
        ProblemKind::LegacyTopLevel { key, layer, fix } => {
            let tail = "npm stops every command with ERR_INVALID_AUTH (`npm config fix` repairs it)";
            let layer = layer.as_str();
            match fix {
                LegacyFix::Delete => format!("`{key}` must be deleted from {layer} config: {tail}"),
                LegacyFix::DeleteLonePartner => format!(
                    "`{key}` must be deleted from {layer} config (its partner is missing): {tail}"
                ),
                LegacyFix::RenameTo(to) => {
                    format!("`{key}` must be renamed to `{to}` in {layer} config: {tail}")
                }
            }
        }
        ProblemKind::AlwaysAuth { key } => format!(
            "`{key}` is not read by npm since 7.10: npm sends a credential only to URLs under its key"
        ),
        ProblemKind::VariableUnusable {
            key,
            variable,
            state,
            effect,
        } => {
            let state = if *state == VarState::Empty {
                "set but empty"
            } else {
                "unset"
            };
            let effect = match effect {
                VariableEffect::LiteralCredential => format!(
                    "npm sends the literal text `${{{variable}}}` as the credential (and warns about nothing)"
                ),
                VariableEffect::LiteralUrl => {
                    "npm uses the literal text, which is not a usable URL".to_owned()
                }
                VariableEffect::EmptyCredential => {
                    "the value is empty, so npm sends no credential at all".to_owned()
                }
                VariableEffect::EmptySetting => {
                    "the value is empty, so npm ignores the setting".to_owned()
                }
                VariableEffect::PartEmpty => "part of the value is empty".to_owned(),
            };
            format!("`{key}` uses ${{{variable}}}, which is {state} here: {effect}")
        }
        ProblemKind::EmptyCredential { key } => {
            format!("`{key}` is empty: npm treats it as absent")
        }
        ProblemKind::ExpiredJwt { key, detail } => {
            format!("`{key}` is a JWT that has expired ({detail})")
        }
        ProblemKind::NearMiss {
            key,
            setting,
            registry,
            why,
        } => format!(
            "`{key}` does not apply to {setting} {registry}: {}",
            near_miss(why)
        ),
        ProblemKind::RegistryUnusable {
            setting,
            shown,
            why,
        } => unusable(setting, shown, why),
        ProblemKind::DoubleLoaded {
            path,
            layer,
            previous,
        } => format!(
            "{} is named as the {} config but npm already loaded it as the {} config: npm aborts every command with \"double-loading config\"",
            path.display(),
            layer.as_str(),
            previous.as_str()
        ),
        ProblemKind::RegistryShape {
            setting,
            shown,
            why,
        } => format!("`{setting}` {shown}: {}", shape(why)),
        ProblemKind::MovedUserconfig {
            key,
            home_npmrc,
            userconfig,
            set_by,
        } => format!(
            "`{key}` is in {} but npm reads the user config from {userconfig} (set by {set_by}): this credential is not used",
            home_npmrc.display()
        ),
        ProblemKind::SkippedFile { key, path, reason } => format!(
            "`{key}` is in {}, which npm does not read here ({reason})",
            path.display()
        ),
        ProblemKind::Overridden { key, by } => format!(
            "`{key}` here is overridden by {by} ({} layer)",
            by.layer().as_str()
        ),
        ProblemKind::InSection { key, section } => {
            format!("`{key}` is inside the `[{section}]` section: npm ignores keys in sections")
        }
        ProblemKind::LockfilePinned {
            lockfile,
            count,
            origin,
            sent_key,
        } => {
            let credential = match sent_key {
                Some(k) => format!("npm would send `{k}`"),
                None => "npm has no credential for it".to_owned(),
            };
            format!(
                "{} pins {count} package(s) to {origin}, which is not a configured registry; {credential} (`npm ci --replace-registry-host=always` or a regenerated lockfile uses the configured registry)",
                lockfile.display()
            )
        }
        ProblemKind::UnmappedScope {
            package,
            scope,
            registry,
            other_key,
        } => format!(
            "{package} goes to the default registry {registry} because `{scope}:registry` is not set, while a credential exists for `{other_key}`"
        ),
    }
}

/// Why a near-miss key does not apply, as a clause.
pub(crate) fn near_miss(why: &NearMissWhy) -> String {
    match why {
        NearMissWhy::SchemeInKey => {
            "the key contains a scheme; npm only reads keys that start with `//`".to_owned()
        }
        NearMissWhy::NoLeadingSlashes => "the key lacks the leading `//`".to_owned(),
        NearMissWhy::OtherPort {
            key_host,
            registry_host,
        } => format!(
            "the key is for `{key_host}`, the registry is on `{registry_host}` (another port)"
        ),
        NearMissWhy::LoopbackAlias {
            key_host,
            registry_host,
        } => format!("`{key_host}` and `{registry_host}` are different keys to npm"),
        NearMissWhy::PathDeeper {
            key_path,
            registry_path,
        } => format!(
            "the key's path `{key_path}` is deeper than the registry's path `{registry_path}`"
        ),
        NearMissWhy::PathElsewhere {
            key_path,
            registry_path,
        } => format!(
            "the key's path `{key_path}` does not cover the registry's path `{registry_path}`"
        ),
    }
}

fn shape(why: &ShapeWhy) -> String {
    match why {
        ShapeWhy::HttpsOnly { host } => format!("{host} is served over https only"),
        ShapeWhy::ArtifactoryPath => {
            "Artifactory npm registries live under `/artifactory/api/npm/<repo>/`".to_owned()
        }
        ShapeWhy::GitlabPath => "GitLab npm registries live under `/api/v4/projects/<id>/packages/npm/` or `/api/v4/packages/npm/`".to_owned(),
        ShapeWhy::AzurePath => {
            "Azure Artifacts feeds live under `/_packaging/<feed>/npm/registry/`".to_owned()
        }
    }
}

fn unusable(setting: &str, shown: &str, why: &UnusableWhy) -> String {
    let what = if setting == "registry" {
        "every request".to_owned()
    } else {
        format!(
            "every request for {} packages",
            setting.trim_end_matches(":registry")
        )
    };
    match why {
        UnusableWhy::InvalidUrl => format!(
            "`{setting}` is `{shown}`, which is not a URL: npm keeps it and stops {what} with ERR_INVALID_URL"
        ),
        UnusableWhy::NotHttp { scheme } => format!(
            "`{setting}` is `{shown}`, a URL of scheme `{scheme}:`: npm keeps it and stops {what} with \"Only HTTP(S) protocols are supported\""
        ),
    }
}
