//! install.sh on the file system: layout, idempotence (a second run touches no file), byte-exact
//! `--uninstall`, `--dry-run`, `--prefix`, and its one-line errors. Runs in a throwaway HOME with
//! nothing inherited from this machine (`env -i` semantics).

mod install_common;

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};

use install_common::*;

/// Profiles with content of their own: the uninstall must give these bytes back exactly.
fn seed_profiles(h: &Home) {
    h.write(".bashrc", "# my bashrc\nexport EDITOR=vi\nalias ll='ls -l'"); // no final newline
    h.write(".zshrc", "setopt autocd\n\n");
    h.write(".bash_profile", "[ -f ~/.bashrc ] && . ~/.bashrc\n");
    // ~/.config/fish/config.fish does not exist: install creates it (and its directories).
}

#[test]
fn install_puts_binary_and_marked_shims_in_regauth_home() {
    let h = Home::new();
    h.install_ok(&[]);
    let bin = h.path(".regauth/bin/regauth");
    assert_eq!(fs::read(&bin).unwrap(), fs::read(regauth_bin()).unwrap());
    for tool in ["npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg"] {
        let shim = h.path(&format!(".regauth/shims/{tool}"));
        let text = fs::read_to_string(&shim).unwrap();
        assert_eq!(
            text,
            fs::read_to_string(checkout().join("shims").join(tool)).unwrap()
        );
        assert!(
            text.contains(regauth::SHIM_MARKER),
            "{tool} shim lacks the marker"
        );
        let mode = fs::metadata(&shim).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o755,
            0o755,
            "{tool} shim is not executable: {mode:o}"
        );
    }
}

#[test]
fn without_path_or_alias_no_profile_changes_and_the_line_is_printed() {
    let h = Home::new();
    seed_profiles(&h);
    let before = snapshot(&h.home());
    let out = h.install_ok(&[]);
    assert!(
        out.contains(r#"export PATH="$HOME/.regauth/shims:$HOME/.regauth/bin:$PATH""#),
        "{out}"
    );
    let after = snapshot(&h.home());
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, e)| before.get(*p) != Some(e))
        .map(|(p, _)| p.clone())
        .filter(|p| !p.starts_with(".regauth"))
        .collect();
    assert!(
        changed.is_empty(),
        "files outside ~/.regauth changed: {changed:?}"
    );
}

#[test]
fn regauth_home_env_moves_the_install() {
    let h = Home::new();
    let elsewhere = h.scratch().join("opt-regauth");
    let out = h
        .bare("sh")
        .env("REGAUTH_HOME", &elsewhere)
        .arg(install_sh())
        .args(["--path", "--shells", "bash", "--binary"])
        .arg(regauth_bin())
        .output()
        .unwrap();
    assert_success(&out, "install with REGAUTH_HOME");
    assert!(elsewhere.join("bin/regauth").is_file());
    assert!(elsewhere.join("shims/npm").is_file());
    assert!(h
        .read(".bashrc")
        .contains(&format!("{}/shims:", elsewhere.display())));
    assert!(!h.path(".regauth").exists());
}

#[test]
fn second_install_changes_no_file_in_either_mode() {
    for mode in [["--path"], ["--alias"]] {
        let h = Home::new();
        seed_profiles(&h);
        h.install_ok(&mode);
        let first = snapshot_with_mtimes(&h.home());
        let out = h.install_ok(&mode);
        assert_eq!(
            snapshot_with_mtimes(&h.home()),
            first,
            "{mode:?} second run changed files"
        );
        assert!(
            !out.contains("updated:") && !out.contains("installed:"),
            "{out}"
        );
    }
}

