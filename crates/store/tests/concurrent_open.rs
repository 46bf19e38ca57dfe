//! Concurrent first opens of one new store (two first imports into a new
//! data directory at once): every open succeeds and the schema is migrated
//! once. Before the fix one of them failed with "table departments already
//! exists" (SQLite: sqlx's migrator takes no lock there).

use std::path::Path;

use sqlx::Connection;
use xinyong_store::{Store, StoreConfig};

/// Opens at once.
const OPENS: usize = 6;

/// Migrations of a backend, counted from the crate's migration files.
fn migration_count(backend: &str) -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(dir)
        .expect("migrations directory")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count() as i64
}

/// Open `cfg` `OPENS` times at once; every open must succeed.
async fn open_at_once(cfg: &StoreConfig) -> Vec<Store> {
    let opens = (0..OPENS).map(|_| {
        let cfg = cfg.clone();
        tokio::spawn(async move { Store::open(&cfg).await })
    });
    let mut stores = Vec::new();
    for (i, joined) in futures::future::join_all(opens)
        .await
        .into_iter()
        .enumerate()
    {
        let opened = joined.expect("open task");
        stores.push(opened.unwrap_or_else(|e| panic!("open {i} of {OPENS} failed: {e}")));
    }
    stores
}

/// `(migrations applied, failed ones, departments)` as the store holds them.
const CHECK: [&str; 3] = [
    "SELECT count(*) FROM _sqlx_migrations WHERE success",
    "SELECT count(*) FROM _sqlx_migrations WHERE NOT success",
    "SELECT count(*) FROM departments",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_opens_of_a_new_sqlite_store_all_succeed() {
    // A few rounds: the race needs the opens to interleave.
    for round in 0..4 {
        let dir = tempfile::tempdir().expect("tempdir");
        let cfg = StoreConfig {
            data_dir: dir.path().join(format!("data{round}")),
            database_url: None,
        };
        let stores = open_at_once(&cfg).await;
        let departments = stores[0].departments().await.expect("departments").len() as i64;
        drop(stores);
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite:{}", cfg.sqlite_path().display()))
                .await
                .expect("connect");
        let mut got = Vec::new();
        for q in CHECK {
            let (n,): (i64,) = sqlx::query_as(q).fetch_one(&mut conn).await.expect("count");
            got.push(n);
        }
        assert_eq!(
            got,
            vec![migration_count("sqlite"), 0, departments],
            "round {round}: every migration applied once"
        );
        // Opening the migrated store again changes nothing.
        let again = Store::open(&cfg).await.expect("open again");
        assert_eq!(again.departments().await.unwrap().len() as i64, departments);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_opens_of_a_new_postgres_schema_all_succeed() {
    let Some(schema) = xinyong_testkit::PgSchema::create("concurrent_first_opens").await else {
        return;
    };
    let cfg = StoreConfig {
        data_dir: std::env::temp_dir().join("xinyong-store-tests"),
        database_url: Some(schema.url.clone()),
    };
    let stores = open_at_once(&cfg).await;
    let departments = stores[0].departments().await.expect("departments").len() as i64;
    drop(stores);
    let mut conn = sqlx::PgConnection::connect(&schema.url)
        .await
        .expect("connect");
    let mut got = Vec::new();
    for q in CHECK {
        let (n,): (i64,) = sqlx::query_as(q).fetch_one(&mut conn).await.expect("count");
        got.push(n);
    }
    assert_eq!(got, vec![migration_count("postgres"), 0, departments]);
    let _ = conn.close().await;
    schema.drop_schema().await;
}
