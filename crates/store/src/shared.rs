//! What both backends share, written once over sqlx's generic [`Database`]:
//! every read, the batch statements, and the chunk writer's sequence of
//! steps. A backend is a [`Dialect`]: the few places where its SQL differs
//! (how a timestamp or date column reads back as text, how a timestamp
//! parameter is written, casts), how a write transaction takes the store's
//! lock, and the bulk statements of a chunk (multi-row `INSERT`s in SQLite;
//! `COPY` and `unnest` in PostgreSQL).
//!
//! Parameters are numbered `$N` in both dialects (sqlx binds SQLite's `$N`
//! by its number, like PostgreSQL's).

use std::sync::Arc;

use sqlx::database::HasStatementCache;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{
    Database, Decode, Encode, Executor, FromRow, IntoArguments, Pool, SqlSafeStr, Transaction, Type,
};
use xinyong_core::catalog::{DEPARTMENTS, DepartmentSpec, RecordKind};

use crate::cache::Caches;
use crate::codec::{self, BatchRow, CountsRow, QuarantineRow, RecordRow, SubjectRow};
use crate::model::*;
use crate::plan::{self, Head, Slots};
use crate::{ChunkOutcome, ChunkWrite, ReceivedStat, RejectedStat, StoreError, Table};

/// A head looked up for slot `.0` (from 0): `(slot, seq, version, hash)`.
pub(crate) type SubjectHeadRow = (i64, i64, i32, i64);
/// A record head: `(slot, seq, version, hash, kind)`.
pub(crate) type RecordHeadRow = (i64, i64, i32, i64, String);
/// A stored version that may resolve quarantine entries:
/// `(target, source, key, seq)` (`source` is empty for subjects).
pub(crate) type ResolvingKey<'a> = (&'static str, &'a str, &'a str, i64);

/// What a chunk writes once its plan is made.
#[derive(Clone, Copy)]
pub(crate) struct ChunkRows<'a> {
    pub batch: BatchId,
    pub provenance: i64,
    /// The chunk's timestamp (RFC 3339).
    pub now: &'a str,
    pub chunk: &'a ChunkWrite<'a>,
    pub plan: &'a plan::ChunkPlan<'a>,
}

/// What a backend's SQL does its own way.
pub(crate) trait Dialect: Database + HasStatementCache {
    /// The backend's name in error messages.
    const BACKEND: &'static str;

    /// Begins a read-only transaction that sees one snapshot throughout.
    const BEGIN_SNAPSHOT: &'static str;

    /// This dialect's statements (built once).
    fn queries() -> &'static Queries;
    /// A timestamp column read back as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    fn timestamp(column: &str) -> String;
    /// A date column read back as `YYYY-MM-DD`.
    fn date(column: &str) -> String;
    /// Parameter `$n` (RFC 3339 text) as a stored timestamp.
    fn timestamp_param(n: u8) -> String;
    /// `expr` as the type `ty` where the dialect needs it said.
    fn cast(expr: &str, ty: &str) -> String;

