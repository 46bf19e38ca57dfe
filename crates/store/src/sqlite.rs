//! The embedded backend: one SQLite file in WAL mode.
//!
//! Writes go through a pool of exactly one connection (a large page cache,
//! `BEGIN IMMEDIATE` so that other processes wait on the busy timeout instead
//! of failing mid-transaction); reads through a small pool of connections
//! with a modest cache each, so memory stays bounded.
//!
//! This file holds what SQLite does its own way ([`Dialect`]); the reads and
//! the chunk writer are shared ([`crate::shared`]). A chunk is written with
//! multi-row `INSERT` statements of up to [`MAX_ROWS`] rows; the heads of all
//! keys of a chunk are looked up in one statement (`json_each` over the
//! chunk's keys).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, ConnectOptions, Pool, Sqlite, Transaction};
use xinyong_core::catalog::DepartmentSpec;

use crate::StoreError;
use crate::codec;
use crate::shared::{
    self, CREATE_SUBJECT_INDEX, ChunkRows, DROP_SUBJECT_INDEX, Db, Dialect, Queries, RecordHeadRow,
    ResolvingKey, SubjectHeadRow,
};

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
    shared::migrator(&[
        (
            1,
            "init",
            include_str!("../migrations/sqlite/0001_init.sql"),
        ),
        (
            2,
            "accounts audit",
            include_str!("../migrations/sqlite/0002_accounts_audit.sql"),
        ),
        (
            3,
            "objections",
            include_str!("../migrations/sqlite/0003_objections.sql"),
        ),
        (
            4,
            "models_runs",
            include_str!("../migrations/sqlite/0004_models_runs.sql"),
        ),
        (
            5,
            "reevaluation marks",
            include_str!("../migrations/sqlite/0005_reevaluation_marks.sql"),
        ),
        (
            6,
            "reports",
            include_str!("../migrations/sqlite/0006_reports.sql"),
        ),
        (
            7,
            "workflows",
            include_str!("../migrations/sqlite/0007_workflows.sql"),
        ),
        (
            8,
            "batch owners",
            include_str!("../migrations/sqlite/0008_batch_owners.sql"),
        ),
        (
            9,
            "lists credit checks",
            include_str!("../migrations/sqlite/0009_lists_credit_checks.sql"),
        ),
        (
            10,
            "inspection",
            include_str!("../migrations/sqlite/0010_inspection.sql"),
        ),
        (
            11,
            "xinyidai",
            include_str!("../migrations/sqlite/0011_xinyidai.sql"),
        ),
        (
            12,
            "gov claims",
            include_str!("../migrations/sqlite/0012_gov_claims.sql"),
        ),
        (
            13,
            "briefings",
            include_str!("../migrations/sqlite/0013_briefings.sql"),
        ),
        (
            14,
            "gov ledger index",
            include_str!("../migrations/sqlite/0014_ledger_index.sql"),
        ),
    ])
});

type Q = Query<'static, Sqlite, SqliteArguments>;

fn db(context: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    shared::db::<Sqlite>(context)
}

/// Short names for the hooks' signatures.
type Conn = SqliteConnection;
type Res<T> = Result<T, StoreError>;

/// The embedded store: the shared code over one writer and a few readers.
#[derive(Clone)]
pub(crate) struct SqliteBackend {
    pub db: Db<Sqlite>,
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

/// How long opening waits for another process that holds a new file's lock.
const OPEN_RETRY: Duration = Duration::from_secs(60);

/// Connect a pool, again while the database is locked: a connection's setup
/// switches the file to WAL, and SQLite answers that switch `SQLITE_BUSY` at
/// once, without the busy handler, while another process sets up or
/// migrates the same new file (two first imports at once).
async fn connect_retrying(
    pool: SqlitePoolOptions,
    options: SqliteConnectOptions,
) -> Result<Pool<Sqlite>, sqlx::Error> {
    let deadline = std::time::Instant::now() + OPEN_RETRY;
    loop {
        match pool.clone().connect_with(options.clone()).await {
            Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            other => return other,
        }
    }
}

/// `SQLITE_BUSY` or one of its extended codes (the low byte is 5).
fn is_busy(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d)
        if d.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|c| c & 0xff == 5))
}

