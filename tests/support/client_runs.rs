//! Helpers for tests that run every client: one thread per client, and output compared with
//! the clients' durations masked.

use std::sync::LazyLock;

use regex::Regex;

use super::TestClient;

/// Each client of `clients` in its own thread; fails naming every client whose check failed.
pub fn each_client(clients: &[TestClient], check: impl Fn(TestClient) + Sync) {
    let check = &check;
    std::thread::scope(|s| {
        let handles: Vec<_> = clients
            .iter()
            .map(|&c| (c, s.spawn(move || check(c))))
            .collect();
        let failed: Vec<TestClient> = handles
            .into_iter()
            .filter_map(|(c, h)| h.join().is_err().then_some(c))
            .collect();
        assert!(failed.is_empty(), "failed for {failed:?} (see above)");
    });
}

/// The text with what differs between two runs masked: npm's log stamps and the clients'
/// durations (yarn 1's `Done in 0.05s.`, berry's `Done in 3s 12ms`, pnpm's `Done in 1.2s`).
pub fn durations_masked(bytes: &[u8]) -> String {
    static DURATION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+(?:\.\d+)?m?s\b").unwrap());
    DURATION
        .replace_all(&super::masked(bytes), "N")
        .into_owned()
}

/// `regauth doctor --client <client> --format json <package>` in `env`: its first route,
/// checked to be printed without any canary token (`npm_CANARY…`).
pub fn doctor_client_route(
    env: &super::NpmEnv,
    client: TestClient,
    package: &str,
) -> serde_json::Value {
    doctor_client_routes(env, client, &[package])[0].clone()
}

/// `regauth doctor --client <client> --format json PACKAGES...` in `env`: its routes, one per
/// package, checked to be printed without any canary token (`npm_CANARY…`).
pub fn doctor_client_routes(
    env: &super::NpmEnv,
    client: TestClient,
    packages: &[&str],
) -> Vec<serde_json::Value> {
    let out = env
        .regauth()
        .args([
            "doctor",
            "--client",
            client.doctor_name(),
            "--format",
            "json",
        ])
        .args(packages)
        .output()
        .expect("run regauth doctor");
    assert!(
        out.status.success(),
        "doctor failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("doctor JSON");
    assert!(
        !report
            .to_string()
            .contains("CANARYcanaryCANARYcanaryCANARY"),
        "doctor printed a token"
    );
    report["routes"].as_array().cloned().unwrap_or_default()
}
