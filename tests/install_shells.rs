//! Each install method in real shells: after `install.sh --path` / `--alias` (and `regauth init`),
//! `bash -i`, `zsh -i` and `fish` resolve `npm` to the shim or alias, `npm --version` prints the
//! real npm's version, a 401 from a loopback Verdaccio gets regauth's line after npm's error, and
//! shims plus an alias at once still run npm exactly once. Bare environment (`env -i`), throwaway
//! HOME.

mod install_common;
mod support;

use std::process::Output;

use install_common::*;
use support::Verdaccio;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Shell {
    Bash,
    Zsh,
    Fish,
}

const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

impl Shell {
    fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
        }
    }
}

/// Runs `script` in the real shell as a user would get it: interactive bash and zsh (so they
/// read ~/.bashrc and ~/.zshrc), fish (which reads config.fish for every shell).
fn run_in(h: &Home, shell: Shell, path: &str, script: &str) -> Output {
    let mut cmd = h.bare(shell.name());
    cmd.env("PATH", path);
    // npm's once-a-day update check (GET <registry>/npm) would race the request under test;
    // `first_run_update_check_does_not_hide_the_401` covers it on its own.
    cmd.env("npm_config_update_notifier", "false");
    match shell {
        Shell::Bash | Shell::Zsh => cmd.arg("-i").arg("-c").arg(script),
        Shell::Fish => cmd.arg("-c").arg(script),
    };
    cmd.output().expect("run shell")
}

/// What `type npm` must say for each method.
/// Every name regauth stands in for.
const TOOLS: [&str; 6] = ["npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg"];

fn assert_resolves_to_regauth(h: &Home, shell: Shell, alias: bool, tool: &str, type_out: &str) {
    let what = format!("{shell:?} alias={alias}: {type_out}");
    if !alias {
        let shim = h.path(&format!(".regauth/shims/{tool}"));
        let shim = shim.display();
        // zsh quotes a path with a space: npm is '/tmp/my home/.regauth/shims/npm'
        assert!(
            type_out.contains(&format!("{tool} is {shim}"))
                || type_out.contains(&format!("{tool} is '{shim}'")),
            "{what}"
        );
        return;
    }
    match shell {
        Shell::Bash => assert!(
            type_out.contains(&format!("{tool} is aliased to")),
            "{what}"
        ),
        Shell::Zsh => assert!(
            type_out.contains(&format!("{tool} is an alias for")),
            "{what}"
        ),
        Shell::Fish => assert!(
            type_out.contains(&format!("{tool} is a function")),
            "{what}"
        ),
    }
    assert!(
        type_out.contains(&format!(".regauth/bin/regauth\" {tool}")),
        "{what}"
    );
}

/// Anonymous `npm view` of a package only authenticated users may read: Verdaccio answers 401.
fn auth_failure_script(registry: &str) -> String {
    format!("npm view @priv/lib version --registry {registry} --fetch-retries=0")
}

fn assert_regauth_explains_401(out: &Output, registry: &str, what: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{what}: {err}");
    let npm_error = err
        .find("npm error code E401")
        .unwrap_or_else(|| panic!("{what}: no E401: {err}"));
    let line = format!("regauth: GET {registry}@priv%2flib answered 401");
    let ours = err
        .find(&line)
        .unwrap_or_else(|| panic!("{what}: no regauth line {line:?}: {err}"));
    assert!(
        ours > npm_error,
        "{what}: regauth's line must come after npm's output: {err}"
    );
    assert_eq!(err.matches("regauth: GET").count(), 1, "{what}: {err}");
}