#[test]
fn profile_blocks_use_each_shells_syntax_between_markers() {
    let h = Home::new();
    seed_profiles(&h);
    h.install_ok(&["--path"]);
    let bashrc = h.read(".bashrc");
    assert!(
        bashrc.starts_with("# my bashrc\nexport EDITOR=vi\nalias ll='ls -l'\n# >>> regauth >>>\n")
    );
    assert!(bashrc.ends_with("# <<< regauth <<<\n"));
    assert!(bashrc.contains(r#"export PATH="$HOME/.regauth/shims:$HOME/.regauth/bin:$PATH""#));
    assert!(h.read(".bash_profile").contains("# >>> regauth >>>"));
    assert!(h
        .read(".zshrc")
        .starts_with("setopt autocd\n\n# >>> regauth >>>\n"));
    let fish = h.read(".config/fish/config.fish");
    assert!(
        fish.contains(r#"set -gx PATH "$HOME/.regauth/shims" "$HOME/.regauth/bin" $PATH"#),
        "{fish}"
    );
    assert!(!fish.contains("export "));

    h.install_ok(&["--alias"]);
    let bashrc = h.read(".bashrc");
    assert_eq!(bashrc.matches("# >>> regauth >>>").count(), 1, "{bashrc}");
    assert!(
        bashrc.contains(r#"alias npm='"$HOME/.regauth/bin/regauth" npm'"#),
        "{bashrc}"
    );
    assert!(
        !bashrc.contains(".regauth/shims"),
        "--alias alone must not put the shims on PATH"
    );
    let fish = h.read(".config/fish/config.fish");
    assert!(fish.contains("function npm --wraps npm"), "{fish}");
    assert!(
        fish.contains(r#""$HOME/.regauth/bin/regauth" npx $argv"#),
        "{fish}"
    );
}

#[test]
fn uninstall_restores_every_profile_byte_for_byte() {
    for mode in [vec!["--path"], vec!["--alias"], vec!["--path", "--alias"]] {
        let h = Home::new();
        seed_profiles(&h);
        let before = snapshot(&h.home());
        h.install_ok(&mode);
        h.install_ok(&["--alias"]); // switching modes in between must not matter
        h.install_ok(&mode);
        assert!(h.path(".config/fish/config.fish").is_file());
        h.install_ok(&["--uninstall"]);
        assert_eq!(
            snapshot(&h.home()),
            before,
            "{mode:?}: home differs after uninstall"
        );
        // Uninstalling again is a no-op.
        h.install_ok(&["--uninstall"]);
        assert_eq!(snapshot(&h.home()), before);
    }
}

#[test]
fn uninstall_keeps_what_the_user_added_after_the_block() {
    let h = Home::new();
    h.write(".bashrc", "first line");
    h.install_ok(&["--path", "--shells", "bash"]);
    let mut text = h.read(".bashrc");
    text.push_str("export AFTER=1"); // e.g. nvm's installer appending later, no final newline
    h.write(".bashrc", &text);
    h.install_ok(&["--path", "--shells", "bash"]);
    assert_eq!(
        h.read(".bashrc"),
        text,
        "an unchanged block must stay where it is"
    );
    h.install_ok(&["--uninstall"]);
    assert_eq!(h.read(".bashrc"), "first line\nexport AFTER=1");
}

#[test]
fn a_created_profile_that_the_user_then_edited_is_kept() {
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "fish"]);
    let mut text = h.read(".config/fish/config.fish");
    text.push_str("set -gx MINE 1\n");
    h.write(".config/fish/config.fish", &text);
    h.install_ok(&["--uninstall"]);
    assert_eq!(h.read(".config/fish/config.fish"), "set -gx MINE 1\n");
}

#[test]
fn symlinked_profiles_are_edited_through_the_link() {
    let h = Home::new();
    h.write("dotfiles/zshrc", "export DOT=1\n");
    symlink(h.path("dotfiles/zshrc"), h.path(".zshrc")).unwrap();
    let before = snapshot(&h.home());
    h.install_ok(&["--alias", "--shells", "zsh"]);
    assert!(fs::symlink_metadata(h.path(".zshrc"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(h.read("dotfiles/zshrc").contains("alias npm="));
    h.install_ok(&["--uninstall"]);
    assert_eq!(snapshot(&h.home()), before);
}

#[test]
fn shells_option_limits_the_profiles_edited() {
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "zsh"]);
    assert!(h.path(".zshrc").is_file());
    assert!(!h.path(".bashrc").exists());
    assert!(!h.path(".config").exists());
}

#[test]
fn dry_run_changes_nothing_and_says_what_it_would_do() {
    let h = Home::new();
    seed_profiles(&h);
    let before = snapshot_with_mtimes(&h.home());
    let out = h.install_ok(&["--path", "--alias", "--dry-run"]);
    assert_eq!(snapshot_with_mtimes(&h.home()), before);
    assert!(
        out.contains("would install: ~/.regauth/bin/regauth"),
        "{out}"
    );
    assert!(
        out.contains("would write the regauth block into ~/.bashrc"),
        "{out}"
    );
    assert!(
        out.contains("would write the regauth block into ~/.config/fish/config.fish"),
        "{out}"
    );

    h.install_ok(&["--path"]);
    let installed = snapshot_with_mtimes(&h.home());
    let out = h.install_ok(&["--uninstall", "--dry-run"]);
    assert_eq!(snapshot_with_mtimes(&h.home()), installed);
    assert!(
        out.contains("would remove the regauth block from ~/.bashrc"),
        "{out}"
    );
    assert!(out.contains("would run: rm -f"), "{out}");
}

#[test]
fn uninstall_dry_run_lists_the_directories_the_real_run_removes() {
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "fish"]);
    let listed: Vec<String> = h
        .install_ok(&["--uninstall", "--dry-run"])
        .lines()
        .filter_map(|l| l.strip_prefix("would run: rmdir "))
        .map(str::to_owned)
        .collect();
    let home = h.home().display().to_string();
    for dir in [".regauth/shims", ".regauth/bin", ".regauth", ".config/fish"] {
        assert!(
            listed.contains(&format!("{home}/{dir}")),
            "{dir} not in {listed:?}"
        );
    }
    let out = h.install_ok(&["--uninstall"]);
    for dir in &listed {
        assert!(!std::path::Path::new(dir).exists(), "{dir} listed but kept");
        assert!(
            out.contains(&format!("removed: {}/", dir.replace(&home, "~"))),
            "{out}"
        );
    }
}

#[test]
fn uninstall_dry_run_keeps_directories_that_hold_other_files() {
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "bash"]);
    h.write(".regauth/bin/my-tool", "mine\n");
    let out = h.install_ok(&["--uninstall", "--dry-run"]);
    let rmdir = |dir: &str| format!("would run: rmdir {}", h.path(dir).display());
    assert!(out.lines().any(|l| l == rmdir(".regauth/shims")), "{out}");
    for kept in [".regauth/bin", ".regauth"] {
        assert!(!out.lines().any(|l| l == rmdir(kept)), "{kept}: {out}");
    }
    h.install_ok(&["--uninstall"]);
    assert!(h.path(".regauth/bin/my-tool").is_file());
}

