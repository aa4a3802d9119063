//! regauth's own command line: argv[0] dispatch, `regauth npm ...` passthrough, and the clap CLI.
//!
//! Nothing after `npm` is ever parsed here: those bytes go to the real npm untouched.

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use crate::commands;

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
    if let Some(tool) = crate::shim::Shimmed::from_name(&invoked_as) {
        return crate::shim::run(tool, args.split_off(1));
    }
    if let Some(tool) = args
        .get(1)
        .and_then(|a| a.to_str())
        .and_then(crate::shim::Shimmed::from_name)
    {
        return crate::shim::run(tool, args.split_off(2));
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Npm { args } => return crate::shim::run(crate::shim::Shimmed::Npm, args),
        Command::Explain(a) => commands::explain::run(a),
        Command::Doctor(a) => commands::doctor::run(a),
        Command::Init(a) => commands::init::run(a),
    };
    match result {
        Ok(code) => code,
        Err(err) if commands::stdout::is_closed_pipe(&err) => 0,
        Err(err) => {
            eprintln!("regauth: error: {err:#}");
            2
        }
    }
}

/// The file name a binary was invoked as, without directory or `.exe`.
fn tool_name(arg0: &OsString) -> String {
    let name = std::path::Path::new(arg0)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(".exe").map(str::to_owned).unwrap_or(name)
}
