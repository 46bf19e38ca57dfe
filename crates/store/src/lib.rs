//! xinyong-store: the append-only, versioned store of credit data.
//!
//! One interface ([`Store`]) over two backends:
//!
//! * **SQLite** (embedded, the default): a file `<data_dir>/xinyong.db`,
//!   created on first use, WAL mode;
//! * **PostgreSQL** (production): any `postgres://` URL.
//!
//! # Promises (checked against both backends by `tests/suite.rs`)
//!
//! * **Append-only.** Subject and record versions are only ever inserted;
//!   nothing in this crate updates or deletes credit data. A row whose
//!   content hash equals the current version's is `Unchanged` (nothing
//!   written); otherwise version n+1 is appended with its provenance (actor,
//!   reason), batch and `recorded_at`. Supersession is itself an inserted
//!   row (`record_supersessions` / `subject_supersessions`): a version is
//!   current while nothing supersedes it.
//! * **Sequence numbers.** Every version gets a global `seq`, assigned inside
//!   the write transaction (max + 1 under `BEGIN IMMEDIATE` in SQLite, under
//!   a transaction-scoped advisory lock in PostgreSQL): contiguous within a
//!   chunk, strictly increasing in commit order, never reused, so that a
//!   columnar mirror can catch up with [`Store::record_versions_after`].
//! * **One transaction per chunk** ([`Store::write_chunk`]): versions,
//!   quarantined rows, auto-registered departments, statistics and the
//!   batch's counters commit together or not at all.
//! * **Quarantine.** Rejected rows are kept once per (file, row, raw text);
//!   an entry is resolved (append-only `quarantine_resolutions`) when a
//!   *later* chunk stores a version with the same key (`(source, id)` for
//!   records, `uscc` for subjects; see [`RejectedRow::record_id`]). Entries
//!   of the same chunk, and rows that are merely `Unchanged`, do not resolve.
//!
//! # Schema (both backends; `migrations/sqlite`, `migrations/postgres`)
//!
//! `record_versions(seq PK, source, id, version, kind, subject, date, batch,
//! provenance, recorded_at, hash, warnings, body)` with unique
//! `(source, id, version)` and `(subject)`; `subject_versions(seq PK, uscc,
//! version, name, subject_type, batch, provenance, recorded_at, hash,
//! warnings, body)` with unique `(uscc, version)`; `*_supersessions(old_seq
//! PK, new_seq unique)`; `provenances(id, actor, reason)` (interned);
//! `batches` (the only table whose rows change: counters, status);
//! `departments`; `record_stats` (per chunk and (source, kind): versions
//! received and the change of current records); `quarantine` and
//! `quarantine_resolutions`. Bodies are compact JSON *text* in both backends
//! (PostgreSQL `jsonb` would reorder keys and lose the byte-for-byte
//! promise); dates are ISO text / `date`; times RFC 3339 text / `timestamptz`
//! and always read back as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
//!
//! Every batch records the process that runs it (`owner`, see [`process`]).
//! [`Store::open`] changes no batch (several processes may share one store,
//! e.g. a server and a command-line import);
//! [`Store::mark_interrupted_batches`] (called by the application when it
//! opens) marks `interrupted` the batches still `running` whose process no
//! longer runs; [`Store::fail_stale_batches`] marks the ones that have not
//! written anything for a given time as failed.

use std::path::PathBuf;
#[cfg(feature = "fault-injection")]
use std::sync::Arc;
#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use xinyong_core::record::{ValidRecord, ValidSubject};

pub mod accounts;
pub mod audit;
pub mod backup;
mod briefings;
mod cache;
mod codec;
mod credit_checks;
mod dashboard;
mod inspection;
mod lists;
mod marks;
pub mod model;
mod objections;
mod pg;
mod plan;
pub mod process;
mod reports;
mod runs;
mod shared;
mod sqlite;
mod timeliness;
mod workflows;
mod xinyidai;

pub use accounts::{
    AccountInsert, ApiTokenInsert, BankGrant, LoginFailures, Revocation, SessionInsert,
    StoredAccount, StoredApiToken,
};
pub use audit::{
    AuditAppend, AuditCheck, AuditContent, AuditQuery, GENESIS_HASH, MAX_AUDIT_PAGE,
    StoredAuditEntry, audit_hash, canonical_json, check_audit_detail,
};
pub use briefings::{BriefingFile, NewBriefing, NewBriefingFile, StoredBriefing, briefing_number};
pub use credit_checks::{
    CheckFilter, FeedbackFilter, MAX_CHECK_PAGE, NewCreditCheck, NewFeedback, StoredCreditCheck,
    StoredFeedback,
};
pub use dashboard::{CheckCount, PeriodFeedback};
pub use inspection::{
    InspectionPlanLists, InspectionPlanStep, InspectionTaskRow, NewInspectionPlan,
    NewInspectionResult, StoredInspectionPlan, StoredInspectionResult,
};
pub use lists::{
    LIST_ORIGINS, ListEntryFilter, ListStep, MAX_LIST_PAGE, NewListEntry, StoredListEntry,
    StoredListEvent,
};
pub use marks::ReevaluationMark;
pub use model::*;
pub use objections::{NewObjection, OBJECTION_DECISIONS, OBJECTION_GROUNDS, Objection};
pub use reports::{MAX_REPORT_NUMBER_CHARS, NewReport, StoredReport, sha256_bytes_hex};
pub use runs::{
    InstallOutcome, ModelInstall, NewModelInstall, RegistryImport, StoredRun, sha256_hex,
};
pub use timeliness::Receipts;
pub use workflows::{
    CASE_KINDS, CaseEvent, CaseFilter, NewCase, NewNotification, OutboxEntry, PendingRecordWrite,
    StoredCase, StoredCaseEvent,
};
pub use xinyidai::{
    GrantRevocation, LOAN_OUTCOMES, NewLoan, NewRecommendation, StoredBankGrant, StoredLoan,
    StoredRecommendation, XinyidaiMonth, is_month,
};

