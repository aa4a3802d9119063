//! The user's npm command, classified by a whitelist of read-only commands.
//!
//! The class only decides which probes fit; the user's command itself is never run again. Any
//! command not on the read whitelist counts as a write (the safe side: a write-shaped failure
//! gets identity and ownership probes, never a repetition).

/// npm's commands and aliases (npm 11 `lib/utils/cmd-list.js`), for resolving what the user
/// typed the way npm does: exact name, alias, then unique abbreviation (`npm pub` is publish).
const COMMANDS: &[&str] = &[
    "access",
    "adduser",
    "approve-scripts",
    "audit",
    "bugs",
    "cache",
    "ci",
    "completion",
    "config",
    "dedupe",
    "deny-scripts",
    "deprecate",
    "diff",
    "dist-tag",
    "docs",
    "doctor",
    "edit",
    "exec",
    "explain",
    "explore",
    "find-dupes",
    "fund",
    "get",
    "help",
    "help-search",
    "init",
    "install",
    "install-ci-test",
    "install-scripts",
    "install-test",
    "link",
    "ll",
    "login",
    "logout",
    "ls",
    "org",
    "outdated",
    "owner",
    "pack",
    "ping",
    "pkg",
    "prefix",
    "profile",
    "prune",
    "publish",
    "query",
    "rebuild",
    "repo",
    "restart",
    "root",
    "run",
    "sbom",
    "search",
    "set",
    "shrinkwrap",
    "stage",
    "star",
    "stars",
    "start",
    "stop",
    "team",
    "test",
    "token",
    "trust",
    "undeprecate",
    "uninstall",
    "unpublish",
    "unstar",
    "update",
    "version",
    "view",
    "whoami",
];

const ALIASES: &[(&str, &str)] = &[
    ("author", "owner"),
    ("home", "docs"),
    ("issues", "bugs"),
    ("info", "view"),
    ("show", "view"),
    ("find", "search"),
    ("add", "install"),
    ("unlink", "uninstall"),
    ("remove", "uninstall"),
    ("rm", "uninstall"),
    ("r", "uninstall"),
    ("un", "uninstall"),
    ("rb", "rebuild"),
    ("list", "ls"),
    ("ln", "link"),
    ("create", "init"),
    ("i", "install"),
    ("it", "install-test"),
    ("cit", "install-ci-test"),
    ("u", "update"),
    ("up", "update"),
    ("c", "config"),
    ("s", "search"),
    ("se", "search"),
    ("tst", "test"),
    ("t", "test"),
    ("ddp", "dedupe"),
    ("v", "view"),
    ("run-script", "run"),
    ("clean-install", "ci"),
    ("clean-install-test", "install-ci-test"),
    ("x", "exec"),
    ("why", "explain"),
    ("la", "ll"),
    ("verison", "version"),
    ("ic", "ci"),
    ("innit", "init"),
    ("in", "install"),
    ("ins", "install"),
    ("inst", "install"),
    ("insta", "install"),
    ("instal", "install"),
    ("isnt", "install"),
    ("isnta", "install"),
    ("isntal", "install"),
    ("isntall", "install"),
    ("install-clean", "ci"),
    ("isntall-clean", "ci"),
    ("hlep", "help"),
    ("dist-tags", "dist-tag"),
    ("upgrade", "update"),
    ("udpate", "update"),
    ("rum", "run"),
    ("sit", "install-ci-test"),
    ("urn", "run"),
    ("ogr", "org"),
    ("add-user", "adduser"),
];

/// Commands that only read from the registry (they may write node_modules or the cache, never
/// the registry). A whitelist: everything else is treated as a write.
const READ_COMMANDS: &[&str] = &[
    "view",
    "install",
    "ci",
    "install-test",
    "install-ci-test",
    "update",
    "outdated",
    "exec",
    "dedupe",
    "audit",
    "search",
    "pack",
    "diff",
    "whoami",
    "ping",
    "doctor",
    "fund",
    "sbom",
    "query",
    "init",
    "cache",
    "explain",
    "ls",
    "ll",
    "stars",
    "find-dupes",
    "explore",
];

/// Commands whose read-only forms are `ls`/`list`/`get`; their other actions write.
const READ_ACTIONS: &[&str] = &["ls", "list", "get"];
const COMMANDS_WITH_ACTIONS: &[&str] = &[
    "access", "owner", "dist-tag", "team", "org", "token", "profile", "trust",
];

/// Account-level writes: they change who the user is, not a package.
const ACCOUNT_WRITES: &[&str] = &["adduser", "login", "logout", "token", "profile"];

/// Package-level writes other than publish.
const PACKAGE_WRITES: &[&str] = &[
    "unpublish",
    "deprecate",
    "undeprecate",
    "dist-tag",
    "owner",
    "access",
    "team",
    "org",
    "star",
    "unstar",
    "trust",
];

/// Options that take a separate value (`--registry URL`), so that the value is not mistaken
/// for the command. Options not listed are taken as flags; `--key=value` always works.
const VALUE_OPTIONS: &[&str] = &[
    "registry",
    "userconfig",
    "globalconfig",
    "cache",
    "prefix",
    "C",
    "loglevel",
    "otp",
    "tag",
    "access",
    "workspace",
    "w",
    "auth-type",
    "scope",
    "before",
    "omit",
    "include",
    "logs-dir",
    "logs-max",
    "fetch-retries",
    "fetch-timeout",
    "cafile",
    "proxy",
    "https-proxy",
    "noproxy",
    "install-strategy",
    "location",
    "L",
];

