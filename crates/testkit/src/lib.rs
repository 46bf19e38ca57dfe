//! Test support: a fresh PostgreSQL schema per test, the one harness of every
//! crate's PostgreSQL tests.
//!
//! The server is `XINYONG_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it is unreachable the test
//! is skipped with a visible note — except under `CI=true`, where that is a
//! failure: the PostgreSQL store must be tested for real in CI.
//!
//! The schema is dropped when its [`PgSchema`] is, also while a failing test
//! unwinds: the drop runs on a fresh connection, on a thread of its own, so
//! it needs nothing from the test's runtime.

use std::future::Future;
use std::time::Duration;

use sqlx::{Connection, PgConnection};

/// How long connecting to the test server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Base URL of the test server.
pub fn base_url() -> String {
    std::env::var("XINYONG_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Run `test` with the URL of a fresh schema (see [`PgSchema::create`]); the
/// schema is dropped afterwards, whether `test` returns or panics. Without a
/// server (outside CI) `test` does not run.
pub async fn with_pg_schema<F, Fut>(name: &str, test: F)
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(schema) = PgSchema::create(name).await else {
        return;
    };
    test(schema.url.clone()).await;
    schema.drop_schema().await;
}

/// A schema created for one test; `url` selects it through `search_path`.
/// Dropping it drops the schema and everything in it.
pub struct PgSchema {
    pub url: String,
    base: String,
    schema: String,
    dropped: bool,
}

impl PgSchema {
    /// Create a fresh schema named after `test`, or `None` (with a note on
    /// stderr) when no server is reachable outside CI. Panics under `CI=true`.
    pub async fn create(test: &str) -> Option<PgSchema> {
        let base = base_url();
        let mut admin = match connect(&base).await {
            Ok(c) => c,
            Err(why) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!(
                        "PostgreSQL not reachable at {base} ({why}) and CI=true: PostgreSQL tests must run in CI"
                    );
                }
                eprintln!(
                    "NOTE: PostgreSQL not reachable at {base} ({why}); PostgreSQL test `{test}` SKIPPED"
                );
                return None;
            }
        };
        let schema = schema_name(test);
        let create = format!("CREATE SCHEMA \"{schema}\"");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await
            .expect("create the test schema");
        let _ = admin.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        Some(PgSchema {
            url: format!("{base}{sep}options=-c%20search_path%3D{schema}"),
            base,
            schema,
            dropped: false,
        })
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.schema
    }

    /// Drop the schema now (instead of when `self` is dropped).
    pub async fn drop_schema(mut self) {
        self.dropped = true;
        // Best effort: a schema left behind fails no test.
        let _ = drop_schema(&self.base, &self.schema).await;
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (base, schema) = (self.base.clone(), self.schema.clone());
        // A thread and runtime of its own: this may run inside the test's
        // runtime (where blocking on a future is not allowed), or while a
        // panic unwinds it.
        let dropper = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(drop_schema(&base, &schema))
        });
        if let Ok(Err(why)) = dropper.join() {
            eprintln!("NOTE: test schema {} not dropped: {why}", self.schema);
        }
    }
}

async fn connect(url: &str) -> Result<PgConnection, String> {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url)).await {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("connection timed out".to_owned()),
    }
}

/// Drop `schema` on a fresh connection, waiting at most a while for locks
/// that connections of the test may still hold.
async fn drop_schema(base: &str, schema: &str) -> Result<(), String> {
    let mut conn = connect(base).await?;
    let statements = [
        "SET lock_timeout = '30s'".to_owned(),
        format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"),
    ];
    let mut result = Ok(());
    for sql in statements {
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
        {
            result = Err(e.to_string());
            break;
        }
    }
    let _ = conn.close().await;
    result
}

/// `xt_<pid>_<nanos>_<test>`, in lower case, at most 63 bytes.
fn schema_name(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let clean: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let mut schema = format!("xt_{}_{nanos}_{clean}", std::process::id());
    schema.truncate(63);
    schema
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    async fn schema_exists(schema: &str) -> bool {
        let mut conn = connect(&base_url()).await.expect("connect");
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.schemata WHERE schema_name = $1)",
        )
        .bind(schema)
        .fetch_one(&mut conn)
        .await
        .expect("look the schema up")
    }

    /// Runs `body` in a schema of its own; returns the schema's name (None
    /// without a server) and whether `body` panicked.
    async fn run_in_schema(name: &'static str, fail: bool) -> Option<(String, bool)> {
        let seen: Arc<Mutex<Option<String>>> = Arc::default();
        let record = seen.clone();
        let outcome = tokio::spawn(with_pg_schema(name, move |url| async move {
            let mut conn = PgConnection::connect(&url).await.expect("connect");
            sqlx::query("CREATE TABLE t (x int)")
                .execute(&mut conn)
                .await
                .expect("create a table in the schema");
            let schema: String = sqlx::query_scalar("SELECT current_schema()")
                .fetch_one(&mut conn)
                .await
                .expect("current schema");
            *record.lock().expect("lock") = Some(schema);
            assert!(!fail, "the test fails");
        }))
        .await;
        let schema = seen.lock().expect("lock").clone()?;
        Some((schema, outcome.is_err_and(|e| e.is_panic())))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_schema_is_dropped_after_a_test() {
        let Some((schema, panicked)) = run_in_schema("testkit_passes", false).await else {
            return;
        };
        assert!(!panicked);
        assert!(schema.starts_with("xt_"), "{schema}");
        assert!(!schema_exists(&schema).await, "{schema} left behind");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_schema_is_dropped_when_the_test_panics() {
        let Some((schema, panicked)) = run_in_schema("testkit_panics", true).await else {
            return;
        };
        assert!(panicked);
        assert!(!schema_exists(&schema).await, "{schema} left behind");
    }

    #[test]
    fn schema_names_are_short_and_plain() {
        let name = schema_name(&"Some Test-Name ".repeat(10));
        assert!(name.len() <= 63);
        assert!(
            name.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "{name}"
        );
    }
}
