//! regauth's own subcommands: one file each.

pub mod doctor;
pub mod doctor_client;
pub mod explain;
pub mod init;
mod last_log;
pub(crate) mod stdout;
