//! The live scenarios' setups, one function each: the isolated npm environment, the command and
//! what plain npm must do. tests/live_verdaccio.rs checks each one's report; tests/live_snapshots.rs
//! renders each one's human text at 80 and 120 columns (`ALL`). Instance A is
//! `Verdaccio::shared()`; instance B (`locked()`) needs a login for every package, the "other
//! registry" of several scenarios.
#![allow(dead_code)]

use std::sync::OnceLock;

use super::{nerf_dart, write_package_json, Expect, Scenario, CANARY};
use crate::support::{http_request, NpmEnv, Verdaccio};

/// A scenario and what plain npm does with it.
pub struct Setup {
    pub scenario: Scenario,
    pub expect: Expect<'static>,
}

/// A scenario's name and the function that sets it up.
pub type Named = (&'static str, fn() -> Setup);

/// Every scenario by name, for the tests that treat them all alike.
pub const ALL: &[Named] = &[
    ("token_missing_view", token_missing_view),
    ("token_missing_publish", token_missing_publish),
    ("token_env_unset_install", || {
        env_unset("NPM_TOKEN", None, &["install", "@priv/lib"])
    }),
    ("token_env_unset_empty", || {
        env_unset(
            "NODE_AUTH_TOKEN",
            Some(""),
            &["view", "@priv/lib", "version"],
        )
    }),
    ("token_invalid_garbage", token_invalid_garbage),
    ("token_expired_jwt", token_expired_jwt),
    ("token_wrong_host_port", || {
        wrong_host(&format!("//127.0.0.1:{}/", locked().port()))
    }),
    ("token_wrong_host_localhost", || {
        wrong_host(&format!("//localhost:{}/", shared().port()))
    }),
    ("token_wrong_host_scheme", || {
        wrong_host(&format!("http://127.0.0.1:{}/", shared().port()))
    }),
    ("scope_not_mapped_401", scope_not_mapped_401),
    ("scope_not_mapped_404", scope_not_mapped_404),
    ("project_npmrc_shadows", project_npmrc_shadows),
    ("insufficient_permission", insufficient_permission),
    ("publish_not_allowed_bob", || {
        publish_not_allowed("bob", "@priv/bobs-attempt")
    }),
    ("publish_not_allowed_alice", || {
        publish_not_allowed("alice", "@team/alices-attempt")
    }),
    ("version_exists", version_exists),
    ("lockfile_mismatch", lockfile_mismatch),
    ("npmrc_top_level_token", npmrc_top_level_token),
    ("npmrc_userconfig_elsewhere", npmrc_userconfig_elsewhere),
    ("npmrc_env_registry", npmrc_env_registry),
];

/// Instance B: every read needs a login; has pub-pkg and @corp/widget (published by alice).
pub fn locked() -> &'static Verdaccio {
    static LOCKED: OnceLock<Verdaccio> = OnceLock::new();
    LOCKED.get_or_init(|| {
        let b = Verdaccio::builder()
            .packages_yaml("'**': { access: $authenticated, publish: $authenticated, unpublish: $authenticated }\n")
            .publish_fixtures(false)
            .start();
        b.publish("alice", "pub-pkg", "1.0.0");
        b.publish("alice", "@corp/widget", "1.0.0");
        b
    })
}

pub fn shared() -> &'static Verdaccio {
    Verdaccio::shared()
}

/// npm's E401 text, the same for five causes (lab-notes.md).
pub const E401_TEXT: &str = "Unable to authenticate";

pub fn e401() -> Expect<'static> {
    Expect {
        exit: 1,
        code: Some("E401"),
        stderr_has: E401_TEXT,
    }
}

fn setup(scenario: Scenario, expect: Expect<'static>) -> Setup {
    Setup { scenario, expect }
}

/// An env whose userconfig is `lines` joined; the line numbers in the tests count from 1.
pub fn env_with_userconfig(lines: &[String]) -> NpmEnv {
    let env = NpmEnv::new();
    env.write_userconfig(&(lines.join("\n") + "\n"));
    env
}

fn view_priv_lib(env: NpmEnv) -> Scenario {
    Scenario::new(env, &["view", "@priv/lib", "version"])
}

/// `@priv` mapped to A, no credential at all.
pub fn token_missing_view() -> Setup {
    let env = env_with_userconfig(&[format!("@priv:registry={}", shared().url())]);
    setup(view_priv_lib(env), e401())
}

