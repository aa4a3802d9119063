//! regauth's own subcommands: one file each.

pub mod doctor;
pub mod explain;
pub mod init;
mod last_log;
pub(crate) mod stdout;