/// Run the pending migrations exactly once, however many processes open a
/// new store at the same time.
///
/// sqlx's migrator takes no lock on SQLite: two first opens of one file both
/// found no migration applied, both ran the first one, and one failed with
/// "table departments already exists" (two first imports into a new data
/// directory at once). Now a store whose migrations are all applied is only
/// read here (no lock: opening never waits for a running import, and the
/// migrator still checks the applied migrations' checksums); otherwise the
/// migrations run inside one `BEGIN EXCLUSIVE` transaction — SQLite's single
/// write lock, waited for on the busy timeout — in which the migrator reads
/// again what is applied, so whoever comes second finds everything done and
/// applies nothing. The migrator's own transaction per migration becomes a
/// savepoint of this one.
async fn migrate(writer: &SqlitePool) -> Result<(), StoreError> {
    let applied: Result<Vec<(i64,)>, _> =
        sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(writer)
            .await;
    // No table yet (a new store) or unreadable: take the lock and let the
    // migrator find out.
    let pending = applied.map_or(true, |applied| {
        MIGRATOR
            .iter()
            .any(|m| !applied.iter().any(|(v,)| *v == m.version))
    });
    if !pending {
        return MIGRATOR
            .run(writer)
            .await
            .map_err(shared::migrate_err::<Sqlite>());
    }
    let mut tx = writer
        .begin_with("BEGIN EXCLUSIVE")
        .await
        .map_err(db("locking the store to migrate it"))?;
    // `run_direct`: `run` over a borrowed connection makes a future that is
    // not `Send` (sqlx's "Acquire is not general enough").
    MIGRATOR
        .run_direct(None, &mut *tx, false)
        .await
        .map_err(shared::migrate_err::<Sqlite>())?;
    tx.commit()
        .await
        .map_err(db("committing the store's migrations"))
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

impl SqliteBackend {
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
        let writer = connect_retrying(
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(Duration::from_secs(600)),
            base.clone()
                .pragma("cache_size", format!("-{WRITER_CACHE_KIB}")),
        )
        .await
        .map_err(open_err)?;
        migrate(&writer).await?;
        let reader = connect_retrying(
            SqlitePoolOptions::new()
                .max_connections(READERS)
                .acquire_timeout(Duration::from_secs(60)),
            base.clone()
                .pragma("cache_size", format!("-{READER_CACHE_KIB}")),
        )
        .await
        .map_err(open_err)?;
        let checkpointer = connect_retrying(
            SqlitePoolOptions::new().max_connections(1),
            base.clone().pragma("cache_size", "-1024"),
        )
        .await
        .map_err(open_err)?;
        let stop = Arc::new(tokio::sync::Notify::new());
        tokio::spawn(run_checkpointer(checkpointer, stop.clone()));
        let guard = Arc::new(CheckpointerGuard(stop));
        Ok(SqliteBackend {
            db: Db::new(writer, reader).await?,
            _checkpointer: guard,
        })
    }
}

/// Timestamps and dates are stored as text already in their read-back form.
impl Dialect for Sqlite {
    const BACKEND: &'static str = "SQLite";
    /// A deferred transaction: in WAL mode its first read fixes the snapshot.
    const BEGIN_SNAPSHOT: &'static str = "BEGIN";

