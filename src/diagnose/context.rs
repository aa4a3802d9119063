//! Values derived once from the facts that many rules and fix texts need: the registry and its
//! kind, the package and scope, the status, the operation.

use super::facts::Facts;
use super::registry::{self, Entry, Kind};
use crate::detect::{url, Failure, Operation};

pub(crate) struct Context<'a> {
    pub(crate) facts: &'a Facts,
    pub(crate) failure: &'a Failure,
    pub(crate) entry: &'static Entry,
    /// The registry root the failing request went to, when known.
    pub(crate) registry: Option<String>,
    pub(crate) host: Option<String>,
    pub(crate) package: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) status: Option<u16>,
    pub(crate) op: Operation,
    pub(crate) tarball: bool,
    /// The `${VAR}` most likely involved, when the text or config names one.
    pub(crate) variable: Option<String>,
    /// The client that failed: whose files, keys and commands the advice names.
    pub(crate) client: crate::config::clients::ClientKind,
}

impl<'a> Context<'a> {
    pub(crate) fn new(facts: &'a Facts) -> Context<'a> {
        let f = &facts.failure;
        let registry_url = registry_url(f).or_else(|| {
            facts
                .config
                .as_ref()
                .and_then(|c| c.request_registry.clone())
        });
        let entry = match registry_url.as_deref() {
            Some(u) => registry::entry_for(u),
            None => entry_from_realm(f).unwrap_or_else(|| registry::entry_for("")),
        };
        let entry = declared_entry(facts).unwrap_or(entry);
        let from_realm = registry_url.is_some() && registry_url == realm_url(f);
        let registry = registry_url.as_deref().and_then(|u| {
            if from_realm && entry.kind == Kind::Azure {
                // Azure's realm names its service host, not the feed URL npm is configured with
                None
            } else if f.url.as_deref() == Some(u) {
                registry::registry_root(u)
            } else {
                Some(u.to_owned())
            }
        });
        let package = f.package.clone();
        let scope = package
            .as_deref()
            .filter(|p| p.starts_with('@'))
            .and_then(|p| p.split('/').next())
            .map(str::to_owned);
        let variable = f.signals.env_unresolved.first().cloned().or_else(|| {
            facts
                .config
                .as_ref()
                .and_then(|c| {
                    c.variables
                        .iter()
                        .find(|v| v.state != super::facts::VarState::Set)
                })
                .map(|v| v.name.clone())
        });
        Context {
            facts,
            failure: f,
            entry,
            host: registry_url.as_deref().and_then(url::host),
            registry,
            package,
            scope,
            status: f.http_status,
            op: f.signals.operation,
            tarball: f.url.as_deref().is_some_and(url::is_tarball),
            variable,
            client: facts.client,
        }
    }

    pub(crate) fn kind(&self) -> Kind {
        self.entry.kind
    }

    /// The registry URL for commands, or a placeholder saying what to put there.
    pub(crate) fn registry_or_placeholder(&self) -> String {
        self.registry
            .clone()
            .unwrap_or_else(|| "<registry-url>".to_owned())
    }

    pub(crate) fn host_or_registry_word(&self) -> String {
        self.host
            .clone()
            .unwrap_or_else(|| "the registry".to_owned())
    }

    pub(crate) fn is_publish(&self) -> bool {
        self.op == Operation::Publish
    }

    pub(crate) fn is_read(&self) -> bool {
        matches!(self.op, Operation::Read | Operation::Unknown)
    }

    pub(crate) fn in_ci(&self) -> bool {
        self.facts.env.ci.is_some()
    }

    /// Lowercased server message (the registry's own words), empty when none.
    pub(crate) fn server_text(&self) -> String {
        self.failure
            .server_message
            .clone()
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// Lowercased server message plus the main message: for wording npm does not rewrite.
    pub(crate) fn all_text(&self) -> String {
        let f = self.failure;
        let mut t = String::new();
        for s in [&f.message, &f.server_message].into_iter().flatten() {
            t.push_str(s);
            t.push(' ');
        }
        t.to_ascii_lowercase()
    }
}

/// The URL that best names the failing registry.
fn registry_url(f: &Failure) -> Option<String> {
    f.url
        .clone()
        .or_else(|| f.signals.pkgid_url.clone())
        .or_else(|| {
            f.signals
                .no_auth_for_uri
                .as_ref()
                .and_then(|n| n.uri.clone())
        })
        .or_else(|| f.signals.need_auth_registry.clone())
        .or_else(|| f.signals.publish_registry.clone())
        .or_else(|| realm_url(f))
}

/// A URL inside a `www-authenticate` realm (Azure and Google put the registry host there).
fn realm_url(f: &Failure) -> Option<String> {
    f.www_authenticate.iter().find_map(|w| {
        let i = w.find("realm=\"")? + 7;
        let rest = &w[i..];
        let value = &rest[..rest.find('"')?];
        if value.starts_with("http") {
            Some(value.to_owned())
        } else {
            // some registries (CodeArtifact) put a bare host name in the realm
            let host_like =
                value.contains('.') && !value.contains(char::is_whitespace) && !value.contains('/');
            host_like.then(|| format!("https://{value}/"))
        }
    })
}

/// Realm names that say the kind without a URL (`Artifactory Realm`, `GitHub Package Registry`).
/// The entry of the kind the organisation declared for this registry (`Facts::registry_kind`).
fn declared_entry(facts: &Facts) -> Option<&'static Entry> {
    let id = facts.registry_kind.as_deref()?;
    registry::ENTRIES.iter().find(|e| e.id == id)
}

fn entry_from_realm(f: &Failure) -> Option<&'static Entry> {
    let all = f.www_authenticate.join(" ").to_ascii_lowercase();
    registry::ENTRIES
        .iter()
        .find(|e| e.realm_words.iter().any(|w| all.contains(w)))
}
