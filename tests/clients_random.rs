//! `regauth doctor --client` against the real clients in generated situations: two loopback
//! fixture registries record which one pnpm 10/11/12, yarn 1 and yarn 4 ask for a package's
//! metadata and the `Authorization` header they send; `doctor --client X --format json`
//! must predict both (or that the client stops before any request). Each situation mixes
//! scopes, per-host tokens, `${VAR}` credentials (set, empty, unset) in user, project and
//! pnpm's auth.ini, `npm_config_registry`/`pnpm_config_registry`, yarn 1's `always-auth`, and
//! berry's `.yarnrc.yml` (`npmRegistryServer`, `npmScopes`, `npmRegistries`, top-level
//! `npmAuthToken`, `npmAlwaysAuth`, `${VAR:-}`) in its home and project files. Seeded:
//! `ROUTING_SEED` and `ROUTING_N` (situations per client, default 8) run more.

mod support;

use support::{
    doctor_client_route, each_client, last4, FixtureServer, NpmEnv, Response, TestClient,
    ALL_CLIENTS,
};

/// Token n (1-based): an obvious fake whose last 4 characters tell it apart.
fn token(n: usize) -> String {
    format!("npm_CANARYcanaryCANARYcanaryCANARY{n:04}")
}

/// A small deterministic generator (xorshift64*), seeded per client and situation.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// What one run shows.
#[derive(Debug, PartialEq, Clone)]
enum Outcome {
    /// The client stopped before asking any registry.
    NoRequest,
    /// Registry `0` (A) or `1` (B) was asked, with this header.
    Asked(usize, Sent),
    /// Both registries were asked for the package (no prediction says that).
    Both,
}

#[derive(Debug, PartialEq, Clone)]
enum Sent {
    Nothing,
    EmptyBearer,
    Token(String),
}

/// A credential value as written: a token, or `${VAR}` with VAR set to a token, empty, unset.
#[derive(Debug, Clone, Copy)]
enum Value_ {
    Token(usize),
    VarSet(usize),
    VarEmpty,
    VarUnset,
}

/// One generated situation, written into `env` for `client`, the package to ask for returned.
struct Writer<'a> {
    env: &'a mut NpmEnv,
    urls: [String; 2],
    vars: usize,
    log: Vec<String>,
}

impl Writer<'_> {
    /// The text for `value` (registering its variable), and a line for the situation's log.
    fn value(&mut self, value: Value_) -> String {
        let name = format!("RT_TOKEN_{}", self.vars);
        self.vars += 1;
        if !matches!(value, Value_::Token(_)) {
            self.log.push(format!("{name}: {value:?}"));
        }
        match value {
            Value_::Token(n) => return token(n),
            Value_::VarSet(n) => {
                self.env.set_env(&name, token(n));
            }
            Value_::VarEmpty => {
                self.env.set_env(&name, "");
            }
            Value_::VarUnset => {
                self.env.remove_env(&name);
            }
        }
        format!("${{{name}}}")
    }
}

fn random_value(rng: &mut Rng, next_token: &mut usize) -> Value_ {
    *next_token += 1;
    match rng.below(6) {
        0..=2 => Value_::Token(*next_token),
        3 => Value_::VarSet(*next_token),
        4 => Value_::VarEmpty,
        _ => Value_::VarUnset,
    }
}

fn nerf(url: &str) -> String {
    url.trim_start_matches("http:").to_owned()
}

