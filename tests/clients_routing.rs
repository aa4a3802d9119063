//! `regauth doctor --client` against ground truth, per client: a loopback fixture registry
//! records the `Authorization` header the real pnpm 10/11/12, yarn 1 and yarn 4 send for a
//! package's metadata (`add PKG`), and the route regauth predicts (which credential, or none, or
//! "stops before any request") must match it. Tokens are told apart by their last 4 characters
//! (the only part regauth's redacted form shows); failure messages never show a raw header.

mod support;

use support::{last4, FixtureServer, NpmEnv, Response};

const T1: &str = "npm_CANARYcanaryCANARYcanaryCANARY0001";
const T2: &str = "npm_CANARYcanaryCANARYcanaryCANARY0002";
const T3: &str = "npm_CANARYcanaryCANARYcanaryCANARY0003";

use support::TestClient as Client;

const PNPMS: [Client; 3] = [Client::Pnpm10, Client::Pnpm11, Client::Pnpm12];

/// What a run shows: no request at all, a request without a credential, or one with token N.
#[derive(Debug, PartialEq)]
enum Sent {
    NoRequest,
    Nothing,
    /// `Authorization: Bearer ` with nothing after it (pnpm with an empty `${VAR}`).
    EmptyBearer,
    Token(String),
}

/// An env for `client` whose PATH starts with that client; no update checks, no telemetry.
fn env_for(client: Client) -> NpmEnv {
    client.env()
}

fn write(path: &std::path::Path, text: &str) {
    support::write_file(path, text)
}

/// What the real client sent for `package`'s metadata.
fn real(client: Client, env: &NpmEnv, server: &FixtureServer, package: &str) -> Sent {
    let before = server.requests().len();
    let out = support::client_add(env, client.program(), package);
    let request = support::metadata_request(server.requests().into_iter().skip(before), package);
    match request {
        None => {
            assert!(
                !out.status.success(),
                "{client:?} succeeded without asking the registry"
            );
            Sent::NoRequest
        }
        Some(r) => match r.header("authorization") {
            None => Sent::Nothing,
            Some(h) if h.trim() == "Bearer" => Sent::EmptyBearer,
            Some(h) => Sent::Token(last4(h.trim())),
        },
    }
}

/// What `regauth doctor --client` predicts.
fn predicted(client: Client, env: &NpmEnv, package: &str) -> Sent {
    let route = &support::doctor_client_route(env, client, package);
    if !route["fatal"].is_null() {
        return Sent::NoRequest;
    }
    if route["credential"]["empty"] == true {
        return Sent::EmptyBearer;
    }
    match route["credential"]["redacted"].as_str() {
        None => Sent::Nothing,
        Some(r) => Sent::Token(last4(r)),
    }
}

/// A fixture registry that knows no package (404): enough to see the first request.
fn registry() -> FixtureServer {
    FixtureServer::start(|_| Response::new(404).json(serde_json::json!({"error": "not found"})))
}

/// Runs one case for `client` and checks prediction == reality == `expected`.
fn check(
    client: Client,
    setup: impl Fn(&mut NpmEnv, &str),
    package: &str,
    expected: Sent,
    case: &str,
) {
    let server = registry();
    let mut env = env_for(client);
    setup(&mut env, &server.url());
    let real = real(client, &env, &server, package);
    let predicted = predicted(client, &env, package);
    assert_eq!(
        real, expected,
        "{case}: {client:?} itself did not behave as this case claims"
    );
    assert_eq!(
        predicted,
        real,
        "{case}: regauth doctor --client {} disagrees with {client:?}",
        client.doctor_name()
    );
}

fn nerf(url: &str) -> String {
    url.trim_start_matches("http:").to_owned()
}

#[test]
fn npmrc_clients_user_token_for_a_mapped_scope() {
    for client in PNPMS.into_iter().chain([Client::Yarn1]) {
        check(
            client,
            |env, url| {
                env.write_project_npmrc(&format!("@priv:registry={url}\n"));
                env.write_userconfig(&format!("{}:_authToken={T1}\n", nerf(url)));
            },
            "@priv/lib",
            Sent::Token(last4(T1)),
            "user token",
        );
    }
}

#[test]
fn pnpm_ignores_a_variable_credential_in_the_project_npmrc_yarn1_uses_it() {
    let setup = |env: &mut NpmEnv, url: &str| {
        env.write_project_npmrc(&format!(
            "@priv:registry={url}\n{}:_authToken=${{NPM_TOKEN}}\n",
            nerf(url)
        ));
        env.write_userconfig(&format!("{}:_authToken={T1}\n", nerf(url)));
        env.set_env("NPM_TOKEN", T2);
    };
    for client in PNPMS {
        check(
            client,
            setup,
            "@priv/lib",
            Sent::Token(last4(T1)),
            "project ${NPM_TOKEN}",
        );
    }
    check(
        Client::Yarn1,
        setup,
        "@priv/lib",
        Sent::Token(last4(T2)),
        "project ${NPM_TOKEN}",
    );
}

#[test]
fn an_unset_variable_in_the_user_npmrc() {
    let setup = |env: &mut NpmEnv, url: &str| {
        env.write_project_npmrc(&format!("@priv:registry={url}\n"));
        env.write_userconfig(&format!("{}:_authToken=${{NPM_TOKEN}}\n", nerf(url)));
    };
    // pnpm 10 drops the file, 11 the key; 12 sends the credential empty
    check(
        Client::Pnpm10,
        setup,
        "@priv/lib",
        Sent::Nothing,
        "user ${NPM_TOKEN} unset",
    );
    check(
        Client::Pnpm11,
        setup,
        "@priv/lib",
        Sent::Nothing,
        "user ${NPM_TOKEN} unset",
    );
    check(
        Client::Pnpm12,
        setup,
        "@priv/lib",
        Sent::EmptyBearer,
        "user ${NPM_TOKEN} unset",
    );
    check(
        Client::Yarn1,
        setup,
        "@priv/lib",
        Sent::NoRequest,
        "user ${NPM_TOKEN} unset",
    );
}

