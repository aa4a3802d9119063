//! Writing a command's result to stdout so that a closed pipe (`regauth doctor | head -1`) ends
//! the command quietly, as it does other Unix tools, instead of panicking like `print!`; and
//! waiting, not failing, while a non-blocking output is full (a parent such as node may set
//! O_NONBLOCK on the pipe: `std`'s writes then fail with EAGAIN and `eprintln!` panics).

use std::os::fd::AsFd as _;

use crate::shim::tee::write_all_waiting;

/// Writes `text` to stdout; a closed pipe comes back as an error that `is_closed_pipe`
/// recognises.
pub(crate) fn write(text: &str) -> std::io::Result<()> {
    let out = std::io::stdout().lock();
    write_all_waiting(out.as_fd(), text.as_bytes())
}

/// Writes `text` to stderr, ignoring failure: a closed stderr has nobody left to tell.
pub(crate) fn write_stderr(text: &str) {
    crate::shim::guard::write_stderr(text.as_bytes());
}

/// True when `err` (or anything it wraps) is the EPIPE of a reader that went away: the quiet
/// exit ripgrep and coreutils make, status 0.
pub(crate) fn is_closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_broken_pipe_is_recognised_and_other_errors_are_not() {
        let pipe = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("writing the report");
        assert!(is_closed_pipe(&pipe));
        let denied =
            anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(!is_closed_pipe(&denied));
        assert!(!is_closed_pipe(&anyhow::anyhow!("not a package name")));
    }
}
