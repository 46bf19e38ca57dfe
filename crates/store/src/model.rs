//! Types exchanged with the store. Both backends (SQLite, PostgreSQL) speak
//! exactly these; the shared test suite checks they behave the same.

use serde::Serialize;
use serde_json::{Map, Value};
use xinyong_core::Date;
use xinyong_core::record::Issue;

/// Identifier of an import batch (one `xinyong import` invocation, one API
/// submission, one generator run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BatchId(pub i64);

impl std::fmt::Display for BatchId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who did something and why: stored with every version (append-only history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The account or process (e.g. `cli:root`, `dept:SCJG:clerk1`).
    pub actor: String,
    /// Why (e.g. `import records.jsonl`, `objection 17 corrected`).
    pub reason: String,
}

/// What a batch is about, recorded when it starts.
#[derive(Debug, Clone, Serialize)]
pub struct BatchMeta {
    pub provenance: Provenance,
    /// Channel: `cli`, `api`, `upload`, `demo`.
    pub channel: String,
    /// Names of the files of the batch (as given on the command line).
    pub files: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchStatus {
    Running,
    /// Every row was stored or quarantined.
    Completed,
    /// Stopped by an unusable file or an error; committed chunks stay.
    Failed,
    /// Its process died while it ran (killed, power lost); committed chunks
    /// stay. Marked by [`crate::Store::mark_interrupted_batches`].
    Interrupted,
}

impl BatchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchStatus::Running => "running",
            BatchStatus::Completed => "completed",
            BatchStatus::Failed => "failed",
            BatchStatus::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<BatchStatus> {
        match s {
            "running" => Some(BatchStatus::Running),
            "completed" => Some(BatchStatus::Completed),
            "failed" => Some(BatchStatus::Failed),
            "interrupted" => Some(BatchStatus::Interrupted),
            _ => None,
        }
    }
}

impl std::fmt::Display for BatchStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counters of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BatchCounts {
    /// Rows stored as a new record or a new version.
    pub accepted: u64,
    /// Rows rejected (kept in quarantine).
    pub rejected: u64,
    /// Accepted or unchanged rows that carry at least one warning.
    pub warnings: u64,
    /// Valid rows identical to the stored current version.
    pub unchanged: u64,
}

impl BatchCounts {
    pub fn add(&mut self, other: &BatchCounts) {
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.warnings += other.warnings;
        self.unchanged += other.unchanged;
    }
}

/// A stored batch.
#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub id: BatchId,
    pub meta: BatchMeta,
    pub status: BatchStatus,
    pub counts: BatchCounts,
    /// RFC 3339 timestamps.
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// What happened to one written row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteStatus {
    /// First version of a new record / subject.
    Inserted,
    /// The content changed: a new version was appended.
    NewVersion,
    /// Identical to the current version: nothing written.
    Unchanged,
}

/// Outcome for one row passed to a write call, in input order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WriteOutcome {
    pub status: WriteStatus,
    /// Sequence number of the version now current for this key (the new one,
    /// or the existing one when unchanged). Sequence numbers are global per
    /// table, strictly increasing in write order and never reused.
    pub seq: i64,
    pub version: i32,
    /// For `NewVersion`: the sequence number of the version it superseded.
    pub superseded_seq: Option<i64>,
}

/// One stored version of a credit record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRecord {
    pub seq: i64,
    pub source: String,
    pub id: String,
    pub version: i32,
    pub kind: String,
    pub subject: String,
    pub date: Date,
    /// The full normalised line as imported (extra fields included).
    pub body: Map<String, Value>,
    pub hash: i64,
    pub batch: BatchId,
    pub provenance: Provenance,
    /// RFC 3339 time the version was stored.
    pub recorded_at: String,
    pub warnings: Vec<Issue>,
}

/// One stored version of a subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredSubject {
    pub seq: i64,
    pub uscc: String,
    pub version: i32,
    pub name: String,
    pub subject_type: String,
    pub body: Map<String, Value>,
    pub hash: i64,
    pub batch: BatchId,
    pub provenance: Provenance,
    pub recorded_at: String,
    pub warnings: Vec<Issue>,
}

/// A rejected row, kept for correction and resubmission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RejectedRow {
    /// File name as given (or `api`).
    pub file: String,
    /// 1-based row number in that file (JSONL: line; CSV/XLSX: sheet row, header = 1).
    pub row: u64,
    /// `records` or `subjects`.
    pub target: String,
    /// Department code if the row carried a readable `source`.
    pub source: Option<String>,
    /// Kind if the row carried a readable `kind`.
    pub kind: Option<String>,
    /// The row's readable key, if any: the record `id` for `records` rows,
    /// the `uscc` for `subjects` rows. A later valid row with the same key
    /// (same `source` for records) resolves the quarantine entry.
    pub record_id: Option<String>,
    /// The raw row as text (lossy UTF-8, capped by the importer).
    pub raw: String,
    pub errors: Vec<Issue>,
}

/// A stored quarantine entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarantineEntry {
    pub id: i64,
    pub batch: BatchId,
    pub row: RejectedRow,
    pub created_at: String,
    /// Set when a later batch stored a corrected version of the row.
    pub resolved_by: Option<BatchId>,
}

/// Per-department submission statistics (PRODUCT.md C2, C14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentStat {
    pub source: String,
    /// Chinese name when the department is catalogued.
    pub name: Option<String>,
    pub kind: String,
    /// Versions stored (new records and new versions).
    pub received: u64,
    /// Distinct records currently held.
    pub records: u64,
    /// Quarantined rows attributed to this department and kind.
    pub rejected: u64,
}

/// A department known to the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// True when first seen in data rather than in the catalogue.
    pub auto_registered: bool,
}

/// Sizes of the store (`Store::counts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StoreCounts {
    /// Distinct subjects registered.
    pub subjects: u64,
    /// Subject versions stored (all versions).
    pub subject_versions: u64,
    /// Distinct records (each counted once, by its current version).
    pub records: u64,
    /// Record versions stored (all versions).
    pub record_versions: u64,
    /// Quarantine entries (resolved or not).
    pub quarantined: u64,
    /// Quarantine entries not resolved by a later valid row.
    pub quarantine_unresolved: u64,
    pub batches: u64,
}

/// Which quarantine entries to list (`Store::quarantine`), ordered by entry id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineFilter {
    /// Only entries created by this batch.
    pub batch: Option<BatchId>,
    /// Only entries attributed to this department code; `(unknown)` selects
    /// entries without a readable source.
    pub source: Option<String>,
    /// Only entries not yet resolved by a later valid row.
    pub unresolved_only: bool,
    /// Paging: entries to skip, then at most `limit` entries.
    pub offset: u64,
    pub limit: u32,
}

impl Default for QuarantineFilter {
    fn default() -> Self {
        QuarantineFilter {
            batch: None,
            source: None,
            unresolved_only: false,
            offset: 0,
            limit: 100,
        }
    }
}

/// The department label used for rows without a readable `source`.
pub const UNKNOWN_SOURCE: &str = "(unknown)";
