//! `regauth doctor --client pnpm|yarn|...`: the routes another client takes, from that client's
//! own configuration model (`config::clients`), in the project's client when `--client` is not
//! given and the project is not an npm one (`packageManager`, else its lockfile).

use std::fmt::Write as _;

use serde::Serialize;

use crate::config::clients::{self, ClientKind, ClientRoute};
use crate::config::LoadContext;
use crate::render::Format;
use crate::secret::hide_userinfo;

/// `--client` values: `npm`, `pnpm` (the project's major, else 12), `pnpm10`..`pnpm12`,
/// `yarn` (the project's yarn: 1 or berry), `yarn1`, `berry`.
pub fn parse_client(name: &str, cwd: &std::path::Path) -> anyhow::Result<ClientKind> {
    let detected = clients::detect_client(cwd);
    Ok(match name {
        "npm" => ClientKind::Npm,
        "pnpm" => match detected {
            ClientKind::Pnpm(m) => ClientKind::Pnpm(m),
            _ => ClientKind::Pnpm(12),
        },
        "pnpm10" => ClientKind::Pnpm(10),
        "pnpm11" => ClientKind::Pnpm(11),
        "pnpm12" => ClientKind::Pnpm(12),
        "yarn" => match detected {
            ClientKind::Yarn1 | ClientKind::Berry => detected,
            _ if cwd.ancestors().any(|d| d.join(".yarnrc.yml").is_file()) => ClientKind::Berry,
            _ => ClientKind::Yarn1,
        },
        "yarn1" => ClientKind::Yarn1,
        "berry" | "yarn4" => ClientKind::Berry,
        other => anyhow::bail!(
            "unknown client {other:?} (expected npm, pnpm, pnpm10, pnpm11, pnpm12, yarn, yarn1 or berry)"
        ),
    })
}

#[derive(Serialize)]
struct Report<'a> {
    schema: u32,
    client: String,
    routes: &'a [ClientRoute],
}

/// Prints the report of `client` for `packages` (already validated); exit status 0.
pub fn run(client: ClientKind, packages: &[String], format: Format) -> anyhow::Result<i32> {
    let ctx = LoadContext::from_process(Vec::new());
    let packages: Vec<String> = if packages.is_empty() {
        vec!["example-package".to_owned()]
    } else {
        packages.to_vec()
    };
    let routes: Vec<ClientRoute> = packages
        .iter()
        .map(|p| clients::route_package(client, &ctx, p))
        .collect();
    let text = match format {
        Format::Json => {
            let report = Report {
                schema: 1,
                client: client.label(),
                routes: &routes,
            };
            serde_json::to_string_pretty(&report)? + "\n"
        }
        _ => human(client, &routes),
    };
    super::stdout::write(&text)?;
    Ok(0)
}

fn human(client: ClientKind, routes: &[ClientRoute]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "client: {}", client.label());
    for r in routes {
        let _ = writeln!(out, "{} -> GET {}", r.package, hide_userinfo(&r.url));
        let _ = writeln!(
            out,
            "  registry: {} ({}, {})",
            hide_userinfo(&r.registry),
            r.registry_key,
            r.registry_source
        );
        match (&r.credential, &r.no_credential_because) {
            (Some(c), _) => {
                let _ = writeln!(
                    out,
                    "  sends: {} {} ({}) from {}",
                    c.header, c.key, c.redacted, c.source
                );
            }
            (None, Some(why)) => {
                let _ = writeln!(out, "  sends: no credential: {why}");
            }
            (None, None) => {
                let _ = writeln!(out, "  sends: no credential");
            }
        }
        if let Some(fatal) = &r.fatal {
            let _ = writeln!(out, "  stops: {fatal}");
        }
        for i in &r.ignored {
            let _ = writeln!(
                out,
                "  ignored: {} ({}): {}",
                i.key,
                i.source,
                i.because.sentence(client)
            );
        }
    }
    out
}