#[test]
fn uninstall_tells_open_shells_to_forget_the_shim() {
    let h = Home::new();
    h.install_ok(&["--path"]);
    let out = h.install_ok(&["--uninstall"]);
    assert!(out.contains("hash -r"), "{out}");
    assert!(out.contains("open a new shell"), "{out}");
    assert!(out.contains("unalias npm npx"), "{out}");
}

#[test]
fn prefix_installs_system_layout_and_leaves_profiles_alone() {
    let h = Home::new();
    let prefix = h.scratch().join("usr/local");
    let out = h.install_ok(&["--prefix", prefix.to_str().unwrap()]);
    assert!(prefix.join("bin/regauth").is_file());
    assert!(prefix.join("lib/regauth/shims/npm").is_file());
    assert!(prefix.join("lib/regauth/shims/npx").is_file());
    assert!(
        out.contains(&format!("{}/lib/regauth/shims:", prefix.display())),
        "{out}"
    );
    assert!(!h.path(".bashrc").exists());
    h.install_ok(&["--uninstall", "--prefix", prefix.to_str().unwrap()]);
    assert!(!prefix.join("bin/regauth").exists());
    assert!(!prefix.join("lib/regauth").exists());
    assert!(
        prefix.join("bin").is_dir(),
        "a system bin dir is never removed"
    );
}

#[test]
fn uninstall_leaves_files_that_are_not_regauths() {
    let h = Home::new();
    h.install_ok(&[]);
    h.write(".regauth/shims/npm", "#!/bin/sh\necho someone else's npm\n");
    let out = h.install_ok(&["--uninstall"]);
    assert!(
        out.contains("left alone (not regauth's): ~/.regauth/shims/npm"),
        "{out}"
    );
    assert!(h.path(".regauth/shims/npm").is_file());
}