#[test]
fn path_and_alias_installs_work_in_bash_zsh_and_fish() {
    let version = real_npm_version();
    let registry = Verdaccio::shared().url();
    for alias in [false, true] {
        let h = Home::new();
        h.install_ok(&[if alias { "--alias" } else { "--path" }]);
        for shell in SHELLS {
            let what = format!("{shell:?} alias={alias}");
            for tool in TOOLS {
                let out = run_in(&h, shell, BARE_PATH, &format!("type {tool}"));
                assert_success(&out, &what);
                assert_resolves_to_regauth(&h, shell, alias, tool, &stdout(&out));
            }

            let out = run_in(&h, shell, BARE_PATH, "npm --version; npx --version");
            assert_success(&out, &what);
            assert_eq!(stdout(&out), format!("{version}\n{version}\n"), "{what}");

            let out = run_in(&h, shell, BARE_PATH, &auth_failure_script(&registry));
            assert_regauth_explains_401(&out, &registry, &what);
        }
    }
}

#[test]
fn regauth_init_snippets_work_in_each_shell_from_an_awkward_path() {
    let version = real_npm_version();
    let registry = Verdaccio::shared().url();
    let h = Home::new();
    // Installed by hand into a directory whose name needs quoting in every shell.
    let dir = h.scratch().join("o'neil tools");
    std::fs::create_dir(&dir).unwrap();
    let exe = dir.join("regauth");
    std::fs::copy(regauth_bin(), &exe).unwrap();
    let path = format!("{}:{BARE_PATH}", dir.display());
    h.write(".bashrc", "eval \"$(regauth init bash)\"\n");
    h.write(".zshrc", "eval \"$(regauth init zsh)\"\n");
    h.write(".config/fish/config.fish", "regauth init fish | source\n");
    for shell in SHELLS {
        let what = format!("init {shell:?}");
        for tool in TOOLS {
            let out = run_in(&h, shell, &path, &format!("type {tool}"));
            assert_success(&out, &what);
            let type_out = stdout(&out);
            assert!(
                type_out.contains("o'neil tools/regauth")
                    || type_out.contains(r"o\'neil tools/regauth")
                    || type_out.contains(r"o'\''neil tools/regauth"),
                "{what}: {type_out}"
            );
            assert!(type_out.contains(tool), "{what}: {type_out}");
        }
        let out = run_in(&h, shell, &path, "npm --version");
        assert_eq!(
            stdout(&out),
            format!("{version}\n"),
            "{what}: {}",
            stderr(&out)
        );
        let out = run_in(&h, shell, &path, &auth_failure_script(&registry));
        assert_regauth_explains_401(&out, &registry, &what);
    }
}

#[test]
fn init_refuses_an_unknown_shell_in_one_line() {
    let h = Home::new();
    let out = h
        .bare(regauth_bin())
        .args(["init", "tcsh"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(stdout(&out).is_empty());
    assert_eq!(
        stderr(&out),
        "regauth: error: unknown shell 'tcsh': expected bash, zsh or fish\n"
    );
}

/// Shims first on PATH *and* aliases at once: alias -> regauth -> (skips the shim) -> npm, once.
#[test]
fn shims_on_path_plus_alias_runs_npm_exactly_once() {
    let version = real_npm_version();
    let registry = Verdaccio::shared().url();
    let h = Home::new();
    h.install_ok(&["--path", "--alias"]);
    let count_file = h.scratch().join("npm-runs");
    let real_dir = h.scratch().join("real-npm");
    write_counting_npm(&real_dir.join("npm"), &count_file);
    let path = format!("{}:{BARE_PATH}", real_dir.display());
    for shell in SHELLS {
        let what = format!("{shell:?}");
        let out = run_in(&h, shell, &path, "echo \"$PATH\"; type npm");
        let text = stdout(&out);
        let shims = h.path(".regauth/shims");
        assert!(
            text.starts_with(&format!("{}:", shims.display()))
                || text.starts_with(&format!("{} ", shims.display())),
            "{what}: shims not first: {text}"
        );
        assert_resolves_to_regauth(&h, shell, true, "npm", &text);

        std::fs::write(&count_file, "").unwrap();
        let out = run_in(&h, shell, &path, "npm --version");
        assert_eq!(
            stdout(&out),
            format!("{version}\n"),
            "{what}: {}",
            stderr(&out)
        );
        assert_eq!(
            count_runs(&count_file),
            1,
            "{what}: npm --version ran npm a different number of times"
        );

        std::fs::write(&count_file, "").unwrap();
        let out = run_in(&h, shell, &path, &auth_failure_script(&registry));
        assert_regauth_explains_401(&out, &registry, &what);
        assert_eq!(
            count_runs(&count_file),
            1,
            "{what}: the failing npm view ran npm more than once"
        );
    }
}

/// A fresh cache makes npm check for its own update (`GET <registry>/npm`, a 404 on Verdaccio)
/// alongside the real request: regauth must still name the request that answered 401.
#[test]
fn first_run_update_check_does_not_hide_the_401() {
    let registry = Verdaccio::shared().url();
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "bash"]);
    let out = h
        .bare("bash")
        .arg("-i")
        .arg("-c")
        .arg(auth_failure_script(&registry))
        .output()
        .unwrap();
    assert_regauth_explains_401(&out, &registry, "fresh HOME, update notifier on");
}