    fn queries() -> &'static Queries {
        static QUERIES: LazyLock<Queries> = LazyLock::new(Queries::new::<Sqlite>);
        &QUERIES
    }

    fn timestamp(column: &str) -> String {
        column.to_owned()
    }

    fn date(column: &str) -> String {
        column.to_owned()
    }

    fn timestamp_param(n: u8) -> String {
        format!("${n}")
    }

    fn cast(expr: &str, _ty: &str) -> String {
        expr.to_owned()
    }

    /// `BEGIN IMMEDIATE`: other processes wait on the busy timeout instead of
    /// failing mid-transaction.
    async fn begin_write(
        pool: &Pool<Sqlite>,
        context: &'static str,
    ) -> Res<Transaction<'static, Sqlite>> {
        pool.begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db(context))
    }

    /// The same lock as every write: SQLite has one writer.
    async fn begin_audit(pool: &Pool<Sqlite>) -> Res<Transaction<'static, Sqlite>> {
        Self::begin_write(pool, "appending to the audit log").await
    }

    async fn subject_index(pool: &SqlitePool, on: bool) -> Res<()> {
        if !on {
            sqlx::query(DROP_SUBJECT_INDEX)
                .execute(pool)
                .await
                .map_err(db("dropping the subject index"))?;
            return Ok(());
        }
        // Building the index sorts every entry: let the sorter spill to
        // temporary files rather than hold millions of entries in memory.
        let mut conn = pool
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

    async fn seed_departments(pool: &SqlitePool, missing: &[&'static DepartmentSpec]) -> Res<()> {
        let now = codec::rfc3339(codec::now());
        let mut tx = pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("seeding departments"))?;
        for spec in missing {
            sqlx::query(
                "INSERT INTO departments (code, name, auto_registered, registered_at) VALUES ($1, $2, 0, $3) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, auto_registered = 0",
            )
            .bind(spec.code)
            .bind(spec.name_zh)
            .bind(now.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db("seeding departments"))?;
        }
        tx.commit().await.map_err(db("seeding departments"))
    }

    async fn register_departments(conn: &mut Conn, codes: &[&str], now: &str) -> Res<()> {
        for code in codes {
            sqlx::query(
                "INSERT INTO departments (code, name, auto_registered, registered_at) VALUES ($1, $1, 1, $2) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(*code)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(db("registering a department"))?;
        }
        Ok(())
    }

    async fn subject_heads(conn: &mut Conn, usccs: &[&str]) -> Res<Vec<SubjectHeadRow>> {
        let keys = serde_json::to_string(usccs).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query_as(
            "SELECT k.key, sv.seq, sv.version, sv.hash FROM json_each($1) AS k \
             JOIN subject_versions AS sv ON sv.seq = \
               (SELECT seq FROM subject_versions WHERE uscc = k.value ORDER BY version DESC LIMIT 1)",
        )
        .bind(keys)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("looking up current subject versions"))
    }

    async fn record_heads(conn: &mut Conn, keys: &[(&str, &str)]) -> Res<Vec<RecordHeadRow>> {
        let keys = serde_json::to_string(keys).map_err(|e| StoreError::Invalid(e.to_string()))?;
        sqlx::query_as(
            "SELECT k.key, rv.seq, rv.version, rv.hash, rv.kind FROM json_each($1) AS k \
             JOIN record_versions AS rv ON rv.seq = \
               (SELECT seq FROM record_versions WHERE source = k.value ->> 0 AND id = k.value ->> 1 \
                ORDER BY version DESC LIMIT 1)",
        )
        .bind(keys)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("looking up current record versions"))
    }

    async fn insert_versions(conn: &mut Conn, rows: &ChunkRows<'_>) -> Res<()> {
        let (batch, provenance) = (rows.batch, rows.provenance);
        let (chunk, plan) = (rows.chunk, rows.plan);
        let now: Arc<str> = Arc::from(rows.now);
        insert_rows(
            conn,
            "INSERT INTO subject_versions (batch, provenance, recorded_at, \
             seq, uscc, version, name, subject_type, hash, warnings, body) VALUES ",
            11,
            "",
            plan.subjects
                .new
                .iter()
                .map(|n| (n, &chunk.subjects[n.input]))
                .collect(),
            |q, (n, s)| {
                q.bind(batch.0)
                    .bind(provenance)
                    .bind(now.clone())
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
        let mut texts = Interner::default();
        insert_rows(
            conn,
            "INSERT INTO record_versions (batch, provenance, recorded_at, \
             seq, source, id, version, kind, subject, date, hash, warnings, body) VALUES ",
            13,
            "",
            plan.records
                .new
                .iter()
                .map(|n| (n, &chunk.records[n.input]))
                .collect(),
            |q, (n, r)| {
                q.bind(batch.0)
                    .bind(provenance)
                    .bind(now.clone())
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
        for (prefix, table) in [
            (
                "INSERT INTO subject_supersessions (old_seq, new_seq) VALUES ",
                &plan.subjects,
            ),
            (
                "INSERT INTO record_supersessions (old_seq, new_seq) VALUES ",
                &plan.records,
            ),
        ] {
            let pairs = table.supersessions().collect();
            let bind = |q: Q, (old, new): (i64, i64)| q.bind(old).bind(new);
            insert_rows(conn, prefix, 2, "", pairs, bind, "storing supersessions").await?;
        }
        Ok(())
    }

    async fn insert_quarantine_and_stats(
        conn: &mut Conn,
        rows: &ChunkRows<'_>,
        resolving: Vec<ResolvingKey<'_>>,
    ) -> Res<u64> {
        let (batch, now) = (rows.batch.0, rows.now);
        if !resolving.is_empty() {
            // [target, source, key, seq]
            let keys = serde_json::to_string(&resolving)
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            sqlx::query(
                "INSERT INTO quarantine_resolutions (quarantine_id, batch, seq, resolved_at) \
                 SELECT q.id, $1, k.value ->> 3, $2 FROM json_each($3) AS k \
                 JOIN quarantine AS q ON q.record_id = k.value ->> 2 AND q.target = k.value ->> 0 \
                      AND (q.target = 'subjects' OR q.source = k.value ->> 1) \
                 WHERE true ON CONFLICT (quarantine_id) DO NOTHING",
            )
            .bind(rows.batch.0)
            .bind(rows.now)
            .bind(keys)
            .execute(&mut *conn)
            .await
            .map_err(db("resolving quarantine entries"))?;
        }
        let quarantined = insert_rows(
            conn,
            "INSERT INTO quarantine (batch, created_at, \
             file, row_no, target, source, kind, record_id, raw, raw_hash, errors) VALUES ",
            11,
            " ON CONFLICT (file, row_no, raw_hash) DO NOTHING",
            rows.chunk.rejected.iter().collect(),
            |q, r| {
                q.bind(batch)
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
        .await?;
        insert_rows(
            conn,
            "INSERT INTO record_stats (batch, source, kind, received, current_delta) VALUES ",
            5,
            "",
            rows.plan.stats.iter().collect(),
            |q, (source, kind, received, delta)| {
                q.bind(batch)
                    .bind(*source)
                    .bind(kind.as_str())
                    .bind(*received)
                    .bind(*delta)
            },
            "storing statistics",
        )
        .await?;
        Ok(quarantined)
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
