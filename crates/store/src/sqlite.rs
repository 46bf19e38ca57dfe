//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection (a large page cache,
//! `BEGIN IMMEDIATE` so that other processes wait on the busy timeout instead
//! of failing mid-transaction); reads through a small pool of connections
//! with a modest cache each, so memory stays bounded.
//!
//! A chunk is written with multi-row `INSERT` statements of up to
//! [`MAX_ROWS`] rows; the heads of all keys of a chunk are looked up in one
//! statement (`json_each` over the chunk's keys).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ConnectOptions, SqlSafeStr, Sqlite};
use xinyong_core::catalog::{DEPARTMENTS, RecordKind};

use crate::cache::Caches;
use crate::codec::{self, RecordRow, SubjectRow};
use crate::model::*;
use crate::plan::{self, Head, Slots};
use crate::{ChunkOutcome, ChunkWrite, ReceivedStat, RejectedStat, StoreError, Table};

const BACKEND: &str = "SQLite";

/// Rows per multi-row INSERT statement (13 parameters per record row; the
/// bundled SQLite allows 32766 parameters per statement).
const MAX_ROWS: usize = 500;

/// Page cache of the writer connection (KiB): indexes of a city-sized store
/// stay hot during bulk imports while the process stays well below 1 GB.
const WRITER_CACHE_KIB: i64 = 128 * 1024;
/// Page cache of each reader connection (KiB).
const READER_CACHE_KIB: i64 = 16 * 1024;
const READERS: u32 = 4;
/// The writer checkpoints by itself only when the WAL exceeds this many
/// pages (~400 MB); normally the background checkpointer runs first.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 100_000;
/// The WAL file is truncated to this size when it restarts.
const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "init".into(),
        MigrationType::Simple,
        include_str!("../migrations/sqlite/0001_init.sql").into_sql_str(),
        false,
    )])
});

type Q = Query<'static, Sqlite, SqliteArguments>;

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database {
        backend: BACKEND,
        context,
        source,
    }
}

#[derive(Clone)]
pub(crate) struct SqliteBackend {
    writer: SqlitePool,
    reader: SqlitePool,
    caches: Arc<Caches>,
    /// Stops the background checkpointer when the last clone is dropped.
    _checkpointer: Arc<CheckpointerGuard>,
}

/// How often the background checkpointer copies committed WAL frames into
/// the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

struct CheckpointerGuard(Arc<tokio::sync::Notify>);

impl Drop for CheckpointerGuard {
    fn drop(&mut self) {
        self.0.notify_one();
    }
}

/// Copy committed WAL frames into the database file off the writer's path
/// (`PASSIVE` never blocks readers or the writer), so that a bulk import does
/// not pay for checkpoints (and their fsync) inside its commits. The
/// writer's own automatic checkpoint stays as a backstop.
async fn run_checkpointer(pool: SqlitePool, stop: Arc<tokio::sync::Notify>) {
    loop {
        tokio::select! {
            _ = stop.notified() => break,
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => {}
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::debug!("background checkpoint failed: {e}");
        }
    }
    pool.close().await;
}

/// Run `PRAGMA <setting>` for each setting (all built from constants here).
async fn pragmas(
    conn: &mut SqliteConnection,
    settings: impl IntoIterator<Item = String>,
) -> Result<(), StoreError> {
    for setting in settings {
        sqlx::query(AssertSqlSafe(format!("PRAGMA {setting}")))
            .execute(&mut *conn)
            .await
            .map_err(db("building the subject index"))?;
    }
    Ok(())
}

const CREATE_SUBJECT_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS record_versions_subject ON record_versions (subject)";

impl SqliteBackend {
    /// Drop (`false`) or build (`true`) the index of records by subject.
    pub async fn subject_index(&self, on: bool) -> Result<(), StoreError> {
        if !on {
            sqlx::query("DROP INDEX IF EXISTS record_versions_subject")
                .execute(&self.writer)
                .await
                .map_err(db("dropping the subject index"))?;
            return Ok(());
        }
        // Building the index sorts every entry: let the sorter spill to
        // temporary files rather than hold millions of entries in memory.
        let mut conn = self
            .writer
            .acquire()
            .await
            .map_err(db("building the subject index"))?;
        // ... and sort with helper threads, each with a 64 MiB share of
        // memory. Measured on 10.4 million records: one thread and 128 MiB
        // 8.4–11.8 s; two threads and 128 MiB 7.4 s but 530 MB of memory;
        // two threads and 64 MiB 6.9 s and 270 MB (32 MiB: 26 s).
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
        pragmas(
            &mut conn,
            [
                "temp_store = FILE".to_owned(),
                format!("threads = {threads}"),
                "cache_size = -65536".to_owned(),
            ],
        )
        .await?;
        let built = sqlx::query(CREATE_SUBJECT_INDEX)
            .execute(&mut *conn)
            .await
            .map_err(db("building the subject index"));
        pragmas(
            &mut conn,
            [
                "temp_store = MEMORY".to_owned(),
                "threads = 0".to_owned(),
                format!("cache_size = -{WRITER_CACHE_KIB}"),
            ],
        )
        .await?;
        built.map(|_| ())
    }

