//! Test support: a fresh PostgreSQL schema per test.
//!
//! The server is `XINYONG_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`). When it is unreachable the test
//! is skipped with a visible note — except under `CI=true`, where that is a
//! failure: the PostgreSQL store must be tested for real in CI.

use std::time::Duration;

use sqlx::{Connection, PgConnection};

/// Base URL of the test server.
pub fn base_url() -> String {
    std::env::var("XINYONG_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A schema created for one test; `url` selects it through `search_path`.
pub struct PgSchema {
    pub url: String,
    schema: String,
    admin: PgConnection,
}

impl PgSchema {
    /// Create a fresh schema named after `test`, or `None` (with a note on
    /// stderr) when no server is reachable outside CI. Panics under `CI=true`.
    pub async fn create(test: &str) -> Option<PgSchema> {
        let base = base_url();
        let admin = match tokio::time::timeout(Duration::from_secs(5), PgConnection::connect(&base))
            .await
        {
            Ok(Ok(c)) => c,
            other => {
                let why = match other {
                    Ok(Err(e)) => e.to_string(),
                    _ => "connection timed out".to_owned(),
                };
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
        let mut me = PgSchema {
            url: String::new(),
            schema,
            admin,
        };
        let create = format!("CREATE SCHEMA \"{}\"", me.schema);
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut me.admin)
            .await
            .expect("create the test schema");
        let sep = if base.contains('?') { '&' } else { '?' };
        me.url = format!("{base}{sep}options=-c%20search_path%3D{}", me.schema);
        Some(me)
    }

    /// Drop the schema and everything in it.
    pub async fn drop_schema(mut self) {
        let drop = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema);
        let _ = sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&mut self.admin)
            .await;
        let _ = self.admin.close().await;
    }
}
