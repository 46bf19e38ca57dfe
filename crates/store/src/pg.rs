//! The PostgreSQL backend.
//!
//! A chunk is one transaction that first takes a transaction-scoped advisory
//! lock (per schema), so that sequence numbers can be assigned as max + 1
//! and commit in order. Heads are looked up in one statement per table
//! (`unnest` of the chunk's keys, one index probe per key); new versions are
//! streamed with `COPY ... FROM STDIN` (text format) straight into the
//! version tables, since their keys, versions and sequence numbers are known
//! once the heads are.

use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, SqlSafeStr};
use xinyong_core::catalog::{DEPARTMENTS, RecordKind};

use crate::cache::Caches;
use crate::codec::{self, RecordRow, SubjectRow};
use crate::model::*;
use crate::plan::{self, Head, Slots};
use crate::{ChunkOutcome, ChunkWrite, ReceivedStat, RejectedStat, StoreError, Table};

const BACKEND: &str = "PostgreSQL";

/// How long the first connection may take before `open` gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// First key of the write lock (`pg_advisory_xact_lock(LOCK_KEY, hashtext(current_schema()))`).
const LOCK_KEY: i32 = 0x5859_4e47; // "XYNG"

static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| {
    Migrator::with_migrations(vec![Migration::new(
        1,
        "init".into(),
        MigrationType::Simple,
        include_str!("../migrations/postgres/0001_init.sql").into_sql_str(),
        false,
    )])
});

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database {
        backend: BACKEND,
        context,
        source,
    }
}

#[derive(Clone)]
pub(crate) struct PgBackend {
    pool: PgPool,
    caches: Arc<Caches>,
}

const CREATE_SUBJECT_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS record_versions_subject ON record_versions (subject)";

impl PgBackend {
    /// Drop (`false`) or build (`true`) the index of records by subject.
    pub async fn subject_index(&self, on: bool) -> Result<(), StoreError> {
        let sql = if on {
            CREATE_SUBJECT_INDEX
        } else {
            "DROP INDEX IF EXISTS record_versions_subject"
        };
        sqlx::query(sql)
            .execute(&self.pool)
            .await
            .map_err(db("switching the subject index"))?;
        Ok(())
    }