    pub async fn open(path: &Path) -> Result<SqliteBackend, StoreError> {
        let open_err = |source| StoreError::SqliteOpen {
            path: PathBuf::from(path),
            source,
        };
        // Bulk imports build an index and checkpoint a large WAL: statements
        // of several seconds are expected there, not worth a warning each.
        let base = SqliteConnectOptions::new()
            .log_slow_statements(log::LevelFilter::Warn, Duration::from_secs(120))
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(60))
            .foreign_keys(false)
            .pragma("temp_store", "memory")
            // Backstop only: the background checkpointer keeps the WAL short.
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
            .pragma("journal_size_limit", WAL_SIZE_LIMIT_BYTES.to_string())
            .statement_cache_capacity(256);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(Duration::from_secs(600))
            .connect_with(
                base.clone()
                    .pragma("cache_size", format!("-{WRITER_CACHE_KIB}")),
            )
            .await
            .map_err(open_err)?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: BACKEND,
                source,
            })?;
        // A bulk import that was killed left the subject index dropped.
        sqlx::query(CREATE_SUBJECT_INDEX)
            .execute(&writer)
            .await
            .map_err(db("restoring the subject index"))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(
                base.clone()
                    .pragma("cache_size", format!("-{READER_CACHE_KIB}")),
            )
            .await
            .map_err(open_err)?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(base.clone().pragma("cache_size", "-1024"))
            .await
            .map_err(open_err)?;
        let stop = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(run_checkpointer(checkpointer, stop.clone()));
        let backend = SqliteBackend {
            writer,
            reader,
            caches: Arc::new(Caches::default()),
            _checkpointer: Arc::new(CheckpointerGuard(stop)),
        };
        backend.seed_departments().await?;
        Ok(backend)
    }

    /// Register the catalogued departments (and promote auto-registered codes
    /// that the catalogue now names). Writes only when something differs.
    async fn seed_departments(&self) -> Result<(), StoreError> {
        let existing = self.departments().await?;
        let missing = codec::departments_to_seed(&existing);
        if !missing.is_empty() {
            let now = codec::rfc3339(codec::now());
            let mut tx = self
                .writer
                .begin_with("BEGIN IMMEDIATE")
                .await
                .map_err(db("seeding departments"))?;
            for spec in missing {
                sqlx::query(
                    "INSERT INTO departments (code, name, auto_registered, registered_at) VALUES (?1, ?2, 0, ?3) \
                     ON CONFLICT (code) DO UPDATE SET name = excluded.name, auto_registered = 0",
                )
                .bind(spec.code)
                .bind(spec.name_zh)
                .bind(now.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db("seeding departments"))?;
            }
            tx.commit().await.map_err(db("seeding departments"))?;
        }
        self.caches
            .add_departments(existing.iter().map(|d| d.code.as_str()));
        self.caches
            .add_departments(DEPARTMENTS.iter().map(|d| d.code));
        Ok(())
    }

    pub async fn begin_batch(&self, meta: &BatchMeta) -> Result<BatchId, StoreError> {
        let now = codec::rfc3339(codec::now());
        let files =
            serde_json::to_string(&meta.files).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO batches (channel, actor, reason, files, status, started_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?5) RETURNING id",
        )
        .bind(meta.channel.as_str())
        .bind(meta.provenance.actor.as_str())
        .bind(meta.provenance.reason.as_str())
        .bind(files)
        .bind(now)
        .fetch_one(&self.writer)
        .await
        .map_err(db("starting a batch"))?;
        Ok(BatchId(id))
    }

    pub async fn write_chunk(
        &self,
        batch: BatchId,
        chunk: &ChunkWrite<'_>,
        fault: bool,
    ) -> Result<ChunkOutcome, StoreError> {
        const CTX: &str = "writing a chunk";
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db(CTX))?;
        let conn: &mut SqliteConnection = &mut tx;
        // Taken under the write lock, so that timestamps follow commit order.
        let now = codec::rfc3339(codec::now());
        let now_arc: Arc<str> = Arc::from(now.as_str());
        check_running(conn, batch, CTX).await?;

        // Departments first seen in this chunk.
        let new_departments = self
            .caches
            .unknown_departments(chunk.records.iter().map(|r| r.source.as_str()));
        for code in &new_departments {
            sqlx::query(
                "INSERT INTO departments (code, name, auto_registered, registered_at) VALUES (?1, ?1, 1, ?2) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(*code)
            .bind(now.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db("registering a department"))?;
        }

        let provenance = provenance_id(conn, &self.caches, chunk.provenance).await?;

        // Heads of every key of the chunk, then the plan.
        let subject_slots = Slots::subjects(chunk.subjects);
        let record_slots = Slots::records(chunk.records);
        let subject_heads = subject_heads(conn, &subject_slots).await?;
        let record_heads = record_heads(conn, &record_slots).await?;
        let (max_record, max_subject) = max_seqs(conn).await?;
        let plan = plan::plan_chunk(
            chunk,
            &subject_slots,
            subject_heads,
            max_subject + 1,
            &record_slots,
            record_heads,
            max_record + 1,
        );

        // Subject versions.
        let rows: Vec<_> = plan
            .subjects
            .new
            .iter()
            .map(|n| (n, &chunk.subjects[n.input]))
            .collect();
        insert_rows(
            conn,
            "INSERT INTO subject_versions (batch, provenance, recorded_at, \
             seq, uscc, version, name, subject_type, hash, warnings, body) VALUES ",
            11,
            "",
            rows,
            |q, (n, s)| {
                q.bind(batch.0)
                    .bind(provenance)
                    .bind(now_arc.clone())
                    .bind(n.seq)
                    .bind(s.uscc.as_str())
                    .bind(n.version)
                    .bind(s.name.as_str())
                    .bind(s.subject_type.as_str())
                    .bind(s.hash)
                    .bind(codec::issues_json(&s.warnings))
                    .bind(s.json.clone())
            },
            "storing subject versions",
        )
        .await?;
        insert_supersessions(
            conn,
            Table::Subjects,
            plan.subjects.supersessions().collect(),
        )
        .await?;

        // Record versions.
        let rows: Vec<_> = plan
            .records
            .new
            .iter()
            .map(|n| (n, &chunk.records[n.input]))
            .collect();
        let mut texts = Interner::default();
        insert_rows(
            conn,
            "INSERT INTO record_versions (batch, provenance, recorded_at, \
             seq, source, id, version, kind, subject, date, hash, warnings, body) VALUES ",
            13,
            "",
            rows,
            |q, (n, r)| {
                q.bind(batch.0)
                    .bind(provenance)
                    .bind(now_arc.clone())
                    .bind(n.seq)
                    .bind(texts.get(&r.source))
                    .bind(r.id.as_str())
                    .bind(n.version)
                    .bind(texts.get(r.kind.as_str()))
                    .bind(texts.subject(&r.subject))
                    .bind(texts.date(r.date))
                    .bind(r.hash)
                    .bind(codec::issues_json(&r.warnings))
                    .bind(r.json.clone())
            },
            "storing record versions",
        )
        .await?;
        insert_supersessions(conn, Table::Records, plan.records.supersessions().collect()).await?;

        if fault {
            return Err(StoreError::Invalid(
                "injected failure after writing records (test hook)".into(),
            ));
        }

        // Quarantine: resolve earlier entries by the rows just stored, then add this chunk's rejects.
        resolve_quarantine(conn, batch, &now, chunk, &plan).await?;
        let quarantined_new = insert_rejected(conn, batch, &now, chunk.rejected).await?;

        insert_rows(
            conn,
            "INSERT INTO record_stats (batch, source, kind, received, current_delta) VALUES ",
            5,
            "",
            plan.stats.iter().collect(),
            |q, (source, kind, received, delta)| {
                q.bind(batch.0)
                    .bind(*source)
                    .bind(kind.as_str())
                    .bind(*received)
                    .bind(*delta)
            },
            "storing statistics",
        )
        .await?;

        let c = plan.counts;
        sqlx::query(
            "UPDATE batches SET accepted = accepted + ?2, rejected = rejected + ?3, warnings = warnings + ?4, \
             unchanged = unchanged + ?5, updated_at = ?6 WHERE id = ?1",
        )
        .bind(batch.0)
        .bind(codec::to_i64(c.accepted))
        .bind(codec::to_i64(c.rejected))
        .bind(codec::to_i64(c.warnings))
        .bind(codec::to_i64(c.unchanged))
        .bind(now.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db("updating batch counters"))?;

        tx.commit().await.map_err(db("committing a chunk"))?;
        self.caches.add_departments(new_departments.into_iter());
        self.caches.add_provenance(
            &chunk.provenance.actor,
            &chunk.provenance.reason,
            provenance,
        );
        Ok(ChunkOutcome {
            subjects: plan.subjects.outcomes,
            records: plan.records.outcomes,
            counts: plan.counts,
            quarantined_new,
        })
    }

    pub async fn finish_batch(
        &self,
        batch: BatchId,
        status: BatchStatus,
    ) -> Result<Batch, StoreError> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("finishing a batch"))?;
        let now = codec::rfc3339(codec::now());
        check_running(&mut tx, batch, "finishing a batch").await?;
        sqlx::query(
            "UPDATE batches SET status = ?2, finished_at = ?3, updated_at = ?3 WHERE id = ?1",
        )
        .bind(batch.0)
        .bind(status.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db("finishing a batch"))?;
        let row: codec::BatchRow = sqlx::query_as(concat!(batch_select!(), " WHERE id = ?1"))
            .bind(batch.0)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("finishing a batch"))?;
        tx.commit().await.map_err(db("finishing a batch"))?;
        codec::batch_from_row(row)
    }

    pub async fn fail_stale_batches(
        &self,
        cutoff: jiff::Timestamp,
    ) -> Result<Vec<BatchId>, StoreError> {
        let now = codec::rfc3339(codec::now());
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE batches SET status = 'failed', finished_at = ?1, updated_at = ?1 \
             WHERE status = 'running' AND updated_at < ?2 RETURNING id",
        )
        .bind(now)
        .bind(codec::rfc3339(cutoff))
        .fetch_all(&self.writer)
        .await
        .map_err(db("failing stale batches"))?;
        let mut ids: Vec<BatchId> = ids.into_iter().map(BatchId).collect();
        ids.sort();
        Ok(ids)
    }

    pub async fn batch(&self, id: BatchId) -> Result<Option<Batch>, StoreError> {
        let row: Option<codec::BatchRow> =
            sqlx::query_as(concat!(batch_select!(), " WHERE id = ?1"))
                .bind(id.0)
                .fetch_optional(&self.reader)
                .await
                .map_err(db("reading a batch"))?;
        row.map(codec::batch_from_row).transpose()
    }

    pub async fn batches(&self, limit: u32) -> Result<Vec<Batch>, StoreError> {
        let rows: Vec<codec::BatchRow> =
            sqlx::query_as(concat!(batch_select!(), " ORDER BY id DESC LIMIT ?1"))
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await
                .map_err(db("listing batches"))?;
        rows.into_iter().map(codec::batch_from_row).collect()
    }

    pub async fn subject(&self, uscc: &str) -> Result<Option<StoredSubject>, StoreError> {
        let row: Option<SubjectRow> = sqlx::query_as(concat!(
            subject_select!(),
            " WHERE sv.uscc = ?1 ORDER BY sv.version DESC LIMIT 1"
        ))
        .bind(uscc)
        .fetch_optional(&self.reader)
        .await
        .map_err(db("reading a subject"))?;
        row.map(codec::subject_from_row).transpose()
    }

    pub async fn subject_history(&self, uscc: &str) -> Result<Vec<StoredSubject>, StoreError> {
        let rows: Vec<SubjectRow> = sqlx::query_as(concat!(
            subject_select!(),
            " WHERE sv.uscc = ?1 ORDER BY sv.version"
        ))
        .bind(uscc)
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading a subject's history"))?;
        rows.into_iter().map(codec::subject_from_row).collect()
    }

    pub async fn subject_records(&self, uscc: &str) -> Result<Vec<StoredRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(concat!(
            record_select!(),
            " WHERE rv.subject = ?1 \
              AND NOT EXISTS (SELECT 1 FROM record_supersessions s WHERE s.old_seq = rv.seq) \
              ORDER BY rv.source, rv.id"
        ))
        .bind(uscc)
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading a subject's records"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn record(&self, source: &str, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        let row: Option<RecordRow> = sqlx::query_as(concat!(
            record_select!(),
            " WHERE rv.source = ?1 AND rv.id = ?2 ORDER BY rv.version DESC LIMIT 1"
        ))
        .bind(source)
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db("reading a record"))?;
        row.map(codec::record_from_row).transpose()
    }

    pub async fn record_history(
        &self,
        source: &str,
        id: &str,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(concat!(
            record_select!(),
            " WHERE rv.source = ?1 AND rv.id = ?2 ORDER BY rv.version"
        ))
        .bind(source)
        .bind(id)
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading a record's history"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn registered_usccs(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT uscc FROM subject_versions WHERE version = 1 ORDER BY uscc")
            .fetch_all(&self.reader)
            .await
            .map_err(db("listing registered subjects"))
    }

    pub async fn record_versions_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(concat!(
            record_select!(),
            " WHERE rv.seq > ?1 ORDER BY rv.seq LIMIT ?2"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading record versions"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn subject_versions_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredSubject>, StoreError> {
        let rows: Vec<SubjectRow> = sqlx::query_as(concat!(
            subject_select!(),
            " WHERE sv.seq > ?1 ORDER BY sv.seq LIMIT ?2"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading subject versions"))?;
        rows.into_iter().map(codec::subject_from_row).collect()
    }

    pub async fn superseded_seqs(&self, table: Table) -> Result<Vec<i64>, StoreError> {
        let sql = match table {
            Table::Records => "SELECT old_seq FROM record_supersessions ORDER BY old_seq",
            Table::Subjects => "SELECT old_seq FROM subject_supersessions ORDER BY old_seq",
        };
        sqlx::query_scalar(sql)
            .fetch_all(&self.reader)
            .await
            .map_err(db("reading supersessions"))
    }

    pub async fn max_seqs(&self) -> Result<(i64, i64), StoreError> {
        let mut conn = self
            .reader
            .acquire()
            .await
            .map_err(db("reading sequence numbers"))?;
        max_seqs(&mut conn).await
    }

    pub async fn counts(&self) -> Result<StoreCounts, StoreError> {
        let row: codec::CountsRow = sqlx::query_as(
            // Sequence numbers run 1..=max without gaps (assigned max + 1 under
            // the write lock, never deleted), so max(seq) counts the versions
            // without scanning millions of rows.
            "SELECT \
               (SELECT coalesce(max(seq), 0) FROM subject_versions) \
                 - (SELECT count(*) FROM subject_supersessions), \
               (SELECT coalesce(max(seq), 0) FROM subject_versions), \
               (SELECT coalesce(max(seq), 0) FROM record_versions), \
               (SELECT count(*) FROM record_supersessions), \
               (SELECT count(*) FROM quarantine), \
               (SELECT count(*) FROM quarantine_resolutions), \
               (SELECT count(*) FROM batches)",
        )
        .fetch_one(&self.reader)
        .await
        .map_err(db("counting"))?;
        Ok(codec::counts_from_row(row))
    }

    pub async fn quarantine(
        &self,
        filter: &QuarantineFilter,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        let (source, unknown_source) = codec::source_filter(filter);
        let rows: Vec<codec::QuarantineRow> = sqlx::query_as(
            "SELECT q.id, q.batch, q.file, q.row_no, q.target, q.source, q.kind, q.record_id, q.raw, q.errors, \
                    q.created_at, r.batch \
             FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id \
             WHERE (?1 IS NULL OR q.batch = ?1) \
               AND (?2 IS NULL OR q.source = ?2) \
               AND (?3 = 0 OR q.source IS NULL) \
               AND (?4 = 0 OR r.quarantine_id IS NULL) \
             ORDER BY q.id LIMIT ?5 OFFSET ?6",
        )
        .bind(filter.batch.map(|b| b.0))
        .bind(source)
        .bind(unknown_source)
        .bind(filter.unresolved_only)
        .bind(i64::from(filter.limit))
        .bind(codec::to_i64(filter.offset))
        .fetch_all(&self.reader)
        .await
        .map_err(db("listing the quarantine"))?;
        rows.into_iter().map(codec::quarantine_from_row).collect()
    }

    pub async fn department_stat_parts(
        &self,
    ) -> Result<(Vec<ReceivedStat>, Vec<RejectedStat>, Vec<Department>), StoreError> {
        let received: Vec<ReceivedStat> = sqlx::query_as(
            "SELECT source, kind, sum(received), sum(current_delta) FROM record_stats GROUP BY source, kind",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading department statistics"))?;
        let rejected: Vec<RejectedStat> = sqlx::query_as(
            "SELECT source, kind, target, count(*) FROM quarantine GROUP BY source, kind, target",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db("reading department statistics"))?;
        Ok((received, rejected, self.departments().await?))
    }

    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let rows: Vec<(String, String, bool)> =
            sqlx::query_as("SELECT code, name, auto_registered FROM departments ORDER BY code")
                .fetch_all(&self.reader)
                .await
                .map_err(db("listing departments"))?;
        Ok(rows
            .into_iter()
            .map(|(code, name, auto_registered)| Department {
                code,
                name,
                auto_registered,
            })
            .collect())
    }
}

/// Shares the text parameters that repeat within a chunk (departments,
/// kinds, dates, runs of one subject) instead of copying them per row.
#[derive(Default)]
struct Interner {
    texts: xinyong_core::json::FastMap<String, Arc<str>>,
    dates: xinyong_core::json::FastMap<xinyong_core::Date, Arc<str>>,
    last_subject: Option<Arc<str>>,
}

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.texts.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.texts.insert(s.to_owned(), a.clone());
        a
    }

    fn date(&mut self, d: xinyong_core::Date) -> Arc<str> {
        self.dates
            .entry(d)
            .or_insert_with(|| Arc::from(d.to_string()))
            .clone()
    }

    /// Records of one subject usually come together: reuse the previous row's.
    fn subject(&mut self, s: &str) -> Arc<str> {
        match &self.last_subject {
            Some(a) if &**a == s => a.clone(),
            _ => {
                let a: Arc<str> = Arc::from(s);
                self.last_subject = Some(a.clone());
                a
            }
        }
    }
}

