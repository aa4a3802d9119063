//! Safe read-only probes ("the verbose retry"): planned from a failure, run in parallel on tokio
//! with hard timeouts, only after a failure. A write is never repeated.
