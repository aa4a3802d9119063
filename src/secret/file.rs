//! Files regauth writes (the `REGAUTH_REPORT` copy, the job summary) are owner-only: created
//! with mode 0600, and an existing file is narrowed to 0600 before anything is written to it.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Replaces the file's content with `data`, owner-only.
pub fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true).mode(0o600);
    write_narrowed(path, &options, data)
}

/// Appends `data` (other writers' sections stay), owner-only.
pub fn append_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true).mode(0o600);
    write_narrowed(path, &options, data)
}

fn write_narrowed(path: &Path, options: &std::fs::OpenOptions, data: &[u8]) -> std::io::Result<()> {
    let mut file = options.open(path)?;
    // `mode` applies only when the file is created; a file that existed keeps its mode
    // otherwise. Not ours to narrow (another owner): write anyway, as before.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o600));
    file.write_all(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_and_existing_files_end_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let fresh = dir.path().join("fresh.json");
        write_private(&fresh, b"{}").unwrap();
        assert_eq!(mode(&fresh), 0o600);
        let old = dir.path().join("old.json");
        std::fs::write(&old, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&old, b"{}").unwrap();
        assert_eq!(
            (mode(&old), std::fs::read(&old).unwrap()),
            (0o600, b"{}".to_vec())
        );
        let summary = dir.path().join("summary.md");
        std::fs::write(&summary, "a\n").unwrap();
        append_private(&summary, b"b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&summary).unwrap(), "a\nb\n");
        assert_eq!(mode(&summary), 0o600);
    }
}
