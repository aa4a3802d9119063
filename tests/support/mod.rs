//! Test support shared by the integration tests (`mod support;`): an isolated npm environment,
//! a real Verdaccio on 127.0.0.1, and a small HTTP fixture server for replies Verdaccio cannot give.
// Each test binary compiles this module and uses only part of it.
#![allow(dead_code, unused_imports)]

mod client_config;
mod client_runs;
mod client_table;
mod clients;
mod config_dirs;
pub mod cpu;
mod decided_by;
mod disagreements;
mod events;
mod files;
mod fixture;
mod http;
mod metadata_request;
mod npm_env;
pub mod npm_pack;
mod npmjs_like;
mod offline_explain;
mod oidc;
mod peak_rss;
pub mod probe_request;
pub mod pty;
mod same_run;
pub mod secret_review;
pub mod signal_state;
mod spawner;
mod text;
mod verdaccio;

pub use client_config::{reported, slashed, Reported};
pub use client_runs::{doctor_client_route, doctor_client_routes, durations_masked, each_client};
pub use client_table::{TestClient, ALL_CLIENTS};
pub use clients::{client_bin, client_env, write_file, BERRY_HOME_RC};
pub use config_dirs::{config_context, config_dirs};
pub use decided_by::{assert_decided_by, top_decided_by};
pub use disagreements::assert_no_disagreement;
pub use events::{output_within, Gate};
pub use files::write_executable;
pub use fixture::{FixtureServer, Request, Response};
pub use http::{http_request, HttpReply};
pub use metadata_request::{client_add, last4, metadata_request};
pub use npm_env::{is_stripped_var, NpmEnv};
pub use npmjs_like::{
    NpmjsLike, BAD_TOKEN, NO_BYPASS_TOKEN, PRIVATE_PACKAGE, PUBLIC_PACKAGE, READ_ONLY_TOKEN,
    TWO_FACTOR_REQUIRED,
};
pub use offline_explain::{assert_top_names, explain_offline};
pub use oidc::{oidc_secrets, ExchangeReply, IdTokenReply, OidcFixture};
pub use peak_rss::run_measured;
pub use same_run::{assert_same_run, assert_same_status_and_stdout, assert_same_stream};
pub use text::masked;
pub use verdaccio::{Verdaccio, VerdaccioBuilder};
