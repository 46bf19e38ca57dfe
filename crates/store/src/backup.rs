//! Online backup of the store (issue 17, part 4).
//!
//! The embedded store is copied with SQLite's `VACUUM INTO`: one read
//! transaction of the source, so the copy is a consistent snapshot of every
//! commit before it began, taken while other connections (a server, an
//! import in another process) go on writing. A PostgreSQL store is backed up
//! with `pg_dump` (docs/OPERATIONS.md); this crate only reads its audit head
//! and its runs for the lake-only backup that goes with the dump.
//!
//! The snapshot file is then *sealed* ([`seal_snapshot`]): the batches that
//! were still `running` when it was taken are marked `interrupted` in the
//! copy (their processes will never write to it), and what the backup's
//! manifest records — the audit chain's head, the highest sequence numbers,
//! the runs and their files — is read from the copy, never from the live
//! store, which has moved on.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::{Backend, BatchId, Store, StoreError, codec};

/// The head of the audit chain: the last entry's seq and hash (seq 0 and
/// the genesis hash for an empty log).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// A result run as a backup copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRun {
    pub id: String,
    /// Its Parquet files, relative to the results directory.
    pub files: Vec<String>,
}

/// What a sealed snapshot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub audit_head: AuditHead,
    /// Highest record and subject sequence numbers (0 when none).
    pub record_seq: i64,
    pub subject_seq: i64,
    /// The runs the snapshot lists, by id.
    pub runs: Vec<SnapshotRun>,
    /// Batches that were running when the snapshot was taken, now
    /// `interrupted` in the copy.
    pub interrupted: Vec<BatchId>,
    /// The highest migration applied.
    pub schema_version: i64,
}

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database {
        backend: "SQLite",
        context,
        source,
    }
}

impl Store {
    /// Write a consistent copy of the embedded store to `path` (SQLite's
    /// `VACUUM INTO`; the file must not exist). Safe while other
    /// connections and processes write: it reads one snapshot. A
    /// PostgreSQL store is refused (`pg_dump` is its route).
    pub async fn snapshot_into(&self, path: &Path) -> Result<(), StoreError> {
        let Backend::Sqlite(sqlite) = &self.backend else {
            return Err(StoreError::Invalid(
                "a PostgreSQL store is backed up with pg_dump, not by xinyong".into(),
            ));
        };
        if path.exists() {
            return Err(StoreError::Invalid(format!(
                "{} already exists: a snapshot is written to a new file",
                path.display()
            )));
        }
        let Some(target) = path.to_str() else {
            return Err(StoreError::Invalid(format!(
                "{} is not a UTF-8 path",
                path.display()
            )));
        };
        // A reader connection: VACUUM INTO is a read transaction of the
        // source and never takes the write lock.
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&sqlite.db.reader)
            .await
            .map_err(db("writing a snapshot of the store (VACUUM INTO)"))?;
        Ok(())
    }

    /// The head of the audit chain as the store keeps it.
    pub async fn audit_head(&self) -> Result<AuditHead, StoreError> {
        const Q: &str = "SELECT seq, hash FROM audit_head WHERE id = 1";
        const CTX: &str = "reading the audit head";
        let head: Option<(i64, String)> = match &self.backend {
            Backend::Sqlite(s) => sqlx::query_as(Q)
                .fetch_optional(&s.db.reader)
                .await
                .map_err(crate::shared::db::<sqlx::Sqlite>(CTX))?,
            Backend::Pg(p) => sqlx::query_as(Q)
                .fetch_optional(&p.reader)
                .await
                .map_err(crate::shared::db::<sqlx::Postgres>(CTX))?,
        };
        Ok(head.map_or_else(
            || AuditHead {
                seq: 0,
                hash: crate::audit::GENESIS_HASH.to_owned(),
            },
            |(seq, hash)| AuditHead { seq, hash },
        ))
    }

    /// The hash of audit entry `seq`, if there is one.
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>, StoreError> {
        const Q: &str = "SELECT hash FROM audit_log WHERE seq = $1";
        const CTX: &str = "reading an audit entry";
        match &self.backend {
            Backend::Sqlite(s) => sqlx::query_scalar(Q)
                .bind(seq)
                .fetch_optional(&s.db.reader)
                .await
                .map_err(crate::shared::db::<sqlx::Sqlite>(CTX)),
            Backend::Pg(p) => sqlx::query_scalar(Q)
                .bind(seq)
                .fetch_optional(&p.reader)
                .await
                .map_err(crate::shared::db::<sqlx::Postgres>(CTX)),
        }
    }
}

/// Open a snapshot file itself (not as a store: nothing is migrated or
/// seeded), in rollback-journal mode so that it stays one file.
async fn open_file(path: &Path) -> Result<SqliteConnection, StoreError> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Delete)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .map_err(|source| StoreError::SqliteOpen {
            path: path.to_path_buf(),
            source,
        })
}

/// Seal a snapshot written by [`Store::snapshot_into`]: mark `interrupted`
/// the batches it shows `running` (their processes write to the live store,
/// never to this copy; a restored installation on another host could not
/// tell that they are dead), and read what a backup's manifest records.
pub async fn seal_snapshot(path: &Path) -> Result<SnapshotInfo, StoreError> {
    let mut conn = open_file(path).await?;
    let now = codec::rfc3339(codec::now());
    let interrupted: Vec<(i64,)> = sqlx::query_as(
        "UPDATE batches SET status = 'interrupted', finished_at = $1, updated_at = $1 \
         WHERE status = 'running' RETURNING id",
    )
    .bind(now.as_str())
    .fetch_all(&mut conn)
    .await
    .map_err(db("sealing the snapshot's running batches"))?;
    let mut info = read_file(&mut conn).await?;
    let mut ids: Vec<i64> = interrupted.into_iter().map(|(id,)| id).collect();
    ids.sort_unstable();
    info.interrupted = ids.into_iter().map(BatchId).collect();
    conn.close()
        .await
        .map_err(db("closing the snapshot of the store"))?;
    Ok(info)
}

/// Read what a snapshot file holds (without changing it).
pub async fn read_snapshot(path: &Path) -> Result<SnapshotInfo, StoreError> {
    let mut conn = open_file(path).await?;
    let info = read_file(&mut conn).await?;
    conn.close()
        .await
        .map_err(db("closing the snapshot of the store"))?;
    Ok(info)
}

async fn read_file(conn: &mut SqliteConnection) -> Result<SnapshotInfo, StoreError> {
    const CTX: &str = "reading the snapshot of the store";
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db(CTX))?;
    let (record_seq,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM record_versions")
        .fetch_one(&mut *conn)
        .await
        .map_err(db(CTX))?;
    let (subject_seq,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM subject_versions")
            .fetch_one(&mut *conn)
            .await
            .map_err(db(CTX))?;
    let (schema_version,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await
            .map_err(db(CTX))?;
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, files FROM runs ORDER BY id")
        .fetch_all(&mut *conn)
        .await
        .map_err(db(CTX))?;
    let mut runs = Vec::with_capacity(rows.len());
    for (id, files) in rows {
        let files: Vec<String> = serde_json::from_str(&files)
            .map_err(|e| codec::corrupt(&format!("files of run {id}"), e))?;
        runs.push(SnapshotRun { id, files });
    }
    Ok(SnapshotInfo {
        audit_head: head.map_or_else(
            || AuditHead {
                seq: 0,
                hash: crate::audit::GENESIS_HASH.to_owned(),
            },
            |(seq, hash)| AuditHead { seq, hash },
        ),
        record_seq,
        subject_seq,
        runs,
        interrupted: Vec::new(),
        schema_version,
    })
}