    /// Begin a write transaction holding the store's write lock.
    async fn begin_write(
        pool: &Pool<Self>,
        context: &'static str,
    ) -> Result<Transaction<'static, Self>, StoreError>;
    /// Begin a transaction holding the audit log's append lock (separate
    /// from the chunk writer's lock in PostgreSQL, so that audited requests
    /// do not wait for an import's chunk).
    async fn begin_audit(pool: &Pool<Self>) -> Result<Transaction<'static, Self>, StoreError>;
    /// Drop (`false`) or build (`true`) the index of records by subject.
    async fn subject_index(pool: &Pool<Self>, on: bool) -> Result<(), StoreError>;
    /// Register catalogued departments, naming auto-registered ones.
    async fn seed_departments(
        pool: &Pool<Self>,
        missing: &[&'static DepartmentSpec],
    ) -> Result<(), StoreError>;
    /// Auto-register departments first seen in a chunk.
    async fn register_departments(
        conn: &mut Self::Connection,
        codes: &[&str],
        now: &str,
    ) -> Result<(), StoreError>;
    /// Current heads of `usccs` (not empty): a row per uscc found, with its
    /// index in `usccs`.
    async fn subject_heads(
        conn: &mut Self::Connection,
        usccs: &[&str],
    ) -> Result<Vec<SubjectHeadRow>, StoreError>;
    /// Current heads of the records `(source, id)` of `keys` (not empty).
    async fn record_heads(
        conn: &mut Self::Connection,
        keys: &[(&str, &str)],
    ) -> Result<Vec<RecordHeadRow>, StoreError>;
    /// The chunk's new subject and record versions and their supersessions.
    async fn insert_versions(
        conn: &mut Self::Connection,
        rows: &ChunkRows<'_>,
    ) -> Result<(), StoreError>;
    /// Resolve the quarantine entries of `resolving` (if any), quarantine the
    /// chunk's rejected rows not already there (returns how many were new),
    /// and store the chunk's statistics.
    async fn insert_quarantine_and_stats(
        conn: &mut Self::Connection,
        rows: &ChunkRows<'_>,
        resolving: Vec<ResolvingKey<'_>>,
    ) -> Result<u64, StoreError>;
}

/// The error of a failed statement.
pub(crate) fn db<DB: Dialect>(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database {
        backend: DB::BACKEND,
        context,
        source,
    }
}

/// The schema's migrations, `(version, description, SQL text)` in order.
pub(crate) fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> Migrator {
    Migrator::with_migrations(
        migrations
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

pub(crate) fn migrate_err<DB: Dialect>() -> impl FnOnce(sqlx::migrate::MigrateError) -> StoreError {
    |source| StoreError::Migrate {
        backend: DB::BACKEND,
        source,
    }
}

pub(crate) const CREATE_SUBJECT_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS record_versions_subject ON record_versions (subject)";
pub(crate) const DROP_SUBJECT_INDEX: &str = "DROP INDEX IF EXISTS record_versions_subject";

/// The statements whose text depends on the dialect, built once per dialect.
/// Subjects one lookup of several subjects asks for (a shorter list is
/// padded with its last USCC, so that every such lookup is one statement).
pub(crate) const SUBJECTS_PER_QUERY: usize = 256;

pub(crate) struct Queries {
    begin_batch: String,
    update_counters: String,
    finish_batch: String,
    fail_stale: String,
    running_owners: String,
    interrupt: String,
    provenance_id: String,
    batch: String,
    batches: String,
    subject: String,
    subject_history: String,
    subject_records: String,
    pub(crate) records_of_kind: String,
    record: String,
    record_history: String,
    record_versions_after: String,
    subject_versions_after: String,
    subjects_in: String,
    records_of_subjects_in: String,
    quarantine: String,
    received: String,
}

impl Queries {
    pub(crate) fn new<DB: Dialect>() -> Queries {
        let ts = DB::timestamp_param;
        let record_select = format!(
            "SELECT rv.seq, rv.source, rv.id, rv.version, rv.kind, rv.subject, {}, rv.body, rv.hash, \
                    rv.batch, p.actor, p.reason, {}, rv.warnings \
             FROM record_versions rv JOIN provenances p ON p.id = rv.provenance",
            DB::date("rv.date"),
            DB::timestamp("rv.recorded_at"),
        );
        let subject_select = format!(
            "SELECT sv.seq, sv.uscc, sv.version, sv.name, sv.subject_type, sv.body, sv.hash, sv.batch, \
                    p.actor, p.reason, {}, sv.warnings \
             FROM subject_versions sv JOIN provenances p ON p.id = sv.provenance",
            DB::timestamp("sv.recorded_at"),
        );
        // `$1, …, $n` for the lookups of several subjects at once.
        let in_list = (1..=SUBJECTS_PER_QUERY)
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let batch_select = format!(
            "SELECT id, channel, actor, reason, files, status, accepted, rejected, warnings, unchanged, \
                    {}, {} FROM batches",
            DB::timestamp("started_at"),
            DB::timestamp("finished_at"),
        );
        Queries {
            begin_batch: format!(
                "INSERT INTO batches (channel, actor, reason, files, status, started_at, updated_at, owner) \
                 VALUES ($1, $2, $3, $4, 'running', {t5}, {t5}, $6) RETURNING id",
                t5 = ts(5)
            ),
            update_counters: format!(
                "UPDATE batches SET accepted = accepted + $2, rejected = rejected + $3, \
                 warnings = warnings + $4, unchanged = unchanged + $5, updated_at = {} WHERE id = $1",
                ts(6)
            ),
            finish_batch: format!(
                "UPDATE batches SET status = $2, finished_at = {t3}, updated_at = {t3} WHERE id = $1",
                t3 = ts(3)
            ),
            fail_stale: format!(
                "UPDATE batches SET status = 'failed', finished_at = {t1}, updated_at = {t1} \
                 WHERE status = 'running' AND updated_at < {t2} RETURNING id",
                t1 = ts(1),
                t2 = ts(2)
            ),
            running_owners:
                "SELECT id, COALESCE(owner, '') FROM batches WHERE status = 'running' ORDER BY id"
                    .to_owned(),
            interrupt: format!(
                "UPDATE batches SET status = 'interrupted', finished_at = {t2}, updated_at = {t2} \
                 WHERE id = $1 AND status = 'running' RETURNING id",
                t2 = ts(2)
            ),
            provenance_id: format!(
                "SELECT {} FROM provenances WHERE actor = $1 AND reason = $2",
                DB::cast("id", "int8")
            ),
            batch: format!("{batch_select} WHERE id = $1"),
            batches: format!("{batch_select} ORDER BY id DESC LIMIT $1"),
            subject: format!(
                "{subject_select} WHERE sv.uscc = $1 ORDER BY sv.version DESC LIMIT 1"
            ),
            subject_history: format!("{subject_select} WHERE sv.uscc = $1 ORDER BY sv.version"),
            subject_records: format!(
                "{record_select} WHERE rv.subject = $1 \
                 AND NOT EXISTS (SELECT 1 FROM record_supersessions s WHERE s.old_seq = rv.seq) \
                 ORDER BY rv.source, rv.id"
            ),
            records_of_kind: format!(
                "{record_select} WHERE rv.kind = $1 \
                 AND NOT EXISTS (SELECT 1 FROM record_supersessions s WHERE s.old_seq = rv.seq) \
                 ORDER BY rv.subject, rv.source, rv.id"
            ),
            record: format!(
                "{record_select} WHERE rv.source = $1 AND rv.id = $2 ORDER BY rv.version DESC LIMIT 1"
            ),
            record_history: format!(
                "{record_select} WHERE rv.source = $1 AND rv.id = $2 ORDER BY rv.version"
            ),
            subjects_in: format!(
                "{subject_select} WHERE sv.uscc IN ({in_list}) \
                 AND NOT EXISTS (SELECT 1 FROM subject_supersessions s WHERE s.old_seq = sv.seq)"
            ),
            records_of_subjects_in: format!(
                "{record_select} WHERE rv.subject IN ({in_list}) \
                 AND NOT EXISTS (SELECT 1 FROM record_supersessions s WHERE s.old_seq = rv.seq) \
                 ORDER BY rv.subject, rv.source, rv.id"
            ),
            record_versions_after: format!(
                "{record_select} WHERE rv.seq > $1 ORDER BY rv.seq LIMIT $2"
            ),
            subject_versions_after: format!(
                "{subject_select} WHERE sv.seq > $1 ORDER BY sv.seq LIMIT $2"
            ),
            quarantine: format!(
                "SELECT q.id, q.batch, q.file, q.row_no, q.target, q.source, q.kind, q.record_id, \
                        q.raw, q.errors, {}, r.batch \
                 FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id \
                 WHERE ({} IS NULL OR q.batch = $1) \
                   AND ({} IS NULL OR q.source = $2) \
                   AND (NOT $3 OR q.source IS NULL) \
                   AND (NOT $4 OR r.quarantine_id IS NULL) \
                 ORDER BY q.id LIMIT $5 OFFSET $6",
                DB::timestamp("q.created_at"),
                DB::cast("$1", "int8"),
                DB::cast("$2", "text"),
            ),
            received: format!(
                "SELECT source, kind, {}, {} FROM record_stats GROUP BY source, kind",
                DB::cast("sum(received)", "int8"),
                DB::cast("sum(current_delta)", "int8"),
            ),
        }
    }
}

/// A store on one dialect: a pool for writes and one for reads (the same
/// pool where the dialect has no reason to separate them).
pub(crate) struct Db<DB: Dialect> {
    pub writer: Pool<DB>,
    pub reader: Pool<DB>,
    caches: Arc<Caches>,
}

impl<DB: Dialect> Clone for Db<DB> {
    fn clone(&self) -> Self {
        Db {
            writer: self.writer.clone(),
            reader: self.reader.clone(),
            caches: self.caches.clone(),
        }
    }
}

impl<DB> Db<DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB> + Decode<'q, DB>,
    for<'q> Option<String>: Decode<'q, DB> + Type<DB>,
    for<'r> RecordRow: FromRow<'r, DB::Row>,
    for<'r> SubjectRow: FromRow<'r, DB::Row>,
    for<'r> BatchRow: FromRow<'r, DB::Row>,
    for<'r> QuarantineRow: FromRow<'r, DB::Row>,
    for<'r> CountsRow: FromRow<'r, DB::Row>,
    for<'r> ReceivedStat: FromRow<'r, DB::Row>,
    for<'r> RejectedStat: FromRow<'r, DB::Row>,
    for<'r> (String, String, bool): FromRow<'r, DB::Row>,
    for<'r> (i64, i64): FromRow<'r, DB::Row>,
    for<'r> (i64, String): FromRow<'r, DB::Row>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
    for<'r> (String,): FromRow<'r, DB::Row>,
    for<'r> (bool,): FromRow<'r, DB::Row>,
    for<'r> (Option<String>,): FromRow<'r, DB::Row>,
{
    /// Restore the subject index (a bulk import that was killed left it
    /// dropped) and seed the department catalogue.
    pub async fn new(writer: Pool<DB>, reader: Pool<DB>) -> Result<Db<DB>, StoreError> {
        sqlx::query(CREATE_SUBJECT_INDEX)
            .execute(&writer)
            .await
            .map_err(db::<DB>("restoring the subject index"))?;
        let db = Db {
            writer,
            reader,
            caches: Arc::new(Caches::default()),
        };
        db.seed_departments().await?;
        Ok(db)
    }

    /// Register the catalogued departments (and promote auto-registered codes
    /// that the catalogue now names). Writes only when something differs.
    async fn seed_departments(&self) -> Result<(), StoreError> {
        let existing = self.departments().await?;
        let missing = codec::departments_to_seed(&existing);
        if !missing.is_empty() {
            DB::seed_departments(&self.writer, &missing).await?;
        }
        self.caches
            .add_departments(existing.iter().map(|d| d.code.as_str()));
        self.caches
            .add_departments(DEPARTMENTS.iter().map(|d| d.code));
        Ok(())
    }

    pub async fn subject_index(&self, on: bool) -> Result<(), StoreError> {
        DB::subject_index(&self.writer, on).await
    }

    pub async fn begin_batch(&self, meta: &BatchMeta) -> Result<BatchId, StoreError> {
        let now = codec::rfc3339(codec::now());
        let files =
            serde_json::to_string(&meta.files).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(DB::queries().begin_batch.as_str())
            .bind(meta.channel.as_str())
            .bind(meta.provenance.actor.as_str())
            .bind(meta.provenance.reason.as_str())
            .bind(files)
            .bind(now)
            .bind(crate::process::current())
            .fetch_one(&self.writer)
            .await
            .map_err(db::<DB>("starting a batch"))?;
        Ok(BatchId(id))
    }

    pub async fn write_chunk(
        &self,
        batch: BatchId,
        chunk: &ChunkWrite<'_>,
        fault: bool,
    ) -> Result<ChunkOutcome, StoreError> {
        let (mut tx, now) = self.begin_on_running(batch, "writing a chunk").await?;
        let conn: &mut DB::Connection = &mut tx;

        // Departments first seen in this chunk.
        let new_departments = self
            .caches
            .unknown_departments(chunk.records.iter().map(|r| r.source.as_str()));
        if !new_departments.is_empty() {
            DB::register_departments(conn, &new_departments, &now).await?;
        }

        let provenance = self.provenance_id(conn, chunk.provenance).await?;

        // Heads of every key of the chunk, then the plan.
        let subject_slots = Slots::subjects(chunk.subjects);
        let record_slots = Slots::records(chunk.records);
        let subject_heads = if subject_slots.keys.is_empty() {
            Vec::new()
        } else {
            let usccs: Vec<&str> = subject_slots.keys.iter().map(|k| k.0).collect();
            subject_heads(
                DB::subject_heads(conn, &usccs).await?,
                subject_slots.keys.len(),
            )
        };
        let record_heads = if record_slots.keys.is_empty() {
            Vec::new()
        } else {
            record_heads(
                DB::record_heads(conn, &record_slots.keys).await?,
                record_slots.keys.len(),
            )?
        };
        let (max_record, max_subject) = Self::max_seqs_in(conn).await?;
        let plan = plan::plan_chunk(
            chunk,
            &subject_slots,
            subject_heads,
            max_subject + 1,
            &record_slots,
            record_heads,
            max_record + 1,
        );

        let rows = ChunkRows {
            batch,
            provenance,
            now: &now,
            chunk,
            plan: &plan,
        };
        DB::insert_versions(conn, &rows).await?;

        if fault {
            return Err(StoreError::Invalid(
                "injected failure after writing records (test hook)".into(),
            ));
        }

        // Quarantine: resolve earlier entries by the rows just stored, then add this chunk's rejects.
        let resolving = Self::resolving_keys(conn, chunk, &plan).await?;
        let quarantined_new = DB::insert_quarantine_and_stats(conn, &rows, resolving).await?;

        let c = plan.counts;
        sqlx::query(DB::queries().update_counters.as_str())
            .bind(batch.0)
            .bind(codec::to_i64(c.accepted))
            .bind(codec::to_i64(c.rejected))
            .bind(codec::to_i64(c.warnings))
            .bind(codec::to_i64(c.unchanged))
            .bind(now.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db::<DB>("updating batch counters"))?;

        tx.commit().await.map_err(db::<DB>("committing a chunk"))?;
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
        const CTX: &str = "finishing a batch";
        let (mut tx, now) = self.begin_on_running(batch, CTX).await?;
        let conn: &mut DB::Connection = &mut tx;
        sqlx::query(DB::queries().finish_batch.as_str())
            .bind(batch.0)
            .bind(status.as_str())
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(db::<DB>(CTX))?;
        let row: BatchRow = sqlx::query_as(DB::queries().batch.as_str())
            .bind(batch.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(db::<DB>(CTX))?;
        tx.commit().await.map_err(db::<DB>(CTX))?;
        codec::batch_from_row(row)
    }

    pub async fn fail_stale_batches(
        &self,
        cutoff: jiff::Timestamp,
    ) -> Result<Vec<BatchId>, StoreError> {
        let now = codec::rfc3339(codec::now());
        let ids: Vec<i64> = sqlx::query_scalar(DB::queries().fail_stale.as_str())
            .bind(now)
            .bind(codec::rfc3339(cutoff))
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>("failing stale batches"))?;
        let mut ids: Vec<BatchId> = ids.into_iter().map(BatchId).collect();
        ids.sort();
        Ok(ids)
    }

    pub async fn mark_interrupted_batches(&self) -> Result<Vec<BatchId>, StoreError> {
        const CTX: &str = "marking interrupted batches";
        // `owner` is '' for a batch written before owners were recorded.
        let running: Vec<(i64, String)> = sqlx::query_as(DB::queries().running_owners.as_str())
            .fetch_all(&self.writer)
            .await
            .map_err(db::<DB>(CTX))?;
        let mut marked = Vec::new();
        for (id, owner) in running {
            // No owner: written before owners were recorded (migration 8),
            // by a process of an earlier version, which no longer runs.
            let dead = owner.is_empty() || crate::process::alive(&owner) == Some(false);
            if !dead {
                continue;
            }
            let now = codec::rfc3339(codec::now());
            let changed: Option<i64> = sqlx::query_scalar(DB::queries().interrupt.as_str())
                .bind(id)
                .bind(now)
                .fetch_optional(&self.writer)
                .await
                .map_err(db::<DB>(CTX))?;
            // Another process may have marked it meanwhile.
            if changed.is_some() {
                marked.push(BatchId(id));
            }
        }
        Ok(marked)
    }

    pub async fn running_batches(&self) -> Result<Vec<BatchId>, StoreError> {
        let running: Vec<(i64, String)> = sqlx::query_as(DB::queries().running_owners.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing running batches"))?;
        Ok(running.into_iter().map(|(id, _)| BatchId(id)).collect())
    }

    pub async fn batch(&self, id: BatchId) -> Result<Option<Batch>, StoreError> {
        let row: Option<BatchRow> = sqlx::query_as(DB::queries().batch.as_str())
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db::<DB>("reading a batch"))?;
        row.map(codec::batch_from_row).transpose()
    }

    pub async fn batches(&self, limit: u32) -> Result<Vec<Batch>, StoreError> {
        let rows: Vec<BatchRow> = sqlx::query_as(DB::queries().batches.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing batches"))?;
        rows.into_iter().map(codec::batch_from_row).collect()
    }

    /// Subject versions by `uscc`: the current one (`sql` ends in `LIMIT 1`)
    /// or all of them.
    async fn subjects_of(
        &self,
        sql: &'static str,
        uscc: &str,
        context: &'static str,
    ) -> Result<Vec<StoredSubject>, StoreError> {
        let rows: Vec<SubjectRow> = sqlx::query_as(sql)
            .bind(uscc)
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>(context))?;
        rows.into_iter().map(codec::subject_from_row).collect()
    }

    /// Record versions by `(source, id)`, like [`Db::subjects_of`].
    async fn records_of(
        &self,
        sql: &'static str,
        source: &str,
        id: &str,
        context: &'static str,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(sql)
            .bind(source)
            .bind(id)
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>(context))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn subject(&self, uscc: &str) -> Result<Option<StoredSubject>, StoreError> {
        let q = DB::queries();
        let found = self.subjects_of(&q.subject, uscc, "reading a subject");
        Ok(found.await?.pop())
    }

    pub async fn subject_history(&self, uscc: &str) -> Result<Vec<StoredSubject>, StoreError> {
        let q = DB::queries();
        self.subjects_of(&q.subject_history, uscc, "reading a subject's history")
            .await
    }

    pub async fn subject_records(&self, uscc: &str) -> Result<Vec<StoredRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(DB::queries().subject_records.as_str())
            .bind(uscc)
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("reading a subject's records"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    /// `sql` (of [`SUBJECTS_PER_QUERY`] parameters) for `usccs`, chunk by
    /// chunk, the last chunk padded with its last USCC.
    async fn rows_of_subjects<R>(
        &self,
        sql: &'static str,
        usccs: &[String],
        context: &'static str,
    ) -> Result<Vec<R>, StoreError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        let mut out = Vec::new();
        for chunk in usccs.chunks(SUBJECTS_PER_QUERY) {
            let mut q = sqlx::query_as::<DB, R>(sql);
            for i in 0..SUBJECTS_PER_QUERY {
                q = q.bind(chunk.get(i).unwrap_or(&chunk[chunk.len() - 1]).as_str());
            }
            out.extend(q.fetch_all(&self.reader).await.map_err(db::<DB>(context))?);
        }
        Ok(out)
    }

    pub async fn subjects_in(&self, usccs: &[String]) -> Result<Vec<StoredSubject>, StoreError> {
        let sql = DB::queries().subjects_in.as_str();
        let rows: Vec<SubjectRow> = self
            .rows_of_subjects(sql, usccs, "reading subjects")
            .await?;
        rows.into_iter().map(codec::subject_from_row).collect()
    }

    pub async fn records_of_subjects(
        &self,
        usccs: &[String],
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let sql = DB::queries().records_of_subjects_in.as_str();
        let rows: Vec<RecordRow> = self
            .rows_of_subjects(sql, usccs, "reading subjects' records")
            .await?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn record(&self, source: &str, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        let q = DB::queries();
        let found = self.records_of(&q.record, source, id, "reading a record");
        Ok(found.await?.pop())
    }

    pub async fn record_history(
        &self,
        source: &str,
        id: &str,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let q = DB::queries();
        self.records_of(&q.record_history, source, id, "reading a record's history")
            .await
    }

    pub async fn registered_usccs_after(
        &self,
        after_seq: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        sqlx::query_as(
            "SELECT seq, uscc FROM subject_versions WHERE seq > $1 AND version = 1 ORDER BY seq",
        )
        .bind(after_seq)
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("listing registered subjects"))
    }

    /// Versions with `seq > after_seq`, at most `limit` (`sql` takes both).
    async fn rows_after<R>(
        &self,
        sql: &'static str,
        after_seq: i64,
        limit: u32,
        context: &'static str,
    ) -> Result<Vec<R>, StoreError>
    where
        R: for<'r> FromRow<'r, DB::Row> + Send + Unpin,
    {
        sqlx::query_as(sql)
            .bind(after_seq)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>(context))
    }

    pub async fn record_versions_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let sql = DB::queries().record_versions_after.as_str();
        let rows = self.rows_after(sql, after_seq, limit, "reading record versions");
        let rows: Vec<RecordRow> = rows.await?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn subject_versions_after(
        &self,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<StoredSubject>, StoreError> {
        let sql = DB::queries().subject_versions_after.as_str();
        let rows = self.rows_after(sql, after_seq, limit, "reading subject versions");
        let rows: Vec<SubjectRow> = rows.await?;
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
            .map_err(db::<DB>("reading supersessions"))
    }

    pub async fn max_seqs(&self) -> Result<(i64, i64), StoreError> {
        let mut conn = self
            .reader
            .acquire()
            .await
            .map_err(db::<DB>("reading sequence numbers"))?;
        Self::max_seqs_in(&mut conn).await
    }

    pub async fn counts(&self) -> Result<StoreCounts, StoreError> {
        let row: CountsRow = sqlx::query_as(
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
        .map_err(db::<DB>("counting"))?;
        Ok(codec::counts_from_row(row))
    }

    pub async fn quarantine(
        &self,
        filter: &QuarantineFilter,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        let (source, unknown_source) = codec::source_filter(filter);
        let rows: Vec<QuarantineRow> = sqlx::query_as(DB::queries().quarantine.as_str())
            .bind(filter.batch.map(|b| b.0))
            .bind(source)
            .bind(unknown_source)
            .bind(filter.unresolved_only)
            .bind(i64::from(filter.limit))
            .bind(codec::to_i64(filter.offset))
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("listing the quarantine"))?;
        rows.into_iter().map(codec::quarantine_from_row).collect()
    }

    pub async fn department_stat_parts(
        &self,
    ) -> Result<(Vec<ReceivedStat>, Vec<RejectedStat>, Vec<Department>), StoreError> {
        let received: Vec<ReceivedStat> = sqlx::query_as(DB::queries().received.as_str())
            .fetch_all(&self.reader)
            .await
            .map_err(db::<DB>("reading department statistics"))?;
        let rejected: Vec<RejectedStat> = sqlx::query_as(
            "SELECT source, kind, target, count(*) FROM quarantine GROUP BY source, kind, target",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db::<DB>("reading department statistics"))?;
        Ok((received, rejected, self.departments().await?))
    }

    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let rows: Vec<(String, String, bool)> =
            sqlx::query_as("SELECT code, name, auto_registered FROM departments ORDER BY code")
                .fetch_all(&self.reader)
                .await
                .map_err(db::<DB>("listing departments"))?;
        Ok(rows
            .into_iter()
            .map(|(code, name, auto_registered)| Department {
                code,
                name,
                auto_registered,
            })
            .collect())
    }

    /// A write transaction in which `batch` is still running, and the time
    /// taken under the write lock (so that timestamps follow commit order).
    async fn begin_on_running(
        &self,
        batch: BatchId,
        context: &'static str,
    ) -> Result<(Transaction<'static, DB>, String), StoreError> {
        let mut tx = DB::begin_write(&self.writer, context).await?;
        let now = codec::rfc3339(codec::now());
        Self::check_running(&mut tx, batch, context).await?;
        Ok((tx, now))
    }

    /// The batch exists and is still running (read inside the write transaction).
    async fn check_running(
        conn: &mut DB::Connection,
        batch: BatchId,
        context: &'static str,
    ) -> Result<(), StoreError> {
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM batches WHERE id = $1")
            .bind(batch.0)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db::<DB>(context))?;
        codec::require_running(batch, status.as_deref())
    }

    async fn max_seqs_in(conn: &mut DB::Connection) -> Result<(i64, i64), StoreError> {
        sqlx::query_as(
            "SELECT (SELECT coalesce(max(seq), 0) FROM record_versions), \
                    (SELECT coalesce(max(seq), 0) FROM subject_versions)",
        )
        .fetch_one(conn)
        .await
        .map_err(db::<DB>("reading sequence numbers"))
    }

    async fn provenance_id(
        &self,
        conn: &mut DB::Connection,
        p: &Provenance,
    ) -> Result<i64, StoreError> {
        if let Some(id) = self.caches.provenance(&p.actor, &p.reason) {
            return Ok(id);
        }
        sqlx::query(
            "INSERT INTO provenances (actor, reason) VALUES ($1, $2) \
             ON CONFLICT (actor, reason) DO NOTHING",
        )
        .bind(p.actor.as_str())
        .bind(p.reason.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db::<DB>("storing provenance"))?;
        sqlx::query_scalar(DB::queries().provenance_id.as_str())
            .bind(p.actor.as_str())
            .bind(p.reason.as_str())
            .fetch_one(&mut *conn)
            .await
            .map_err(db::<DB>("storing provenance"))
    }

    /// The keys of the versions just stored, which resolve earlier
    /// quarantine entries with the same key (same department for records);
    /// none when nothing was stored or nothing is quarantined.
    async fn resolving_keys<'c>(
        conn: &mut DB::Connection,
        chunk: &ChunkWrite<'c>,
        plan: &plan::ChunkPlan<'_>,
    ) -> Result<Vec<ResolvingKey<'c>>, StoreError> {
        if plan.records.new.is_empty() && plan.subjects.new.is_empty() {
            return Ok(Vec::new());
        }
        let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM quarantine)")
            .fetch_one(&mut *conn)
            .await
            .map_err(db::<DB>("resolving quarantine entries"))?;
        if !any {
            return Ok(Vec::new());
        }
        let mut keys: Vec<ResolvingKey<'c>> =
            Vec::with_capacity(plan.records.new.len() + plan.subjects.new.len());
        for n in &plan.records.new {
            let r = &chunk.records[n.input];
            keys.push(("records", r.source.as_str(), r.id.as_str(), n.seq));
        }
        for n in &plan.subjects.new {
            keys.push(("subjects", "", chunk.subjects[n.input].uscc.as_str(), n.seq));
        }
        Ok(keys)
    }
}

/// The heads of `slots` slots from the rows found.
fn subject_heads(rows: Vec<SubjectHeadRow>, slots: usize) -> Vec<Option<Head>> {
    let mut heads = vec![None; slots];
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
    heads
}

fn record_heads(rows: Vec<RecordHeadRow>, slots: usize) -> Result<Vec<Option<Head>>, StoreError> {
    let mut heads = vec![None; slots];
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
