//! Reading a config file only when it is a regular file of bounded size (a FIFO or device is npm's alone).

use std::path::Path;

/// A config file larger than this is left to npm (60k keys are about 3 MB).
pub(crate) const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// The file's bytes, up to the bound, opened without blocking (a file replaced by a FIFO
/// after the check must not hang regauth) and read only when it is still a regular file.
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::ErrorKind::InvalidInput.into());
    }
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES).read_to_end(&mut bytes)?;
    Ok(bytes)
}
