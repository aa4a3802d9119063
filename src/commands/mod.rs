//! regauth's own subcommands: one file each.

pub mod doctor;
pub(crate) mod doctor_client;
pub(crate) mod explain;
pub(crate) mod init;
mod last_log;
pub(crate) mod stdout;
