//! regauth: runs the real npm untouched and, when a registry refuses it, explains why.
//!
//! The module graph, top to bottom (an arrow is "uses"; no cycle: every edge points down):
//!
//! ```text
//! cli                 argv[0] dispatch and the CLI
//!  ├─> commands       regauth explain / doctor / init ─> live and the stages
//!  ├─> live           the failure path, above the stages ─> shim, clients, org, stages
//!  │    org           organisation knowledge (.regauth.toml) ─> diagnose, detect
//!  └─> shim           runs a client untouched, returns its Run ─> clients
//!       clients       one module per client behind one interface ─> config, detect
//!       probe         read-only probes ─> config, detect
//!       render        ─> diagnose ─> config (its typed problems), detect
//!       config        npm's configuration, read natively ─> paths
//!       detect        what failed, from text
//! leaves: types (Run, Exit, ClientId, DebugLog), paths (PATH search), report (schema-1),
//!         secret (scrubbing), civil (dates), registry_url (one URL identity: nerf darts, hosts)
//! ```
//!
//! `regauth explain` enters at `detect` with text; `regauth doctor` uses `config` and `render`.

// The library's public surface is what the binary (`main`) and the integration tests under
// tests/ use; everything else is crate-private, so rustc reports what nothing uses.
mod civil;
mod cli;
mod clients;
pub mod commands;
pub mod config;
pub mod detect;
pub mod diagnose;
mod live;
pub mod org;
mod paths;
pub mod probe;
pub mod registry_url;
pub mod render;
pub mod report;
mod secret;
mod shim;
/// The binary's global allocator (src/main.rs): the system's, with npm's exit code kept when
/// memory runs out while explaining.
pub use shim::out_of_memory::Watched as WatchedAllocator;
mod types;

pub use cli::main;
pub use paths::SHIM_MARKER;