/// Where the store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// Directory of the embedded store (and of other local data). Created if
    /// missing. The SQLite file is `<data_dir>/xinyong.db`.
    pub data_dir: PathBuf,
    /// A `postgres://` (or `postgresql://`) URL; `None` selects the embedded
    /// SQLite store under `data_dir`. `sqlite:PATH` selects an SQLite file
    /// elsewhere (in-memory databases are not supported: the store keeps
    /// several connections).
    pub database_url: Option<String>,
}

impl StoreConfig {
    /// Embedded store under `data_dir`.
    pub fn sqlite(data_dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            data_dir: data_dir.into(),
            database_url: None,
        }
    }

    /// Path of the SQLite database file.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join(SQLITE_FILE)
    }
}

/// File name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "xinyong.db";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data directory {}: {source}", path.display())]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open SQLite database {}: {source}", path.display())]
    SqliteOpen {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot connect to PostgreSQL at {url}: {source}")]
    PgConnect {
        /// The URL with its password removed.
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("invalid database URL {url}: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("schema migration of the {backend} store failed: {source}")]
    Migrate {
        backend: &'static str,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("{backend} error while {context}: {source}")]
    Database {
        backend: &'static str,
        context: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("stored data is unreadable ({context}): {detail}")]
    Corrupt { context: String, detail: String },
    #[error("batch {0} does not exist")]
    UnknownBatch(BatchId),
    #[error("batch {id} is {status}: it accepts no more writes")]
    BatchNotRunning { id: BatchId, status: BatchStatus },
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl StoreError {
    /// The store ran out of room: SQLite's `SQLITE_FULL` (13), PostgreSQL's
    /// `disk_full` (SQLSTATE 53100), or "no space left on device" from the
    /// operating system. What was committed before stays; the same operation
    /// run again once space is freed completes it.
    pub fn is_storage_full(&self) -> bool {
        let source = match self {
            StoreError::Database { source, .. } | StoreError::SqliteOpen { source, .. } => source,
            StoreError::DataDir { source, .. } => return io_full(source),
            _ => return false,
        };
        match source {
            sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("13" | "53100")),
            sqlx::Error::Io(e) => io_full(e),
            _ => false,
        }
    }

    /// The database went away in the middle of an operation: the connection
    /// was lost or refused, or the server is shutting down (SQLSTATE class
    /// 08, 57P01–57P03). The transaction in flight was not committed; the
    /// same operation run again once the server is back completes it.
    pub fn is_connection_lost(&self) -> bool {
        let StoreError::Database { source, .. } = self else {
            return matches!(self, StoreError::PgConnect { .. });
        };
        match source {
            sqlx::Error::Io(e) => !io_full(e),
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                true
            }
            sqlx::Error::Database(d) => d
                .code()
                .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
            _ => false,
        }
    }
}

/// Whether an I/O error is a full disk (ENOSPC) or an exhausted quota
/// (EDQUOT): the store's test, also used for the files beside it.
pub fn io_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28 | 122))
}

#[cfg(test)]
mod error_tests {
    use super::StoreError;

    fn database(source: sqlx::Error) -> StoreError {
        StoreError::Database {
            backend: "test",
            context: "testing",
            source,
        }
    }

    #[test]
    fn a_full_disk_and_a_lost_connection_are_told_apart() {
        let full = database(sqlx::Error::Io(std::io::Error::from_raw_os_error(28)));
        assert!(full.is_storage_full());
        assert!(!full.is_connection_lost());
        let reset = database(sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset,
        )));
        assert!(reset.is_connection_lost());
        assert!(!reset.is_storage_full());
        assert!(database(sqlx::Error::PoolClosed).is_connection_lost());
        let not_found = database(sqlx::Error::RowNotFound);
        assert!(!not_found.is_storage_full());
        assert!(!not_found.is_connection_lost());
        assert!(!StoreError::Invalid("x".into()).is_connection_lost());
    }
}

/// One chunk of input, written in one transaction.
#[derive(Debug, Clone, Copy)]
pub struct ChunkWrite<'a> {
    pub subjects: &'a [ValidSubject],
    pub records: &'a [ValidRecord],
    pub rejected: &'a [RejectedRow],
    pub provenance: &'a Provenance,
}

/// What a chunk did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkOutcome {
    /// One per input subject, in input order.
    pub subjects: Vec<WriteOutcome>,
    /// One per input record, in input order.
    pub records: Vec<WriteOutcome>,
    /// Counters of this chunk (already added to the batch).
    pub counts: BatchCounts,
    /// Rejected rows not already in quarantine (same file, row and raw text).
    pub quarantined_new: u64,
}

// `Store` is shared between tasks and threads.
const _: fn() = || {
    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
    assert_shareable::<Store>();
};

#[derive(Clone)]
enum Backend {
    Sqlite(sqlite::SqliteBackend),
    Pg(shared::Db<sqlx::Postgres>),
}

/// The store. Cheap to clone (connection pools inside); `Send + Sync`.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Test hook: make the next chunk fail after its records were written.
    #[cfg(feature = "fault-injection")]
    fault: Arc<AtomicBool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

macro_rules! dispatch {
    ($self:expr, $b:ident => $call:expr) => {
        match &$self.backend {
            Backend::Sqlite(sqlite) => {
                let $b = &sqlite.db;
                $call
            }
            Backend::Pg($b) => $call,
        }
    };
}

