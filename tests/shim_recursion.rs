//! Recursion: however regauth is put in front of npm (a symlink named npm, a shims/ script,
//! REGAUTH_NPM pointing at a shim, a wrapper that calls regauth again), the real npm runs exactly
//! once, or regauth stops with one clear line. Never a loop.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{write_executable as executable, NpmEnv};

const REGAUTH: &str = env!("CARGO_BIN_EXE_regauth");

/// A fake "real" npm that counts its runs in `<root>/runs`, in `<root>/real/npm`.
fn counting_npm(env: &NpmEnv) -> PathBuf {
    let npm = env.root().join("real/npm");
    executable(
        &npm,
        &format!(
            "#!/bin/sh\necho run >> '{}'\necho real-npm \"$@\"\n",
            env.root().join("runs").display()
        ),
    );
    npm
}

fn runs(env: &NpmEnv) -> usize {
    std::fs::read_to_string(env.root().join("runs"))
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

/// The repository's shims/ script installed as `<root>/<dir>/shims/npm`, with `../bin/regauth`.
fn installed_shim(env: &NpmEnv, dir: &str, with_bin: bool) -> PathBuf {
    let base = env.root().join(dir);
    let shim = base.join("shims/npm");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("shims/npm")).unwrap();
    executable(&shim, &text);
    if with_bin {
        std::fs::create_dir_all(base.join("bin")).unwrap();
        std::os::unix::fs::symlink(REGAUTH, base.join("bin/regauth")).unwrap();
    }
    shim
}

fn path_of(dirs: &[PathBuf]) -> std::ffi::OsString {
    let mut all = dirs.to_vec();
    all.extend([PathBuf::from("/usr/bin"), PathBuf::from("/bin")]);
    std::env::join_paths(all).unwrap()
}

fn output(command: &mut Command) -> Output {
    command.output().expect("run")
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_shims_script_carries_the_marker_regauth_looks_for() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["npm", "npx"] {
        let text = std::fs::read_to_string(root.join("shims").join(name)).unwrap();
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.contains(regauth::SHIM_MARKER), "shims/{name}");
        assert!(
            text.contains(&format!("regauth {name} \"$@\"")),
            "shims/{name}"
        );
    }
}

#[test]
fn symlink_named_npm_first_on_path_runs_the_real_npm_once() {
    let env = NpmEnv::new();
    let real = counting_npm(&env);
    let links = env.root().join("links");
    std::fs::create_dir_all(&links).unwrap();
    std::os::unix::fs::symlink(REGAUTH, links.join("npm")).unwrap();
    let out = output(
        env.command(links.join("npm"))
            .arg("hello")
            .env("PATH", path_of(&[links, real.parent().unwrap().into()])),
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "real-npm hello\n");
    assert_eq!(runs(&env), 1);
}

#[test]
fn shims_script_first_on_path_runs_the_real_npm_once() {
    let env = NpmEnv::new();
    let real = counting_npm(&env);
    // regauth next to the shims dir (../bin/regauth).
    let shim = installed_shim(&env, "inst", true);
    let path = path_of(&[shim.parent().unwrap().into(), real.parent().unwrap().into()]);
    let out = output(env.command("npm").arg("a b").env("PATH", &path));
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "real-npm a b\n");
    assert_eq!(runs(&env), 1);
}

#[test]
fn shims_script_finds_regauth_on_path_and_still_runs_npm_once() {
    let env = NpmEnv::new();
    let real = counting_npm(&env);
    let shim = installed_shim(&env, "inst2", false);
    let bin = env.root().join("regauth-bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(REGAUTH, bin.join("regauth")).unwrap();
    let path = path_of(&[
        shim.parent().unwrap().into(),
        bin,
        real.parent().unwrap().into(),
    ]);
    let out = output(env.command("npm").arg("x").env("PATH", &path));
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    assert_eq!(runs(&env), 1);
}

#[test]
fn shims_script_without_regauth_is_one_line_and_127() {
    let env = NpmEnv::new();
    let shim = installed_shim(&env, "lonely", false);
    let out = output(
        env.command(&shim)
            .arg("x")
            .env("PATH", path_of(&[shim.parent().unwrap().into()])),
    );
    assert_eq!(out.status.code(), Some(127));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("regauth-shim: regauth not found"),
        "{lines:?}"
    );
}

#[test]
fn regauth_npm_pointing_at_a_shim_is_refused_in_one_line() {
    let env = NpmEnv::new();
    let real = counting_npm(&env);
    let shim = installed_shim(&env, "inst", true);
    let path = path_of(&[real.parent().unwrap().into()]);
    for target in [
        shim.clone(),
        shim.parent().unwrap().parent().unwrap().join("bin/regauth"),
    ] {
        let out = output(
            env.regauth()
                .args(["npm", "x"])
                .env("REGAUTH_NPM", &target)
                .env("PATH", &path),
        );
        assert_eq!(out.status.code(), Some(127));
        let lines = stderr_lines(&out);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("is regauth itself (or its shim), not the real npm"),
            "{lines:?}"
        );
    }
    assert_eq!(runs(&env), 0);
}