/// A publish with no token: ENEEDAUTH before any request.
pub fn token_missing_publish() -> Setup {
    let env = env_with_userconfig(&[format!("registry={}", shared().url())]);
    write_package_json(&env, "needs-login-pkg", "1.0.0");
    let expect = Expect {
        exit: 1,
        code: Some("ENEEDAUTH"),
        stderr_has: "This command requires you to be logged in",
    };
    setup(Scenario::new(env, &["publish"]).json(), expect)
}

/// `${VAR}` on line 2 of ~/.npmrc; VAR unset (npm sends the literal text) or empty (npm sends
/// no header). Both are E401 with npm saying nothing about the variable.
pub fn env_unset(variable: &str, value: Option<&str>, args: &[&str]) -> Setup {
    let a = shared();
    let mut env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken=${{{variable}}}", nerf_dart(&a.url())),
    ]);
    match value {
        Some(value) => env.set_env(variable, value),
        None => env.remove_env(variable),
    };
    setup(Scenario::new(env, args), e401())
}

/// A garbage token on line 2 (Verdaccio treats it as anonymous).
pub fn token_invalid_garbage() -> Setup {
    let a = shared();
    let env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken={CANARY}", nerf_dart(&a.url())),
    ]);
    setup(view_priv_lib(env).json(), e401())
}

/// An unsigned JWT `{"alg":"none"}.{"sub":"canary-user","exp":1600000000}.<CANARY signature>`:
/// expired on 2020-09-13, which regauth can read without any request.
pub fn expired_jwt() -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"canary-user","exp":1600000000}"#);
    format!("{header}.{payload}.CANARYsignatureCANARY")
}

pub fn token_expired_jwt() -> Setup {
    let a = shared();
    let jwt = expired_jwt();
    let env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{}:_authToken={jwt}", nerf_dart(&a.url())),
    ]);
    setup(view_priv_lib(env).secret(&jwt), e401())
}

/// Alice's valid token on line 2 under `key`, while @priv goes to A at 127.0.0.1.
pub fn wrong_host(key: &str) -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("@priv:registry={}", a.url()),
        format!("{key}:_authToken={token}"),
    ]);
    setup(view_priv_lib(env).secret(&token), e401())
}

/// The default registry (B) wants a login for everything; @priv/lib lives on A, for which
/// ~/.npmrc holds alice's token, but no `@priv:registry` line sends it there.
pub fn scope_not_mapped_401() -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", locked().url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    setup(view_priv_lib(env).secret(&token), e401())
}

/// @corp/widget lives on B (token in ~/.npmrc); the default registry A has no such package.
pub fn scope_not_mapped_404() -> Setup {
    let b = locked();
    let token = b.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", shared().url()),
        format!("{}:_authToken={token}", nerf_dart(&b.url())),
    ]);
    let expect = Expect {
        exit: 1,
        code: Some("E404"),
        stderr_has: "/@corp%2fwidget",
    };
    let scenario = Scenario::new(env, &["view", "@corp/widget", "version"])
        .secret(&token)
        .json();
    setup(scenario, expect)
}

/// ~/.npmrc line 1 holds alice's valid token; the project's .npmrc (line 1, a higher layer) has
/// a stale one for the same key, and npm sends the project's.
pub fn project_npmrc_shadows() -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
        format!("@priv:registry={}", a.url()),
    ]);
    env.write_project_npmrc(&format!("{}:_authToken={CANARY}\n", nerf_dart(&a.url())));
    setup(view_priv_lib(env).secret(&token), e401())
}

/// Alice reads @team/secret, which only bob may access: 403.
pub fn insufficient_permission() -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("@team:registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    let expect = Expect {
        exit: 1,
        code: Some("E403"),
        stderr_has: "user alice is not allowed to access package @team/secret",
    };
    let scenario = Scenario::new(env, &["view", "@team/secret", "version"]).secret(&token);
    setup(scenario, expect)
}

