//! Small file helpers shared by the tests: executable stand-in scripts.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `text` to `path` (creating its directory) and makes it executable (0755).
pub fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a file path")).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