    pub async fn open(url: &str) -> Result<PgBackend, StoreError> {
        let redacted = codec::redact_url(url);
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::BadUrl {
                url: redacted.clone(),
                reason: e.to_string(),
            })?
            .application_name("xinyong");
        // One direct attempt first: the pool would retry until its timeout
        // and then report only that it timed out, not why.
        let first = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .unwrap_or_else(|_| {
                Err(sqlx::Error::Io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
                )))
            })
            .map_err(|source| StoreError::PgConnect {
                url: redacted.clone(),
                source,
            })?;
        let _ = first.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(60))
            .connect_lazy_with(options);
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                backend: BACKEND,
                source,
            })?;
        // A bulk import that was killed left the subject index dropped.
        sqlx::query(CREATE_SUBJECT_INDEX)
            .execute(&pool)
            .await
            .map_err(db("restoring the subject index"))?;
        let backend = PgBackend {
            pool,
            caches: Arc::new(Caches::default()),
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
            let codes: Vec<&str> = missing.iter().map(|d| d.code).collect();
            let names: Vec<&str> = missing.iter().map(|d| d.name_zh).collect();
            sqlx::query(
                "INSERT INTO departments (code, name, auto_registered, registered_at) \
                 SELECT code, name, false, now() FROM unnest($1::text[], $2::text[]) AS u(code, name) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, auto_registered = false",
            )
            .bind(codes)
            .bind(names)
            .execute(&self.pool)
            .await
            .map_err(db("seeding departments"))?;
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
             VALUES ($1, $2, $3, $4, 'running', $5::text::timestamptz, $5::text::timestamptz) RETURNING id",
        )
        .bind(meta.channel.as_str())
        .bind(meta.provenance.actor.as_str())
        .bind(meta.provenance.reason.as_str())
        .bind(files)
        .bind(now)
        .fetch_one(&self.pool)
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
        let mut tx = self.pool.begin().await.map_err(db(CTX))?;
        let conn: &mut PgConnection = &mut tx;
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
            .bind(LOCK_KEY)
            .execute(&mut *conn)
            .await
            .map_err(db("taking the write lock"))?;
        // Taken after the lock, so that timestamps follow commit order too.
        let now = codec::rfc3339(codec::now());

        check_running(conn, batch, CTX).await?;

        let new_departments = self
            .caches
            .unknown_departments(chunk.records.iter().map(|r| r.source.as_str()));
        if !new_departments.is_empty() {
            sqlx::query(
                "INSERT INTO departments (code, name, auto_registered, registered_at) \
                 SELECT code, code, true, $2::text::timestamptz FROM unnest($1::text[]) AS u(code) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(new_departments.clone())
            .bind(now.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db("registering departments"))?;
        }

        let provenance = provenance_id(conn, &self.caches, chunk.provenance).await?;

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

        copy_rows(
            conn,
            "COPY subject_versions (batch, provenance, recorded_at, seq, uscc, version, name, subject_type, \
             hash, warnings, body) FROM STDIN",
            plan.subjects.new.iter(),
            |buf, n| {
                let s = &chunk.subjects[n.input];
                buf.int(batch.0);
                buf.int(provenance);
                buf.text(&now);
                buf.int(n.seq);
                buf.text(&s.uscc);
                buf.int(i64::from(n.version));
                buf.text(&s.name);
                buf.text(&s.subject_type);
                buf.int(s.hash);
                buf.opt_text(codec::issues_json(&s.warnings).as_deref());
                buf.json(&s.json);
            },
            "storing subject versions",
        )
        .await?;
        copy_supersessions(conn, Table::Subjects, &plan.subjects).await?;

        copy_rows(
            conn,
            "COPY record_versions (batch, provenance, recorded_at, seq, source, id, version, kind, subject, \
             date, hash, warnings, body) FROM STDIN",
            plan.records.new.iter(),
            |buf, n| {
                let r = &chunk.records[n.input];
                buf.int(batch.0);
                buf.int(provenance);
                buf.text(&now);
                buf.int(n.seq);
                buf.text(&r.source);
                buf.text(&r.id);
                buf.int(i64::from(n.version));
                buf.text(r.kind.as_str());
                buf.text(&r.subject);
                buf.plain(&r.date);
                buf.int(r.hash);
                buf.opt_text(codec::issues_json(&r.warnings).as_deref());
                buf.json(&r.json);
            },
            "storing record versions",
        )
        .await?;
        copy_supersessions(conn, Table::Records, &plan.records).await?;

        if fault {
            return Err(StoreError::Invalid(
                "injected failure after writing records (test hook)".into(),
            ));
        }

        resolve_quarantine(conn, batch, &now, chunk, &plan).await?;
        let quarantined_new = insert_rejected(conn, batch, &now, chunk.rejected).await?;

        if !plan.stats.is_empty() {
            let sources: Vec<&str> = plan.stats.iter().map(|s| s.0).collect();
            let kinds: Vec<&str> = plan.stats.iter().map(|s| s.1.as_str()).collect();
            let received: Vec<i64> = plan.stats.iter().map(|s| s.2).collect();
            let deltas: Vec<i64> = plan.stats.iter().map(|s| s.3).collect();
            sqlx::query(
                "INSERT INTO record_stats (batch, source, kind, received, current_delta) \
                 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int8[], $5::int8[])",
            )
            .bind(batch.0)
            .bind(sources)
            .bind(kinds)
            .bind(received)
            .bind(deltas)
            .execute(&mut *conn)
            .await
            .map_err(db("storing statistics"))?;
        }

        let c = plan.counts;
        sqlx::query(
            "UPDATE batches SET accepted = accepted + $2, rejected = rejected + $3, warnings = warnings + $4, \
             unchanged = unchanged + $5, updated_at = $6::text::timestamptz WHERE id = $1",
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
        const CTX: &str = "finishing a batch";
        let mut tx = self.pool.begin().await.map_err(db(CTX))?;
        let conn: &mut PgConnection = &mut tx;
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
            .bind(LOCK_KEY)
            .execute(&mut *conn)
            .await
            .map_err(db("taking the write lock"))?;
        check_running(conn, batch, CTX).await?;
        let now = codec::rfc3339(codec::now());
        sqlx::query(
            "UPDATE batches SET status = $2, finished_at = $3::text::timestamptz, updated_at = $3::text::timestamptz \
             WHERE id = $1",
        )
        .bind(batch.0)
        .bind(status.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(db(CTX))?;
        let row: codec::BatchRow = sqlx::query_as(concat!(batch_select!(), " WHERE id = $1"))
            .bind(batch.0)
            .fetch_one(&mut *conn)
            .await
            .map_err(db(CTX))?;
        tx.commit().await.map_err(db(CTX))?;
        codec::batch_from_row(row)
    }

    pub async fn fail_stale_batches(
        &self,
        cutoff: jiff::Timestamp,
    ) -> Result<Vec<BatchId>, StoreError> {
        let now = codec::rfc3339(codec::now());
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE batches SET status = 'failed', finished_at = $1::text::timestamptz, \
             updated_at = $1::text::timestamptz \
             WHERE status = 'running' AND updated_at < $2::text::timestamptz RETURNING id",
        )
        .bind(now)
        .bind(codec::rfc3339(cutoff))
        .fetch_all(&self.pool)
        .await
        .map_err(db("failing stale batches"))?;
        let mut ids: Vec<BatchId> = ids.into_iter().map(BatchId).collect();
        ids.sort();
        Ok(ids)
    }

    pub async fn batch(&self, id: BatchId) -> Result<Option<Batch>, StoreError> {
        let row: Option<codec::BatchRow> =
            sqlx::query_as(concat!(batch_select!(), " WHERE id = $1"))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(db("reading a batch"))?;
        row.map(codec::batch_from_row).transpose()
    }

    pub async fn batches(&self, limit: u32) -> Result<Vec<Batch>, StoreError> {
        let rows: Vec<codec::BatchRow> =
            sqlx::query_as(concat!(batch_select!(), " ORDER BY id DESC LIMIT $1"))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db("listing batches"))?;
        rows.into_iter().map(codec::batch_from_row).collect()
    }

    pub async fn subject(&self, uscc: &str) -> Result<Option<StoredSubject>, StoreError> {
        let row: Option<SubjectRow> = sqlx::query_as(concat!(
            subject_select!(),
            " WHERE sv.uscc = $1 ORDER BY sv.version DESC LIMIT 1"
        ))
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a subject"))?;
        row.map(codec::subject_from_row).transpose()
    }

    pub async fn subject_history(&self, uscc: &str) -> Result<Vec<StoredSubject>, StoreError> {
        let rows: Vec<SubjectRow> = sqlx::query_as(concat!(
            subject_select!(),
            " WHERE sv.uscc = $1 ORDER BY sv.version"
        ))
        .bind(uscc)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading a subject's history"))?;
        rows.into_iter().map(codec::subject_from_row).collect()
    }

    pub async fn subject_records(&self, uscc: &str) -> Result<Vec<StoredRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(concat!(
            record_select!(),
            " WHERE rv.subject = $1 \
              AND NOT EXISTS (SELECT 1 FROM record_supersessions s WHERE s.old_seq = rv.seq) \
              ORDER BY rv.source, rv.id"
        ))
        .bind(uscc)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading a subject's records"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn record(&self, source: &str, id: &str) -> Result<Option<StoredRecord>, StoreError> {
        let row: Option<RecordRow> = sqlx::query_as(concat!(
            record_select!(),
            " WHERE rv.source = $1 AND rv.id = $2 ORDER BY rv.version DESC LIMIT 1"
        ))
        .bind(source)
        .bind(id)
        .fetch_optional(&self.pool)
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
            " WHERE rv.source = $1 AND rv.id = $2 ORDER BY rv.version"
        ))
        .bind(source)
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading a record's history"))?;
        rows.into_iter().map(codec::record_from_row).collect()
    }

    pub async fn registered_usccs(&self) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar("SELECT uscc FROM subject_versions WHERE version = 1 ORDER BY uscc")
            .fetch_all(&self.pool)
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
            " WHERE rv.seq > $1 ORDER BY rv.seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
            " WHERE sv.seq > $1 ORDER BY sv.seq LIMIT $2"
        ))
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading supersessions"))
    }

    pub async fn max_seqs(&self) -> Result<(i64, i64), StoreError> {
        let mut conn = self
            .pool
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
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting"))?;
        Ok(codec::counts_from_row(row))
    }

    pub async fn quarantine(
        &self,
        filter: &QuarantineFilter,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        let (source, unknown_source) = codec::source_filter(filter);
        let rows: Vec<codec::QuarantineRow> = sqlx::query_as(concat!(
            "SELECT q.id, q.batch, q.file, q.row_no, q.target, q.source, q.kind, q.record_id, q.raw, q.errors, ",
            ts!("q.created_at"),
            ", r.batch \
             FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id \
             WHERE ($1::int8 IS NULL OR q.batch = $1) \
               AND ($2::text IS NULL OR q.source = $2) \
               AND (NOT $3 OR q.source IS NULL) \
               AND (NOT $4 OR r.quarantine_id IS NULL) \
             ORDER BY q.id LIMIT $5 OFFSET $6"
        ))
        .bind(filter.batch.map(|b| b.0))
        .bind(source)
        .bind(unknown_source)
        .bind(filter.unresolved_only)
        .bind(i64::from(filter.limit))
        .bind(codec::to_i64(filter.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db("listing the quarantine"))?;
        rows.into_iter().map(codec::quarantine_from_row).collect()
    }

    pub async fn department_stat_parts(
        &self,
    ) -> Result<(Vec<ReceivedStat>, Vec<RejectedStat>, Vec<Department>), StoreError> {
        let received: Vec<ReceivedStat> = sqlx::query_as(
            "SELECT source, kind, sum(received)::int8, sum(current_delta)::int8 FROM record_stats GROUP BY source, kind",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading department statistics"))?;
        let rejected: Vec<RejectedStat> = sqlx::query_as(
            "SELECT source, kind, target, count(*) FROM quarantine GROUP BY source, kind, target",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading department statistics"))?;
        Ok((received, rejected, self.departments().await?))
    }

    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let rows: Vec<(String, String, bool)> =
            sqlx::query_as("SELECT code, name, auto_registered FROM departments ORDER BY code")
                .fetch_all(&self.pool)
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

/// A timestamptz column as RFC 3339 UTC text with microseconds.
macro_rules! ts {
    ($col:literal) => {
        concat!(
            "to_char(",
            $col,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        )
    };
}
macro_rules! record_select {
    () => {
        concat!(
            "SELECT rv.seq, rv.source, rv.id, rv.version, rv.kind, rv.subject, to_char(rv.date, 'YYYY-MM-DD'), \
                    rv.body, rv.hash, rv.batch, p.actor, p.reason, ",
            ts!("rv.recorded_at"),
            ", rv.warnings FROM record_versions rv JOIN provenances p ON p.id = rv.provenance"
        )
    };
}
macro_rules! subject_select {
    () => {
        concat!(
            "SELECT sv.seq, sv.uscc, sv.version, sv.name, sv.subject_type, sv.body, sv.hash, sv.batch, \
                    p.actor, p.reason, ",
            ts!("sv.recorded_at"),
            ", sv.warnings FROM subject_versions sv JOIN provenances p ON p.id = sv.provenance"
        )
    };
}
macro_rules! batch_select {
    () => {
        concat!(
            "SELECT id, channel, actor, reason, files, status, accepted, rejected, warnings, unchanged, ",
            ts!("started_at"),
            ", ",
            ts!("finished_at"),
            " FROM batches"
        )
    };
}
use {batch_select, record_select, subject_select, ts};

async fn check_running(
    conn: &mut PgConnection,
    batch: BatchId,
    context: &'static str,
) -> Result<(), StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM batches WHERE id = $1")
        .bind(batch.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db(context))?;
    codec::require_running(batch, status.as_deref())
}

async fn max_seqs(conn: &mut PgConnection) -> Result<(i64, i64), StoreError> {
    sqlx::query_as(
        "SELECT (SELECT coalesce(max(seq), 0) FROM record_versions), \
                (SELECT coalesce(max(seq), 0) FROM subject_versions)",
    )
    .fetch_one(conn)
    .await
    .map_err(db("reading sequence numbers"))
}

async fn provenance_id(
    conn: &mut PgConnection,
    caches: &Caches,
    p: &Provenance,
) -> Result<i64, StoreError> {
    if let Some(id) = caches.provenance(&p.actor, &p.reason) {
        return Ok(id);
    }
    sqlx::query("INSERT INTO provenances (actor, reason) VALUES ($1, $2) ON CONFLICT (actor, reason) DO NOTHING")
        .bind(p.actor.as_str())
        .bind(p.reason.as_str())
        .execute(&mut *conn)
        .await
        .map_err(db("storing provenance"))?;
    let id: i32 = sqlx::query_scalar("SELECT id FROM provenances WHERE actor = $1 AND reason = $2")
        .bind(p.actor.as_str())
        .bind(p.reason.as_str())
        .fetch_one(&mut *conn)
        .await
        .map_err(db("storing provenance"))?;
    Ok(i64::from(id))
}

async fn subject_heads(
    conn: &mut PgConnection,
    slots: &Slots<'_>,
) -> Result<Vec<Option<Head>>, StoreError> {
    let mut heads = vec![None; slots.keys.len()];
    if slots.keys.is_empty() {
        return Ok(heads);
    }
    let usccs: Vec<&str> = slots.keys.iter().map(|k| k.0).collect();
    let rows: Vec<(i64, i64, i32, i64)> = sqlx::query_as(
        "SELECT k.ord, h.seq, h.version, h.hash \
         FROM unnest($1::text[]) WITH ORDINALITY AS k(uscc, ord) \
         CROSS JOIN LATERAL (SELECT seq, version, hash FROM subject_versions sv \
                             WHERE sv.uscc = k.uscc ORDER BY sv.version DESC LIMIT 1) h",
    )
    .bind(usccs)
    .fetch_all(&mut *conn)
    .await
    .map_err(db("looking up current subject versions"))?;
    for (ord, seq, version, hash) in rows {
        if let Some(h) = slot(ord).and_then(|s| heads.get_mut(s)) {
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
    conn: &mut PgConnection,
    slots: &Slots<'_>,
) -> Result<Vec<Option<Head>>, StoreError> {
    let mut heads = vec![None; slots.keys.len()];
    if slots.keys.is_empty() {
        return Ok(heads);
    }
    let sources: Vec<&str> = slots.keys.iter().map(|k| k.0).collect();
    let ids: Vec<&str> = slots.keys.iter().map(|k| k.1).collect();
    let rows: Vec<(i64, i64, i32, i64, String)> = sqlx::query_as(
        "SELECT k.ord, h.seq, h.version, h.hash, h.kind \
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(source, id, ord) \
         CROSS JOIN LATERAL (SELECT seq, version, hash, kind FROM record_versions rv \
                             WHERE rv.source = k.source AND rv.id = k.id \
                             ORDER BY rv.version DESC LIMIT 1) h",
    )
    .bind(sources)
    .bind(ids)
    .fetch_all(&mut *conn)
    .await
    .map_err(db("looking up current record versions"))?;
    for (ord, seq, version, hash, kind) in rows {
        let kind = RecordKind::parse(&kind).ok_or_else(|| {
            codec::corrupt(
                &format!("record version seq {seq}"),
                format!("unknown kind '{kind}'"),
            )
        })?;
        if let Some(h) = slot(ord).and_then(|s| heads.get_mut(s)) {
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

/// `WITH ORDINALITY` counts from 1.
fn slot(ord: i64) -> Option<usize> {
    usize::try_from(ord).ok()?.checked_sub(1)
}

async fn copy_supersessions(
    conn: &mut PgConnection,
    table: Table,
    plan: &plan::TablePlan,
) -> Result<(), StoreError> {
    let statement = match table {
        Table::Records => "COPY record_supersessions (old_seq, new_seq) FROM STDIN",
        Table::Subjects => "COPY subject_supersessions (old_seq, new_seq) FROM STDIN",
    };
    copy_rows(
        conn,
        statement,
        plan.supersessions(),
        |buf, (old, new)| {
            buf.int(old);
            buf.int(new);
        },
        "storing supersessions",
    )
    .await
}

/// Bytes of COPY data sent per message: the server parses and inserts one
/// piece while the next is being built here.
const COPY_PIECE: usize = 256 * 1024;

/// `COPY ... FROM STDIN` (text format) of `rows`, each written by `write_row`
/// (without the row terminator). Nothing is sent when there are no rows.
async fn copy_rows<T>(
    conn: &mut PgConnection,
    statement: &'static str,
    rows: impl Iterator<Item = T>,
    mut write_row: impl FnMut(&mut CopyBuf, T),
    context: &'static str,
) -> Result<(), StoreError> {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let mut copy = conn.copy_in_raw(statement).await.map_err(db(context))?;
    let mut buf = CopyBuf::with_capacity(COPY_PIECE + 4096);
    for row in rows {
        write_row(&mut buf, row);
        buf.end_row();
        if buf.buf.len() >= COPY_PIECE {
            let piece = std::mem::replace(&mut buf.buf, Vec::with_capacity(COPY_PIECE + 4096));
            if let Err(e) = copy.send(piece).await {
                // Best effort: the transaction is rolled back either way.
                let _ = copy.abort("send failed").await;
                return Err(db(context)(e));
            }
        }
    }
    if !buf.buf.is_empty()
        && let Err(e) = copy.send(buf.buf).await
    {
        let _ = copy.abort("send failed").await;
        return Err(db(context)(e));
    }
    copy.finish().await.map_err(db(context))?;
    Ok(())
}

/// Record that the versions just stored resolve earlier quarantine entries
/// with the same key (same department for records).
async fn resolve_quarantine(
    conn: &mut PgConnection,
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
    let n = plan.records.new.len() + plan.subjects.new.len();
    let (mut targets, mut sources, mut keys, mut seqs) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for nv in &plan.records.new {
        let r = &chunk.records[nv.input];
        targets.push("records");
        sources.push(r.source.as_str());
        keys.push(r.id.as_str());
        seqs.push(nv.seq);
    }
    for nv in &plan.subjects.new {
        targets.push("subjects");
        sources.push("");
        keys.push(chunk.subjects[nv.input].uscc.as_str());
        seqs.push(nv.seq);
    }
    sqlx::query(
        "INSERT INTO quarantine_resolutions (quarantine_id, batch, seq, resolved_at) \
         SELECT q.id, $1, k.seq, $2::text::timestamptz \
         FROM unnest($3::text[], $4::text[], $5::text[], $6::int8[]) AS k(target, source, key, seq) \
         JOIN quarantine q ON q.record_id = k.key AND q.target = k.target \
                          AND (q.target = 'subjects' OR q.source = k.source) \
         ON CONFLICT (quarantine_id) DO NOTHING",
    )
    .bind(batch.0)
    .bind(now)
    .bind(targets)
    .bind(sources)
    .bind(keys)
    .bind(seqs)
    .execute(&mut *conn)
    .await
    .map_err(db("resolving quarantine entries"))?;
    Ok(())
}

async fn insert_rejected(
    conn: &mut PgConnection,
    batch: BatchId,
    now: &str,
    rejected: &[RejectedRow],
) -> Result<u64, StoreError> {
    if rejected.is_empty() {
        return Ok(0);
    }
    let files: Vec<&str> = rejected.iter().map(|r| r.file.as_str()).collect();
    let rows: Vec<i64> = rejected.iter().map(|r| codec::to_i64(r.row)).collect();
    let targets: Vec<&str> = rejected.iter().map(|r| r.target.as_str()).collect();
    let sources: Vec<Option<&str>> = rejected.iter().map(|r| r.source.as_deref()).collect();
    let kinds: Vec<Option<&str>> = rejected.iter().map(|r| r.kind.as_deref()).collect();
    let record_ids: Vec<Option<&str>> = rejected.iter().map(|r| r.record_id.as_deref()).collect();
    let raws: Vec<&str> = rejected.iter().map(|r| r.raw.as_str()).collect();
    let hashes: Vec<i64> = rejected.iter().map(|r| codec::raw_hash(&r.raw)).collect();
    let errors: Vec<String> = rejected
        .iter()
        .map(|r| codec::issues_json_always(&r.errors))
        .collect();
    let done = sqlx::query(
        "INSERT INTO quarantine (batch, created_at, file, row_no, target, source, kind, record_id, raw, raw_hash, errors) \
         SELECT $1, $2::text::timestamptz, * FROM unnest($3::text[], $4::int8[], $5::text[], $6::text[], $7::text[], \
                                                         $8::text[], $9::text[], $10::int8[], $11::text[]) \
         ON CONFLICT (file, row_no, raw_hash) DO NOTHING",
    )
    .bind(batch.0)
    .bind(now)
    .bind(files)
    .bind(rows)
    .bind(targets)
    .bind(sources)
    .bind(kinds)
    .bind(record_ids)
    .bind(raws)
    .bind(hashes)
    .bind(errors)
    .execute(&mut *conn)
    .await
    .map_err(db("quarantining rejected rows"))?;
    Ok(done.rows_affected())
}

/// A buffer of `COPY ... FROM STDIN` text-format rows.
struct CopyBuf {
    buf: Vec<u8>,
    at_row_start: bool,
}

impl CopyBuf {
    fn with_capacity(n: usize) -> CopyBuf {
        CopyBuf {
            buf: Vec::with_capacity(n),
            at_row_start: true,
        }
    }

    fn sep(&mut self) {
        if !self.at_row_start {
            self.buf.push(b'\t');
        }
        self.at_row_start = false;
    }

    fn int(&mut self, v: i64) {
        self.plain(&v);
    }

    /// A value whose text form needs no escaping (numbers, dates).
    fn plain(&mut self, v: &impl std::fmt::Display) {
        use std::io::Write;
        self.sep();
        let _ = write!(self.buf, "{v}");
    }

    fn text(&mut self, s: &str) {
        self.sep();
        escape_into(&mut self.buf, s.as_bytes());
    }

    fn opt_text(&mut self, s: Option<&str>) {
        match s {
            Some(s) => self.text(s),
            None => {
                self.sep();
                self.buf.extend_from_slice(b"\\N");
            }
        }
    }

    /// A body's compact JSON, escaped for COPY.
    fn json(&mut self, json: &str) {
        self.sep();
        escape_into(&mut self.buf, json.as_bytes());
    }

    fn end_row(&mut self) {
        self.buf.push(b'\n');
        self.at_row_start = true;
    }
}

/// COPY text format: backslash, newline, carriage return and tab are escaped.
fn escape_into(out: &mut Vec<u8>, bytes: &[u8]) {
    if !bytes
        .iter()
        .any(|b| matches!(b, b'\\' | b'\n' | b'\r' | b'\t'))
    {
        out.extend_from_slice(bytes);
        return;
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escaping() {
        let mut out = Vec::new();
        escape_into(&mut out, "a\\b\tc\nd\re".as_bytes());
        assert_eq!(out, b"a\\\\b\\tc\\nd\\re");
        let mut buf = CopyBuf::with_capacity(0);
        buf.int(1);
        buf.opt_text(None);
        buf.text("x");
        buf.end_row();
        assert_eq!(buf.buf, b"1\t\\N\tx\n");
    }
}