/// The shim alone (no alias), called by absolute path from a script: still exactly once, and the
/// off switch makes it a plain passthrough.
#[test]
fn regauth_off_in_a_shell_is_a_plain_passthrough() {
    let registry = Verdaccio::shared().url();
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "bash"]);
    let mut cmd = h.bare("bash");
    cmd.env("REGAUTH", "off")
        .arg("-i")
        .arg("-c")
        .arg(auth_failure_script(&registry));
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("npm error code E401"), "{err}");
    assert!(
        !err.contains("regauth:"),
        "REGAUTH=off must print nothing of regauth's: {err}"
    );
}

#[test]
fn a_home_with_a_space_works_in_every_shell() {
    let version = real_npm_version();
    for alias in [false, true] {
        let h = Home::named("my home");
        h.install_ok(&[if alias { "--alias" } else { "--path" }]);
        for shell in SHELLS {
            let out = run_in(&h, shell, BARE_PATH, "type npm; npm --version");
            let text = stdout(&out);
            assert_resolves_to_regauth(&h, shell, alias, "npm", &text);
            assert!(
                text.ends_with(&format!("{version}\n")),
                "{shell:?} alias={alias}: {text}{}",
                stderr(&out)
            );
        }
        h.install_ok(&["--uninstall"]);
        // (The shells themselves leave history and fish_variables behind; those are theirs.)
        for ours in [".regauth", ".bashrc", ".zshrc", ".config/fish/config.fish"] {
            assert!(!h.path(ours).exists(), "uninstall left {ours} behind");
        }
    }
}

/// Login bash reads ~/.profile (when there is no ~/.bash_profile), not ~/.bashrc: install gives
/// it the block too, and a ~/.profile that sources ~/.bashrc still gets the shims dir only once.
#[test]
fn login_bash_gets_the_shims_once() {
    for sources_bashrc in [false, true] {
        let h = Home::new();
        let profile = if sources_bashrc {
            "[ -f ~/.bashrc ] && . ~/.bashrc\n"
        } else {
            "umask 022\n"
        };
        h.write(".profile", profile);
        h.install_ok(&["--path", "--shells", "bash"]);
        assert!(!h.path(".bash_profile").exists());
        let out = h
            .bare("bash")
            .arg("-l")
            .arg("-c")
            .arg("echo \"$PATH\"; type npm")
            .output()
            .unwrap();
        let text = stdout(&out);
        let shims = h.path(".regauth/shims");
        let path_line = text.lines().next().unwrap_or("");
        assert!(
            path_line.starts_with(&format!("{}:", shims.display())),
            "{text}"
        );
        assert_eq!(
            path_line.matches(shims.to_str().unwrap()).count(),
            1,
            "{text}"
        );
        assert!(
            text.contains(&format!("npm is {}/npm", shims.display())),
            "{text}"
        );
        h.install_ok(&["--uninstall"]);
        assert_eq!(h.read(".profile"), profile);
    }
}