#[test]
fn unmarked_wrapper_that_execs_regauth_is_an_immediate_loop() {
    let env = NpmEnv::new();
    let real = counting_npm(&env);
    let wrapper = env.root().join("wrap/npm");
    executable(
        &wrapper,
        &format!("#!/bin/sh\nexec '{REGAUTH}' npm \"$@\"\n"),
    );
    let path = path_of(&[
        wrapper.parent().unwrap().into(),
        real.parent().unwrap().into(),
    ]);
    let out = output(env.regauth().args(["npm", "x"]).env("PATH", &path));
    assert_eq!(out.status.code(), Some(126));
    let lines = stderr_lines(&out);
    assert_eq!(
        lines,
        vec![format!(
        "regauth: {} runs regauth again instead of npm (a loop); set REGAUTH_NPM to the real npm",
        wrapper.display()
    )]
    );
    assert_eq!(runs(&env), 0);
}

#[test]
fn wrapper_loop_through_a_shell_stops_at_the_depth_limit_with_one_line() {
    let env = NpmEnv::new();
    let wrapper = env.root().join("wrap/npm");
    // No exec: a shell sits between each regauth, so only the depth counter can see the loop.
    executable(&wrapper, &format!("#!/bin/sh\n'{REGAUTH}' npm \"$@\"\n"));
    let path = path_of(&[wrapper.parent().unwrap().into()]);
    let out = output(env.regauth().args(["npm", "x"]).env("PATH", &path));
    assert_eq!(out.status.code(), Some(126));
    let lines = stderr_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("nested 20 deep through regauth"),
        "{lines:?}"
    );
}

#[test]
fn regauth_off_still_refuses_to_loop() {
    let env = NpmEnv::new();
    let wrapper = env.root().join("wrap/npm");
    executable(
        &wrapper,
        &format!("#!/bin/sh\nexec '{REGAUTH}' npm \"$@\"\n"),
    );
    let path = path_of(&[wrapper.parent().unwrap().into()]);
    let out = output(
        env.regauth()
            .args(["npm", "x"])
            .env("PATH", &path)
            .env("REGAUTH", "off"),
    );
    assert_eq!(out.status.code(), Some(126));
    assert_eq!(stderr_lines(&out).len(), 1);
}

#[test]
fn real_npm_nested_in_a_script_is_not_a_loop() {
    let env = NpmEnv::new();
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"proj","version":"1.0.0","scripts":{"outer":"npm run inner","inner":"echo depth=$REGAUTH_RECURSION"}}"#,
    )
    .unwrap();
    let links = env.root().join("links");
    std::fs::create_dir_all(&links).unwrap();
    std::os::unix::fs::symlink(REGAUTH, links.join("npm")).unwrap();
    let path = path_of(std::slice::from_ref(&links));
    let out = output(
        env.command(links.join("npm"))
            .args(["run", "outer"])
            .env("PATH", &path),
    );
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().any(|l| l.starts_with("depth=2:")),
        "{stdout}"
    );
}

/// Two copies of regauth (separate files, so neither is the other's link) named npm, both on
/// PATH before the real npm: the outer one cannot tell the second from npm and launches it; the
/// second then runs the real npm after itself on PATH, once.
#[test]
fn two_copies_of_regauth_named_npm_on_path_run_the_real_npm_once() {
    let env = NpmEnv::new();
    let real = counting_npm(&env);
    let copies: Vec<PathBuf> = ["one", "two"]
        .iter()
        .map(|dir| {
            let copy = env.root().join(dir).join("npm");
            std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
            std::fs::copy(REGAUTH, &copy).unwrap();
            copy
        })
        .collect();
    let mut dirs: Vec<PathBuf> = copies.iter().map(|c| c.parent().unwrap().into()).collect();
    dirs.push(real.parent().unwrap().into());
    let path = path_of(&dirs);
    let out = output(env.command(&copies[0]).arg("x").env("PATH", &path));
    assert_eq!(out.status.code(), Some(0), "{:?}", stderr_lines(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "real-npm x\n");
    assert!(stderr_lines(&out).is_empty(), "{:?}", stderr_lines(&out));
    assert_eq!(runs(&env), 1);
}

/// What `npm run env` shows, with the one variable regauth adds (documented in the README)
/// taken out; `_` is set as a shell sets it, to the command being run.
fn run_env(env: &NpmEnv, shimmed: bool) -> (String, Vec<String>) {
    let mut command = if shimmed {
        let mut c = env.regauth();
        c.arg("npm");
        c
    } else {
        env.npm()
    };
    let program = which::which("npm").unwrap();
    command
        .args(["run", "--silent", "env"])
        .env("_", if shimmed { REGAUTH.into() } else { program });
    let out = output(&mut command);
    assert!(out.status.success(), "{:?}", stderr_lines(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (added, rest): (Vec<&str>, Vec<&str>) = text
        .lines()
        .partition(|l| l.starts_with("REGAUTH_RECURSION="));
    (
        rest.join("\n"),
        added.into_iter().map(str::to_owned).collect(),
    )
}

#[test]
fn npm_run_env_through_regauth_is_npm_alone_plus_one_stable_variable() {
    let env = NpmEnv::new();
    std::fs::write(
        env.project().join("package.json"),
        r#"{"name":"proj","version":"1.0.0","scripts":{"env":"env | LC_ALL=C sort"}}"#,
    )
    .unwrap();
    let (direct, none) = run_env(&env, false);
    assert!(none.is_empty(), "{none:?}");
    let (first, added_first) = run_env(&env, true);
    let (second, added_second) = run_env(&env, true);
    assert_eq!(first, direct, "npm run env: through regauth vs npm alone");
    assert_eq!(added_first.len(), 1, "{added_first:?}");
    assert_eq!(second, first);
    assert_eq!(added_first, added_second, "the same on every run");
}