/// One line on stderr, starting with install.sh's prefix, and a non-zero exit.
fn assert_one_line_error(out: &std::process::Output, expected: &str) {
    assert!(
        !out.status.success(),
        "expected failure; stdout: {}",
        stdout(out)
    );
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("install.sh: error: "), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in {err}");
}

#[test]
fn error_no_cargo_and_no_binary() {
    let h = Home::new();
    // BARE_PATH has npm but not ~/.cargo/bin.
    let out = h
        .bare("sh")
        .arg(install_sh())
        .arg("--path")
        .output()
        .unwrap();
    assert_one_line_error(&out, "cargo not found on PATH");
    assert!(
        snapshot(&h.home()).is_empty(),
        "a failed install wrote files"
    );
}

#[test]
fn error_no_npm_on_path() {
    let h = Home::new();
    let bin = h.scratch().join("bin");
    fs::create_dir(&bin).unwrap();
    for tool in [
        "sh", "awk", "sed", "grep", "cmp", "tail", "mktemp", "dirname", "cp", "mv", "chmod",
        "mkdir", "rm", "tr", "cat", "ls", "rmdir",
    ] {
        symlink(format!("/bin/{tool}"), bin.join(tool)).unwrap();
    }
    let out = h
        .bare("/bin/sh")
        .env("PATH", &bin)
        .arg(install_sh())
        .arg("--path")
        .arg("--binary")
        .arg(regauth_bin())
        .output()
        .unwrap();
    assert_one_line_error(&out, "no npm found on PATH");
    assert!(snapshot(&h.home()).is_empty());
}

#[test]
fn error_only_a_regauth_shim_on_path_is_no_npm() {
    let h = Home::new();
    h.install_ok(&[]);
    let shims = h.path(".regauth/shims");
    let bin = h.scratch().join("bin");
    fs::create_dir(&bin).unwrap();
    for tool in [
        "sh", "awk", "sed", "grep", "cmp", "tail", "mktemp", "dirname", "cp", "mv", "chmod",
        "mkdir", "rm", "tr", "cat", "ls", "rmdir",
    ] {
        symlink(format!("/bin/{tool}"), bin.join(tool)).unwrap();
    }
    let path = format!("{}:{}", shims.display(), bin.display());
    let out = h
        .bare("/bin/sh")
        .env("PATH", path)
        .arg(install_sh())
        .arg("--binary")
        .arg(regauth_bin())
        .output()
        .unwrap();
    assert_one_line_error(&out, "no npm found on PATH");
}

#[test]
fn error_unwritable_prefix() {
    let h = Home::new();
    let blocker = h.scratch().join("a-file");
    fs::write(&blocker, "not a directory\n").unwrap();
    let prefix = blocker.join("usr");
    let out = h.install(&["--prefix", prefix.to_str().unwrap()]);
    assert_one_line_error(&out, &format!("cannot write to {}/bin", prefix.display()));
}

#[test]
fn error_bad_options_and_binary() {
    let h = Home::new();
    assert_one_line_error(
        &h.install(&["--frobnicate"]),
        "unknown option '--frobnicate'",
    );
    assert_one_line_error(
        &h.install(&["--shells", "bash,tcsh", "--path"]),
        "unknown shell 'tcsh'",
    );
    assert_one_line_error(
        &h.install(&["--binary", "/nonexistent/regauth"]),
        "is not an executable file",
    );
    let out = h
        .bare("sh")
        .arg(install_sh())
        .arg("--prefix")
        .output()
        .unwrap();
    assert_one_line_error(&out, "--prefix needs a directory");
    let out = h
        .bare("sh")
        .env_remove("HOME")
        .arg(install_sh())
        .output()
        .unwrap();
    assert_one_line_error(&out, "HOME is not set");
    assert!(snapshot(&h.home()).is_empty());
}