#[test]
fn an_empty_variable_in_the_user_npmrc() {
    let setup = |env: &mut NpmEnv, url: &str| {
        env.write_project_npmrc(&format!("@priv:registry={url}\n"));
        env.write_userconfig(&format!("{}:_authToken=${{NPM_TOKEN}}\n", nerf(url)));
        env.set_env("NPM_TOKEN", "");
    };
    check(
        Client::Pnpm10,
        setup,
        "@priv/lib",
        Sent::EmptyBearer,
        "user ${NPM_TOKEN} empty",
    );
    check(
        Client::Pnpm11,
        setup,
        "@priv/lib",
        Sent::Nothing,
        "user ${NPM_TOKEN} empty",
    );
    check(
        Client::Pnpm12,
        setup,
        "@priv/lib",
        Sent::EmptyBearer,
        "user ${NPM_TOKEN} empty",
    );
    check(
        Client::Yarn1,
        setup,
        "@priv/lib",
        Sent::Nothing,
        "user ${NPM_TOKEN} empty",
    );
}

#[test]
fn unscoped_packages_get_no_credential_from_yarn1_but_do_from_pnpm() {
    let setup = |env: &mut NpmEnv, url: &str| {
        env.write_userconfig(&format!("registry={url}\n{}:_authToken={T1}\n", nerf(url)));
    };
    check(
        Client::Pnpm10,
        setup,
        "pub-pkg",
        Sent::Token(last4(T1)),
        "unscoped",
    );
    check(Client::Yarn1, setup, "pub-pkg", Sent::Nothing, "unscoped");
}

#[test]
fn pnpm_11_and_12_read_auth_ini_above_the_user_npmrc() {
    let setup = |env: &mut NpmEnv, url: &str| {
        env.write_project_npmrc(&format!("@priv:registry={url}\n"));
        env.write_userconfig(&format!("{}:_authToken={T1}\n", nerf(url)));
        let ini = env.home().join(".config/pnpm/auth.ini");
        write(&ini, &format!("{}:_authToken={T3}\n", nerf(url)));
    };
    check(
        Client::Pnpm11,
        setup,
        "@priv/lib",
        Sent::Token(last4(T3)),
        "auth.ini",
    );
    check(
        Client::Pnpm12,
        setup,
        "@priv/lib",
        Sent::Token(last4(T3)),
        "auth.ini",
    );
    check(
        Client::Pnpm10,
        setup,
        "@priv/lib",
        Sent::Token(last4(T1)),
        "auth.ini",
    );
}

#[test]
fn berry_takes_the_scope_then_the_registry_then_the_top_level_credential() {
    let project_rc = |env: &NpmEnv, text: &str| write(&env.project().join(".yarnrc.yml"), text);
    let scope = |url: &str| format!("npmScopes:\n  priv:\n    npmRegistryServer: \"{url}\"\n");
    // the registry's entry (written with a trailing slash: berry strips it)
    check(
        Client::Yarn4,
        |env, url| {
            project_rc(
                env,
                &format!(
                    "{}npmRegistries:\n  \"{url}\":\n    npmAuthToken: \"{T1}\"\n",
                    scope(url)
                ),
            );
        },
        "@priv/lib",
        Sent::Token(last4(T1)),
        "npmRegistries",
    );
    // the scope's own token wins over the registry's
    check(
        Client::Yarn4,
        |env, url| {
            project_rc(
                env,
                &format!(
                    "npmScopes:\n  priv:\n    npmRegistryServer: \"{url}\"\n    npmAuthToken: \"{T2}\"\nnpmRegistries:\n  \"{url}\":\n    npmAuthToken: \"{T1}\"\n"
                ),
            );
        },
        "@priv/lib",
        Sent::Token(last4(T2)),
        "npmScopes token",
    );
    // a top-level token applies to any registry
    check(
        Client::Yarn4,
        |env, url| project_rc(env, &format!("{}npmAuthToken: \"{T3}\"\n", scope(url))),
        "@priv/lib",
        Sent::Token(last4(T3)),
        "top-level npmAuthToken",
    );
    // .npmrc is not read at all
    check(
        Client::Yarn4,
        |env, url| {
            project_rc(env, &scope(url));
            env.write_userconfig(&format!("{}:_authToken={T1}\n", nerf(url)));
        },
        "@priv/lib",
        Sent::Nothing,
        ".npmrc only",
    );
}

#[test]
fn berry_stops_on_an_unset_variable_and_sends_nothing_unscoped_without_always_auth() {
    check(
        Client::Yarn4,
        |env, url| {
            let rc = format!("npmRegistryServer: \"{url}\"\nnpmAuthToken: \"${{NPM_TOKEN}}\"\n");
            write(&env.project().join(".yarnrc.yml"), &rc);
        },
        "pub-pkg",
        Sent::NoRequest,
        "unset ${NPM_TOKEN}",
    );
    check(
        Client::Yarn4,
        |env, url| {
            let rc = format!("npmRegistryServer: \"{url}\"\nnpmAuthToken: \"{T1}\"\n");
            write(&env.project().join(".yarnrc.yml"), &rc);
        },
        "pub-pkg",
        Sent::Nothing,
        "unscoped, no npmAlwaysAuth",
    );
}
