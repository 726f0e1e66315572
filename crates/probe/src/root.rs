//! Every collector reads through a [`Root`]: files below a directory (`/`
//! on a live host, a fixture tree in tests), with errors kept as facts
//! ("permission denied" is worth reporting, "not found" usually means
//! "absent").

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The file system a probe reads.
#[derive(Debug, Clone)]
pub struct Root {
    base: PathBuf,
}

/// Why a file could not be read. The kinds a collector tells apart are
/// variants; any other error keeps the operating system's words, as text,
/// since the facts that record it are plain data (cloned, compared).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The file does not exist: usually the fact is absent on this host.
    #[error("not found")]
    NotFound,
    /// The file exists but may not be read (many /sys files need root).
    #[error("permission denied (needs root)")]
    PermissionDenied,
    /// The kernel refused the read itself (EINVAL on a link's `speed`).
    #[error("invalid argument")]
    Invalid,
    /// Any other error, as the operating system told it.
    #[error("{0}")]
    Other(String),
}

impl Root {
    /// A root at `base`: `/` for the running host, a directory of captured files in tests.
    pub fn new(base: impl Into<PathBuf>) -> Self {
        Root { base: base.into() }
    }

    /// Whether this is the running system (`/`), where devices and
    /// syscalls are real, rather than a tree of captured files.
    pub fn is_live(&self) -> bool {
        self.base == Path::new("/")
    }

    /// The real path of `rel` (a path written as on the host, `/proc/...`).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.base.join(rel.trim_start_matches('/'))
    }

    /// The contents of `rel` as text (invalid UTF-8 replaced).
    pub fn read(&self, rel: &str) -> Result<String, ReadError> {
        self.read_bytes(rel).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The raw contents (a compressed /proc/config.gz, say).
    pub fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        match std::fs::read(self.path(rel)) {
            Ok(bytes) => Ok(bytes),
            Err(e) => Err(match e.kind() {
                ErrorKind::NotFound => ReadError::NotFound,
                ErrorKind::PermissionDenied => ReadError::PermissionDenied,
                ErrorKind::InvalidInput => ReadError::Invalid,
                _ if e.raw_os_error() == Some(libc::EINVAL) => ReadError::Invalid,
                _ => ReadError::Other(e.to_string()),
            }),
        }
    }

    /// The trimmed contents, or `None` when unreadable or empty.
    pub fn read_trimmed(&self, rel: &str) -> Option<String> {
        self.read(rel).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
    }

    /// Whether `rel` exists below the root.
    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).exists()
    }

    /// Entry names of a directory, sorted; empty when it cannot be listed.
    pub fn list(&self, rel: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path(rel))
            .map(|it| it.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }
}
