//! The PostgreSQL backend.
//!
//! This file holds what PostgreSQL does its own way ([`Dialect`]); the reads
//! and the chunk writer are shared ([`crate::shared`]). A chunk is one
//! transaction that first takes a transaction-scoped advisory lock (per
//! schema), so that sequence numbers can be assigned as max + 1 and commit
//! in order. Heads are looked up in one statement per table (`unnest` of the
//! chunk's keys, one index probe per key); new versions are streamed with
//! `COPY ... FROM STDIN` (text format) straight into the version tables,
//! since their keys, versions and sequence numbers are known once the heads
//! are.

use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Pool, Postgres, Transaction};
use xinyong_core::catalog::DepartmentSpec;

use crate::StoreError;
use crate::codec;
use crate::shared::{
    self, CREATE_SUBJECT_INDEX, ChunkRows, DROP_SUBJECT_INDEX, Db, Dialect, Queries, RecordHeadRow,
    ResolvingKey, SubjectHeadRow,
};

/// How long the first connection may take before `open` gives up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// First key of the write lock (`pg_advisory_xact_lock(LOCK_KEY, hashtext(current_schema()))`).
const LOCK_KEY: i32 = 0x5859_4e47; // "XYNG"
/// First key of the lock held while a schema is migrated.
const MIGRATE_LOCK_KEY: i32 = 0x5859_4d47; // "XYMG"
/// First key of the audit log's append lock.
const AUDIT_LOCK_KEY: i32 = 0x5859_4144; // "XYAD"

static MIGRATOR: LazyLock<Migrator> = LazyLock::new(|| {
    shared::migrator(&[
        (
            1,
            "init",
            include_str!("../migrations/postgres/0001_init.sql"),
        ),
        (
            2,
            "accounts audit",
            include_str!("../migrations/postgres/0002_accounts_audit.sql"),
        ),
        (
            3,
            "objections",
            include_str!("../migrations/postgres/0003_objections.sql"),
        ),
        (
            4,
            "models_runs",
            include_str!("../migrations/postgres/0004_models_runs.sql"),
        ),
        (
            5,
            "reevaluation marks",
            include_str!("../migrations/postgres/0005_reevaluation_marks.sql"),
        ),
        (
            6,
            "reports",
            include_str!("../migrations/postgres/0006_reports.sql"),
        ),
        (
            7,
            "workflows",
            include_str!("../migrations/postgres/0007_workflows.sql"),
        ),
        (
            8,
            "batch owners",
            include_str!("../migrations/postgres/0008_batch_owners.sql"),
        ),
        (
            9,
            "lists credit checks",
            include_str!("../migrations/postgres/0009_lists_credit_checks.sql"),
        ),
        (
            10,
            "inspection",
            include_str!("../migrations/postgres/0010_inspection.sql"),
        ),
        (
            11,
            "xinyidai",
            include_str!("../migrations/postgres/0011_xinyidai.sql"),
        ),
        (
            12,
            "gov claims",
            include_str!("../migrations/postgres/0012_gov_claims.sql"),
        ),
        (
            13,
            "briefings",
            include_str!("../migrations/postgres/0013_briefings.sql"),
        ),
        (
            14,
            "gov ledger index",
            include_str!("../migrations/postgres/0014_ledger_index.sql"),
        ),
    ])
});

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    shared::db::<Postgres>(context)
}

/// Short names for the hooks' signatures.
type Conn = PgConnection;
type Res<T> = Result<T, StoreError>;

/// Connect (and create or migrate) the store at `url`.
pub(crate) async fn open(url: &str) -> Result<Db<Postgres>, StoreError> {
    let redacted = codec::redact_url(url);
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| StoreError::BadUrl {
            url: redacted.clone(),
            reason: e.to_string(),
        })?
        .application_name("xinyong");
    // One direct attempt first: the pool would retry until its timeout
    // and then report only that it timed out, not why.
    let mut first = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
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
    let migrated = migrate(&mut first).await;
    // Closing the connection also releases its lock if migrating failed.
    let _ = first.close().await;
    migrated?;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(60))
        .connect_lazy_with(options);
    // One pool serves reads and writes.
    Db::new(pool.clone(), pool).await
}