macro_rules! record_select {
    () => {
        "SELECT rv.seq, rv.source, rv.id, rv.version, rv.kind, rv.subject, rv.date, rv.body, rv.hash, rv.batch, \
                p.actor, p.reason, rv.recorded_at, rv.warnings \
         FROM record_versions rv JOIN provenances p ON p.id = rv.provenance"
    };
}
macro_rules! subject_select {
    () => {
        "SELECT sv.seq, sv.uscc, sv.version, sv.name, sv.subject_type, sv.body, sv.hash, sv.batch, \
                p.actor, p.reason, sv.recorded_at, sv.warnings \
         FROM subject_versions sv JOIN provenances p ON p.id = sv.provenance"
    };
}
macro_rules! batch_select {
    () => {
        "SELECT id, channel, actor, reason, files, status, accepted, rejected, warnings, unchanged, \
                started_at, finished_at FROM batches"
    };
}
use {batch_select, record_select, subject_select};

/// The batch exists and is still running (read inside the write transaction).
async fn check_running(
    conn: &mut SqliteConnection,
    batch: BatchId,
    context: &'static str,
) -> Result<(), StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM batches WHERE id = ?1")
        .bind(batch.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db(context))?;
    codec::require_running(batch, status.as_deref())
}

async fn max_seqs(conn: &mut SqliteConnection) -> Result<(i64, i64), StoreError> {
    sqlx::query_as(
        "SELECT (SELECT coalesce(max(seq), 0) FROM record_versions), \
                (SELECT coalesce(max(seq), 0) FROM subject_versions)",
    )
    .fetch_one(conn)
    .await
    .map_err(db("reading sequence numbers"))
}