/// pnpm and yarn 1: `.npmrc` user and project lines, auth.ini, registry variables.
fn npmrc_situation(client: TestClient, w: &mut Writer, rng: &mut Rng) -> String {
    let scoped = rng.chance(70);
    let mut user = String::new();
    let mut project = String::new();
    let mut ini = String::new();
    let default = rng.below(2);
    let line = format!("registry={}\n", w.urls[default]);
    let in_user = rng.chance(50);
    if in_user { &mut user } else { &mut project }.push_str(&line);
    // a project registry URL from a variable, now and then (never pnpm's only registry: a
    // dropped one would leave npmjs.org, not a loopback registry)
    if in_user && client != TestClient::Yarn1 && rng.chance(30) {
        let key = if scoped { "@s1:registry" } else { "registry" };
        w.env.set_env("RT_REG", &w.urls[1 - default]);
        w.log.push(format!("RT_REG={}", w.urls[1 - default]));
        project.push_str(&format!("{key}=${{RT_REG}}\n"));
    }
    if scoped && rng.chance(60) {
        let line = format!("@s1:registry={}\n", w.urls[rng.below(2)]);
        if rng.chance(50) {
            &mut user
        } else {
            &mut project
        }
        .push_str(&line);
    }
    let mut next_token = 0;
    let mut used = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let (server, place) = (
            rng.below(2),
            rng.below(if client == TestClient::Yarn1 { 2 } else { 3 }),
        );
        // the same key twice in one file, now and then: which line counts is each client's own
        if used.contains(&(server, place)) && !rng.chance(40) {
            continue;
        }
        used.push((server, place));
        let value = random_value(rng, &mut next_token);
        let text = w.value(value);
        let line = format!("{}:_authToken={text}\n", nerf(&w.urls[server]));
        match place {
            0 => user.push_str(&line),
            1 => project.push_str(&line),
            _ => ini.push_str(&line),
        }
    }
    if client == TestClient::Yarn1 && rng.chance(30) {
        user.push_str("always-auth=true\n");
    }
    if rng.chance(25) {
        let var = ["npm_config_registry", "pnpm_config_registry"][rng.below(2)];
        let url = w.urls[rng.below(2)].clone();
        w.env.set_env(var, &url);
        w.log.push(format!("env {var}={url}"));
    }
    w.log.push(format!(
        "~/.npmrc:\n{user}project .npmrc:\n{project}auth.ini:\n{ini}"
    ));
    if !user.is_empty() {
        w.env.write_userconfig(&user);
    }
    if !project.is_empty() {
        w.env.write_project_npmrc(&project);
    }
    if !ini.is_empty() {
        support::write_file(&w.env.home().join(".config/pnpm/auth.ini"), &ini);
    }
    if scoped { "@s1/lib" } else { "lib" }.to_owned()
}

/// Berry: each top-level key in ~/.yarnrc.yml or the project's .yarnrc.yml.
fn berry_situation(w: &mut Writer, rng: &mut Rng) -> String {
    let scoped = rng.chance(70);
    let mut files = [String::new(), String::new()];
    let mut next_token = 0;
    let mut berry_value = |w: &mut Writer, rng: &mut Rng| {
        let value = random_value(rng, &mut next_token);
        let text = w.value(value);
        if rng.chance(20) {
            // `${VAR:-}`: berry's fallback, an unset variable is then empty, not fatal
            text.replace('}', ":-}")
        } else {
            text
        }
    };
    let server = format!(
        "npmRegistryServer: \"{}\"\n",
        w.urls[rng.below(2)].trim_end_matches('/')
    );
    files[rng.below(2)].push_str(&server);
    if scoped && rng.chance(60) {
        let mut entry = format!(
            "npmScopes:\n  s1:\n    npmRegistryServer: \"{}\"\n",
            w.urls[rng.below(2)]
        );
        if rng.chance(50) {
            entry.push_str(&format!("    npmAuthToken: \"{}\"\n", berry_value(w, rng)));
        }
        files[rng.below(2)].push_str(&entry);
    }
    if rng.chance(70) {
        let mut entry = String::from("npmRegistries:\n");
        let first = rng.below(2);
        for server in [first, 1 - first].into_iter().take(1 + rng.below(2)) {
            entry.push_str(&format!(
                "  \"{}\":\n    npmAuthToken: \"{}\"\n",
                nerf(&w.urls[server]).trim_end_matches('/'),
                berry_value(w, rng)
            ));
        }
        files[rng.below(2)].push_str(&entry);
    }
    if rng.chance(25) {
        let line = format!("npmAuthToken: \"{}\"\n", berry_value(w, rng));
        files[rng.below(2)].push_str(&line);
    }
    if rng.chance(30) {
        files[rng.below(2)].push_str("npmAlwaysAuth: true\n");
    }
    let home_rc = format!("{}{}", support::BERRY_HOME_RC, files[0]);
    support::write_file(&w.env.home().join(".yarnrc.yml"), &home_rc);
    support::write_file(&w.env.project().join(".yarnrc.yml"), &files[1]);
    w.log.push(format!(
        "~/.yarnrc.yml:\n{}project .yarnrc.yml:\n{}",
        files[0], files[1]
    ));
    if scoped { "@s1/lib" } else { "lib" }.to_owned()
}

fn sent(header: Option<&str>) -> Sent {
    match header.map(str::trim) {
        None => Sent::Nothing,
        Some("Bearer") => Sent::EmptyBearer,
        Some(h) => Sent::Token(last4(h)),
    }
}

/// What the real client did for `package`.
fn real(client: TestClient, env: &NpmEnv, servers: &[FixtureServer; 2], package: &str) -> Outcome {
    let out = support::client_add(env, client.program(), package);
    let asked: Vec<(usize, Sent)> = servers
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let r = support::metadata_request(s.requests(), package)?;
            Some((i, sent(r.header("authorization"))))
        })
        .collect();
    match asked.as_slice() {
        [] => {
            assert!(
                !out.status.success(),
                "{client:?} succeeded without asking a registry"
            );
            Outcome::NoRequest
        }
        [(i, s)] => Outcome::Asked(*i, s.clone()),
        _ => Outcome::Both,
    }
}