/// Run the pending migrations (and restore the subject index) on `conn`
/// while it holds this schema's migration lock, a session-level advisory
/// lock: concurrent first opens of one schema (two first imports at once)
/// migrate it once, whoever comes second finds every migration applied, and
/// schemas of one database migrate independently. sqlx's migrator also takes
/// its own lock, one per database; this one makes the guarantee the store's,
/// covers the index restored after a killed bulk import (two concurrent
/// `CREATE INDEX IF NOT EXISTS` of one index can fail), and goes away with
/// the connection even when a migration fails half-way.
async fn migrate(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_lock($1, hashtext(coalesce(current_schema(), '')))")
        .bind(MIGRATE_LOCK_KEY)
        .execute(&mut *conn)
        .await
        .map_err(db("locking the schema to migrate it"))?;
    // `run_direct`: `run` over a borrowed connection makes a future that is
    // not `Send` (sqlx's "Acquire is not general enough").
    MIGRATOR
        .run_direct(None, conn, false)
        .await
        .map_err(shared::migrate_err::<Postgres>())?;
    sqlx::query(CREATE_SUBJECT_INDEX)
        .execute(&mut *conn)
        .await
        .map_err(db("restoring the subject index"))?;
    sqlx::query("SELECT pg_advisory_unlock($1, hashtext(coalesce(current_schema(), '')))")
        .bind(MIGRATE_LOCK_KEY)
        .execute(&mut *conn)
        .await
        .map_err(db("unlocking the migrated schema"))?;
    Ok(())
}

/// A timestamptz column as RFC 3339 UTC text with microseconds.
fn to_rfc3339(column: &str) -> String {
    format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
}

impl Dialect for Postgres {
    const BACKEND: &'static str = "PostgreSQL";
    const BEGIN_SNAPSHOT: &'static str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

    fn timestamp(column: &str) -> String {
        to_rfc3339(column)
    }

    fn date(column: &str) -> String {
        format!("to_char({column}, 'YYYY-MM-DD')")
    }

    fn timestamp_param(n: u8) -> String {
        format!("${n}::text::timestamptz")
    }

    fn cast(expr: &str, ty: &str) -> String {
        format!("{expr}::{ty}")
    }