async fn provenance_id(
    conn: &mut SqliteConnection,
    caches: &Caches,
    p: &Provenance,
) -> Result<i64, StoreError> {
    if let Some(id) = caches.provenance(&p.actor, &p.reason) {
        return Ok(id);
    }
    sqlx::query("INSERT INTO provenances (actor, reason) VALUES (?1, ?2) ON CONFLICT (actor, reason) DO NOTHING")
        .bind(p.actor.as_str())
        .bind(p.reason.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db("storing provenance"))?;
    sqlx::query_scalar("SELECT id FROM provenances WHERE actor = ?1 AND reason = ?2")
        .bind(p.actor.as_str())
        .bind(p.reason.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(db("storing provenance"))
}

async fn subject_heads(
    conn: &mut SqliteConnection,
    slots: &Slots<'_>,
) -> Result<Vec<Option<Head>>, StoreError> {
    let mut heads = vec![None; slots.keys.len()];
    if slots.keys.is_empty() {
        return Ok(heads);
    }
    let keys: Vec<&str> = slots.keys.iter().map(|k| k.0).collect();
    let keys = serde_json::to_string(&keys).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let rows: Vec<(i64, i64, i32, i64)> = sqlx::query_as(
        "SELECT k.key, sv.seq, sv.version, sv.hash FROM json_each(?1) AS k \
         JOIN subject_versions AS sv ON sv.seq = \
           (SELECT seq FROM subject_versions WHERE uscc = k.value ORDER BY version DESC LIMIT 1)",
    )
    .bind(keys)
    .fetch_all(&mut *conn)
    .await
    .map_err(db("looking up current subject versions"))?;
    for (slot, seq, version, hash) in rows {
        if let Some(h) = usize::try_from(slot).ok().and_then(|s| heads.get_mut(s)) {
            *h = Some(Head {
                seq,
                version,
                hash,
                kind: None,
            });
        }
    }
    Ok(heads)
}

async fn record_heads(
    conn: &mut SqliteConnection,
    slots: &Slots<'_>,
) -> Result<Vec<Option<Head>>, StoreError> {
    let mut heads = vec![None; slots.keys.len()];
    if slots.keys.is_empty() {
        return Ok(heads);
    }
    let keys =
        serde_json::to_string(&slots.keys).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let rows: Vec<(i64, i64, i32, i64, String)> = sqlx::query_as(
        "SELECT k.key, rv.seq, rv.version, rv.hash, rv.kind FROM json_each(?1) AS k \
         JOIN record_versions AS rv ON rv.seq = \
           (SELECT seq FROM record_versions WHERE source = k.value ->> 0 AND id = k.value ->> 1 \
            ORDER BY version DESC LIMIT 1)",
    )
    .bind(keys)
    .fetch_all(&mut *conn)
    .await
    .map_err(db("looking up current record versions"))?;
    for (slot, seq, version, hash, kind) in rows {
        let kind = RecordKind::parse(&kind).ok_or_else(|| {
            codec::corrupt(
                &format!("record version seq {seq}"),
                format!("unknown kind '{kind}'"),
            )
        })?;
        if let Some(h) = usize::try_from(slot).ok().and_then(|s| heads.get_mut(s)) {
            *h = Some(Head {
                seq,
                version,
                hash,
                kind: Some(kind),
            });
        }
    }
    Ok(heads)
}

async fn insert_supersessions(
    conn: &mut SqliteConnection,
    table: Table,
    rows: Vec<(i64, i64)>,
) -> Result<(), StoreError> {
    let prefix = match table {
        Table::Records => "INSERT INTO record_supersessions (old_seq, new_seq) VALUES ",
        Table::Subjects => "INSERT INTO subject_supersessions (old_seq, new_seq) VALUES ",
    };
    insert_rows(
        conn,
        prefix,
        2,
        "",
        rows,
        |q, (old, new)| q.bind(old).bind(new),
        "storing supersessions",
    )
    .await?;
    Ok(())
}

/// Record that the versions just stored resolve earlier quarantine entries
/// with the same key (same department for records).
async fn resolve_quarantine(
    conn: &mut SqliteConnection,
    batch: BatchId,
    now: &str,
    chunk: &ChunkWrite<'_>,
    plan: &plan::ChunkPlan<'_>,
) -> Result<(), StoreError> {
    if plan.records.new.is_empty() && plan.subjects.new.is_empty() {
        return Ok(());
    }
    let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM quarantine)")
        .fetch_one(&mut *conn)
        .await
        .map_err(db("resolving quarantine entries"))?;
    if !any {
        return Ok(());
    }
    // [target, source, key, seq]
    let mut keys: Vec<(&str, &str, &str, i64)> =
        Vec::with_capacity(plan.records.new.len() + plan.subjects.new.len());
    for n in &plan.records.new {
        let r = &chunk.records[n.input];
        keys.push(("records", r.source.as_str(), r.id.as_str(), n.seq));
    }
    for n in &plan.subjects.new {
        keys.push(("subjects", "", chunk.subjects[n.input].uscc.as_str(), n.seq));
    }
    let keys = serde_json::to_string(&keys).map_err(|e| StoreError::Invalid(e.to_string()))?;
    sqlx::query(
        "INSERT INTO quarantine_resolutions (quarantine_id, batch, seq, resolved_at) \
         SELECT q.id, ?1, k.value ->> 3, ?2 FROM json_each(?3) AS k \
         JOIN quarantine AS q ON q.record_id = k.value ->> 2 AND q.target = k.value ->> 0 \
              AND (q.target = 'subjects' OR q.source = k.value ->> 1) \
         WHERE true ON CONFLICT (quarantine_id) DO NOTHING",
    )
    .bind(batch.0)
    .bind(now)
    .bind(keys)
    .execute(&mut *conn)
    .await
    .map_err(db("resolving quarantine entries"))?;
    Ok(())
}

