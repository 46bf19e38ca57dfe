//! Where an import is, as values: the library reports, the caller draws.

use std::sync::Arc;

/// Receives an import's [`Progress`].
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Where an import is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    /// The file being read (as given); empty while checking.
    pub file: String,
    /// Bytes of the input read so far, of `total_bytes` (all files).
    pub bytes_read: u64,
    pub total_bytes: u64,
    /// Rows read so far (all files): `accepted` valid, `rejected` not.
    pub rows: u64,
    pub accepted: u64,
    pub rejected: u64,
}

/// What an import is doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    /// Checking every file before anything is written.
    #[default]
    Checking,
    /// Reading and writing rows.
    Importing,
    /// Every row is read (the last chunks may still be being written).
    Read,
}