    fn queries() -> &'static Queries {
        static QUERIES: LazyLock<Queries> = LazyLock::new(Queries::new::<Postgres>);
        &QUERIES
    }

    /// A transaction holding the advisory lock of the current schema.
    async fn begin_write(
        pool: &Pool<Postgres>,
        context: &'static str,
    ) -> Res<Transaction<'static, Postgres>> {
        let mut tx = pool.begin().await.map_err(db(context))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
            .bind(LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(db("taking the write lock"))?;
        Ok(tx)
    }

    /// A transaction holding the audit log's advisory lock of the current
    /// schema (not the chunk writer's: audited requests never wait for an
    /// import).
    async fn begin_audit(pool: &Pool<Postgres>) -> Res<Transaction<'static, Postgres>> {
        let mut tx = pool
            .begin()
            .await
            .map_err(db("appending to the audit log"))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
            .bind(AUDIT_LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(db("taking the audit lock"))?;
        Ok(tx)
    }

    async fn subject_index(pool: &PgPool, on: bool) -> Res<()> {
        let sql = if on {
            CREATE_SUBJECT_INDEX
        } else {
            DROP_SUBJECT_INDEX
        };
        sqlx::query(sql)
            .execute(pool)
            .await
            .map_err(db("switching the subject index"))?;
        Ok(())
    }

    async fn seed_departments(pool: &PgPool, missing: &[&'static DepartmentSpec]) -> Res<()> {
        let codes: Vec<&str> = missing.iter().map(|d| d.code).collect();
        let names: Vec<&str> = missing.iter().map(|d| d.name_zh).collect();
        sqlx::query(
            "INSERT INTO departments (code, name, auto_registered, registered_at) \
             SELECT code, name, false, now() FROM unnest($1::text[], $2::text[]) AS u(code, name) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, auto_registered = false",
        )
        .bind(codes)
        .bind(names)
        .execute(pool)
        .await
        .map_err(db("seeding departments"))?;
        Ok(())
    }

    async fn register_departments(conn: &mut Conn, codes: &[&str], now: &str) -> Res<()> {
        sqlx::query(
            "INSERT INTO departments (code, name, auto_registered, registered_at) \
             SELECT code, code, true, $2::text::timestamptz FROM unnest($1::text[]) AS u(code) \
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(codes)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map(drop)
        .map_err(db("registering departments"))
    }

    /// `WITH ORDINALITY` counts from 1, slots from 0.
    async fn subject_heads(conn: &mut Conn, usccs: &[&str]) -> Res<Vec<SubjectHeadRow>> {
        sqlx::query_as(
            "SELECT k.ord - 1, h.seq, h.version, h.hash \
             FROM unnest($1::text[]) WITH ORDINALITY AS k(uscc, ord) \
             CROSS JOIN LATERAL (SELECT seq, version, hash FROM subject_versions sv \
                                 WHERE sv.uscc = k.uscc ORDER BY sv.version DESC LIMIT 1) h",
        )
        .bind(usccs)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("looking up current subject versions"))
    }

    async fn record_heads(conn: &mut Conn, keys: &[(&str, &str)]) -> Res<Vec<RecordHeadRow>> {
        let (sources, ids): (Vec<&str>, Vec<&str>) = keys.iter().copied().unzip();
        sqlx::query_as(
            "SELECT k.ord - 1, h.seq, h.version, h.hash, h.kind \
             FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(source, id, ord) \
             CROSS JOIN LATERAL (SELECT seq, version, hash, kind FROM record_versions rv \
                                 WHERE rv.source = k.source AND rv.id = k.id \
                                 ORDER BY rv.version DESC LIMIT 1) h",
        )
        .bind(sources)
        .bind(ids)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("looking up current record versions"))
    }

    /// Arrays of the rows' columns, inserted through `unnest`.
    async fn insert_quarantine_and_stats(
        conn: &mut Conn,
        rows: &ChunkRows<'_>,
        resolving: Vec<ResolvingKey<'_>>,
    ) -> Res<u64> {
        let (batch, now, rejected, stats) = (
            rows.batch.0,
            rows.now,
            rows.chunk.rejected,
            &rows.plan.stats,
        );
        if !resolving.is_empty() {
            let targets: Vec<&str> = resolving.iter().map(|k| k.0).collect();
            let sources: Vec<&str> = resolving.iter().map(|k| k.1).collect();
            let ids: Vec<&str> = resolving.iter().map(|k| k.2).collect();
            let seqs: Vec<i64> = resolving.iter().map(|k| k.3).collect();
            sqlx::query(
                "INSERT INTO quarantine_resolutions (quarantine_id, batch, seq, resolved_at) \
                 SELECT q.id, $1, k.seq, $2::text::timestamptz \
                 FROM unnest($3::text[], $4::text[], $5::text[], $6::int8[]) AS k(target, source, key, seq) \
                 JOIN quarantine q ON q.record_id = k.key AND q.target = k.target \
                                  AND (q.target = 'subjects' OR q.source = k.source) \
                 ON CONFLICT (quarantine_id) DO NOTHING",
            )
            .bind(batch)
            .bind(now)
            .bind(targets)
            .bind(sources)
            .bind(ids)
            .bind(seqs)
            .execute(&mut *conn)
            .await
            .map_err(db("resolving quarantine entries"))?;
        }
        let mut quarantined = 0;
        if !rejected.is_empty() {
            let files: Vec<&str> = rejected.iter().map(|r| r.file.as_str()).collect();
            let rows: Vec<i64> = rejected.iter().map(|r| codec::to_i64(r.row)).collect();
            let targets: Vec<&str> = rejected.iter().map(|r| r.target.as_str()).collect();
            let sources: Vec<Option<&str>> = rejected.iter().map(|r| r.source.as_deref()).collect();
            let kinds: Vec<Option<&str>> = rejected.iter().map(|r| r.kind.as_deref()).collect();
            let record_ids: Vec<Option<&str>> =
                rejected.iter().map(|r| r.record_id.as_deref()).collect();
            let raws: Vec<&str> = rejected.iter().map(|r| r.raw.as_str()).collect();
            let hashes: Vec<i64> = rejected.iter().map(|r| codec::raw_hash(&r.raw)).collect();
            let errors: Vec<String> = rejected
                .iter()
                .map(|r| codec::issues_json_always(&r.errors))
                .collect();
            quarantined = sqlx::query(
                "INSERT INTO quarantine (batch, created_at, file, row_no, target, source, kind, record_id, raw, raw_hash, errors) \
                 SELECT $1, $2::text::timestamptz, * FROM unnest($3::text[], $4::int8[], $5::text[], $6::text[], $7::text[], \
                                                                 $8::text[], $9::text[], $10::int8[], $11::text[]) \
                 ON CONFLICT (file, row_no, raw_hash) DO NOTHING",
            )
            .bind(batch)
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
            .map_err(db("quarantining rejected rows"))?
            .rows_affected();
        }
        if !stats.is_empty() {
            let sources: Vec<&str> = stats.iter().map(|s| s.0).collect();
            let kinds: Vec<&str> = stats.iter().map(|s| s.1.as_str()).collect();
            let received: Vec<i64> = stats.iter().map(|s| s.2).collect();
            let deltas: Vec<i64> = stats.iter().map(|s| s.3).collect();
            sqlx::query(
                "INSERT INTO record_stats (batch, source, kind, received, current_delta) \
                 SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int8[], $5::int8[])",
            )
            .bind(batch)
            .bind(sources)
            .bind(kinds)
            .bind(received)
            .bind(deltas)
            .execute(&mut *conn)
            .await
            .map_err(db("storing statistics"))?;
        }
        Ok(quarantined)
    }

    async fn insert_versions(conn: &mut Conn, rows: &ChunkRows<'_>) -> Res<()> {
        let ChunkRows {
            batch,
            provenance,
            now,
            chunk,
            plan,
        } = *rows;
        copy_rows(
            conn,
            "COPY subject_versions (batch, provenance, recorded_at, seq, uscc, version, name, subject_type, \
             hash, warnings, body) FROM STDIN",
            plan.subjects.new.iter(),
            |buf, n| {
                let s = &chunk.subjects[n.input];
                buf.int(batch.0);
                buf.int(provenance);
                buf.text(now);
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
        copy_rows(
            conn,
            "COPY record_versions (batch, provenance, recorded_at, seq, source, id, version, kind, subject, \
             date, hash, warnings, body) FROM STDIN",
            plan.records.new.iter(),
            |buf, n| {
                let r = &chunk.records[n.input];
                buf.int(batch.0);
                buf.int(provenance);
                buf.text(now);
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
        let supersessions = [
            (
                "COPY subject_supersessions (old_seq, new_seq) FROM STDIN",
                &plan.subjects,
            ),
            (
                "COPY record_supersessions (old_seq, new_seq) FROM STDIN",
                &plan.records,
            ),
        ];
        for (statement, table) in supersessions {
            let write = |buf: &mut CopyBuf, (old, new)| {
                buf.int(old);
                buf.int(new);
            };
            copy_rows(
                conn,
                statement,
                table.supersessions(),
                write,
                "storing supersessions",
            )
            .await?;
        }
        Ok(())
    }
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
