//! The clients the tests run, one table for every test binary: where each is installed, the
//! name it runs under, its `--client` name, and how each writes the two settings the scenarios
//! need (a scope's registry, a registry's token) into its own configuration: `.npmrc` for
//! pnpm and yarn 1, `.yarnrc.yml` for yarn berry.

use super::clients::BERRY_HOME_RC;
use super::{client_env, write_file, NpmEnv};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestClient {
    Pnpm10,
    Pnpm11,
    Pnpm12,
    Yarn1,
    Yarn4,
}

pub const ALL_CLIENTS: [TestClient; 5] = [
    TestClient::Pnpm10,
    TestClient::Pnpm11,
    TestClient::Pnpm12,
    TestClient::Yarn1,
    TestClient::Yarn4,
];

impl TestClient {
    /// Its directory under tests/clients/bin.
    pub fn dir(self) -> &'static str {
        match self {
            TestClient::Pnpm10 => "pnpm10",
            TestClient::Pnpm11 => "pnpm11",
            TestClient::Pnpm12 => "pnpm12",
            TestClient::Yarn1 => "yarn1",
            TestClient::Yarn4 => "yarn4",
        }
    }

    /// The command name (`pnpm`, `yarn`).
    pub fn program(self) -> &'static str {
        match self {
            TestClient::Yarn1 | TestClient::Yarn4 => "yarn",
            _ => "pnpm",
        }
    }

    /// The `regauth doctor --client` value.
    pub fn doctor_name(self) -> &'static str {
        match self {
            TestClient::Yarn4 => "berry",
            other => other.dir(),
        }
    }

    pub fn is_berry(self) -> bool {
        self == TestClient::Yarn4
    }

    /// An isolated env with this client first on PATH.
    /// The client's isolated env, where only loopback registries can be reached: anything
    /// else (a client's or a probe's fall-back to a public registry) meets a dead loopback proxy.
    pub fn env(self) -> NpmEnv {
        let mut env = client_env(self.dir(), self.program());
        for proxy in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"] {
            env.set_env(proxy, "http://127.0.0.1:9");
        }
        env.set_env("NO_PROXY", "127.0.0.1,localhost")
            .set_env("no_proxy", "127.0.0.1,localhost");
        env
    }

    /// The file a user edits to map a scope or add a token for this client (project level).
    pub fn project_file(self) -> &'static str {
        if self.is_berry() {
            ".yarnrc.yml"
        } else {
            ".npmrc"
        }
    }

    /// Maps each of `scopes` (`priv`, without `@`) to `url` in the project's configuration.
    pub fn map_scopes(self, env: &NpmEnv, scopes: &[&str], url: &str) {
        if self.is_berry() {
            let mut rc = String::from("npmScopes:\n");
            for scope in scopes {
                rc.push_str(&format!("  {scope}:\n    npmRegistryServer: \"{url}\"\n"));
            }
            write_file(&env.project().join(".yarnrc.yml"), &rc);
        } else {
            let lines: String = scopes
                .iter()
                .map(|s| format!("@{s}:registry={url}\n"))
                .collect();
            env.write_project_npmrc(&lines);
        }
    }

    /// The user-level credential `value` (a token or `${VAR}`) for the registry `key_url`
    /// (`http://host:port/`): `~/.npmrc` `//host:port/:_authToken`, or berry's ~/.yarnrc.yml
    /// `npmRegistries`.
    pub fn user_token(self, env: &NpmEnv, key_url: &str, value: &str) {
        let nerf = key_url
            .trim_start_matches("http:")
            .trim_start_matches("https:");
        if self.is_berry() {
            let rc = format!(
                "{BERRY_HOME_RC}npmRegistries:\n  \"{}\":\n    npmAuthToken: \"{value}\"\n",
                nerf.trim_end_matches('/')
            );
            write_file(&env.home().join(".yarnrc.yml"), &rc);
        } else {
            env.write_userconfig(&format!("{nerf}:_authToken={value}\n"));
        }
    }

    /// The default registry (berry `npmRegistryServer`, else `registry=`), user level; keeps a
    /// token written by `user_token` (call it first).
    pub fn default_registry(self, env: &NpmEnv, url: &str) {
        if self.is_berry() {
            let path = env.home().join(".yarnrc.yml");
            let old = std::fs::read_to_string(&path).unwrap_or_else(|_| BERRY_HOME_RC.into());
            write_file(&path, &format!("npmRegistryServer: \"{url}\"\n{old}"));
        } else {
            let old = std::fs::read_to_string(env.userconfig()).unwrap_or_default();
            env.write_userconfig(&format!("registry={url}\n{old}"));
        }
    }
}
