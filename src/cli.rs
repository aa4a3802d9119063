//! regauth's own command line: argv[0] dispatch, `regauth npm ...` passthrough, and the clap CLI.
//!
//! Nothing after `npm` is ever parsed here: those bytes go to the real npm untouched.

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use crate::clients::{self, Client};
use crate::commands;
use crate::shim::{self, Outcome};
use crate::types::ClientId;

#[derive(Parser, Debug)]
#[command(
    name = "regauth",
    version,
    about = "Runs npm untouched and explains registry authentication failures",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the real npm with these arguments (also what `npm` as argv[0] does)
    #[command(disable_help_flag = true)]
    Npm {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Explain a saved npm, pnpm or yarn failure (terminal output, CI log or npm debug log)
    Explain(commands::explain::ExplainArgs),
    /// Show the registries and credentials npm would use here, with file:line, and problems found
    Doctor(commands::doctor::DoctorArgs),
    /// Print the shell snippet that routes npm and npx through regauth
    Init(commands::init::InitArgs),
}

/// Runs regauth and returns the process exit code.
pub fn main() -> i32 {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let invoked_as = args.first().map(tool_name).unwrap_or_default();
    if let Some(client) = clients::by_name(&invoked_as) {
        return run_client(client, args.split_off(1));
    }
    if let Some(client) = args
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(clients::by_name)
    {
        return run_client(client, args.split_off(2));
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            return print_clap(&err);
        }
    };
    let result = match cli.command {
        Command::Npm { args } => return run_client(clients::by_id(ClientId::Npm), args),
        Command::Explain(a) => commands::explain::run(a),
        Command::Doctor(a) => commands::doctor::run(a),
        Command::Init(a) => commands::init::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) if commands::stdout::is_closed_pipe(&err) => 0,
        Err(err) => {
            commands::stdout::write_stderr(&format!("regauth: error: {err:#}\n"));
            2
        }
    }
}

/// clap's usage error (stderr, 2) or help and version (stdout, 0), written like every other
/// output of regauth's: waiting while a non-blocking output is full. Styled as regauth's own
/// reports are (NO_COLOR, CLICOLOR_FORCE, a terminal).
fn print_clap(err: &clap::Error) -> i32 {
    let styled = err.render();
    let text = |terminal_colors: bool| match crate::render::human::colour_wanted(terminal_colors) {
        true => styled.ansi().to_string(),
        false => styled.to_string(),
    };
    if err.use_stderr() {
        commands::stdout::write_stderr(&text(console::colors_enabled_stderr()));
        2
    } else {
        let _ = commands::stdout::write(&text(console::colors_enabled()));
        0
    }
}

/// Shim mode: the real client runs untouched; a failure it should explain goes to the failure
/// path (`crate::live`), which nothing it does may turn into a different exit or output.
fn run_client(client: &dyn Client, args: Vec<OsString>) -> i32 {
    let ended = match shim::run(client, args) {
        Outcome::NotRun(code) => return code,
        Outcome::Ran(ended) => ended,
    };
    if let Ok(Some(failed)) = &ended.failed {
        ended.exit_as_npm_when_out_of_memory();
        let explained = shim::guarded("reading npm's failure", || {
            crate::live::after_failure(&failed.run, failed.recording.config.as_ref())
        });
        if let Err(line) = explained {
            shim::say(&line);
        }
    }
    ended.finish()
}

/// The file name a binary was invoked as, without directory or `.exe`.
fn tool_name(arg0: &OsString) -> String {
    let name = std::path::Path::new(arg0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(".exe").map(str::to_owned).unwrap_or(name)
}