impl Store {
    /// Open (and create or migrate) the store: SQLite under `data_dir` when
    /// `database_url` is `None`, PostgreSQL otherwise. Creates `data_dir`,
    /// runs pending migrations and seeds the department catalogue.
    pub async fn open(cfg: &StoreConfig) -> Result<Store, StoreError> {
        std::fs::create_dir_all(&cfg.data_dir).map_err(|source| StoreError::DataDir {
            path: cfg.data_dir.clone(),
            source,
        })?;
        let backend = match cfg.database_url.as_deref() {
            None => Backend::Sqlite(sqlite::SqliteBackend::open(&cfg.sqlite_path()).await?),
            Some(url) if url.starts_with("sqlite:") => {
                let path = url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                if path.is_empty() || path.contains(":memory:") || path.starts_with("file:") {
                    return Err(StoreError::BadUrl {
                        url: url.to_owned(),
                        reason: "an SQLite store must be a file path (sqlite:PATH)".into(),
                    });
                }
                Backend::Sqlite(sqlite::SqliteBackend::open(std::path::Path::new(path)).await?)
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Backend::Pg(pg::open(url).await?)
            }
            Some(url) => {
                return Err(StoreError::BadUrl {
                    url: codec::redact_url(url),
                    reason:
                        "expected a postgres:// or postgresql:// URL, sqlite:PATH, or none for the \
                             embedded store"
                            .into(),
                });
            }
        };
        Ok(Store {
            backend,
            #[cfg(feature = "fault-injection")]
            fault: Arc::new(AtomicBool::new(false)),
        })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Pg(_) => "postgres",
        }
    }

    /// Start a batch (status `running`, counters zero).
    pub async fn begin_batch(&self, meta: &BatchMeta) -> Result<BatchId, StoreError> {
        dispatch!(self, b => b.begin_batch(meta).await)
    }

    /// Write one chunk in ONE transaction: subjects, records and rejected rows,
    /// plus the batch's running counters. Either all of it is stored or none.
    ///
    /// Per row (in input order): identical content to the current version →
    /// `Unchanged`; otherwise a new version with the next sequence number.
    /// Departments first seen in `source` are registered automatically.
    /// Rejected rows are quarantined once per (file, row, raw text); a stored
    /// row whose key matches an earlier quarantined row resolves it.
    pub async fn write_chunk(
        &self,
        batch: BatchId,
        chunk: &ChunkWrite<'_>,
    ) -> Result<ChunkOutcome, StoreError> {
        #[cfg(feature = "fault-injection")]
        let fault = self.fault.swap(false, Ordering::SeqCst);
        #[cfg(not(feature = "fault-injection"))]
        let fault = false;
        dispatch!(self, b => b.write_chunk(batch, chunk, fault).await)
    }

    /// Set the final status (`completed` or `failed`) and `finished_at`.
    pub async fn finish_batch(
        &self,
        batch: BatchId,
        status: BatchStatus,
    ) -> Result<Batch, StoreError> {
        if status == BatchStatus::Running {
            return Err(StoreError::Invalid(
                "a batch cannot be finished with status running".into(),
            ));
        }
        dispatch!(self, b => b.finish_batch(batch, status).await)
    }

    pub async fn batch(&self, id: BatchId) -> Result<Option<Batch>, StoreError> {
        dispatch!(self, b => b.batch(id).await)
    }

    /// The `limit` most recent batches, newest first.
    pub async fn batches(&self, limit: u32) -> Result<Vec<Batch>, StoreError> {
        dispatch!(self, b => b.batches(limit).await)
    }

    /// Mark `interrupted` (with the time, as `finished_at`) every batch still
    /// `running` whose process has died: its owner is a process of this host
    /// that no longer runs, or it has no owner (started by a version before
    /// owners were recorded). Batches of live processes, and of processes of
    /// other hosts (which this host cannot tell about), stay `running`.
    /// Committed chunks stay; returns the ids marked, in order.
    pub async fn mark_interrupted_batches(&self) -> Result<Vec<BatchId>, StoreError> {
        dispatch!(self, b => b.mark_interrupted_batches().await)
    }

    /// The batches still `running` (of live processes, or of dead ones not
    /// yet marked), oldest first.
    pub async fn running_batches(&self) -> Result<Vec<BatchId>, StoreError> {
        dispatch!(self, b => b.running_batches().await)
    }

    /// Mark batches still `running` whose last write is older than `idle` as
    /// `failed` (their process died between chunks; committed chunks stay).
    /// Returns the ids marked.
    pub async fn fail_stale_batches(&self, idle: Duration) -> Result<Vec<BatchId>, StoreError> {
        let idle = jiff::SignedDuration::try_from(idle).unwrap_or(jiff::SignedDuration::MAX);
        let cutoff = codec::now()
            .checked_sub(idle)
            .unwrap_or(jiff::Timestamp::MIN);
        dispatch!(self, b => b.fail_stale_batches(cutoff).await)
    }

    /// Current version of a subject.
    pub async fn subject(&self, uscc: &str) -> Result<Option<StoredSubject>, StoreError> {
        dispatch!(self, b => b.subject(uscc).await)
    }

    /// Every version of a subject, oldest first.
    pub async fn subject_history(&self, uscc: &str) -> Result<Vec<StoredSubject>, StoreError> {
        dispatch!(self, b => b.subject_history(uscc).await)
    }

    /// Current versions of every record whose current version names this
    /// subject, ordered by `(source, id)`.
    pub async fn subject_records(&self, uscc: &str) -> Result<Vec<StoredRecord>, StoreError> {
        dispatch!(self, b => b.subject_records(uscc).await)
    }

    /// Current versions of the subjects of `usccs` that are registered (any
    /// order; a USCC given twice is answered once per chunk it falls in).
    pub async fn subjects_in(&self, usccs: &[String]) -> Result<Vec<StoredSubject>, StoreError> {
        dispatch!(self, b => b.subjects_in(usccs).await)
    }

    /// Current versions of every record whose current version names one of
    /// `usccs`, ordered by `(subject, source, id)` within each chunk of
    /// subjects read at once (distinct `usccs`: each record once).
    pub async fn records_of_subjects(
        &self,
        usccs: &[String],
    ) -> Result<Vec<StoredRecord>, StoreError> {
        dispatch!(self, b => b.records_of_subjects(usccs).await)
    }

    /// Current version of a record.
    pub async fn record(&self, source: &str, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        dispatch!(self, b => b.record(source, id).await)
    }

    /// Every version of a record, oldest first.
    pub async fn record_history(
        &self,
        source: &str,
        id: &str,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        dispatch!(self, b => b.record_history(source, id).await)
    }

    /// USCCs of every registered subject, sorted.
    pub async fn registered_usccs(&self) -> Result<Vec<String>, StoreError> {
        let mut usccs: Vec<String> = self
            .registered_usccs_after(0)
            .await?
            .into_iter()
            .map(|(_, uscc)| uscc)
            .collect();
        usccs.sort_unstable();
        Ok(usccs)
    }

    /// `(seq, uscc)` of the first versions (registrations) of subjects with
    /// `seq > after_seq`, ascending.
    pub async fn registered_usccs_after(
        &self,
        after_seq: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        dispatch!(self, b => b.registered_usccs_after(after_seq).await)
    }

    /// All record versions (current or not) with `seq > after_seq`, ascending,
    /// at most `limit`.
    pub async fn record_versions_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        dispatch!(self, b => b.record_versions_after(after_seq, limit).await)
    }

    /// All subject versions with `seq > after_seq`, ascending, at most `limit`.
    pub async fn subject_versions_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredSubject>, StoreError> {
        dispatch!(self, b => b.subject_versions_after(after_seq, limit).await)
    }

    /// Sequence numbers of record versions that have a newer version, ascending.
    pub async fn superseded_record_seqs(&self) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, b => b.superseded_seqs(Table::Records).await)
    }

    /// Sequence numbers of subject versions that have a newer version, ascending.
    pub async fn superseded_subject_seqs(&self) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, b => b.superseded_seqs(Table::Subjects).await)
    }

    /// Bulk loading: without the index of records by subject, inserts stay
    /// sequential (a city's subjects arrive in random order, and keeping that
    /// index current costs every chunk thousands of random page writes). The
    /// importer drops it for a large input and builds it once, sorted, at the
    /// end; [`Store::open`] rebuilds it if an import was killed meanwhile.
    /// Lookups by subject are slow while it is missing.
    pub async fn bulk_load(&self, on: bool) -> Result<(), StoreError> {
        dispatch!(self, b => b.subject_index(!on).await)
    }

    /// Highest sequence numbers `(records, subjects)`; 0 when empty.
    pub async fn max_seqs(&self) -> Result<(i64, i64), StoreError> {
        dispatch!(self, b => b.max_seqs().await)
    }

    pub async fn counts(&self) -> Result<StoreCounts, StoreError> {
        dispatch!(self, b => b.counts().await)
    }

    /// Quarantine entries matching the filter, by ascending id.
    pub async fn quarantine(
        &self,
        filter: &QuarantineFilter,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        if filter.limit == 0 {
            return Ok(Vec::new());
        }
        dispatch!(self, b => b.quarantine(filter).await)
    }

    /// Per `(source, kind)`: versions received, current records, rejected rows;
    /// sorted by source then kind.
    pub async fn department_stats(&self) -> Result<Vec<DepartmentStat>, StoreError> {
        let (received, rejected, departments) =
            dispatch!(self, b => b.department_stat_parts().await)?;
        Ok(merge_department_stats(received, rejected, departments))
    }

    /// Records first received, counted per department, kind, decision day
    /// (the record's `date`) and receipt (the start of the batch that stored
    /// version 1), of one department or all; sorted by those.
    pub async fn receipts(&self, source: Option<&str>) -> Result<Vec<Receipts>, StoreError> {
        dispatch!(self, b => b.receipts(source).await)
    }

    /// Every known department (catalogued and auto-registered), by code.
    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        dispatch!(self, b => b.departments().await)
    }

    // ------------------------------------------------ accounts (accounts.rs)

    /// Insert an account; `None` when the user name is taken (in any letter case).
    pub async fn create_account(
        &self,
        a: &AccountInsert<'_>,
    ) -> Result<Option<StoredAccount>, StoreError> {
        dispatch!(self, b => b.create_account(a).await)
    }

    /// The account of a user name, in any letter case (disabled ones too).
    pub async fn account_by_username(
        &self,
        username: &str,
    ) -> Result<Option<StoredAccount>, StoreError> {
        dispatch!(self, b => b.account_by_username(username).await)
    }

    /// Whether an enabled bank account has the bank code `code`.
    pub async fn enabled_bank_exists(&self, code: &str) -> Result<bool, StoreError> {
        dispatch!(self, b => b.enabled_bank_exists(code).await)
    }

    /// Every account (disabled ones too), by id.
    pub async fn accounts(&self) -> Result<Vec<StoredAccount>, StoreError> {
        dispatch!(self, b => b.accounts().await)
    }

    /// Stamp an account disabled (never deleted); `false` when there is no
    /// such account or it was disabled before.
    pub async fn disable_account(
        &self,
        id: i64,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.disable_account(id, by, at).await)
    }

    pub async fn create_session(&self, s: &SessionInsert<'_>) -> Result<(), StoreError> {
        dispatch!(self, b => b.create_session(s).await)
    }

    /// Stamp the live session of `token_hash` ended at `at`; its account's
    /// id, `None` when no session with that token is live at `at`.
    pub async fn end_session(
        &self,
        token_hash: &str,
        at: jiff::Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(self, b => b.end_session(token_hash, at).await)
    }

    /// The enabled account of a session live at `now` (one indexed lookup).
    pub async fn session_account(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<StoredAccount>, StoreError> {
        dispatch!(self, b => b.session_account(token_hash, now).await)
    }

    /// Insert an API token; its id.
    pub async fn create_api_token(&self, t: &ApiTokenInsert<'_>) -> Result<i64, StoreError> {
        dispatch!(self, b => b.create_api_token(t).await)
    }

    /// Stamp an API token revoked.
    pub async fn revoke_api_token(
        &self,
        id: i64,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<Revocation, StoreError> {
        dispatch!(self, b => b.revoke_api_token(id, by, at).await)
    }

    /// Every API token, revoked ones included, by id, with its account.
    pub async fn api_tokens(&self) -> Result<Vec<StoredApiToken>, StoreError> {
        dispatch!(self, b => b.api_tokens().await)
    }

    /// The enabled account of an API token not revoked (one indexed lookup).
    pub async fn api_token_account(
        &self,
        token_hash: &str,
    ) -> Result<Option<StoredAccount>, StoreError> {
        dispatch!(self, b => b.api_token_account(token_hash).await)
    }

    /// Record a login attempt for throttling (the user name is lower-cased).
    pub async fn record_login_attempt(
        &self,
        username: &str,
        address: &str,
        success: bool,
        at: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.record_login_attempt(username, address, success, at).await)
    }

    /// Failed login attempts after `since`: of the user name (any case, only
    /// those after its last success) and from the address.
    pub async fn login_failures(
        &self,
        username: &str,
        address: &str,
        since: jiff::Timestamp,
    ) -> Result<LoginFailures, StoreError> {
        dispatch!(self, b => b.login_failures(username, address, since).await)
    }

    /// Record that an enterprise authorises a bank; the authorisation's id.
    pub async fn grant_bank(&self, g: &BankGrant<'_>) -> Result<i64, StoreError> {
        dispatch!(self, b => b.grant_bank(g).await)
    }

    /// Whether an authorisation of `bank` by `uscc`, not revoked, is valid on
    /// `today` (its `valid_until` is inclusive).
    pub async fn bank_authorised(
        &self,
        bank: &str,
        uscc: &str,
        today: jiff::civil::Date,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.bank_authorised(bank, uscc, today).await)
    }

    // -----------------------------------------------------------------------
    // 信易贷 (migration 11; see `xinyidai.rs`)

    /// Every bank authorisation an enterprise gave, newest first.
    pub async fn bank_grants_of(&self, uscc: &str) -> Result<Vec<StoredBankGrant>, StoreError> {
        dispatch!(self, b => b.bank_grants_of(uscc).await)
    }

    /// Revoke authorisation `id` of `uscc` (a stamp; nothing is deleted).
    pub async fn revoke_bank_grant(
        &self,
        id: i64,
        uscc: &str,
        by: &str,
        at: jiff::Timestamp,
    ) -> Result<GrantRevocation, StoreError> {
        dispatch!(self, b => b.revoke_bank_grant(id, uscc, by, at).await)
    }

    /// The codes of the banks with an enabled account.
    pub async fn enabled_banks(&self) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.enabled_banks().await)
    }

    /// The enterprises whose authorisation of `bank` is in force on `today`.
    pub async fn authorising_usccs(
        &self,
        bank: &str,
        today: jiff::civil::Date,
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.authorising_usccs(bank, today).await)
    }

    /// Record recommendations (one transaction); how many were new.
    pub async fn insert_recommendations(
        &self,
        recs: &[NewRecommendation<'_>],
    ) -> Result<u64, StoreError> {
        dispatch!(self, b => b.insert_recommendations(recs).await)
    }

    /// The recommendations of a month (of one bank, or every bank's).
    pub async fn recommendations(
        &self,
        month: &str,
        bank: Option<&str>,
    ) -> Result<Vec<StoredRecommendation>, StoreError> {
        dispatch!(self, b => b.recommendations(month, bank).await)
    }

    /// Whether `uscc` was ever on a list of `bank`.
    pub async fn ever_recommended(&self, bank: &str, uscc: &str) -> Result<bool, StoreError> {
        dispatch!(self, b => b.ever_recommended(bank, uscc).await)
    }

    /// Record a loan outcome.
    pub async fn insert_loan(&self, loan: &NewLoan<'_>) -> Result<StoredLoan, StoreError> {
        dispatch!(self, b => b.insert_loan(loan).await)
    }

    /// Loan outcomes, newest first (of one bank and/or one enterprise).
    pub async fn loans(
        &self,
        bank: Option<&str>,
        uscc: Option<&str>,
    ) -> Result<Vec<StoredLoan>, StoreError> {
        dispatch!(self, b => b.loans(bank, uscc).await)
    }

    /// Recommendations and loan outcomes per bank and month.
    pub async fn xinyidai_months(
        &self,
        from: &str,
        to: &str,
        bank: Option<&str>,
    ) -> Result<Vec<XinyidaiMonth>, StoreError> {
        dispatch!(self, b => b.xinyidai_months(from, to, bank).await)
    }

    // ------------------------------------------------ audit log (audit.rs)

    /// Append an entry to the hash chain (serialised with every other
    /// append); its seq.
    pub async fn append_audit(&self, e: &AuditAppend<'_>) -> Result<i64, StoreError> {
        let seqs = self.append_audit_batch(std::slice::from_ref(e)).await?;
        seqs.first()
            .copied()
            .ok_or_else(|| StoreError::Invalid("no audit entry appended".into()))
    }

    /// Append entries in order, in one transaction (the chain continues
    /// entry after entry); their seqs. Nothing is written when one entry is
    /// refused.
    pub async fn append_audit_batch(
        &self,
        entries: &[AuditAppend<'_>],
    ) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, b => b.append_audit(entries).await)
    }

    /// Walk the whole chain in seq order (a page at a time, in one snapshot).
    /// `first_broken` is the seq of the first entry whose stored hash does
    /// not match its content, whose `prev_hash` is not the previous entry's
    /// hash, or whose seq is not the previous one's + 1 (after a deleted
    /// entry: the entry after the gap). Then the chain's end is compared with
    /// the head: last entries deleted → the first missing seq; entries beyond
    /// the head → the first of them; head missing or with another hash → the
    /// last seq.
    pub async fn verify_audit(&self) -> Result<AuditCheck, StoreError> {
        dispatch!(self, b => b.verify_audit().await)
    }

    /// Entries matching `q`, by ascending seq, at most [`MAX_AUDIT_PAGE`].
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<StoredAuditEntry>, StoreError> {
        dispatch!(self, b => b.audit_entries(q).await)
    }

    /// Record a model version as installed (who, when, why). Installing the
    /// same model, version and text again writes nothing
    /// ([`InstallOutcome::Unchanged`]); the same model and version with
    /// another text is refused ([`InstallOutcome::Conflict`]). `model`,
    /// `version`, `installed_by` and `reason` must not be empty.
    pub async fn install_model(
        &self,
        m: &NewModelInstall<'_>,
    ) -> Result<InstallOutcome, StoreError> {
        dispatch!(self, b => b.install_model(m).await)
    }

    /// Every recorded model install, in install order.
    pub async fn model_installs(&self) -> Result<Vec<ModelInstall>, StoreError> {
        dispatch!(self, b => b.model_installs().await)
    }

    /// Record a committed run (its `committed_at` is the store's time). A
    /// run already recorded is left as it is: returns whether it was new.
    pub async fn record_run(&self, run: &StoredRun) -> Result<bool, StoreError> {
        dispatch!(self, b => b.record_run(run).await)
    }

    /// Every recorded run, by id (ids sort by start time).
    pub async fn runs(&self) -> Result<Vec<StoredRun>, StoreError> {
        dispatch!(self, b => b.runs().await)
    }

    /// The `limit` most recent runs, newest first.
    pub async fn recent_runs(&self, limit: u32) -> Result<Vec<StoredRun>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        dispatch!(self, b => b.recent_runs(limit).await)
    }

    pub async fn run(&self, id: &str) -> Result<Option<StoredRun>, StoreError> {
        dispatch!(self, b => b.run(id).await)
    }

    /// How many runs are recorded (a cheap test of whether any was added).
    pub async fn run_count(&self) -> Result<u64, StoreError> {
        dispatch!(self, b => b.run_count().await)
    }

    /// The latest re-evaluation mark: how far the stored results reflect the
    /// store's versions (`None`: never marked).
    pub async fn reevaluation_mark(&self) -> Result<Option<ReevaluationMark>, StoreError> {
        dispatch!(self, b => b.reevaluation_mark().await)
    }

    /// Record that the stored results reflect every record version up to
    /// `through_record_seq` and every subject version up to
    /// `through_subject_seq` (append-only).
    pub async fn add_reevaluation_mark(
        &self,
        through_record_seq: i64,
        through_subject_seq: i64,
        run_id: Option<&str>,
        subjects: u64,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.add_reevaluation_mark(through_record_seq, through_subject_seq, run_id, subjects).await)
    }

    /// The subjects (USCCs, sorted, distinct) that record versions with
    /// `records.0 < seq <= records.1` name (or whose superseded version
    /// named), and of subject versions with `subjects.0 < seq <= subjects.1`.
    pub async fn touched_subjects(
        &self,
        records: (i64, i64),
        subjects: (i64, i64),
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.touched_subjects(records, subjects).await)
    }

    /// Whether (and when) the runs and models written before the registry
    /// existed were registered.
    pub async fn registry_import(&self) -> Result<Option<RegistryImport>, StoreError> {
        dispatch!(self, b => b.registry_import().await)
    }

    /// Mark that registration done (once: returns `false` when it already was).
    pub async fn mark_registry_imported(&self, runs: u64, models: u64) -> Result<bool, StoreError> {
        dispatch!(self, b => b.mark_registry_imported(runs, models).await)
    }

    /// Record an issued credit report (append-only). The store computes the
    /// PDF's SHA-256. `None` when a report with that number exists (nothing
    /// written: the caller draws another number).
    pub async fn insert_report(
        &self,
        report: &NewReport<'_>,
    ) -> Result<Option<StoredReport>, StoreError> {
        dispatch!(self, b => b.insert_report(report).await)
    }

    /// An issued report (without its PDF), by number.
    pub async fn report(&self, number: &str) -> Result<Option<StoredReport>, StoreError> {
        dispatch!(self, b => b.report(number).await)
    }

    /// The PDF of an issued report, byte for byte, by number.
    pub async fn report_pdf(&self, number: &str) -> Result<Option<Vec<u8>>, StoreError> {
        dispatch!(self, b => b.report_pdf(number).await)
    }

    /// The reports issued for a subject, newest first (at most `limit`).
    pub async fn subject_reports(
        &self,
        uscc: &str,
        limit: u32,
    ) -> Result<Vec<StoredReport>, StoreError> {
        dispatch!(self, b => b.subject_reports(uscc, limit).await)
    }

    /// Store a new inspection plan with its inputs fixed (append-only);
    /// `Ok(false)` when a plan with that id exists.
    pub async fn insert_inspection_plan(&self, p: &NewInspectionPlan) -> Result<bool, StoreError> {
        dispatch!(self, b => b.insert_inspection_plan(p).await)
    }

    /// An inspection plan with its steps (without lists and seed).
    pub async fn inspection_plan(
        &self,
        plan_id: &str,
    ) -> Result<Option<StoredInspectionPlan>, StoreError> {
        dispatch!(self, b => b.inspection_plan(plan_id).await)
    }

    /// Every inspection plan, newest first.
    pub async fn inspection_plans(&self) -> Result<Vec<StoredInspectionPlan>, StoreError> {
        dispatch!(self, b => b.inspection_plans().await)
    }

    /// The canonical lists of a plan and the seed the platform holds.
    pub async fn inspection_plan_lists(
        &self,
        plan_id: &str,
    ) -> Result<Option<InspectionPlanLists>, StoreError> {
        dispatch!(self, b => b.inspection_plan_lists(plan_id).await)
    }

    /// Record a plan's publication; `Ok(false)` when already published.
    pub async fn publish_inspection_plan(
        &self,
        plan_id: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.publish_inspection_plan(plan_id, actor).await)
    }

    /// Record a plan's draw and its tasks in one transaction; `Ok(false)`
    /// when the plan was drawn already.
    pub async fn record_inspection_draw(
        &self,
        plan_id: &str,
        actor: &str,
        detail: &str,
        tasks: &[InspectionTaskRow],
    ) -> Result<bool, StoreError> {
        dispatch!(self, b => b.record_inspection_draw(plan_id, actor, detail, tasks).await)
    }

    /// The tasks of a drawn plan, in task order.
    pub async fn inspection_tasks(
        &self,
        plan_id: &str,
    ) -> Result<Vec<InspectionTaskRow>, StoreError> {
        dispatch!(self, b => b.inspection_tasks(plan_id).await)
    }

    /// The tasks an inspector leads or assists.
    pub async fn inspection_tasks_of(
        &self,
        inspector: &str,
    ) -> Result<Vec<InspectionTaskRow>, StoreError> {
        dispatch!(self, b => b.inspection_tasks_of(inspector).await)
    }

    /// The inspectors of each subject's latest drawn task.
    pub async fn last_inspectors(
        &self,
    ) -> Result<Vec<(String, Option<String>, Option<String>)>, StoreError> {
        dispatch!(self, b => b.last_inspectors().await)
    }

    /// Append an inspection result; its id.
    pub async fn insert_inspection_result(
        &self,
        r: &NewInspectionResult,
    ) -> Result<i64, StoreError> {
        dispatch!(self, b => b.insert_inspection_result(r).await)
    }

    /// Every result of a plan, in the order entered.
    pub async fn inspection_results(
        &self,
        plan_id: &str,
    ) -> Result<Vec<StoredInspectionResult>, StoreError> {
        dispatch!(self, b => b.inspection_results(plan_id).await)
    }

    /// Test hook (feature `fault-injection`, for tests only): the next
    /// `write_chunk` fails after writing its subjects and records (before
    /// quarantine and counters), so that tests can check the chunk is rolled
    /// back as a whole.
    #[cfg(feature = "fault-injection")]
    #[doc(hidden)]
    pub fn inject_chunk_failure(&self) {
        self.fault.store(true, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Records,
    Subjects,
}

/// `(source, kind, received, current)` from the statistics table.
pub(crate) type ReceivedStat = (String, String, i64, i64);
/// `(source or null, kind or null, target, rejected)` from the quarantine.
pub(crate) type RejectedStat = (Option<String>, Option<String>, String, i64);

fn merge_department_stats(
    received: Vec<ReceivedStat>,
    rejected: Vec<RejectedStat>,
    departments: Vec<Department>,
) -> Vec<DepartmentStat> {
    use std::collections::BTreeMap;
    let mut by_key: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
    for (source, kind, rcv, current) in received {
        let e = by_key.entry((source, kind)).or_default();
        e.0 += codec::to_u64(rcv);
        e.1 += codec::to_u64(current);
    }
    for (source, kind, target, n) in rejected {
        let source = source.unwrap_or_else(|| UNKNOWN_SOURCE.to_owned());
        let kind = kind.unwrap_or_else(|| {
            if target == "subjects" {
                "(subject)".into()
            } else {
                "(unknown)".into()
            }
        });
        by_key.entry((source, kind)).or_default().2 += codec::to_u64(n);
    }
    // Only catalogued departments have a name of their own.
    let names: std::collections::HashMap<String, String> = departments
        .into_iter()
        .filter(|d| !d.auto_registered)
        .map(|d| (d.code, d.name))
        .collect();
    by_key
        .into_iter()
        .map(
            |((source, kind), (received, records, rejected))| DepartmentStat {
                name: names.get(&source).cloned(),
                source,
                kind,
                received,
                records,
                rejected,
            },
        )
        .collect()
}

/// Workflow cases, their events, record writes and the outbox (migration 7;
/// see `workflows.rs`).
impl Store {
    /// Open a case with its first event (seq 1).
    pub async fn open_case(
        &self,
        new: &NewCase,
        first: &CaseEvent,
    ) -> Result<StoredCase, StoreError> {
        dispatch!(self, b => b.open_case(new, first).await)
    }

    /// Append event `e.seq` to a case whose last event is `e.seq - 1`;
    /// `Ok(None)` when another event was stored first (a concurrent decision).
    pub async fn append_case_event(
        &self,
        case_id: i64,
        e: &CaseEvent,
    ) -> Result<Option<i64>, StoreError> {
        dispatch!(self, b => b.append_case_event(case_id, e).await)
    }

    /// One case with its current state.
    pub async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError> {
        dispatch!(self, b => b.case(id).await)
    }

    /// Cases matching the filter, the earliest deadline first.
    pub async fn cases(&self, f: &CaseFilter) -> Result<Vec<StoredCase>, StoreError> {
        dispatch!(self, b => b.cases(f).await)
    }

    /// How many cases match the filter (its limit and offset aside).
    pub async fn count_cases(&self, f: &CaseFilter) -> Result<u64, StoreError> {
        dispatch!(self, b => b.count_cases(f).await)
    }

    /// Every event of a case, in order.
    pub async fn case_events(&self, case_id: i64) -> Result<Vec<StoredCaseEvent>, StoreError> {
        dispatch!(self, b => b.case_events(case_id).await)
    }

    /// Record versions asked for by events and not marked written.
    pub async fn pending_record_writes(&self) -> Result<Vec<PendingRecordWrite>, StoreError> {
        dispatch!(self, b => b.pending_record_writes().await)
    }

    /// Mark the record version of an event written (idempotent).
    pub async fn mark_record_written(
        &self,
        event_id: i64,
        record_seq: Option<i64>,
    ) -> Result<(), StoreError> {
        dispatch!(self, b => b.mark_record_written(event_id, record_seq).await)
    }

    /// The outbox, newest first (`pending_only`: not yet delivered;
    /// `partner`: only the notifications of that `(kind, id)`).
    pub async fn outbox(
        &self,
        pending_only: bool,
        partner: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        dispatch!(self, b => b.outbox(pending_only, partner, limit).await)
    }

    /// Append a delivery attempt of a notification (`error` `None`:
    /// delivered); returns its number.
    pub async fn record_outbox_attempt(
        &self,
        id: i64,
        error: Option<&str>,
    ) -> Result<i64, StoreError> {
        dispatch!(self, b => b.record_outbox_attempt(id, error).await)
    }
}

/// List entries and their steps, credit checks and their feedback
/// (migration 9; see `lists.rs`, `credit_checks.rs`).
impl Store {
    /// Create a list entry with its first step (seq 1).
    pub async fn create_list_entry(
        &self,
        new: &NewListEntry<'_>,
        first: &ListStep,
    ) -> Result<StoredListEntry, StoreError> {
        dispatch!(self, b => b.create_list_entry(new, first).await)
    }

    /// Append step `s.seq` to an entry whose last step is `s.seq - 1`;
    /// `Ok(None)` when another step was stored first.
    pub async fn append_list_step(
        &self,
        entry_id: i64,
        s: &ListStep,
    ) -> Result<Option<StoredListEntry>, StoreError> {
        dispatch!(self, b => b.append_list_step(entry_id, s).await)
    }

    /// One list entry with its last step.
    pub async fn list_entry(&self, id: i64) -> Result<Option<StoredListEntry>, StoreError> {
        dispatch!(self, b => b.list_entry(id).await)
    }

    /// Every step of a list entry, in order.
    pub async fn list_events(&self, entry_id: i64) -> Result<Vec<StoredListEvent>, StoreError> {
        dispatch!(self, b => b.list_events(entry_id).await)
    }

    /// List entries matching the filter, newest step first, and how many match.
    pub async fn list_entries(
        &self,
        f: &ListEntryFilter,
    ) -> Result<(Vec<StoredListEntry>, u64), StoreError> {
        dispatch!(self, b => b.list_entries(f).await)
    }

    /// Log credit checks in one transaction; their ids in order.
    pub async fn insert_credit_checks(
        &self,
        checks: &[NewCreditCheck<'_>],
    ) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, b => b.insert_credit_checks(checks).await)
    }

    /// One logged credit check.
    pub async fn credit_check(&self, id: i64) -> Result<Option<StoredCreditCheck>, StoreError> {
        dispatch!(self, b => b.credit_check(id).await)
    }

    /// Logged credit checks, newest first.
    pub async fn credit_checks(
        &self,
        f: &CheckFilter,
    ) -> Result<Vec<StoredCreditCheck>, StoreError> {
        dispatch!(self, b => b.credit_checks(f).await)
    }

    /// Store feedback on a check; `None` when the check does not exist.
    pub async fn insert_feedback(
        &self,
        f: &NewFeedback<'_>,
    ) -> Result<Option<StoredFeedback>, StoreError> {
        dispatch!(self, b => b.insert_feedback(f).await)
    }

    /// Feedback matching the filter, newest first.
    pub async fn feedback(&self, f: &FeedbackFilter) -> Result<Vec<StoredFeedback>, StoreError> {
        dispatch!(self, b => b.feedback(f).await)
    }

    /// Checks logged, by the asking account's department and scenario.
    pub async fn credit_check_counts(
        &self,
    ) -> Result<Vec<(Option<String>, String, u64)>, StoreError> {
        dispatch!(self, b => b.credit_check_counts().await)
    }

    /// Credit checks logged from `from` (inclusive) to `to` (exclusive),
    /// by the asking account's department (none first) and scenario.
    pub async fn credit_checks_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<CheckCount>, StoreError> {
        dispatch!(self, b => b.credit_checks_between(from, to).await)
    }

    /// Feedback on credit checks reported from `from` (inclusive) to `to`
    /// (exclusive), with the checked subject, in the order reported.
    pub async fn feedback_between(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<Vec<PeriodFeedback>, StoreError> {
        dispatch!(self, b => b.feedback_between(from, to).await)
    }

    /// The current records of one kind, by subject, source and id.
    pub async fn records_of_kind(&self, kind: &str) -> Result<Vec<StoredRecord>, StoreError> {
        dispatch!(self, b => b.records_of_kind(kind).await)
    }

    /// Subjects (sorted) with a current record of `kind` whose `year` field
    /// is one of `years` and that is not marked `withdrawn`: one scan, for
    /// a question asked of the whole city (who filed an annual report).
    pub async fn subjects_with_record_of_years(
        &self,
        kind: &str,
        years: &[i32],
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, b => b.subjects_with_record_of_years(kind, years).await)
    }

    /// Current subjects per value of their `region` field (`None`: none).
    pub async fn subjects_by_region(&self) -> Result<Vec<(Option<String>, u64)>, StoreError> {
        dispatch!(self, b => b.subjects_by_region().await)
    }

    /// The issue the next briefing of `year` gets (1 for the first).
    pub async fn next_briefing_issue(&self, year: i32) -> Result<i64, StoreError> {
        dispatch!(self, b => b.next_briefing_issue(year).await)
    }

    /// Store a briefing and its files (append-only; the store computes
    /// each file's SHA-256). `None` when its issue of the year is taken
    /// (nothing written: number it again).
    pub async fn insert_briefing(
        &self,
        briefing: &NewBriefing<'_>,
    ) -> Result<Option<StoredBriefing>, StoreError> {
        dispatch!(self, b => b.insert_briefing(briefing).await)
    }

    /// The latest briefings, newest first (at most `limit`).
    pub async fn briefings(&self, limit: u32) -> Result<Vec<StoredBriefing>, StoreError> {
        dispatch!(self, b => b.briefings(limit).await)
    }

    /// One briefing (without its files' bodies).
    pub async fn briefing(&self, id: i64) -> Result<Option<StoredBriefing>, StoreError> {
        dispatch!(self, b => b.briefing(id).await)
    }

    /// A briefing's file, byte for byte (`pdf`, `xlsx`, `docx`).
    pub async fn briefing_file(
        &self,
        id: i64,
        format: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        dispatch!(self, b => b.briefing_file(id, format).await)
    }
}