async fn insert_rejected(
    conn: &mut SqliteConnection,
    batch: BatchId,
    now: &str,
    rejected: &[RejectedRow],
) -> Result<u64, StoreError> {
    insert_rows(
        conn,
        "INSERT INTO quarantine (batch, created_at, \
         file, row_no, target, source, kind, record_id, raw, raw_hash, errors) VALUES ",
        11,
        " ON CONFLICT (file, row_no, raw_hash) DO NOTHING",
        rejected.iter().collect(),
        |q, r| {
            q.bind(batch.0)
                .bind(now)
                .bind(r.file.as_str())
                .bind(codec::to_i64(r.row))
                .bind(r.target.as_str())
                .bind(r.source.as_deref())
                .bind(r.kind.as_deref())
                .bind(r.record_id.as_deref())
                .bind(r.raw.as_str())
                .bind(codec::raw_hash(&r.raw))
                .bind(codec::issues_json_always(&r.errors))
        },
        "quarantining rejected rows",
    )
    .await
}

/// Insert `rows` with multi-row statements: `prefix`, one tuple of `cols`
/// anonymous parameters per row (bound by `bind_row`), `suffix`. Returns the
/// number of rows inserted.
///
/// Parameters are anonymous (`?`) on purpose: SQLite looks numbered ones
/// (`?NNN`) up by a linear scan, which makes binding quadratic in the
/// statement's parameter count.
async fn insert_rows<T>(
    conn: &mut SqliteConnection,
    prefix: &'static str,
    cols: usize,
    suffix: &'static str,
    rows: Vec<T>,
    mut bind_row: impl FnMut(Q, T) -> Q,
    context: &'static str,
) -> Result<u64, StoreError> {
    let mut rows = rows.into_iter();
    let mut build = |rows: &mut std::vec::IntoIter<T>| -> Option<Q> {
        let n = statement_rows(rows.len());
        if n == 0 {
            return None;
        }
        let mut q = sqlx::query(values_sql(prefix, cols, n, suffix));
        for row in rows.by_ref().take(n) {
            q = bind_row(q, row);
        }
        Some(q)
    };
    // Two-stage pipeline: the next statement's parameters (body JSON and
    // all) are built on this thread while SQLite executes the current one on
    // its worker thread. `join!` polls the execution first, which hands the
    // statement to the worker before the builder runs.
    let mut affected = 0;
    let mut current = build(&mut rows);
    while let Some(q) = current {
        let (done, next) = futures::join!(q.execute(&mut *conn), async { build(&mut rows) });
        affected += done.map_err(db(context))?.rows_affected();
        current = next;
    }
    Ok(affected)
}

