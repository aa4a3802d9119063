//! npm's configuration as npm itself resolves it: layers, `.npmrc` parsing, `${VAR}` expansion,
//! registries and scope mappings, per-host credentials (nerf darts), with file:line provenance.

pub mod cli_args;
pub mod expand;
pub mod ini;
pub mod layers;
pub mod value;