/// What kind of npm call failed, as far as choosing probes goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandClass {
    /// A whitelisted registry read (install, ci, view, ...).
    Read,
    /// `npm publish`.
    Publish,
    /// A write to a package's registry data other than publish (unpublish, dist-tag add, ...).
    PackageWrite,
    /// A write to the account (login, token create, profile set, ...).
    AccountWrite,
    /// Anything else (run, test, config, pkg set, unknown): not a registry read.
    Other,
}

/// The user's command, resolved the way npm resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCommand {
    /// npm's canonical command name (`install` for `i`), if one matched.
    pub name: Option<String>,
    /// The arguments after the command that are not options.
    pub positionals: Vec<String>,
    pub class: CommandClass,
}

impl UserCommand {
    /// Resolves and classifies the user's npm arguments (everything after `npm`).
    pub fn parse(args: &[String]) -> UserCommand {
        let words = positional_words(args);
        let name = words.first().and_then(|w| resolve(w));
        let positionals = words.into_iter().skip(1).collect::<Vec<_>>();
        let class = match &name {
            Some(name) => classify(name, positionals.first().map(String::as_str)),
            None => CommandClass::Other,
        };
        UserCommand {
            name,
            positionals,
            class,
        }
    }

    /// The first positional after the command (`npm install <pkg>`, `npm publish <dir>`).
    pub(crate) fn first_operand(&self) -> Option<&str> {
        let skip = usize::from(self.has_action());
        self.positionals.get(skip).map(String::as_str)
    }

    fn has_action(&self) -> bool {
        self.name
            .as_deref()
            .is_some_and(|n| COMMANDS_WITH_ACTIONS.contains(&n))
    }
}

/// The arguments that are not options or option values; stops treating `-x` as options after `--`.
fn positional_words(args: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            words.extend(iter.by_ref().cloned());
            break;
        }
        match arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) {
            Some(option) if !arg.starts_with("---") && arg.len() > 1 => {
                if !option.contains('=') && VALUE_OPTIONS.contains(&option) {
                    iter.next();
                }
            }
            _ => words.push(arg.clone()),
        }
    }
    words
}

/// npm's `deref`: exact command, alias, then a unique prefix of a command or alias.
fn resolve(word: &str) -> Option<String> {
    let word = camel_to_kebab(word);
    if COMMANDS.contains(&word.as_str()) {
        return Some(word);
    }
    if let Some((_, target)) = ALIASES.iter().find(|(alias, _)| *alias == word) {
        return Some(target.to_string());
    }
    let mut matches = COMMANDS
        .iter()
        .map(|c| (*c, *c))
        .chain(ALIASES.iter().copied())
        .filter(|(name, _)| name.starts_with(word.as_str()))
        .map(|(_, target)| target);
    let first = matches.next()?;
    matches.all(|t| t == first).then(|| first.to_string())
}

fn camel_to_kebab(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn classify(name: &str, action: Option<&str>) -> CommandClass {
    if name == "publish" {
        return CommandClass::Publish;
    }
    if READ_COMMANDS.contains(&name) {
        return CommandClass::Read;
    }
    if COMMANDS_WITH_ACTIONS.contains(&name) && action.is_some_and(|a| READ_ACTIONS.contains(&a)) {
        return CommandClass::Read;
    }
    if ACCOUNT_WRITES.contains(&name) {
        return CommandClass::AccountWrite;
    }
    if PACKAGE_WRITES.contains(&name) {
        return CommandClass::PackageWrite;
    }
    CommandClass::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(args: &str) -> CommandClass {
        let args: Vec<String> = args.split_whitespace().map(String::from).collect();
        UserCommand::parse(&args).class
    }

    #[test]
    fn reads_are_whitelisted() {
        for c in [
            "install @priv/lib",
            "i",
            "ci",
            "view x",
            "info x",
            "show x",
            "add x",
            "isntall",
            "update",
            "exec foo",
            "owner ls x",
            "dist-tag ls x",
            "access get status x",
            "token list",
            "--registry http://r/ install x",
            "audit",
        ] {
            assert_eq!(class(c), CommandClass::Read, "{c}");
        }
    }

    #[test]
    fn writes_are_not_reads() {
        assert_eq!(class("publish"), CommandClass::Publish);
        assert_eq!(
            class("pub"),
            CommandClass::Publish,
            "npm accepts unique abbreviations"
        );
        assert_eq!(class("--tag next publish ./dir"), CommandClass::Publish);
        for c in [
            "unpublish x",
            "deprecate x msg",
            "dist-tag add x@1 t",
            "dist-tag rm x t",
            "owner add bob x",
            "owner rm bob x",
            "access set status=public x",
            "team create o:t",
            "org set o u",
            "star x",
            "unstar x",
            "trust github x",
        ] {
            assert_eq!(class(c), CommandClass::PackageWrite, "{c}");
        }
        for c in [
            "adduser",
            "login",
            "logout",
            "token create",
            "token revoke 1",
            "profile set email x",
        ] {
            assert_eq!(class(c), CommandClass::AccountWrite, "{c}");
        }
        for c in [
            "run build",
            "test",
            "pkg set name=x",
            "config set a b",
            "",
            "frobnicate",
            "uninstall x",
        ] {
            assert_eq!(class(c), CommandClass::Other, "{c}");
        }
    }

    #[test]
    fn operands_skip_options_and_actions() {
        let args = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        let cmd = UserCommand::parse(&args("--registry http://r/ i -D @priv/lib@^1"));
        assert_eq!(cmd.name.as_deref(), Some("install"));
        assert_eq!(cmd.first_operand(), Some("@priv/lib@^1"));
        let cmd = UserCommand::parse(&args("owner ls pub-pkg"));
        assert_eq!(cmd.first_operand(), Some("pub-pkg"));
        let cmd = UserCommand::parse(&args("publish --otp 123456 ./sub"));
        assert_eq!(cmd.first_operand(), Some("./sub"));
    }
}
