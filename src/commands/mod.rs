//! regauth's own subcommands: one file each.

pub mod doctor;
pub mod explain;
pub mod init;