/// What `regauth doctor --client` predicts.
fn predicted(client: TestClient, env: &NpmEnv, urls: &[String; 2], package: &str) -> Outcome {
    let route = &doctor_client_route(env, client, package);
    if !route["fatal"].is_null() {
        return Outcome::NoRequest;
    }
    let registry = route["registry"].as_str().unwrap_or_default();
    let Some(i) = urls.iter().position(|u| u == registry) else {
        panic!("doctor predicts an unknown registry {registry}: {route:#}");
    };
    let sent = if route["credential"]["empty"] == true {
        Sent::EmptyBearer
    } else {
        match route["credential"]["redacted"].as_str() {
            None => Sent::Nothing,
            Some(r) => Sent::Token(last4(r)),
        }
    };
    Outcome::Asked(i, sent)
}

fn number(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const PNPMS: [TestClient; 3] = [TestClient::Pnpm10, TestClient::Pnpm11, TestClient::Pnpm12];

/// Registries A and B, answering 404 to everything and recording the requests.
fn two_registries() -> [FixtureServer; 2] {
    [(); 2].map(|_| {
        FixtureServer::start(|_| Response::new(404).json(serde_json::json!({"error": "not found"})))
    })
}

/// A key written twice in one file, a token and a `${VAR}` (set, empty, unset) in both orders,
/// in ~/.npmrc or the project's: each pnpm's own rule for which line counts (10 and 11 parse
/// the file with `ini`, last wins, then drop a project `${VAR}` credential; 12 reads line by
/// line and skips that line, so an earlier token stays).
#[test]
fn doctor_client_predicts_a_repeated_key_like_each_pnpm() {
    each_client(&PNPMS, |client| {
        let mut disagreements = Vec::new();
        let mut n = 0;
        for in_project in [false, true] {
            for token_first in [true, false] {
                for var in [Value_::VarSet(2), Value_::VarEmpty, Value_::VarUnset] {
                    n += 1;
                    let servers = two_registries();
                    let urls = [servers[0].url(), servers[1].url()];
                    let mut env = TestClient::env(client);
                    let mut w = Writer {
                        env: &mut env,
                        urls: urls.clone(),
                        vars: 0,
                        log: Vec::new(),
                    };
                    let key = format!("{}:_authToken", nerf(&urls[0]));
                    let lines = [
                        format!("{key}={}\n", token(1)),
                        format!("{key}={}\n", w.value(var)),
                    ];
                    let (first, second) = if token_first { (0, 1) } else { (1, 0) };
                    let repeated = format!("{}{}", lines[first], lines[second]);
                    let registry = format!("registry={}\n", urls[0]);
                    let log = format!("{} in_project {in_project}:\n{repeated}", w.log.join("\n"));
                    // the registry line in the other file: pnpm 10 drops a whole file for an
                    // unset variable, and its default registry is not a loopback one
                    let (user, project) = match in_project {
                        true => (registry, repeated),
                        false => (repeated, registry),
                    };
                    env.write_userconfig(&user);
                    env.write_project_npmrc(&project);
                    let real = real(client, &env, &servers, "lib");
                    let predicted = predicted(client, &env, &urls, "lib");
                    if real != predicted {
                        disagreements.push(format!("real {real:?}, doctor {predicted:?}\n{log}"));
                    }
                }
            }
        }
        assert!(
            disagreements.is_empty(),
            "{client:?}: doctor --client {} disagrees on a repeated key in {} of {n}:\n{}",
            client.doctor_name(),
            disagreements.len(),
            disagreements.join("\n---\n")
        );
    });
}

/// A registry URL from a `${VAR}` (set to registry B) in the project's `.npmrc`, alone or after
/// a literal line for the same key, with registry A in ~/.npmrc: pnpm does not expand a
/// variable in a project file's registry (10 and 11 drop the key: "Ignored project-level
/// request destination"; 12 stops: ERR_PNPM_REGISTRY_ENV_NOT_EXPANDED).
#[test]
fn doctor_client_predicts_a_project_registry_variable_like_each_pnpm() {
    each_client(&PNPMS, |client| {
        let mut disagreements = Vec::new();
        let mut n = 0;
        for package in ["lib", "@s1/lib"] {
            for literal_first in [false, true] {
                n += 1;
                let servers = two_registries();
                let urls = [servers[0].url(), servers[1].url()];
                let mut env = TestClient::env(client);
                env.set_env("RT_REG", &urls[1]);
                let key = match package {
                    "lib" => "registry",
                    _ => "@s1:registry",
                };
                let mut project = String::new();
                if literal_first {
                    project += &format!("{key}={}\n", urls[1]);
                }
                project += &format!("{key}=${{RT_REG}}\n");
                env.write_userconfig(&format!("registry={}\n", urls[0]));
                env.write_project_npmrc(&project);
                let real = real(client, &env, &servers, package);
                let predicted = predicted(client, &env, &urls, package);
                if real != predicted {
                    disagreements.push(format!(
                        "{package}: real {real:?}, doctor {predicted:?}\nRT_REG={} project:\n{project}",
                        urls[1]
                    ));
                }
            }
        }
        assert!(
            disagreements.is_empty(),
            "{client:?}: doctor --client {} disagrees on a project registry variable in {} of {n}:\n{}",
            client.doctor_name(),
            disagreements.len(),
            disagreements.join("\n---\n")
        );
    });
}

/// A registry URL from a `${VAR}` that is unset or empty in ~/.npmrc: pnpm 11 and 12 keep the
/// key with an empty URL and stop at the request it routes (11: ERR_INVALID_URL, 12: "relative
/// URL without a base"); a scope the package does not use changes nothing.
#[test]
fn doctor_client_predicts_an_empty_registry_variable_like_pnpm_11_and_12() {
    let situations = [
        ("registry=${RT_UNSET}\n", "lib"),
        ("registry=${RT_EMPTY}\n", "lib"),
        ("registry=A\n@s1:registry=${RT_UNSET}\n", "@s1/lib"),
        ("registry=A\n@s1:registry=${RT_EMPTY}\n", "@s1/lib"),
        ("registry=A\n@s1:registry=${RT_UNSET}\n", "lib"),
    ];
    each_client(&PNPMS[1..], |client| {
        let mut disagreements = Vec::new();
        for (user, package) in situations {
            let servers = two_registries();
            let urls = [servers[0].url(), servers[1].url()];
            let mut env = TestClient::env(client);
            // no retries of the request that cannot be made (280 s for the five with them, 3.5 s without)
            env.set_env("RT_EMPTY", "")
                .set_env("pnpm_config_fetch_retries", "0");
            let user = user.replace("=A", &format!("={}", urls[0]));
            env.write_userconfig(&user);
            let real = real(client, &env, &servers, package);
            let predicted = predicted(client, &env, &urls, package);
            if real != predicted {
                disagreements.push(format!(
                    "{package}: real {real:?}, doctor {predicted:?}\n{user}"
                ));
            }
        }
        support::assert_no_disagreement(
            &format!(
                "{client:?}: doctor --client {} on an empty registry variable, {} situations",
                client.doctor_name(),
                situations.len()
            ),
            &disagreements,
            "\n---\n",
        );
    });
}

#[test]
fn doctor_client_predicts_what_each_real_client_sends() {
    let (seed, n) = (number("ROUTING_SEED", 12), number("ROUTING_N", 8));
    each_client(&ALL_CLIENTS, |client| {
        let mut disagreements = Vec::new();
        let mut outcomes = Vec::new();
        for i in 0..n {
            let servers = two_registries();
            let urls = [servers[0].url(), servers[1].url()];
            let mut env = TestClient::env(client);
            let mut rng = Rng::new(seed * 1000 + i * 10 + client as u64);
            let mut w = Writer {
                env: &mut env,
                urls: urls.clone(),
                vars: 0,
                log: Vec::new(),
            };
            let package = if client.is_berry() {
                berry_situation(&mut w, &mut rng)
            } else {
                npmrc_situation(client, &mut w, &mut rng)
            };
            let log = w.log.join("\n");
            let real = real(client, &env, &servers, &package);
            let predicted = predicted(client, &env, &urls, &package);
            if std::env::var_os("ROUTING_SHOW").is_some() {
                eprintln!("{client:?} {i} {package}: {real:?} / {predicted:?}\n{log}\n");
            }
            outcomes.push(real.clone());
            if real != predicted {
                disagreements.push(format!(
                    "situation {i} (A={}, B={}), {package}: real {real:?}, doctor {predicted:?}\n{log}",
                    urls[0], urls[1]
                ));
            }
        }
        outcomes.dedup();
        assert!(
            n < 4 || outcomes.len() > 1,
            "{client:?}: the situations all end the same way: {outcomes:?}"
        );
        assert!(
            disagreements.is_empty(),
            "{client:?}: doctor --client {} disagrees in {} of {n}:\n{}",
            client.doctor_name(),
            disagreements.len(),
            disagreements.join("\n---\n")
        );
    });
}
