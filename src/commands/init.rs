//! `regauth init bash|zsh|fish`: the shell snippet that routes npm, npx, pnpm, pnpx, yarn and yarnpkg through regauth.
//!
//! For people who manage their own dotfiles, like `starship init` / `zoxide init`:
//! `eval "$(regauth init bash)"` or `regauth init fish | source`. The snippet names this very
//! binary by its absolute path, so it keeps working whatever PATH the shell ends up with.

use std::path::Path;

use anyhow::Context;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// bash, zsh or fish
    pub shell: String,
}

/// The shells `init` has a snippet for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Shell {
    pub(crate) fn from_name(name: &str) -> Option<Shell> {
        match name {
            "bash" => Some(Shell::Bash),
            "zsh" => Some(Shell::Zsh),
            "fish" => Some(Shell::Fish),
            _ => None,
        }
    }
}

/// The tools the snippet routes through regauth.
const TOOLS: [&str; 6] = ["npm", "npx", "pnpm", "pnpx", "yarn", "yarnpkg"];

pub(crate) fn run(args: InitArgs) -> anyhow::Result<i32> {
    let shell = Shell::from_name(&args.shell)
        .with_context(|| format!("unknown shell '{}': expected bash, zsh or fish", args.shell))?;
    let exe = std::env::current_exe().context("cannot find regauth's own path")?;
    super::stdout::write(&snippet(shell, &exe)?)?;
    Ok(0)
}

/// The snippet for `shell`, calling regauth at `exe`.
pub(crate) fn snippet(shell: Shell, exe: &Path) -> anyhow::Result<String> {
    let exe = exe
        .to_str()
        .with_context(|| format!("regauth's path {} is not UTF-8", exe.display()))?;
    let mut out =
        String::from("# regauth: npm, npx, pnpm, pnpx, yarn and yarnpkg run through regauth (turn off with REGAUTH=off)\n");
    for tool in TOOLS {
        out.push_str(&match shell {
            Shell::Bash | Shell::Zsh => posix_alias(tool, exe),
            Shell::Fish => fish_function(tool, exe),
        });
    }
    Ok(out)
}

fn posix_alias(tool: &str, exe: &str) -> String {
    let command = format!("{} {tool}", posix_quote(exe));
    format!("alias {tool}={}\n", posix_quote(&command))
}

fn fish_function(tool: &str, exe: &str) -> String {
    format!(
        "function {tool} --wraps {tool} --description '{tool} through regauth'\n    {} {tool} $argv\nend\n",
        fish_quote(exe)
    )
}

/// Characters that need no quoting in either shell.
fn is_plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._+-:@%,".contains(c))
}

fn posix_quote(s: &str) -> String {
    if is_plain(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn fish_quote(s: &str) -> String {
    if is_plain(s) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\\', r"\\").replace('\'', r"\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_and_zsh_get_aliases_to_the_absolute_binary() {
        let text = snippet(Shell::Bash, Path::new("/opt/rg/bin/regauth")).unwrap();
        assert!(text.contains("alias npm='/opt/rg/bin/regauth npm'\n"));
        assert!(text.contains("alias npx='/opt/rg/bin/regauth npx'\n"));
        assert_eq!(
            text,
            snippet(Shell::Zsh, Path::new("/opt/rg/bin/regauth")).unwrap()
        );
    }

    #[test]
    fn fish_gets_functions_passing_argv() {
        let text = snippet(Shell::Fish, Path::new("/opt/rg/bin/regauth")).unwrap();
        assert!(text.contains(
            "function npm --wraps npm --description 'npm through regauth'\n    /opt/rg/bin/regauth npm $argv\nend\n"
        ));
        assert!(text.contains("function npx --wraps npx"));
    }

    #[test]
    fn awkward_paths_are_quoted_for_each_shell() {
        let exe = Path::new("/home/o'neil/my tools/regauth");
        let bash = snippet(Shell::Bash, exe).unwrap();
        assert!(
            bash.contains(r#"alias npm=''\''/home/o'\''\'\'''\''neil/my tools/regauth'\'' npm'"#)
        );
        let fish = snippet(Shell::Fish, exe).unwrap();
        assert!(fish.contains(r"    '/home/o\'neil/my tools/regauth' npm $argv"));
    }

    #[test]
    fn unknown_shells_are_refused() {
        assert_eq!(Shell::from_name("tcsh"), None);
        assert_eq!(Shell::from_name("Bash"), None);
    }
}