/// `user` publishes `package`@1.0.0 into a scope whose `publish:` rule excludes them: a 403 on
/// the PUT while whoami answers `user` (never accepted, so nothing changes on the instance).
pub fn publish_not_allowed(user: &str, package: &str) -> Setup {
    let a = shared();
    let token = a.token(user).to_owned();
    let scope = package.split('/').next().unwrap();
    let env = env_with_userconfig(&[
        format!("{scope}:registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    write_package_json(&env, package, "1.0.0");
    let refusal = format!("user {user} is not allowed to publish package {package}");
    let expect = Expect {
        exit: 1,
        code: Some("E403"),
        stderr_has: Box::leak(refusal.into_boxed_str()),
    };
    setup(
        Scenario::new(env, &["publish"]).secret(&token).json(),
        expect,
    )
}

/// Publishing pub-pkg@1.0.0, which exists: npm checks this before any PUT and prints no code.
pub fn version_exists() -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    write_package_json(&env, "pub-pkg", "1.0.0");
    let expect = Expect {
        exit: 1,
        code: None,
        stderr_has: "You cannot publish over the previously published versions: 1.0.0",
    };
    setup(Scenario::new(env, &["publish"]).secret(&token), expect)
}

/// The lockfile was made against B; the config now points at A (alice's token for A only). npm
/// fetches tarballs from the `resolved` URL as written (replace-registry-host defaults to npmjs
/// only), so the tarball GET goes to B without a credential: E401.
pub fn lockfile_mismatch() -> Setup {
    let a = shared();
    let (tarball, integrity) = published_dist(locked(), "pub-pkg");
    let token = a.token("alice").to_owned();
    let env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    write_locked_project(&env, &tarball, &integrity);
    setup(Scenario::new(env, &["ci"]).secret(&token).json(), e401())
}

/// (tarball URL, integrity) of `name@1.0.0` on `registry`, as alice sees it.
pub fn published_dist(registry: &Verdaccio, name: &str) -> (String, String) {
    let auth = format!("Bearer {}", registry.token("alice"));
    let reply = http_request(
        "GET",
        &format!("{}{name}", registry.url()),
        &[("authorization", &auth)],
        None,
    )
    .expect("GET the packument");
    let dist = &reply.json()["versions"]["1.0.0"]["dist"];
    (
        dist["tarball"].as_str().unwrap().to_owned(),
        dist["integrity"].as_str().unwrap().to_owned(),
    )
}

fn write_locked_project(env: &NpmEnv, tarball: &str, integrity: &str) {
    let manifest = serde_json::json!({
        "name": "proj", "version": "1.0.0", "dependencies": { "pub-pkg": "^1.0.0" }
    });
    let lock = serde_json::json!({
        "name": "proj", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": { "name": "proj", "version": "1.0.0", "dependencies": { "pub-pkg": "^1.0.0" } },
            "node_modules/pub-pkg": { "version": "1.0.0", "resolved": tarball, "integrity": integrity }
        }
    });
    let write = |name: &str, value: serde_json::Value| {
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        std::fs::write(env.project().join(name), text).unwrap();
    };
    write("package.json", manifest);
    write("package-lock.json", lock);
}

/// A top-level `_authToken=` on line 2: ERR_INVALID_AUTH before any request.
pub fn npmrc_top_level_token() -> Setup {
    let env = env_with_userconfig(&[
        format!("registry={}", shared().url()),
        format!("_authToken={CANARY}"),
    ]);
    let expect = Expect {
        exit: 1,
        code: Some("ERR_INVALID_AUTH"),
        stderr_has: "npm config fix",
    };
    setup(Scenario::new(env, &["view", "pub-pkg", "version"]), expect)
}

/// The credential is in ~/.npmrc (line 1), but NPM_CONFIG_USERCONFIG makes npm read another
/// file, which maps the scope and has no credential.
pub fn npmrc_userconfig_elsewhere() -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let mut env = env_with_userconfig(&[format!("{}:_authToken={token}", nerf_dart(&a.url()))]);
    let other = env.root().join("ci.npmrc");
    std::fs::write(&other, format!("@priv:registry={}\n", a.url())).unwrap();
    env.set_env("NPM_CONFIG_USERCONFIG", &other);
    setup(view_priv_lib(env).secret(&token).json(), e401())
}

/// ~/.npmrc says registry=A (line 1) with alice's token for A; npm_config_registry in the
/// environment sends everything to B, which wants a login.
pub fn npmrc_env_registry() -> Setup {
    let a = shared();
    let token = a.token("alice").to_owned();
    let mut env = env_with_userconfig(&[
        format!("registry={}", a.url()),
        format!("{}:_authToken={token}", nerf_dart(&a.url())),
    ]);
    env.set_env("npm_config_registry", locked().url());
    setup(view_priv_lib(env).secret(&token), e401())
}