/// Rows of the next statement for `remaining` rows: full statements, then
/// powers of two, so that only a few distinct statements are ever prepared.
fn statement_rows(remaining: usize) -> usize {
    match remaining {
        0 => 0,
        n if n >= MAX_ROWS => MAX_ROWS,
        n => 1 << n.ilog2(),
    }
}

/// `prefix (?, ..), (?, ..), ... suffix` for `rows` rows of `cols` values,
/// built once per shape and kept for the life of the process (a bounded set).
fn values_sql(
    prefix: &'static str,
    cols: usize,
    rows: usize,
    suffix: &'static str,
) -> &'static str {
    type Key = (&'static str, usize, usize, &'static str);
    static CACHE: OnceLock<Mutex<HashMap<Key, &'static str>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = match cache.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    cache
        .entry((prefix, cols, rows, suffix))
        .or_insert_with(|| {
            let tuple = format!("({})", vec!["?"; cols].join(","));
            let sql = format!("{prefix}{}{suffix}", vec![tuple.as_str(); rows].join(","));
            Box::leak(sql.into_boxed_str())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_shapes() {
        assert_eq!(statement_rows(1234), MAX_ROWS);
        assert_eq!(statement_rows(300), 256);
        assert_eq!(statement_rows(1), 1);
        assert_eq!(statement_rows(0), 0);
        assert_eq!(
            values_sql("INSERT INTO t (a, b) VALUES ", 2, 2, ""),
            "INSERT INTO t (a, b) VALUES (?,?),(?,?)"
        );
        assert_eq!(
            values_sql("INSERT INTO t (a) VALUES ", 1, 1, " ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING"
        );
    }
}
