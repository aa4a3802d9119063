//! `REGAUTH_TRACE=1` in shim mode: against a real Verdaccio on 127.0.0.1, npm's bytes and exit
//! status stay the same, and the ranking trace follows the explanation on stderr.

mod support;

use support::{masked, NpmEnv, Verdaccio};

#[test]
fn the_trace_follows_the_explanation() {
    let verdaccio = Verdaccio::shared();
    let mut env = NpmEnv::new();
    let registry = format!("--registry={}", verdaccio.url());
    let args = ["view", "@priv/lib", registry.as_str()];
    let direct = env.npm().args(args).output().unwrap();
    env.set_env("REGAUTH_TRACE", "1");
    let shimmed = env.regauth().arg("npm").args(args).output().unwrap();
    assert_eq!(shimmed.status.code(), direct.status.code());
    assert_eq!(shimmed.stdout, direct.stdout);
    let (npm_part, ours) = (masked(&direct.stderr), masked(&shimmed.stderr));
    assert!(ours.starts_with(&npm_part), "{npm_part}\n---\n{ours}");
    let added = &ours[npm_part.len()..];
    let explanation = added.find("error[E401]").expect(added);
    let trace = added.find("regauth trace:").expect(added);
    assert!(
        explanation < trace,
        "the trace comes after the explanation:\n{added}"
    );
    let after: Vec<&str> = added[trace..].lines().collect();
    assert!(
        after
            .iter()
            .any(|l| l.contains("token-missing") && l.contains('+')),
        "{added}"
    );
    assert!(after.contains(&"scores (ranked):"), "{added}");
}