#[test]
fn a_prebuilt_regauth_next_to_install_sh_is_used() {
    let h = Home::new();
    let dist = h.scratch().join("regauth-dist");
    fs::create_dir_all(dist.join("shims")).unwrap();
    fs::copy(install_sh(), dist.join("install.sh")).unwrap();
    for tool in ["npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg"] {
        fs::copy(
            checkout().join("shims").join(tool),
            dist.join("shims").join(tool),
        )
        .unwrap();
    }
    fs::copy(regauth_bin(), dist.join("regauth")).unwrap();
    // No cargo on BARE_PATH: the prebuilt binary is the only way this can succeed.
    let out = h.bare("sh").arg(dist.join("install.sh")).output().unwrap();
    assert_success(&out, "install from a dist dir");
    assert_eq!(
        fs::read(h.path(".regauth/bin/regauth")).unwrap(),
        fs::read(regauth_bin()).unwrap()
    );
}

/// The cargo path for real: a release build of this checkout, in this checkout's target dir
/// (incremental after the first run, so cheap once built).
#[test]
fn without_a_binary_install_builds_with_cargo() {
    let h = Home::new();
    let cargo_bin = std::path::Path::new(env!("CARGO"))
        .parent()
        .unwrap()
        .to_path_buf();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| checkout().join("target"));
    let out = h
        .bare("sh")
        .env("PATH", format!("{}:{BARE_PATH}", cargo_bin.display()))
        .env("CARGO_TARGET_DIR", &target)
        .env(
            "RUSTUP_HOME",
            std::env::var_os("RUSTUP_HOME")
                .unwrap_or_else(|| dirs::home_dir().unwrap().join(".rustup").into()),
        )
        .env(
            "CARGO_HOME",
            std::env::var_os("CARGO_HOME")
                .unwrap_or_else(|| dirs::home_dir().unwrap().join(".cargo").into()),
        )
        .arg(install_sh())
        .output()
        .unwrap();
    assert_success(&out, "install.sh with cargo");
    // not silent while cargo works: what it runs, then cargo's own progress, then the result
    let err = stderr(&out);
    assert!(
        err.contains("building regauth: sh scripts/release-build.sh"),
        "{err}"
    );
    assert!(err.contains("Finished"), "cargo's progress is shown: {err}");
    assert!(err.contains("built: "), "{err}");
    let built = target.join("release/regauth");
    assert_eq!(
        fs::read(h.path(".regauth/bin/regauth")).unwrap(),
        fs::read(built).unwrap()
    );
    let version = h
        .bare(h.path(".regauth/bin/regauth"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(
        stdout(&version).starts_with("regauth "),
        "{}",
        stdout(&version)
    );
}

#[test]
fn a_profile_with_a_deleted_end_marker_is_refused_not_truncated() {
    let h = Home::new();
    h.install_ok(&["--path", "--shells", "bash"]);
    let broken: String = h
        .read(".bashrc")
        .lines()
        .filter(|l| *l != "# <<< regauth <<<")
        .map(|l| format!("{l}\nexport KEEP_ME=1\n"))
        .collect();
    h.write(".bashrc", &broken);
    for args in [&["--path", "--shells", "bash"][..], &["--uninstall"][..]] {
        let out = h.install(args);
        assert_one_line_error(&out, "~/.bashrc has unpaired regauth marker lines");
        assert_eq!(h.read(".bashrc"), broken);
    }
}

#[test]
fn install_and_uninstall_leave_no_temporary_files() {
    let h = Home::new();
    h.write(".bashrc", "x\n");
    let tmp = h.scratch().join("tmp");
    fs::create_dir(&tmp).unwrap();
    for args in [
        &["--path", "--binary"][..],
        &["--alias", "--binary"][..],
        &["--uninstall"][..],
    ] {
        let mut cmd = h.bare("sh");
        cmd.env("TMPDIR", &tmp).arg(install_sh()).args(args);
        if args.contains(&"--binary") {
            cmd.arg(regauth_bin());
        }
        assert_success(&cmd.output().unwrap(), &format!("{args:?}"));
        let left: Vec<_> = fs::read_dir(&tmp)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
    let out = h
        .bare("sh")
        .env("TMPDIR", &tmp)
        .arg(install_sh())
        .arg("--frobnicate")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        fs::read_dir(&tmp).unwrap().count(),
        0,
        "a failed run left temporary files"
    );
}
