//! A client run directly and the same run through regauth end alike: the exit status, and the
//! stdout (and stderr) bytes up to durations (`durations_masked`: yarn 1's `Done in 0.42s`).

use std::process::Output;

use super::durations_masked;

/// Same exit status and the same stdout, masked; `what` names the run in failures.
pub fn assert_same_status_and_stdout(what: &str, direct: &Output, shimmed: &Output) {
    assert_eq!(
        shimmed.status.code(),
        direct.status.code(),
        "{what}: exit status"
    );
    assert_same_stream(what, "stdout", &direct.stdout, &shimmed.stdout);
}

/// Same exit status, stdout and stderr, masked (nothing added: no explanation either).
pub fn assert_same_run(what: &str, direct: &Output, shimmed: &Output) {
    assert_same_status_and_stdout(what, direct, shimmed);
    assert_same_stream(what, "stderr", &direct.stderr, &shimmed.stderr);
}

/// One stream's bytes, masked, are equal.
pub fn assert_same_stream(what: &str, stream: &str, direct: &[u8], shimmed: &[u8]) {
    assert_eq!(
        durations_masked(shimmed),
        durations_masked(direct),
        "{what}: {stream}"
    );
}
